"""IMDb's GraphQL API first: with every HTML page answering the WAF challenge and no browser, editions,
discovery and whole lists come from the API (a stand-in executing real GraphQL against IMDb's schema, serving
the real captures); connections are followed until complete; a schema change falls back to the minimal query;
the page path serves when the API refuses; both closed is one line, `failed`, exit 1."""

import pytest

from tests.conftest import scrapy
from tests.support.api_data import legacy_edition
from tests.support.graphql import result_index
from tests.support.imdb_api import ApiData, ImdbApi
from tests.support.real import OSCARS_2024, legacy, real_page
from tests.support.scenes import NO_BROWSER, check_oscars_2024, crawl, list_1001, oscars_api, waf_everywhere
from tests.support.server import Reply


def page_requests(imdb) -> list[str]:
    return [r.full_path for r in imdb.requests]


def test_oscars_2024_through_the_api_alone_stores_what_the_page_gives(imdb, graphql, db, pg_url):
    waf_everywhere(imdb)
    api = oscars_api()
    graphql.route("/", api)
    run = crawl(pg_url, imdb, graphql, "imdb_event", "-a", "key=oscars_2024")
    assert run.returncode == 0, run.log
    assert page_requests(imdb) == []
    assert all(not c.get("errors") for c in api.calls) and api.operations()[:2] == ["EventEditions", "EventEdition"]
    check_oscars_2024(db)
    assert db.scalar("SELECT count(*) FROM festival_nominations WHERE won") == 32
    assert db.rows("SELECT role, count(*) FROM festival_nomination_people GROUP BY role ORDER BY role") == [
        ("primary", 45), ("secondary", 196)]
    assert db.rows("SELECT nominee_type, count(*) FROM festival_nominations GROUP BY 1 ORDER BY 1") == [
        ("person", 35), ("title", 95)]
    assert db.scalar("SELECT metadata->>'edition_id' FROM movie_lists WHERE source_key = 'oscars_2024'") == "ee0163152"
    assert "served by api 1 (api " in run.log
    stats = db.scalar("SELECT stats FROM import_runs")
    assert stats["served_by"] == {"api": 1} and stats["bytes_fetched"]["api"] > 0

    # the edition id is kept: the next crawl asks for the edition directly, not for the event's editions
    again = crawl(pg_url, imdb, graphql, "imdb_event", "-a", "key=oscars_2024")
    assert again.returncode == 0, again.log
    assert api.operations().count("EventEditions") == 1


def test_small_pages_are_followed_until_every_connection_is_complete(imdb, graphql, db, pg_url):
    waf_everywhere(imdb)
    api = oscars_api()
    graphql.route("/", api)
    run = crawl(pg_url, imdb, graphql, "imdb_event", "-a", "key=oscars_2024",
                IMDB_API_CATEGORIES_FIRST="4", IMDB_API_NOMINATIONS_FIRST="2")
    assert run.returncode == 0, run.log
    assert "EventEditionCategories" in api.operations() and "EventEditionNominations" in api.operations()
    check_oscars_2024(db)
    assert db.scalar("SELECT status FROM import_runs") == "success"


def _big_edition() -> dict:
    """An award of 300 categories and a category of 700 nominations (the stand-in refuses first > 500)."""
    def nom(i, won=False):
        return {"id": f"an8{i:06d}", "isWinner": won, "notes": None, "forEpisodes": None, "forSongTitles": None,
                "awardedEntities": {"__typename": "AwardedTitles", "secondaryAwardNames": None,
                                    "secondaryAwardCompanies": None, "awardTitles": [{"note": None, "title": {
                                        "id": f"tt8{i:06d}", "titleText": {"text": f"Film {i}"},
                                        "originalTitleText": {"text": f"Film {i}"}, "titleType": {"id": "movie"}}}]}}
    many = [{"category": {"text": f"Category {c}"}, "nominations": [nom(c, won=True)]} for c in range(300)]
    long = [{"category": {"text": "Audience Choice"}, "nominations": [nom(1000 + n) for n in range(700)]}]
    return {"id": "ee8000001", "year": 2024, "instanceWithinYear": 1, "dateRange": None,
            "event": {"id": "ev0000681", "name": {"text": "Venice Film Festival"}, "location": None},
            "awards": [{"id": "aw8000001", "text": "Many", "categories": many},
                       {"id": "aw8000002", "text": "Long", "categories": long}]}


