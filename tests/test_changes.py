"""What changed: every import records its changes against what was stored; `scrapy changes` shows them."""

import json

from tests.conftest import scrapy
from tests.support.pages import Award, Category, Film, Nom, Person, next_event_page, next_list_page
from tests.support.server import Reply

A, B, C, D = (Film(f"tt00000{i}1", f"Film {i}") for i in range(1, 5))


def edition(noms):
    return next_event_page([Award("Golden Lion", [Category("Competition", noms)])], event_name="Venice",
                           event_id="ev0000681", year=2024)


def crawl(imdb, pg_url):
    return scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})


def test_reimport_shows_one_added_one_gone_one_changed(imdb, db, pg_url):
    director = Person("nm0000001", "Director One")
    imdb.route("/event/ev0000681/2024/1/", Reply.html(edition([
        Nom(titles=[A], secondary_names=[director]), Nom(titles=[B]), Nom(titles=[C])])))
    first = crawl(imdb, pg_url)
    assert first.returncode == 0, first.log
    assert "changes +3 −0 ~0" in first.log
    shown = json.loads(scrapy("changes", "venice_2024", "--json", db_url=pg_url).stdout)
    assert [e["imdb_id"] for e in shown["added"]] == ["tt0000011", "tt0000021", "tt0000031"]
    assert shown["gone"] == [] and shown["changed"] == []

    # IMDb removed C, added D, and announced A as the winner.
    imdb.route("/event/ev0000681/2024/1/", Reply.html(edition([
        Nom(won=True, titles=[A], secondary_names=[director]), Nom(titles=[B]), Nom(titles=[D])])))
    second = crawl(imdb, pg_url)
    assert second.returncode == 0, second.log
    assert "changes +1 −1 ~1" in second.log
    run = scrapy("changes", "venice_2024", "--json", db_url=pg_url)
    assert run.returncode == 0, run.log
    report = json.loads(run.stdout)
    assert set(report) == {"key", "run_id", "added", "gone", "changed"} and report["key"] == "venice_2024"
    assert [(e["imdb_id"], e["award"], e["category"]) for e in report["added"]] == [("tt0000041", "Golden Lion", "Competition")]
    assert [e["imdb_id"] for e in report["gone"]] == ["tt0000031"]
    assert report["changed"] == [{"imdb_id": "tt0000011", "award": "Golden Lion", "category": "Competition",
                                  "fields": {"won": {"old": False, "new": True}}}]
    first_run = db.scalar("SELECT min(id) FROM import_runs")
    older = json.loads(scrapy("changes", "venice_2024", "--run", str(first_run), "--json", db_url=pg_url).stdout)
    assert len(older["added"]) == 3
    table = scrapy("changes", "venice_2024", db_url=pg_url).stdout
    assert "+1 −1 ~1" in table and "won: False → True" in table

    third = crawl(imdb, pg_url)  # nothing changed since
    assert "changes +0 −0 ~0" in third.log


def test_changes_of_unknown_or_never_imported_keys(pg_url):
    unknown = scrapy("changes", "venice_202", db_url=pg_url)
    assert unknown.returncode == 2 and "nearest: venice_20" in unknown.stderr
    never = scrapy("changes", "venice_2024", db_url=pg_url)
    assert never.returncode == 1 and never.stderr.strip() == "error: 'venice_2024' was never imported"


def test_list_changes_positions_and_gone_entries(imdb, graphql, db, pg_url):
    films = [Film(f"tt{3000000 + i:07d}", f"F{i}") for i in range(5)]
    imdb.route("/list/ls087831830/", Reply.html(next_list_page(films, total=5, has_next=False)))
    settings = {"IMDB_BASE_URL": imdb.url, "IMDB_GRAPHQL_URL": graphql.url + "/"}
    assert "changes +5 −0 ~0" in scrapy("crawl", "imdb_list", "-a", "key=criterion", db_url=pg_url, settings=settings).log
    moved = [films[1], films[0], films[2], films[3]]  # F4 gone, F0 and F1 swapped
    imdb.route("/list/ls087831830/", Reply.html(next_list_page(moved, total=4, has_next=False)))
    run = scrapy("crawl", "imdb_list", "-a", "key=criterion", db_url=pg_url, settings=settings)
    assert run.returncode == 0 and "changes +0 −1 ~2" in run.log, run.log
    report = json.loads(scrapy("changes", "criterion", "--json", db_url=pg_url).stdout)
    assert report["gone"] == [{"imdb_id": "tt3000004", "position": 5}]
    assert {e["imdb_id"]: e["fields"]["position"] for e in report["changed"]} == {
        "tt3000001": {"old": 2, "new": 1}, "tt3000000": {"old": 1, "new": 2}}
