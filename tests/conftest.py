"""Shared test fixtures: a fresh PostgreSQL database per test (cloned from a migrated template),
loopback sites standing in for IMDb and TMDb, and a helper that runs real `scrapy` commands."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text

from tests.support.server import LoopbackSite

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("CINEGRAPH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def pytest_xdist_auto_num_workers(config) -> int:
    """`-n auto` (pytest.ini): three workers for the suite, whose end-to-end tests mostly wait on their `scrapy`
    processes; none for the unit layer alone (`pytest tests/unit` stays one in-process run)."""
    unit = ROOT / "tests" / "unit"
    asked = [Path(arg.split("::")[0]).resolve() for arg in config.args] or [ROOT / "tests"]
    return 0 if all(path == unit or unit in path.parents for path in asked) else 3


# The longest end-to-end modules (scrapyd, the benchmark, whole-organization imports) run first, so that the
# workers finish together instead of one of them running the longest module last (each module runs whole on
# one worker: `--dist loadfile` in pytest.ini, so module fixtures are made once).
LONGEST_FIRST = ("test_scrapyd", "test_bench", "test_canonical", "test_concurrency", "test_rough_edges",
                 "test_tmdb", "test_quality_tools", "test_changes", "test_people")


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        name = item.path.stem
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: each module keeps its own order


def _sa_url(dbname: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{dbname}"


def _admin():
    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)


@pytest.fixture(scope="session")
def pg_template():
    """A migrated, seeded template database. PostgreSQL must be reachable: the suite fails otherwise."""
    try:
        conn = _admin()
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc}", pytrace=False)
    name = f"cg_tmpl_{uuid.uuid4().hex[:8]}"
    conn.execute(f'CREATE DATABASE "{name}"')
    from cinegraph_scrapy.seeding import seed_configs
    from cinegraph_scrapy.db.engine import get_engine, upgrade_schema, _engines

    url = _sa_url(name)
    engine = get_engine(url)
    upgrade_schema(engine)
    seed_configs(engine)
    engine.dispose()
    _engines.pop(url, None)
    yield name
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


@pytest.fixture
def pg_url(pg_template):
    """DATABASE_URL of a fresh database for this test."""
    name = f"cg_test_{uuid.uuid4().hex[:10]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    yield _sa_url(name)
    from cinegraph_scrapy.db.engine import _engines

    engine = _engines.pop(_sa_url(name), None)
    if engine is not None:
        engine.dispose()
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db(pg_url):
    engine = create_engine(pg_url)
    yield Db(engine)
    engine.dispose()


class Db:
    def __init__(self, engine):
        self.engine = engine

    def scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params):
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]

    def execute(self, sql: str, **params):
        with self.engine.begin() as conn:
            conn.execute(text(sql), params)

    def people_of(self, nomination_id: int) -> list[tuple[str, str, str]]:
        """(imdb_id, name, role) of a nomination's people, in page order."""
        return self.rows("""SELECT p.imdb_id, p.name, np.role FROM festival_nomination_people np
                            JOIN people p ON p.id = np.person_id WHERE np.nomination_id = :n
                            ORDER BY np.position""", n=nomination_id)

    def counts(self) -> dict[str, int]:
        tables = ["movies", "canonical_sources", "festival_organizations", "festival_ceremonies",
                  "festival_categories", "festival_nominations", "movie_lists", "people",
                  "festival_nomination_people"]
        return {t: self.scalar(f"SELECT count(*) FROM {t}") for t in tables}


@pytest.fixture
def imdb():
    with LoopbackSite() as site:
        yield site


@pytest.fixture
def graphql():
    """IMDb's GraphQL API (api.graphql.imdb.com) stand-in; route "/" to a tests.support.graphql.GraphqlList."""
    with LoopbackSite() as site:
        yield site


@pytest.fixture
def tmdb():
    with LoopbackSite() as site:
        yield site


FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "RETRY_BACKOFF_BASE": "0.05",
    "LOG_LEVEL": "INFO",
}


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def log(self) -> str:
        return self.stdout + self.stderr


def scrapy(*args: str, db_url: str | None = None, settings: dict | None = None, env: dict | None = None,
           cwd: Path | None = None, timeout: float = 180) -> Run:
    """Run `python -m scrapy ARGS` as a user would, in its own process (one reactor per process)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("TMDB_", "DATABASE_URL", "SCRAPY_"))}
    full_env["PYTHONPATH"] = str(ROOT)
    if db_url:
        full_env["DATABASE_URL"] = db_url
    full_env.update(env or {})
    cmd = [sys.executable, "-m", "scrapy", *args]
    settings = dict(settings or {})
    if "IMDB_BASE_URL" in settings and "IMDB_GRAPHQL_URL" not in settings:
        # A test that serves only pages: IMDb's API answers 404 there, so the page path is what it tests.
        settings["IMDB_GRAPHQL_URL"] = settings["IMDB_BASE_URL"].rstrip("/") + "/no-graphql-here/"
    if args and args[0] == "crawl":
        for key, value in {**FAST, **settings}.items():
            cmd += ["-s", f"{key}={value}"]
    else:
        for key, value in settings.items():
            cmd += ["-s", f"{key}={value}"]
    proc = subprocess.run(cmd, cwd=cwd or ROOT, env=full_env, capture_output=True, text=True, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr)