def test_an_award_of_300_categories_and_a_category_of_700_nominations_are_stored_whole(imdb, graphql, db, pg_url):
    waf_everywhere(imdb)
    data = ApiData()
    data.add_edition(_big_edition())
    api = ImdbApi(data)
    graphql.route("/", api)
    run = crawl(pg_url, imdb, graphql, "imdb_event", "-a", "key=venice_2024")
    assert run.returncode == 0, run.log
    assert db.scalar("SELECT count(*) FROM festival_nominations") == 1000
    assert db.scalar("SELECT count(*) FROM festival_categories") == 301
    assert db.scalar("SELECT status FROM import_runs") == "success"
    assert page_requests(imdb) == []


def test_counts_that_still_disagree_make_the_import_partial_naming_the_category(imdb, graphql, db, pg_url):
    waf_everywhere(imdb)
    data = ApiData()
    data.add_edition(_big_edition())
    api = ImdbApi(data)

    def no_continuations(req):
        if (req.json() or {}).get("operationName") == "EventEditionNominations":
            return Reply.json({"message": "Internal server error"}, 500)
        return api(req)
    graphql.route("/", no_continuations)
    run = crawl(pg_url, imdb, graphql, "imdb_event", "-a", "key=venice_2024", RETRY_TIMES="0")
    assert run.returncode == 0, run.log
    status, error = db.rows("SELECT status, error FROM import_runs")[0]
    assert status == "partial" and "Long / Audience Choice: 250 of 700 nominations" in error
    assert db.scalar("SELECT count(*) FROM festival_nominations") == 550


def test_a_field_gone_from_the_schema_still_stores_every_nomination(imdb, graphql, db, pg_url):
    waf_everywhere(imdb)
    api = oscars_api(remove=("Nomination.forSongTitles",))
    graphql.route("/", api)
    run = crawl(pg_url, imdb, graphql, "imdb_event", "-a", "key=oscars_2024")
    assert run.returncode == 0, run.log
    assert "EventEditionMinimal" in api.operations()
    assert db.scalar("SELECT count(*) FROM festival_nominations") == 130
    assert db.scalar("SELECT count(*) FROM festival_nominations WHERE won") == 32
    assert db.scalar("SELECT count(*) FROM people") == 225
    status, error = db.rows("SELECT status, error FROM import_runs")[0]
    assert status == "partial" and "minimal query" in error and "forSongTitles" in error
    assert page_requests(imdb) == []


@pytest.mark.parametrize("capture, key, event", [
    (legacy("oscars_ev0000003", 2019), "oscars_2019", "ev0000003"),
    (legacy("venice_ev0000681", 2020), "venice_2020", "ev0000681")])
def test_real_legacy_editions_store_the_same_rows_through_the_api_as_through_their_pages(
        imdb, graphql, db, pg_url, capture, key, event):
    year = int(key[-4:])
    imdb.route(f"/event/{event}/{year}/1/", Reply(real_page(capture), 200, {"Content-Type": "text/html"}))
    by_page = crawl(pg_url, imdb, graphql, "imdb_event", "-a", f"key={key}", IMDB_API_ENABLED="False")
    assert by_page.returncode == 0, by_page.log
    query = """SELECT c.award_name, c.name, n.won, n.notes, n.nominee_type, n.imdb_nomination_id, n.details::text,
                      m.imdb_id, m.title, m.original_title, m.title_type,
                      (SELECT string_agg(p.imdb_id || ':' || p.name || ':' || np.role, ',' ORDER BY np.position)
                       FROM festival_nomination_people np JOIN people p ON p.id = np.person_id
                       WHERE np.nomination_id = n.id)
               FROM festival_nominations n JOIN festival_categories c ON c.id = n.category_id
               LEFT JOIN movies m ON m.id = n.movie_id ORDER BY 1, 2, 6, 8"""
    page_rows = db.rows(query)
    for table in ("festival_nomination_people", "festival_nominations", "festival_categories", "festival_ceremonies",
                  "import_changes", "import_runs", "movies", "people"):
        db.execute(f"DELETE FROM {table}")
    imdb.routes.clear()
    imdb.requests.clear()
    waf_everywhere(imdb)
    data = ApiData()
    data.add_edition(legacy_edition(capture))
    graphql.route("/", ImdbApi(data))
    by_api = crawl(pg_url, imdb, graphql, "imdb_event", "-a", f"key={key}")
    assert by_api.returncode == 0, by_api.log
    assert page_requests(imdb) == []
    api_rows = db.rows(query)
    assert len(api_rows) == len(page_rows) > 100
    assert api_rows == page_rows
    assert db.scalar("SELECT count(*) FROM festival_categories WHERE imdb_award_id LIKE 'aw9%'") > 0  # the API names awards


