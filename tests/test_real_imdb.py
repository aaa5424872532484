"""Real imdb.com behaviour: the real captures parse, lists continue through IMDb's GraphQL API (never
`?page=N`), editions are discovered from the pages, and a page of another edition is refused."""

import json

import pytest

from cinegraph_scrapy.parsing import parse_event_page, parse_list_page
from cinegraph_scrapy.parsing.edition_check import edition_from_url, edition_mismatch
from cinegraph_scrapy.parsing.imdb_event import Edition
from cinegraph_scrapy.parsing.imdb_api import ApiNotFound, ApiRefusal
from cinegraph_scrapy.parsing.imdb_graphql import list_variables, parse_list_items
from cinegraph_scrapy.queries import load_query
from cinegraph_scrapy.parsing.imdb_list import PrivateListError
from tests.conftest import scrapy
from tests.support.graphql import GraphqlList, result_index
from tests.support.pages import Award, Category, Film, Nom, next_event_page
from tests.support.real import LIST_1001_PAGE1, OSCARS_2024, PRIVATE_LIST, legacy, real_page
from tests.support.server import Reply

# ------------------------------------------------------------------ parsing the real captures


def test_real_oscars_2024_page_parses_with_its_editions_date_and_place():
    page = parse_event_page(real_page(OSCARS_2024))
    assert (page.layout, len(page.nominations), page.winners) == ("next_data", 130, 32)
    assert (page.year, page.instance, page.edition_id) == (2024, 1, "ee0163152")
    assert str(page.date) == "2024-03-10" and page.location == "Los Angeles, California, USA"
    assert len(page.editions) == 97
    assert Edition(1930, 2, "ee0022588") in page.editions
    assert (page.editions[0].year, page.editions[-1].year) == (1929, 2025)
    assert sum(1 for n in page.nominations if not n.films) == 10
    assert len({(n.award_name, n.category) for n in page.nominations}) == 27


@pytest.mark.parametrize("name, nominations, year", [
    (legacy("oscars_ev0000003", 2019), 129, 2019), (legacy("oscars_ev0000003", 2023), 132, 2023),
    (legacy("venice_ev0000681", 2020), 143, 2020), (legacy("busan_ev0004044", 2021), 65, 2021)])
def test_real_legacy_widget_pages_parse_with_their_edition(name, nominations, year):
    page = parse_event_page(real_page(name))
    assert page.layout == "legacy_widget" and len(page.nominations) == nominations
    assert page.year == year and page.instance == 1 and page.edition_id.startswith("ee")
    assert page.event_id == name.split("_")[3]
    assert page.editions == []  # legacy pages do not list the other editions


def test_real_list_page_one_gives_250_items_and_a_cursor():
    page = parse_list_page(real_page(LIST_1001_PAGE1))
    assert (page.layout, len(page.entries), page.total, page.has_next) == ("next_data", 250, 1260, True)
    assert result_index(page.end_cursor) == 249
    first = page.entries[0]
    assert (first.imdb_id, first.title, first.original_title, first.year, first.position, first.title_type) == (
        "tt0000417", "A Trip to the Moon", "Le voyage dans la lune", 1902, 1, "short")
    assert [e.position for e in page.entries] == list(range(1, 251))


def test_real_private_list_is_a_clear_error():
    with pytest.raises(PrivateListError, match="private"):
        parse_list_page(real_page(PRIVATE_LIST))


# ------------------------------------------------------------------ GraphQL answers


def _answer(edges, total=3, has_next=False, cursor="c2", errors=None):
    data = {"data": {"list": {"titleListItemSearch": {"total": total, "pageInfo": {"hasNextPage": has_next,
            "endCursor": cursor}, "edges": edges}}}}
    if errors:
        data["errors"] = errors
    return json.dumps(data)


