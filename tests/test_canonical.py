"""Canonical categories end to end: editions with IMDb's real names of their year (the real Oscars 2024
capture and, for other years, the names and winners IMDb lists) imported through the API stand-in, then
`scrapy winners`, `scrapy categories`, operator rules applied at once, the report's coverage, and the
migration mapping what an older database already holds."""

import json
import uuid

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from cinegraph_scrapy.db.engine import _migrations_dir, upgrade_schema
from tests.conftest import _admin, _sa_url, scrapy
from tests.support.api_data import award_names, names_edition, next_data_edition
from tests.support.imdb_api import ApiData, ImdbApi
from tests.support.real import OSCARS_2024

YEARS = ("1929/1", "1935/1", "1957/1", "2005/1")


def serve_oscars(graphql) -> ImdbApi:
    data = ApiData()
    edition, _ = next_data_edition(OSCARS_2024, "ev0000003")
    data.add_edition(edition)
    for index, edition_key in enumerate(YEARS):
        data.add_edition(names_edition("oscars", edition_key, f"ee70000{index:02d}"))
    api = ImdbApi(data)
    graphql.route("/", api)
    return api


def run(pg_url, *args, imdb=None, graphql=None):
    settings = {"IMDB_BASE_URL": imdb.url, "IMDB_GRAPHQL_URL": graphql.url + "/",
                "CHROMIUM_PATH": "/nonexistent/chromium"} if imdb else None
    return scrapy(*args, db_url=pg_url, settings=settings)


def winners(pg_url, *args):
    out = run(pg_url, "winners", *args, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_imported_editions_answer_winners_and_categories_and_operator_rules_apply_at_once(imdb, graphql, db, pg_url):
    serve_oscars(graphql)
    keys = "oscars_1929,oscars_1935,oscars_1957,oscars_2005,oscars_2024"
    crawl = run(pg_url, "crawl", "imdb_event", "-a", f"keys={keys}", imdb=imdb, graphql=graphql)
    assert crawl.returncode == 0, crawl.log
    assert "unmapped categories" in crawl.log

    best = winners(pg_url, "oscars", "top_prize")
    assert [(w["year"], w["instance"]) for w in best] == [(1929, 1), (1935, 1), (1957, 1), (2005, 1), (2024, 1)]
    names = award_names("oscars")["editions"]
    expected = {int(k[:4]): w for k in YEARS for a, c, n, w in names[k]
                if c in ("best picture, production", "best picture", "best motion picture of the year")}
    assert {w["year"]: [w["imdb_id"]] for w in best if w["year"] < 2024} == expected
    assert best[-1]["imdb_id"] == "tt15398776" and best[-1]["category"] == "Best Motion Picture of the Year"
    assert [p["name"] for p in best[-1]["people"]] == ["Emma Thomas", "Charles Roven", "Christopher Nolan"]
    assert set(best[0]) == {"organization", "year", "instance", "award", "category", "imdb_id", "title", "people"}
    assert [w["year"] for w in winners(pg_url, "all", "director", "--years", "1930-2010")] == [1935, 1957, 2005]
    assert len(winners(pg_url, "oscars", "director", "--years", "1929")) == 2  # comedy and dramatic picture

    listing = json.loads(run(pg_url, "categories", "oscars", "--unmapped", "--json").stdout)
    assistant = [e for e in listing if e["category"] == "best assistant director"]
    assert assistant == [{"award": "oscar", "category": "best assistant director", "first_year": 1935,
                          "last_year": 1935, "nominations": 3, "canonical": None, "source": None}]
    everything = json.loads(run(pg_url, "categories", "oscars", "--json").stdout)
    picture = [e for e in everything if e["canonical"] == "top_prize"]
    assert {e["category"] for e in picture} == {"best picture, production", "best picture",
                                                "best motion picture of the year", "Best Motion Picture of the Year"}
    assert {e["source"] for e in picture} == {"packaged"}

    mapped = run(pg_url, "categories", "map", "oscars", "--award", "Oscar", "--category", "Best Assistant Director",
                 "assistant_director")
    assert mapped.returncode == 0, mapped.stderr
    assistants = winners(pg_url, "oscars", "assistant_director")
    assert [(w["year"], w["imdb_id"]) for w in assistants] == [(1935, "tt0025948")]
    assert not [e for e in json.loads(run(pg_url, "categories", "oscars", "--unmapped", "--json").stdout)
                if e["category"] == "best assistant director"]

    unmapped = run(pg_url, "categories", "unmap", "oscars", "--award", "oscar", "--category", "best picture")
    assert unmapped.returncode == 0, unmapped.stderr
    assert [w["year"] for w in winners(pg_url, "oscars", "top_prize")] == [1929, 2005, 2024]
    source = [e for e in json.loads(run(pg_url, "categories", "oscars", "--json").stdout) if e["category"] == "best picture"]
    assert source[0]["canonical"] is None and source[0]["source"] == "operator"

    report = run(pg_url, "report")
    line = next(l for l in report.stdout.splitlines() if l.startswith("Academy Awards") and "%" in l)
    mapped_count, total = db.rows("SELECT count(canonical_key), count(*) FROM festival_nominations")[0]
    assert f"{100 * mapped_count / total:.0f}%" in line and str(total) in line


def test_bad_arguments_are_one_line_and_exit_2(pg_url):
    for args, message in ((("winners", "oscars", "best_dog"), "unknown canonical key 'best_dog'"),
                          (("winners", "nowhere", "top_prize"), "unknown organization 'nowhere'"),
                          (("categories", "map", "oscars", "--award", "Oscar", "Not A Key"), "canonical key"),
                          (("categories", "map", "oscars", "--award", "Oscar", "k", "--years", "2004-1929"),
                           "run backwards"),
                          (("winners", "oscars", "top_prize", "--years", "soon"), "years 'soon'")):
        out = run(pg_url, *args)
        assert out.returncode == 2 and message in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr


def test_the_migration_maps_what_an_older_database_already_holds():
    name = f"cg_canon_{uuid.uuid4().hex[:10]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    engine = create_engine(_sa_url(name))
    try:
        directory, _ = _migrations_dir()
        cfg = Config()
        cfg.set_main_option("script_location", str(directory))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0004")
            conn.execute(text("INSERT INTO festival_organizations (id, slug, name) VALUES (1, 'cannes', 'Cannes')"))
            conn.execute(text("INSERT INTO festival_ceremonies (id, organization_id, year, instance) "
                              "VALUES (1, 1, 1953, 1), (2, 1, 2024, 1)"))
            conn.execute(text("INSERT INTO festival_categories (id, organization_id, award_name, name) VALUES "
                              "(1, 1, 'Grand Prize of the Festival', 'Grand Prize of the Festival'), "
                              "(2, 1, 'Palme de Whiskers', 'Palme de Whiskers')"))
            conn.execute(text("INSERT INTO festival_nominations (ceremony_id, category_id, nominee_key, award_name, won)"
                              " VALUES (1, 1, 'a', 'x', true), (2, 1, 'b', 'x', true), (2, 2, 'c', 'x', true)"))
        upgrade_schema(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT c.year, n.canonical_key FROM festival_nominations n JOIN festival_ceremonies c"
                                     " ON c.id = n.ceremony_id ORDER BY n.id")).all() == [
                (1953, "top_prize"), (2024, "grand_prix"), (2024, None)]
            assert conn.execute(text("SELECT canonical_key, canonical_source FROM festival_categories ORDER BY id")).all() == [
                (None, "by year"), (None, None)]
    finally:
        engine.dispose()
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
