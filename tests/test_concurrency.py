"""Concurrency: several crawl processes at once on one PostgreSQL database (one organization: shared
films, people and categories), a new database hit by several processes at once (PostgreSQL and SQLite),
database backends killed mid-crawl. Each asserts no failed run and the same rows as one-at-a-time imports."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
import uuid

import psycopg
import pytest

from sqlalchemy import create_engine

from tests.conftest import FAST, ROOT, Db, _admin, _sa_url, scrapy
from tests.support.pages import Award, Category, Film, Nom, Person, next_event_page
from tests.support.server import LoopbackSite, Reply

YEARS = list(range(2017, 2025))
FILMS = [Film(f"tt{8100000 + i:07d}", f"Shared film {i}") for i in range(40)]
PEOPLE = [Person(f"nm{8100000 + i:07d}", f"Shared person {i}") for i in range(40)]
REPEATS = int(os.environ.get("CINEGRAPH_CONCURRENCY_REPEATS", "3"))


def globes_page(year: int) -> str:
    """Golden Globes-like editions: the same award blocks and categories every year, films and people
    drawn from one shared pool, so concurrent editions write the same shared rows."""
    awards = []
    for a in range(3):
        categories = []
        for c in range(6):
            noms = []
            for n in range(6):
                k = (year * 7 + a * 11 + c * 5 + n) % len(FILMS)
                if c % 2:
                    noms.append(Nom(won=n == 0, names=[PEOPLE[k]], secondary_titles=[FILMS[k]]))
                else:
                    noms.append(Nom(won=n == 0, titles=[FILMS[k]], secondary_names=[PEOPLE[(k + 1) % len(PEOPLE)]]))
            categories.append(Category(f"Best Thing {c}", noms))
        awards.append(Award(f"Golden Globe {a}", categories))
    return next_event_page(awards, event_name="Golden Globe Awards", event_id="ev0000292", year=year,
                           editions=[(y, 1) for y in YEARS])


@pytest.fixture(scope="module")
def globes():
    """The eight editions on one loopback IMDb, for every test of the module."""
    with LoopbackSite() as site:
        for year in YEARS:
            site.route(f"/event/ev0000292/{year}/1/", Reply.html(globes_page(year)))
        yield site


def crawl_process(keys: list[str], db_url: str, imdb_url: str, **settings) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TMDB_", "DATABASE_URL"))}
    env.update(DATABASE_URL=db_url, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "scrapy", "crawl", "imdb_event", "-a", "keys=" + ",".join(keys),
           "-s", f"IMDB_BASE_URL={imdb_url}"]
    for k, v in {**FAST, **settings}.items():
        cmd += ["-s", f"{k}={v}"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def run_together(groups: list[list[str]], db_url: str, imdb_url: str, **settings) -> list[tuple[int, str]]:
    procs = [crawl_process(keys, db_url, imdb_url, **settings) for keys in groups]
    return [(p.wait(180), p.stdout.read()) for p in procs]


def stored(db) -> tuple:
    """What the imports stored, independent of ids and timing."""
    return (
        db.rows("""SELECT c.year, cat.award_name, cat.name, n.nominee_key, m.imdb_id, n.won
                   FROM festival_nominations n JOIN festival_ceremonies c ON c.id = n.ceremony_id
                   JOIN festival_categories cat ON cat.id = n.category_id LEFT JOIN movies m ON m.id = n.movie_id
                   ORDER BY 1, 2, 3, 4"""),
        db.rows("SELECT imdb_id, title FROM movies ORDER BY imdb_id"),
        # people links too: a person another page inserted meanwhile still gets linked
        db.rows("""SELECT c.year, n.nominee_key, p.imdb_id, np.role, np.position FROM festival_nomination_people np
                   JOIN festival_nominations n ON n.id = np.nomination_id JOIN people p ON p.id = np.person_id
                   JOIN festival_ceremonies c ON c.id = n.ceremony_id ORDER BY 1, 2, 3, 4"""),
        db.rows("SELECT c.award_name, c.name FROM festival_categories c JOIN festival_organizations o "
                "ON o.id = c.organization_id WHERE o.slug = 'golden_globes' ORDER BY 1, 2"),
        db.scalar("SELECT count(*) FROM festival_ceremonies"),
    )


def assert_all_succeeded(results, db, expected_runs: int):
    for code, log in results:
        assert code == 0, log[-3000:]
        assert "Traceback" not in log and "DeadlockDetected" not in log, log[-3000:]
    statuses = db.rows("SELECT status, count(*) FROM import_runs GROUP BY status")
    assert statuses == [("success", expected_runs)], statuses


@pytest.fixture(scope="module")
def one_at_a_time(globes, pg_template):
    """What the eight editions store imported one after the other (once for the module: every concurrent
    variant must store exactly this)."""
    with database(pg_template) as (url, db, _):
        for year in YEARS:
            run = scrapy("crawl", "imdb_event", "-a", f"key=golden_globes_{year}", db_url=url,
                         settings={"IMDB_BASE_URL": globes.url})
            assert run.returncode == 0, run.log
        return stored(db)


@contextlib.contextmanager
def database(template: str | None = None):
    """(url, Db) of a database made for one repetition: from the migrated template, or empty (no schema,
    no configs) when no template is given; dropped afterwards."""
    name = f"cg_conc_{uuid.uuid4().hex[:10]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    engine = create_engine(_sa_url(name))
    try:
        yield _sa_url(name), Db(engine), name
    finally:
        engine.dispose()
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("processes", [2, 4])
def test_concurrent_crawls_of_one_organization_lose_nothing(globes, one_at_a_time, pg_template, processes):
    groups = [[f"golden_globes_{y}" for y in YEARS[i::processes]] for i in range(processes)]
    for _ in range(REPEATS):
        with database(pg_template) as (url, db, _):
            results = run_together(groups, url, globes.url, DB_WRITERS="2")
            assert_all_succeeded(results, db, len(YEARS))
            assert stored(db) == one_at_a_time


def test_one_crawl_with_two_writers_loses_nothing(globes, one_at_a_time, pg_template):
    for _ in range(REPEATS):
        with database(pg_template) as (url, db, _):
            results = run_together([[f"golden_globes_{y}" for y in YEARS]], url, globes.url, DB_WRITERS="2")
            assert_all_succeeded(results, db, len(YEARS))
            assert stored(db) == one_at_a_time


def test_four_processes_on_a_new_postgresql_database(globes, one_at_a_time):
    for _ in range(REPEATS):
        with database() as (url, db, _):  # empty: no schema, no configs
            groups = [[f"golden_globes_{y}" for y in YEARS[i::4]] for i in range(4)]
            results = run_together(groups, url, globes.url)
            assert_all_succeeded(results, db, len(YEARS))
            assert stored(db) == one_at_a_time
            assert db.scalar("SELECT count(*) FROM movie_lists WHERE seed_hash IS NOT NULL") >= 9 + 14 * 6


def test_three_processes_on_a_new_sqlite_file(globes, one_at_a_time, tmp_path):
    import sqlite3

    for attempt in range(REPEATS):
        path = tmp_path / f"new{attempt}.db"
        groups = [[f"golden_globes_{y}" for y in YEARS[i::3]] for i in range(3)]
        results = run_together(groups, f"sqlite:///{path}", globes.url)
        for code, log in results:
            assert code == 0, log[-3000:]
            assert "Traceback" not in log and "already exists" not in log
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT status, count(*) FROM import_runs GROUP BY status").fetchall() == [("success", 8)]
        noms = conn.execute("SELECT count(*) FROM festival_nominations").fetchone()[0]
        assert noms == len(one_at_a_time[0])
        assert conn.execute("SELECT count(*) FROM movies").fetchone()[0] == len(one_at_a_time[1])
        conn.close()


def kill_backends(dbname: str) -> int:
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        return len(conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = %s AND pid <> pg_backend_pid()", (dbname,)).fetchall())


def holds_every_lock(db, count: int) -> bool:
    """Whether the first crawl has taken all its import locks (only then may a second crawl be refused)."""
    try:
        return db.scalar("SELECT count(*) FROM import_locks") == count
    except Exception:  # the check's own connection may be the one just killed
        return False


def _admin_url() -> str:
    from tests.conftest import PG_ADMIN_URL

    return PG_ADMIN_URL


def test_killed_backends_mid_crawl_are_retried_and_the_lock_holds(imdb, one_at_a_time, pg_template):
    for year in YEARS[:-1]:  # slow pages: the crawl takes several seconds, the kills land while it writes
        imdb.route(f"/event/ev0000292/{year}/1/", Reply.html(globes_page(year), delay=1.5))
    # The last edition's page is held back until the second crawl has ended: the first crawl is still running
    # then, however slowly a loaded machine starts the second one.
    gate = threading.Event()
    last = Reply.html(globes_page(YEARS[-1]))
    imdb.route(f"/event/ev0000292/{YEARS[-1]}/1/", lambda request: (gate.wait(50), last)[1])
    with database(pg_template) as (url, db, name):
        keys = [f"golden_globes_{y}" for y in YEARS]
        first = crawl_process(keys, url, imdb.url, CONCURRENT_REQUESTS_PER_DOMAIN="2",
                              IMPORT_HEARTBEAT_SECONDS="0.3", DB_RETRY_BACKOFF="0.05")
        killed, second, second_done_while_first_alive = 0, None, None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.35)
            if second is not None and second_done_while_first_alive is None:
                if second.poll() is None:
                    continue  # no kills while the second crawl runs: only the first crawl is under fire
                second_done_while_first_alive = first.poll() is None
                gate.set()  # the first crawl may finish now
            killed += 1 if kill_backends(name) else 0  # from the start: seeding, configs, locks, pages
            if killed and second is None and holds_every_lock(db, len(keys)):
                # the first crawl's lock connection (always open) has just died: a second crawl must still be refused
                second = crawl_process(keys, url, imdb.url)
        gate.set()
        code, log = first.wait(120), first.stdout.read()
        assert killed >= 1
        assert code == 0, log[-4000:]
        assert "Traceback" not in log, log[-4000:]
        assert second is not None
        second_code, second_log = second.wait(60), second.stdout.read()
        assert second_done_while_first_alive, "the second crawl should have ended while the first was running"
        assert second_code == 2 and "already running" in second_log, second_log[-2000:]
        assert "the key-lock connection died" in log  # noticed, and the locks were taken again
        db.engine.dispose()  # the test's own pooled connection was killed with the others
        runs = db.rows("SELECT status, count(*) FROM import_runs GROUP BY status ORDER BY 1")
        assert runs == [("success", len(YEARS))], (runs, log[-3000:])
        assert stored(db) == one_at_a_time
