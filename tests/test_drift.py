"""The drift guard end to end: a re-import whose source suddenly gives a small part of the edition (one award
of five, a few of its categories) or of a list is `suspect`, exit 1, every stored row kept and none recorded
as gone; `-a accept=1` writes it."""

import copy
import json

from tests.conftest import scrapy
from tests.support.imdb_api import ApiData, ImdbApi
from tests.support.scenes import crawl, list_1001, oscars_api, waf_everywhere


def test_a_sudden_shrink_of_an_edition_is_suspect_and_accept_writes_it(imdb, graphql, db, pg_url):
    waf_everywhere(imdb)
    api = oscars_api()
    graphql.route("/", api)
    assert crawl(pg_url, imdb, graphql, "imdb_event", "-a", "key=oscars_2024").returncode == 0
    assert db.scalar("SELECT count(*) FROM festival_nominations") == 130

    shrunk = copy.deepcopy(api.data.editions["ee0163152"])
    shrunk["awards"] = shrunk["awards"][:1]
    shrunk["awards"][0]["categories"] = shrunk["awards"][0]["categories"][:4]
    data = ApiData()
    data.add_edition(shrunk)
    data.events["ev0000003"]["editions"] = api.data.events["ev0000003"]["editions"]
    graphql.route("/", ImdbApi(data))
    run = crawl(pg_url, imdb, graphql, "imdb_event", "-a", "key=oscars_2024")
    assert run.returncode == 1, run.log
    assert "IMPORT STATUS: suspect oscars_2024" in run.log and "Traceback" not in run.log
    status, error = db.rows("SELECT status, error FROM import_runs ORDER BY id DESC LIMIT 1")[0]
    assert status == "suspect"
    assert "the page gives 1 award, 4 categories" in error and "5 awards, 27 categories and 130 nominations" in error
    assert db.scalar("SELECT count(*) FROM festival_nominations") == 130
    last_run = db.scalar("SELECT max(id) FROM import_runs")
    assert db.scalar("SELECT count(*) FROM import_changes WHERE run_id = :r", r=last_run) == 0
    assert db.scalar("SELECT last_import_status FROM movie_lists WHERE source_key = 'oscars_2024'") == "suspect"
    audit = json.loads(scrapy("audit", "oscars", "--json", db_url=pg_url).stdout)
    flagged = next(e for e in audit if e["key"] == "oscars_2024")
    assert "suspect" in flagged["flags"] and flagged["nominations"] == 130  # what is stored was kept

    accepted = crawl(pg_url, imdb, graphql, "imdb_event", "-a", "key=oscars_2024", "-a", "accept=1")
    assert accepted.returncode == 0, accepted.log
    assert db.scalar("SELECT status FROM import_runs ORDER BY id DESC LIMIT 1") == "success"
    newest = db.scalar("SELECT max(id) FROM import_runs")
    assert db.scalar("SELECT count(*) FROM import_changes WHERE run_id = :r AND change = 'gone'", r=newest) > 0


def test_a_list_that_suddenly_announces_a_fraction_is_suspect(imdb, graphql, db, pg_url):
    waf_everywhere(imdb)
    api = list_1001(graphql)
    assert crawl(pg_url, imdb, graphql, "imdb_list", "-a", "key=1001_movies").returncode == 0
    api.data.lists["ls024863935"]["items"] = api.data.lists["ls024863935"]["items"][:300]
    run = crawl(pg_url, imdb, graphql, "imdb_list", "-a", "key=1001_movies")
    assert run.returncode == 1, run.log
    status, error = db.rows("SELECT status, error FROM import_runs ORDER BY id DESC LIMIT 1")[0]
    assert status == "suspect" and "announces 300 entries where the last import stored 1260" in error
    assert db.scalar("SELECT count(*) FROM canonical_sources") == 1260
    newest = db.scalar("SELECT max(id) FROM import_runs")
    assert db.scalar("SELECT count(*) FROM import_changes WHERE run_id = :r", r=newest) == 0


def test_audit_flags_the_suspect_edition_and_gives_its_figures(imdb, graphql, db, pg_url):
    waf_everywhere(imdb)
    api = oscars_api()
    graphql.route("/", api)
    assert crawl(pg_url, imdb, graphql, "imdb_event", "-a", "key=oscars_2024").returncode == 0
    db.execute("UPDATE movie_lists SET last_import_status = 'suspect' WHERE source_key = 'oscars_2024'")
    db.execute("UPDATE festival_nominations SET won = false")  # a past edition whose winners are gone
    out = scrapy("audit", "oscars", "--json", db_url=pg_url)
    assert out.returncode == 0, out.stderr
    entries = {e["key"]: e for e in json.loads(out.stdout)}
    oscars = entries["oscars_2024"]
    assert (oscars["organization"], oscars["year"], oscars["instance"]) == ("oscars", 2024, 1)
    assert (oscars["nominations"], oscars["winners"], oscars["categories"]) == (130, 0, 27)
    assert oscars["person_nominations"] == 35 and oscars["person_nominations_with_people"] == 35
    assert 0 < oscars["canonical_coverage"] <= 1
    assert set(oscars["flags"]) == {"suspect", "no_winners"}
    assert entries["oscars_2023"]["flags"] == ["never_imported"]
    assert all(e["organization"] == "oscars" for e in entries.values())
    table = scrapy("audit", "oscars", "--flagged", db_url=pg_url)
    assert "oscars_2024" in table.stdout and "suspect, no_winners" in table.stdout
    bad = scrapy("audit", "nowhere", db_url=pg_url)
    assert bad.returncode == 2 and "unknown organization 'nowhere'" in bad.stderr