def test_discover_reads_the_api_and_an_announced_edition_is_not_failed(imdb, graphql, db, pg_url):
    waf_everywhere(imdb)
    api = oscars_api()
    api.data.add_edition({"id": "ee0177305", "year": 2025, "instanceWithinYear": 1, "dateRange": None, "awards": [],
                          "event": {"id": "ev0000003", "name": {"text": "Academy Awards, USA"}, "location": None}})
    graphql.route("/", api)
    run = scrapy("discover", "oscars", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url,
                                                                "IMDB_GRAPHQL_URL": graphql.url + "/", **NO_BROWSER})
    assert run.returncode == 0, run.log
    assert db.scalar("SELECT count(*) FROM movie_lists WHERE source_key LIKE 'oscars\\_%'") == 97
    assert db.scalar("SELECT metadata->>'edition_id' FROM movie_lists WHERE source_key = 'oscars_1930_2'") == "ee0022588"
    assert page_requests(imdb) == []
    empty = crawl(pg_url, imdb, graphql, "imdb_event", "-a", "key=oscars_2025")
    assert empty.returncode == 0, empty.log
    status, error = db.rows("SELECT status, error FROM import_runs")[0]
    assert status == "announced" and "no nominations yet" in error
    assert db.scalar("SELECT last_import_status FROM movie_lists WHERE source_key = 'oscars_2025'") == "announced"


def test_discover_a_new_organization_is_named_from_the_api(imdb, graphql, db, pg_url):
    waf_everywhere(imdb)
    data = ApiData()
    for year in (2021, 2022):
        data.add_edition(legacy_edition(legacy("busan_ev0004044", year)))
    graphql.route("/", ImdbApi(data))
    run = scrapy("discover", "ev0004044", "--slug", "busan", db_url=pg_url,
                 settings={"IMDB_BASE_URL": imdb.url, "IMDB_GRAPHQL_URL": graphql.url + "/", **NO_BROWSER})
    assert run.returncode == 0, run.log
    assert db.scalar("SELECT name FROM festival_organizations WHERE imdb_event_id = 'ev0004044'") == \
        "Busan International Film Festival"
    assert db.scalar("SELECT count(*) FROM movie_lists WHERE source_key LIKE 'busan\\_%'") == 2
    imported = crawl(pg_url, imdb, graphql, "imdb_event", "-a", "key=busan_2021")
    assert imported.returncode == 0, imported.log
    assert db.scalar("SELECT count(*) FROM festival_nominations") == 65


def test_1001_movies_whole_from_the_api_with_no_page_request(imdb, graphql, db, pg_url):
    waf_everywhere(imdb)
    api = list_1001(graphql)
    run = crawl(pg_url, imdb, graphql, "imdb_list", "-a", "key=1001_movies")
    assert run.returncode == 0, run.log
    assert page_requests(imdb) == []
    assert len(api.calls) <= 7 and len(api.calls) == 6
    assert [c["variables"]["after"] and result_index(c["variables"]["after"]) for c in api.calls] == [
        None, 249, 499, 749, 999, 1249]
    assert db.scalar("SELECT count(*) FROM canonical_sources") == 1260
    assert db.scalar("SELECT status FROM import_runs") == "success"
    first = db.rows("SELECT m.imdb_id, m.title, c.position FROM canonical_sources c JOIN movies m ON m.id = c.movie_id "
                    "ORDER BY c.position LIMIT 1")
    assert first == [("tt0000417", "A Trip to the Moon", 1)]


