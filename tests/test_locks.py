"""One running import per key, also outside scrapyd; a killed run is taken over and marked interrupted."""

import os
import signal
import threading

import pytest

from tests.conftest import scrapy
from tests.support.scenes import serve_venice, start_crawl, wait_for


@pytest.fixture
def slow_venice(imdb):
    """Venice 2024 whose first answer is held back until the test opens `imdb.gate` (or 50 s pass): the first
    crawl is surely still running while the test starts a second one, however loaded the machine."""
    yield from held_back_venice(imdb)


def held_back_venice(imdb):
    serve_venice(imdb)
    page = imdb.routes["/event/ev0000681/2024/1/"]
    imdb.gate = threading.Event()
    answered = []

    def first_held_back(request):
        if not answered:
            answered.append(request)
            imdb.gate.wait(50)
        return page

    imdb.route("/event/ev0000681/2024/1/", first_held_back)
    yield imdb
    imdb.gate.set()


def test_second_crawl_of_the_same_key_refuses_to_start(slow_venice, db, pg_url):
    first = start_crawl("venice_2024", pg_url, slow_venice.url)
    try:
        wait_for(lambda: db.scalar("SELECT count(*) FROM import_runs WHERE status = 'running'") == 1)
        second = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url,
                        settings={"IMDB_BASE_URL": slow_venice.url})
        assert second.returncode == 2
        assert second.stderr.strip().splitlines()[-1].startswith("error: an import of 'venice_2024' is already running")
        slow_venice.gate.set()
        assert first.wait(60) == 0
    finally:
        first.kill()
    assert db.rows("SELECT status FROM import_runs") == [("success",)]


def test_killed_crawl_is_taken_over_and_marked_interrupted(slow_venice, db, pg_url):
    first = start_crawl("venice_2024", pg_url, slow_venice.url)
    wait_for(lambda: db.scalar("SELECT count(*) FROM import_runs WHERE status = 'running'") == 1)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    rerun = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url,
                   settings={"IMDB_BASE_URL": slow_venice.url})
    assert rerun.returncode == 0, rerun.log
    assert db.rows("SELECT status FROM import_runs ORDER BY id") == [("interrupted",), ("success",)]
    assert db.scalar("SELECT count(*) FROM festival_nominations") == 9


def test_sqlite_lock_row_with_dead_owner_is_taken_over(imdb, tmp_path):
    import sqlite3

    held = held_back_venice(imdb)
    next(held)
    url = f"sqlite:///{tmp_path}/cg.db"
    first = start_crawl("venice_2024", url, imdb.url)
    db = lambda sql: sqlite3.connect(tmp_path / "cg.db").execute(sql).fetchall()

    def locked():
        try:
            return db("SELECT count(*) FROM import_runs WHERE status = 'running'")[0][0] == 1
        except sqlite3.OperationalError:  # the schema is still being created
            return False

    wait_for(locked)
    busy = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=url, settings={"IMDB_BASE_URL": imdb.url})
    assert busy.returncode == 2 and "already running" in busy.stderr
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    imdb.gate.set()
    rerun = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=url, settings={"IMDB_BASE_URL": imdb.url})
    assert rerun.returncode == 0, rerun.log
    assert db("SELECT status FROM import_runs ORDER BY id") == [("interrupted",), ("success",)]
    assert db("SELECT count(*) FROM import_locks") == [(0,)]