def test_graphql_answer_reads_title_under_title_and_notes_under_node():
    edges = [
        {"node": {"absolutePosition": 251, "description": {"originalText": {"plainText": "Palme d'Or"}}},
         "title": {"id": "tt0000001", "titleText": {"text": "A"}, "originalTitleText": {"text": "A0"},
                   "releaseYear": {"year": 1950}, "titleType": {"id": "tvMovie"}}},
        {"node": {"absolutePosition": None, "description": None},
         "title": {"id": "tt0000002", "titleText": None, "originalTitleText": None, "releaseYear": None}},
        {"node": None, "title": None},
    ]
    page = parse_list_items(_answer(edges, has_next=True), offset=250)
    a, b, c = page.entries
    assert (a.imdb_id, a.title, a.original_title, a.year, a.position, a.notes, a.title_type) == (
        "tt0000001", "A", "A0", 1950, 251, "Palme d'Or", "tvMovie")
    assert (b.imdb_id, b.title, b.year, b.position, b.notes, b.title_type) == ("tt0000002", None, None, 252, None, None)
    assert c.imdb_id is None and c.position == 253
    assert (page.total, page.has_next, page.end_cursor, page.errors) == (3, True, "c2", [])


def test_graphql_errors_null_list_and_broken_answers():
    refused = parse_list_items(json.dumps({"errors": [{"message": "Cannot query field \"description\""}], "data": None}))
    assert refused.entries == [] and refused.errors == ["Cannot query field \"description\""]
    with pytest.raises(ApiNotFound, match="knows no list"):
        parse_list_items(json.dumps({"data": {"list": None}}))
    with pytest.raises(ApiRefusal, match="not JSON"):
        parse_list_items(b"<html>gateway timeout</html>")
    with pytest.raises(ApiRefusal, match="not JSON"):
        parse_list_items(b"[" * 100_000 + b"]" * 100_000)


def test_graphql_list_queries_are_the_documented_ones():
    assert list_variables("ls024863935", "CUR") == {"id": "ls024863935", "first": 250, "after": "CUR"}
    basic = load_query("ListPageBasic")
    assert "titleListItemSearch(first: $first, after: $after)" in basic and "description" not in basic
    full = load_query("ListPage")
    assert "description { originalText { plainText } }" in full and "titleType { id }" in full
    assert "fragment ListSlice" in full and "fragment NominationFields" not in full  # only the fragments it spreads


# ------------------------------------------------------------------ which edition answered


def test_edition_mismatch_names_both_editions():
    page = parse_event_page(real_page(OSCARS_2024))
    url = "https://www.imdb.com/event/ev0000003/2024/1/"
    assert edition_mismatch("ev0000003", 2024, 1, page, url) is None
    wrong_year = edition_mismatch("ev0000003", 2023, 1, page, "https://www.imdb.com/event/ev0000003/2023/1/")
    assert "2023" in wrong_year and "2024" in wrong_year
    redirected = edition_mismatch("ev0000003", 2025, 1, page, url)
    assert "2025" in redirected and "2024" in redirected and "redirected" in redirected
    assert "locale" in edition_mismatch("ev0000003", 2024, 1, page, "https://www.imdb.com/fr/event/ev0000003/2024/1/")
    assert "instance 2" in edition_mismatch("ev0000003", 2024, 2, page, url)
    legacy_page = parse_event_page(real_page(legacy("venice_ev0000681", 2020)))
    assert "ev0000681" in edition_mismatch("ev0000147", 2020, 1, legacy_page, "http://x/event/ev0000147/2020/1/")
    assert edition_from_url("http://127.0.0.1:5/fr-ca/event/ev0000003/1930/2/").locale == "fr-ca"


# ------------------------------------------------------------------ end to end


def _other_films(n: int) -> list[Film]:
    return [Film(f"tt9{i:07d}", f"Continued “{i}”", 1900 + i % 120, description=f"note {i}" if i % 3 else None)
            for i in range(n)]


