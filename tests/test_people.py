"""What real pages say is kept: people and their roles, nominee kinds, title types and TV, ceremony dates
and places, IMDb award and nomination ids; the upgrade from the previous schema keeps every person."""

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import create_engine

from tests.conftest import ROOT, Db, _admin, _sa_url, scrapy
from tests.support.pages import Award, Category, Film, Nom, Person, next_event_page
from tests.support.real import LIST_1001_PAGE1, OSCARS_2024, legacy, real_page
from tests.support.server import Reply
from tests.support.tmdb import TmdbStandIn, tmdb_id_for
from tests.support.scenes import BEST_ACTRESS, BEST_PICTURE, check_oscars_2024, nomination_people


def serve_oscars(imdb):
    imdb.route("/event/ev0000003/2024/1/", Reply(real_page(OSCARS_2024), 200, {"Content-Type": "text/html"}))


def test_real_oscars_2024_into_postgresql_keeps_people_roles_types_and_the_ceremony(imdb, db, pg_url):
    serve_oscars(imdb)
    run = scrapy("crawl", "imdb_event", "-a", "key=oscars_2024", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 0, run.log
    check_oscars_2024(db)
    before = db.counts()
    again = scrapy("crawl", "imdb_event", "-a", "key=oscars_2024", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert again.returncode == 0, again.log
    assert db.counts() == before


def test_real_oscars_2024_into_sqlite(imdb, tmp_path):
    serve_oscars(imdb)
    url = f"sqlite:///{tmp_path}/oscars.db"
    run = scrapy("crawl", "imdb_event", "-a", "key=oscars_2024", db_url=url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 0, run.log
    engine = create_engine(url)
    check_oscars_2024(Db(engine))
    engine.dispose()


def test_legacy_nomination_ids_songs_and_companies_are_kept(imdb, db, pg_url):
    imdb.route("/event/ev0000003/2019/1/", Reply(real_page(legacy("oscars_ev0000003", 2019)), 200,
                                                 {"Content-Type": "text/html"}))
    run = scrapy("crawl", "imdb_event", "-a", "key=oscars_2019", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 0, run.log
    with_id = db.scalar("SELECT count(*) FROM festival_nominations WHERE imdb_nomination_id LIKE 'an%'")
    assert with_id == db.scalar("SELECT count(DISTINCT imdb_nomination_id) FROM festival_nominations") > 100
    song = db.rows("""SELECT n.details->'songs', m.title FROM festival_nominations n JOIN movies m ON m.id = n.movie_id
                      WHERE n.details ? 'songs' AND n.won""")
    assert (["Shallow"], "A Star Is Born") in song
    actor = db.rows("""SELECT n.nominee_type, p.name, np.role FROM festival_nominations n
                       JOIN festival_categories c ON c.id = n.category_id
                       JOIN festival_nomination_people np ON np.nomination_id = n.id JOIN people p ON p.id = np.person_id
                       WHERE c.name = 'Best Performance by an Actor in a Leading Role' AND n.won""")
    assert actor == [("person", "Rami Malek", "primary")]


def test_list_import_writes_title_types(imdb, db, pg_url):
    imdb.route("/list/ls024863935/", Reply(real_page(LIST_1001_PAGE1), 200, {"Content-Type": "text/html"}))
    scrapy("crawl", "imdb_list", "-a", "key=1001_movies", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert db.rows("SELECT title_type FROM movies WHERE imdb_id = 'tt0000417'") == [("short",)]
    assert db.scalar("SELECT count(*) FROM movies WHERE title_type = 'movie'") > 200


def test_feed_carries_nominee_type_and_roles(imdb, pg_url, tmp_path):
    serve_oscars(imdb)
    out = tmp_path / "items.jsonl"
    run = scrapy("crawl", "imdb_event", "-a", "key=oscars_2024", "-O", str(out), db_url=pg_url,
                 settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 0, run.log
    items = [json.loads(line) for line in out.read_text().splitlines()]
    stone = next(i for i in items if i["category"] == BEST_ACTRESS and i["won"])
    assert stone["nominee_type"] == "person" and stone["people"] == [
        {"imdb_id": "nm1297015", "name": "Emma Stone", "role": "primary"}]
    picture = next(i for i in items if i["category"] == BEST_PICTURE and i["won"])
    assert picture["nominee_type"] == "title" and picture["title_type"] == "movie"
    assert {p["role"] for p in picture["people"]} == {"secondary"}


# ------------------------------------------------------------------ TV and people through TMDb


def globes_tv_page() -> str:
    show = Film("tt13443470", "Wednesday")
    show.title_type = "tvSeries"
    film = Film("tt1517268", "Barbie")
    awards = [Award("Golden Globe", [
        Category("Best Television Series - Musical or Comedy", [Nom(won=True, titles=[show])]),
        Category("Best Motion Picture - Musical or Comedy", [Nom(won=True, titles=[film])]),
        Category("Best Performance by an Actress in a Television Series", [
            Nom(names=[Person("nm4832920", "Jenna Ortega")], secondary_titles=[show])]),
    ])]
    return next_event_page(awards, event_name="Golden Globes, USA", event_id="ev0000292", year=2024)


def test_golden_globe_tv_nominees_are_enriched_as_tv(imdb, tmdb, db, pg_url):
    imdb.route("/event/ev0000292/2024/1/", Reply.html(globes_tv_page()))
    stand_in = TmdbStandIn(tmdb, api_key="k")
    stand_in.tv["tt13443470"] = tmdb_id_for("tt1517268")  # a TV id equal to the film's id
    settings = {"IMDB_BASE_URL": imdb.url, "TMDB_API_BASE": stand_in.base, "TMDB_MAX_RPS": "0"}
    run = scrapy("crawl", "imdb_event", "-a", "key=golden_globes_2024", db_url=pg_url, settings=settings,
                 env={"TMDB_API_KEY": "k"})
    assert run.returncode == 0, run.log
    rows = db.rows("SELECT imdb_id, title_type, tmdb_media_type, tmdb_id, tmdb_status, tmdb_title, runtime "
                   "FROM movies ORDER BY imdb_id")
    assert rows == [("tt13443470", "tvSeries", "tv", tmdb_id_for("tt1517268"), "enriched", "TMDb TV tt13443470", 55),
                    ("tt1517268", "movie", "movie", tmdb_id_for("tt1517268"), "enriched", "TMDb tt1517268", 142)]
    assert stand_in.counts == {"find": 2, "tv": 1, "movie": 1}
    again = scrapy("crawl", "imdb_event", "-a", "key=golden_globes_2024", db_url=pg_url, settings=settings,
                   env={"TMDB_API_KEY": "k"})
    assert again.returncode == 0 and stand_in.requests == 4  # nothing more on a re-run


def test_people_enrichment_is_one_request_per_person_and_none_on_a_rerun(imdb, tmdb, db, pg_url):
    imdb.route("/event/ev0000292/2024/1/", Reply.html(globes_tv_page()))
    stand_in = TmdbStandIn(tmdb, api_key="k")
    stand_in.unknown.add("tt13443470")
    settings = {"IMDB_BASE_URL": imdb.url, "TMDB_API_BASE": stand_in.base, "TMDB_MAX_RPS": "0", "TMDB_PEOPLE": "True"}
    run = scrapy("crawl", "imdb_event", "-a", "key=golden_globes_2024", db_url=pg_url, settings=settings,
                 env={"TMDB_API_KEY": "k"})
    assert run.returncode == 0, run.log
    assert db.rows("SELECT imdb_id, tmdb_person_id FROM people") == [("nm4832920", 4832920 + 500_000)]
    assert stand_in.counts["find"] == 3  # two titles + one person
    again = scrapy("crawl", "imdb_event", "-a", "key=golden_globes_2024", db_url=pg_url, settings=settings,
                   env={"TMDB_API_KEY": "k"})
    assert again.returncode == 0 and stand_in.counts["find"] == 3


# ------------------------------------------------------------------ upgrading a database of the previous schema


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(ROOT / "cinegraph_scrapy" / "db" / "migrations")).get_current_head()


def previous_schema_checkout(tmp_path: Path) -> Path:
    """The project as it was just before migration 0002 (from git history), to fill a database with."""
    added = subprocess.run(["git", "log", "--diff-filter=A", "--format=%H", "--",
                            "cinegraph_scrapy/db/migrations/versions/0002_people_and_page_facts.py"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    revision = f"{added[-1]}^" if added else "HEAD"
    old = tmp_path / "previous"
    old.mkdir()
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    assert not (old / "cinegraph_scrapy/db/migrations/versions/0002_people_and_page_facts.py").exists()
    return old


def test_database_of_the_previous_schema_upgrades_without_losing_a_person(imdb, tmp_path):
    serve_oscars(imdb)
    imdb.route("/event/ev0000003/2019/1/", Reply(real_page(legacy("oscars_ev0000003", 2019)), 200,
                                                 {"Content-Type": "text/html"}))
    old = previous_schema_checkout(tmp_path)
    name = f"cg_upgrade_{uuid.uuid4().hex[:10]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _sa_url(name)
    engine = create_engine(url)
    try:
        for key in ("oscars_2024", "oscars_2019"):
            filled = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "imdb_event", "-a", f"key={key}",
                                     "-s", f"IMDB_BASE_URL={imdb.url}", "-s", "DOWNLOAD_DELAY=0",
                                     "-s", "AUTOTHROTTLE_ENABLED=False"],
                                    cwd=old, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(old), "DATABASE_URL": url},
                                    capture_output=True, text=True, timeout=180)
            assert filled.returncode == 0, filled.stderr[-3000:]
        db = Db(engine)
        old_json = [people for (people,) in db.rows("SELECT people FROM festival_nominations")]
        old_people = {x["imdb_id"] for people in old_json for x in people if x.get("imdb_id")}
        old_links = sum(len({x["imdb_id"] for x in people if x.get("imdb_id")}) for people in old_json)
        nominations = db.scalar("SELECT count(*) FROM festival_nominations")
        migrated = scrapy("migrate", db_url=url)
        assert migrated.returncode == 0, migrated.log
        assert db.scalar("SELECT version_num FROM alembic_version") == head_revision()
        assert db.scalar("SELECT count(*) FROM festival_nominations") == nominations
        assert {p for (p,) in db.rows("SELECT imdb_id FROM people")} == old_people and len(old_people) > 225
        assert db.scalar("SELECT count(*) FROM festival_nomination_people") == old_links
        columns = {c for (c,) in db.rows("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_name = 'festival_nominations'")}
        assert "people" not in columns and {"nominee_type", "imdb_nomination_id", "details"} <= columns
        before = db.counts()
        for key in ("oscars_2024", "oscars_2019"):
            rerun = scrapy("crawl", "imdb_event", "-a", f"key={key}", db_url=url, settings={"IMDB_BASE_URL": imdb.url})
            assert rerun.returncode == 0, rerun.log
        assert db.counts() == before  # a re-run changes no counts
        assert nomination_people(db, BEST_ACTRESS, "Poor Things") == [
            ("person", "Poor Things", "movie", "Emma Stone", "primary")]  # the page's real roles now
    finally:
        engine.dispose()
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_readme_example_queries_run(imdb, db, pg_url):
    serve_oscars(imdb)
    imdb.route("/list/ls024863935/", Reply(real_page(LIST_1001_PAGE1), 200, {"Content-Type": "text/html"}))
    assert scrapy("crawl", "imdb_event", "-a", "key=oscars_2024", db_url=pg_url,
                  settings={"IMDB_BASE_URL": imdb.url}).returncode == 0
    scrapy("crawl", "imdb_list", "-a", "key=1001_movies", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## What gets stored", 1)[1].split("\n## ", 1)[0]
    queries = re.findall(r"```sql\n(.*?)```", section, re.S)
    assert len(queries) == 3
    results = [db.rows(q) for q in queries]
    assert all(results), results
    assert any("Emma Stone" in map(str, row) for row in results[0])