def test_a_private_and_an_unknown_list_fail_naming_why(imdb, graphql, db, pg_url):
    waf_everywhere(imdb)
    api = list_1001(graphql)
    api.data.private_lists.add("ls020763765")
    private = crawl(pg_url, imdb, graphql, "imdb_list", "-a", "list=ls020763765")
    assert private.returncode == 1, private.log
    unknown = crawl(pg_url, imdb, graphql, "imdb_list", "-a", "list=ls000000001")
    assert unknown.returncode == 1, unknown.log
    assert "FORBIDDEN" in private.log and "knows no list ls000000001" in unknown.log
    assert "IMDb's API refuses list ls020763765 (FORBIDDEN)" in private.log and "IMPORT STATUS: failed" in private.log
    # configs made for a first import that failed are not left behind
    assert db.scalar("SELECT count(*) FROM movie_lists WHERE source_key IN ('ls020763765', 'ls000000001')") == 0
    assert "Traceback" not in private.log + unknown.log
    assert page_requests(imdb) == []


def test_the_page_path_imports_when_the_api_refuses(imdb, graphql, db, pg_url):
    imdb.route("/event/ev0000003/2024/1/", Reply(real_page(OSCARS_2024), 200, {"Content-Type": "text/html"}))
    graphql.route("/", oscars_api(refuse=True))
    run = crawl(pg_url, imdb, graphql, "imdb_event", "-a", "key=oscars_2024")
    assert run.returncode == 0, run.log
    check_oscars_2024(db)
    assert db.scalar("SELECT stats->'served_by' FROM import_runs") == {"page": 1}


def test_with_the_api_and_the_pages_closed_the_import_fails_naming_both(imdb, graphql, db, pg_url):
    waf_everywhere(imdb)
    graphql.route("/", oscars_api(refuse=True))
    run = crawl(pg_url, imdb, graphql, "imdb_event", "-a", "key=oscars_2024")
    assert run.returncode == 1, run.log
    error = db.scalar("SELECT error FROM import_runs")
    assert "IMDb's API answered HTTP 403" in error and "AWS WAF" in error and "no browser" in error
    assert "Traceback" not in run.log


def test_queries_are_files_a_setting_can_override(tmp_path, imdb, graphql, db, pg_url):
    waf_everywhere(imdb)
    api = oscars_api()
    graphql.route("/", api)
    from cinegraph_scrapy.queries import PACKAGED
    text = (PACKAGED / "EventEditions.graphql").read_text().replace("location { text }", "location { text } id")
    (tmp_path / "EventEditions.graphql").write_text(text)
    run = crawl(pg_url, imdb, graphql, "imdb_event", "-a", "key=oscars_2024", IMDB_GRAPHQL_QUERIES_DIR=str(tmp_path))
    assert run.returncode == 0, run.log
    assert "location { text } id" in api.calls[0]["query"]
    assert api.calls[1]["operationName"] == "EventEdition" and api.calls[1]["variables"]["editionId"] == "ee0163152"


def test_years_all_discovers_through_the_api_then_imports_every_edition(imdb, graphql, db, pg_url):
    waf_everywhere(imdb)
    data = ApiData()
    for year in (2022, 2023, 2024):
        edition = _big_edition()
        edition.update(id=f"ee80{year}", year=year)
        edition["awards"] = edition["awards"][:1]
        edition["awards"][0]["categories"] = edition["awards"][0]["categories"][:3]
        data.add_edition(edition)
    api = ImdbApi(data)
    graphql.route("/", api)
    run = crawl(pg_url, imdb, graphql, "imdb_event", "-a", "org=venice", "-a", "years=all")
    assert run.returncode == 0, run.log
    statuses = dict(db.rows("SELECT l.source_key, r.status FROM import_runs r JOIN movie_lists l ON l.id = r.list_id"))
    assert statuses == {"venice_2022": "success", "venice_2023": "success", "venice_2024": "success"}
    assert db.scalar("SELECT count(*) FROM festival_nominations") == 9
    assert api.operations().count("EventEditions") == 1 and page_requests(imdb) == []