def serve_1001(imdb, graphql, **options) -> GraphqlList:
    """The real first page of the 1,260-film list; `?page=N` answered 403 as IMDb does; the other 1,010
    items from the GraphQL stand-in."""
    page1 = real_page(LIST_1001_PAGE1)
    first = parse_list_page(page1)
    films = [Film(e.imdb_id, e.title, e.year) for e in first.entries] + _other_films(1260 - 250)

    def list_page(req):
        if req.query:
            return Reply(b"", 403)
        return Reply(page1, 200, {"Content-Type": "text/html; charset=utf-8"})

    imdb.route("/list/ls024863935/", list_page)
    source = GraphqlList("ls024863935", films, **options)
    graphql.route("/", source)
    return source


def crawl_1001(pg_url, imdb, graphql):
    """The page path: page 1 from the list page, the rest through the API (tests/test_api_first.py has the
    whole list from the API)."""
    return scrapy("crawl", "imdb_list", "-a", "key=1001_movies", db_url=pg_url,
                  settings={"IMDB_BASE_URL": imdb.url, "IMDB_GRAPHQL_URL": graphql.url + "/", "IMDB_API_ENABLED": "False"})


def test_1001_movies_stores_all_1260_films_through_graphql(imdb, graphql, db, pg_url):
    source = serve_1001(imdb, graphql)
    run = crawl_1001(pg_url, imdb, graphql)
    assert run.returncode == 0, run.log
    assert db.rows("SELECT status FROM import_runs") == [("success",)]
    rows = db.rows("""SELECT c.position, m.imdb_id, c.notes FROM canonical_sources c JOIN movies m ON m.id = c.movie_id
                      ORDER BY c.position""")
    assert [r[0] for r in rows] == list(range(1, 1261))
    assert rows[0][1] == "tt0000417" and rows[250][1] == "tt90000000" and rows[-1][1] == "tt90001009"
    assert rows[251][2] == "note 1" and rows[250][2] is None
    assert not any(r.query for r in imdb.requests if r.path.startswith("/list/"))
    assert len(source.calls) <= 6 and len(source.calls) == 5
    assert [result_index(c["variables"]["after"]) for c in source.calls] == [249, 499, 749, 999, 1249]
    stats = db.scalar("SELECT stats FROM import_runs")
    assert stats["graphql_requests"] == 5 and stats["expected_total"] == 1260
    assert "API requests 5" in run.log and "entries 1260/1260" in run.log


def test_graphql_refusing_the_notes_query_repeats_the_page_with_the_known_query(imdb, graphql, db, pg_url):
    source = serve_1001(imdb, graphql, reject_notes=True)
    run = crawl_1001(pg_url, imdb, graphql)
    assert run.returncode == 0, run.log
    assert db.scalar("SELECT count(*) FROM canonical_sources") == 1260
    assert len(source.calls) == 10  # each continuation page twice: full query refused, then the basic one
    stats = db.scalar("SELECT stats FROM import_runs")
    assert stats["notes_unread"] == 1010
    assert "notes unread 1010" in run.log


def test_graphql_failure_is_partial_and_keeps_what_was_read(imdb, graphql, db, pg_url):
    serve_1001(imdb, graphql, fail_after=750)
    run = crawl_1001(pg_url, imdb, graphql)
    assert run.returncode == 0, run.log
    status, error = db.rows("SELECT status, error FROM import_runs")[0]
    assert status == "partial" and "HTTP 500" in error and "read 750 of 1260" in error
    assert db.scalar("SELECT count(*) FROM canonical_sources") == 750


def _oscars_site(imdb):
    """/event/ev0000003/ redirects to the latest edition, as on IMDb; 2024 is the real capture."""
    imdb.route("/event/ev0000003/", Reply(b"", 302, {"Location": "/event/ev0000003/2024/1/"}))
    imdb.route("/event/ev0000003/2024/1/", Reply(real_page(OSCARS_2024), 200, {"Content-Type": "text/html"}))
    second = [Award("Oscar", [Category("Best Actor", [Nom(won=True, titles=[Film("tt0020629", "All Quiet on the Western Front")])])])]
    imdb.route("/event/ev0000003/1930/2/", Reply.html(next_event_page(
        second, event_name="Academy Awards, USA", event_id="ev0000003", year=1930, instance=2,
        editions=[(1929, 1), (1930, 1), (1930, 2)])))


def test_discover_oscars_creates_all_97_editions_then_both_import(imdb, db, pg_url):
    _oscars_site(imdb)
    run = scrapy("discover", "oscars", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 0, run.log
    keys = {k for (k,) in db.rows("SELECT source_key FROM movie_lists WHERE source_key LIKE 'oscars\\_%'")}
    assert len(keys) == 97 and "oscars_1930_2" in keys and "oscars_1930" in keys and "oscars_1929" in keys
    assert db.rows("SELECT source_url, metadata->>'instance', metadata->>'edition_id' FROM movie_lists "
                   "WHERE source_key = 'oscars_1930_2'") == [("https://www.imdb.com/event/ev0000003/1930/2/", "2", "ee0022588")]
    line = [l for l in run.stdout.splitlines() if l.startswith("oscars ")][0]
    assert line.split()[:5] == ["oscars", "ev0000003", "97", "1929-2025", "91"]  # 6 were seeded (2020-2025)

    again = scrapy("discover", "oscars", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert again.returncode == 0 and again.stdout.splitlines()[2].split()[4] == "0"
    assert db.scalar("SELECT count(*) FROM movie_lists WHERE source_key LIKE 'oscars\\_%'") == 97

    both = scrapy("crawl", "imdb_event", "-a", "keys=oscars_2024,oscars_1930_2", db_url=pg_url,
                  settings={"IMDB_BASE_URL": imdb.url})
    assert both.returncode == 0, both.log
    assert dict(db.rows("SELECT l.source_key, r.status FROM import_runs r JOIN movie_lists l ON l.id = r.list_id")) == {
        "oscars_2024": "success", "oscars_1930_2": "success"}
    assert db.rows("SELECT year, instance, count(*) FROM festival_nominations n JOIN festival_ceremonies c "
                   "ON c.id = n.ceremony_id GROUP BY year, instance ORDER BY year") == [(1930, 2, 1), (2024, 1, 130)]


def test_years_all_discovers_then_imports_every_edition(imdb, db, pg_url):
    editions = [(2022, 1), (2023, 1), (2024, 1)]
    for year, _ in editions:
        awards = [Award("Golden Lion", [Category(None, [Nom(won=True, titles=[Film(f"tt{year}0001", f"Lion {year}")])])])]
        imdb.route(f"/event/ev0000681/{year}/1/", Reply.html(next_event_page(
            awards, event_name="Venice Film Festival", event_id="ev0000681", year=year, editions=editions)))
    imdb.route("/event/ev0000681/", Reply(b"", 302, {"Location": "/event/ev0000681/2024/1/"}))
    run = scrapy("crawl", "imdb_event", "-a", "org=venice", "-a", "years=all", db_url=pg_url,
                 settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 0, run.log
    statuses = dict(db.rows("SELECT l.source_key, r.status FROM import_runs r JOIN movie_lists l ON l.id = r.list_id"))
    assert statuses == {"venice_2022": "success", "venice_2023": "success", "venice_2024": "success"}
    assert db.scalar("SELECT count(*) FROM festival_nominations") == 3


def test_an_edition_page_refreshes_the_known_editions(imdb, db, pg_url):
    awards = [Award("Golden Lion", [Category(None, [Nom(won=True, titles=[Film("tt0000001", "A")])])])]
    imdb.route("/event/ev0000681/2024/1/", Reply.html(next_event_page(
        awards, event_name="Venice", event_id="ev0000681", year=2024, editions=[(1932, 1), (1990, 1), (2024, 1)])))
    assert db.scalar("SELECT count(*) FROM movie_lists WHERE source_key IN ('venice_1932', 'venice_1990')") == 0
    run = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 0, run.log
    assert db.scalar("SELECT count(*) FROM movie_lists WHERE source_key IN ('venice_1932', 'venice_1990')") == 2
    assert len([r for r in imdb.requests if r.path.startswith("/event/")]) == 1


def test_redirect_to_another_edition_fails_and_stores_nothing(imdb, db, pg_url):
    awards = [Award("Golden Lion", [Category(None, [Nom(won=True, titles=[Film("tt0000023", "Lion 2023")])])])]
    imdb.route("/event/ev0000681/2023/1/", Reply.html(next_event_page(
        awards, event_name="Venice", event_id="ev0000681", year=2023)))
    imdb.route("/event/ev0000681/2024/1/", Reply(b"", 302, {"Location": "/event/ev0000681/2023/1/"}))
    run = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 1
    status, error = db.rows("SELECT status, error FROM import_runs")[0]
    assert status == "failed" and "2023" in error and "2024" in error
    assert db.scalar("SELECT count(*) FROM festival_nominations") == 0
    assert db.scalar("SELECT count(*) FROM festival_ceremonies WHERE year = 2024") == 0


def test_same_url_answered_by_another_edition_fails(imdb, db, pg_url):
    imdb.route("/event/ev0000003/2025/1/", Reply(real_page(OSCARS_2024), 200, {"Content-Type": "text/html"}))
    run = scrapy("crawl", "imdb_event", "-a", "key=oscars_2025", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 1
    status, error = db.rows("SELECT status, error FROM import_runs")[0]
    assert status == "failed" and "2024" in error and "2025" in error
    assert db.scalar("SELECT count(*) FROM festival_nominations") == 0


def test_pages_are_asked_for_in_english(imdb, db, pg_url):
    _oscars_site(imdb)
    run = scrapy("crawl", "imdb_event", "-a", "key=oscars_2024", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 0, run.log
    assert [r.headers.get("accept-language") for r in imdb.requests if r.method == "GET"] == ["en-US"]


def test_discover_a_new_organization_by_event_id(imdb, db, pg_url):
    imdb.route("/event/ev0004044/", Reply(b"", 302, {"Location": "/event/ev0004044/2022/1/"}))
    imdb.route("/event/ev0004044/2022/1/", Reply(real_page(legacy("busan_ev0004044", 2022)), 200,
                                                 {"Content-Type": "text/html"}))
    imdb.route("/event/ev0004044/2021/1/", Reply(real_page(legacy("busan_ev0004044", 2021)), 200,
                                                 {"Content-Type": "text/html"}))
    unknown = scrapy("crawl", "imdb_event", "-a", "key=busan_2021", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert unknown.returncode == 2 and "unknown config key 'busan_2021'" in unknown.stderr
    run = scrapy("discover", "ev0004044", "--slug", "busan", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 0, run.log
    assert db.rows("SELECT slug, name, imdb_event_id FROM festival_organizations WHERE slug = 'busan'") == [
        ("busan", "Busan International Film Festival", "ev0004044")]
    assert db.scalar("SELECT count(*) FROM movie_lists WHERE source_key = 'busan_2022'") == 1
    crawl = scrapy("crawl", "imdb_event", "-a", "org=busan", "-a", "years=2021-2022", db_url=pg_url,
                   settings={"IMDB_BASE_URL": imdb.url})
    assert crawl.returncode == 0, crawl.log
    assert db.scalar("SELECT count(*) FROM festival_nominations n JOIN festival_ceremonies c ON c.id = n.ceremony_id "
                     "WHERE c.year = 2021") > 0


@pytest.mark.parametrize("args, message", [
    (["nosuch"], "unknown organization 'nosuch'"),
    (["ev12"], "not a known organization"),
    (["ev12", "--slug", "busan"], "not an IMDb event id"),
    (["ev0004044", "--slug", "Busan!"], "slug 'Busan!'"),
    (["ev0004044", "--slug", "venice"], "already Venice"),
    ([], "name the organizations"),
])
def test_discover_refuses_bad_arguments_in_one_line(pg_url, args, message):
    run = scrapy("discover", *args, db_url=pg_url)
    assert run.returncode == 2, run.log
    assert run.stderr.strip().splitlines() == [run.stderr.strip()] and message in run.stderr

