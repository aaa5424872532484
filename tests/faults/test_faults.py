"""Fault injection against the loopback IMDb: every case checks the final status, the error text and the
row counts before/after. No fault may lose or silently change stored data."""

from __future__ import annotations

import os
import signal
import time
from datetime import datetime, timezone

import pytest

from tests.conftest import scrapy
from tests.support.events import VENICE_FILMS, VENICE_NOMINATIONS, venice_awards
from tests.support.graphql import GraphqlList
from tests.support.pages import Award, Category, Film, Nom, Person, next_event_page, next_list_page
from tests.support.server import Reply
from tests.support.scenes import start_crawl, wait_for

EVENT = "/event/ev0000681/2024/1/"


def crawl_event(imdb, pg_url, key="venice_2024", **settings):
    return scrapy("crawl", "imdb_event", "-a", f"key={key}", db_url=pg_url,
                  settings={"IMDB_BASE_URL": imdb.url, **settings})


def venice_page(awards=None):
    return next_event_page(awards or venice_awards(), event_name="Venice", event_id="ev0000681", year=2024)


@pytest.fixture
def imported(imdb, db, pg_url):
    """A successful first import of venice_2024: what the faults must not damage."""
    imdb.route(EVENT, Reply.html(venice_page()))
    assert crawl_event(imdb, pg_url).returncode == 0
    assert db.scalar("SELECT count(*) FROM festival_nominations") == VENICE_NOMINATIONS
    return imdb


def last_run(db):
    return db.rows("SELECT status, error FROM import_runs ORDER BY id DESC LIMIT 1")[0]


def test_layout_changed(imported, db, pg_url, fault):
    fault.snapshot()
    imported.route(EVENT, Reply.html("<html><body><div class='new-layout'>Awards</div></body></html>"))
    run = crawl_event(imported, pg_url)
    assert run.returncode == 1
    status, error = last_run(db)
    assert status == "failed" and "no event data found" in error
    fault.assert_nothing_lost(festival_nominations=0, movies=0)


def test_truncated_json(imported, db, pg_url, fault):
    fault.snapshot()
    body = venice_page()
    imported.route(EVENT, Reply.html(body[: len(body) * 2 // 3]))
    assert crawl_event(imported, pg_url).returncode == 1
    status, error = last_run(db)
    assert status == "failed" and "truncated" in error
    fault.assert_nothing_lost(festival_nominations=0)


def test_500_on_graphql_page_2_of_3_is_retried_then_partial(imdb, graphql, db, pg_url, fault):
    films = [Film(f"tt{5000000 + i:07d}", f"F{i}", 1990) for i in range(9)]
    imdb.route("/list/ls024863935/", Reply.html(next_list_page(films[0:3], total=9, has_next=True)))
    source = GraphqlList("ls024863935", films, fail_after=3)  # the continuation from item 4 answers 500
    graphql.route("/", source)
    fault.snapshot()
    run = scrapy("crawl", "imdb_list", "-a", "key=1001_movies", db_url=pg_url,
                 settings={"IMDB_BASE_URL": imdb.url, "IMDB_GRAPHQL_URL": graphql.url + "/", "RETRY_TIMES": "2",
                           "IMDB_GRAPHQL_PAGE_SIZE": "3", "IMDB_API_ENABLED": "False"})  # page 1 from the page
    assert run.returncode == 0, run.log  # partial is not a failure of the crawl
    assert len(graphql.requests) == 3  # first try + 2 retries
    status, error = last_run(db)
    assert status == "partial" and "HTTP 500" in error and "read 3 of 9" in error
    positions = [r[0] for r in db.rows("SELECT position FROM canonical_sources ORDER BY position")]
    assert positions == [1, 2, 3]
    fault.assert_nothing_lost(movies=3, canonical_sources=3)


def test_waf_challenge_with_no_browser(imported, db, pg_url, fault):
    fault.snapshot()
    imported.route(EVENT, Reply(b"", 202, {"x-amzn-waf-action": "challenge"}))
    run = crawl_event(imported, pg_url, CHROMIUM_PATH="/nonexistent/chromium")
    assert run.returncode == 1
    status, error = last_run(db)
    assert status == "failed" and "AWS WAF challenge" in error and "apt-get install -y chromium" in error
    fault.assert_nothing_lost(festival_nominations=0)


def test_connection_reset_mid_body(imported, db, pg_url, fault):
    fault.snapshot()
    body = venice_page()
    imported.route(EVENT, Reply.html(body, reset_after=len(body) // 2))
    run = crawl_event(imported, pg_url, RETRY_TIMES="1")
    assert run.returncode == 1
    status, error = last_run(db)
    assert status == "failed" and ("ResponseFailed" in error or "ConnectionLost" in error or "DataLoss" in error), error
    assert imported.hits[EVENT] == 1 + 1 + 1  # the first import, then a try and one retry
    fault.assert_nothing_lost(festival_nominations=0)


def test_slow_server_beyond_download_timeout(imported, db, pg_url, fault):
    fault.snapshot()
    imported.route(EVENT, Reply.html(venice_page(), delay=4.0))
    run = crawl_event(imported, pg_url, DOWNLOAD_TIMEOUT="1", RETRY_TIMES="0")
    assert run.returncode == 1
    status, error = last_run(db)
    assert status == "failed" and "TimeoutError" in error and "took longer than 1.0 seconds" in error
    fault.assert_nothing_lost(festival_nominations=0)


HOSTILE = [
    "Robert'); DROP TABLE movies;--",
    'He said "Hello" \\ backslash',
    "🎬🍿 L’Été — ñandú",
    "فيلم عربي طويل ‏RTL‏ עברית",
    "T" * 2000,
    "  leading and trailing spaces  ",
    "<script>alert(1)</script> &amp; &lt;",
]


def test_hostile_strings_are_stored_exactly(imdb, db, pg_url, fault):
    films = [Film(f"tt{6000000 + i:07d}", text, 2000, original_title=text[::-1], description=text)
             for i, text in enumerate(HOSTILE)]
    imdb.route("/list/ls024863935/", Reply.html(next_list_page(films, total=len(films), has_next=False)))
    awards = [Award(HOSTILE[0], [Category(HOSTILE[1], [
        Nom(won=True, names=[Person("nm0000001", HOSTILE[3])], secondary_titles=[films[2]], notes=HOSTILE[6])])])]
    imdb.route(EVENT, Reply.html(venice_page(awards)))
    fault.snapshot()
    assert scrapy("crawl", "imdb_list", "-a", "key=1001_movies", db_url=pg_url,
                  settings={"IMDB_BASE_URL": imdb.url}).returncode == 0
    assert crawl_event(imdb, pg_url).returncode == 0
    stored = dict(((r[0]), r[1:]) for r in db.rows("SELECT m.imdb_id, m.title, m.original_title, c.notes FROM movies m "
                                                     "JOIN canonical_sources c ON c.movie_id = m.id"))
    for film in films:
        assert stored[film.imdb_id] == (film.title, film.original_title, film.description)
    award, category, nomination_id, notes = db.rows(
        "SELECT c.award_name, c.name, n.id, n.notes FROM festival_nominations n "
        "JOIN festival_categories c ON c.id = n.category_id")[0]
    assert (award, category, notes) == (HOSTILE[0], HOSTILE[1], HOSTILE[6])
    assert [p[:2] for p in db.people_of(nomination_id)] == [("nm0000001", HOSTILE[3])]
    assert db.scalar("SELECT count(*) FROM movies") == len(HOSTILE)  # the DROP TABLE stayed a string
    fault.assert_nothing_lost(movies=len(HOSTILE), festival_nominations=1)


def test_reimport_after_page_lost_three_nominations_keeps_and_marks_them(imported, db, pg_url, fault):
    fault.snapshot()
    awards = venice_awards()
    awards = [a for a in awards if a.name not in ("Volpi Cup", "Lion of the Future")]  # 3 nominations fewer
    imported.route(EVENT, Reply.html(venice_page(awards)))
    started = datetime.now(timezone.utc)
    time.sleep(0.05)
    assert crawl_event(imported, pg_url).returncode == 0
    assert last_run(db)[0] == "success"
    fault.assert_nothing_lost(festival_nominations=0)
    stale = db.rows("SELECT c.award_name FROM festival_nominations n JOIN festival_categories c "
                    "ON c.id = n.category_id WHERE n.last_seen_at < :started ORDER BY 1", started=started)
    assert stale == [("Lion of the Future",), ("Volpi Cup",), ("Volpi Cup",)]
    assert db.scalar("SELECT count(*) FROM festival_nominations WHERE last_seen_at >= :s", s=started) == VENICE_NOMINATIONS - 3


def test_kill_9_mid_import_then_rerun(imdb, db, pg_url, fault):
    page = venice_page()
    imdb.route(EVENT, [Reply.html(page, delay=6.0), Reply.html(page)])
    fault.snapshot()
    first = start_crawl("venice_2024", pg_url, imdb.url)
    wait_for(lambda: db.scalar("SELECT count(*) FROM import_runs WHERE status = 'running'") == 1)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    run = crawl_event(imdb, pg_url)
    assert run.returncode == 0, run.log
    assert db.rows("SELECT status FROM import_runs ORDER BY id") == [("interrupted",), ("success",)]
    assert "interrupted" in run.log
    fault.assert_nothing_lost(festival_nominations=VENICE_NOMINATIONS, movies=VENICE_FILMS)


@pytest.mark.parametrize("url, message", [
    ("postgresql+psycopg://postgres@127.0.0.1:1/cinegraph", "cannot connect to the database"),
    ("mysql://root@127.0.0.1/cinegraph", "scheme 'mysql' is not supported"),
    ("not a url at all", "is not a database URL"),
])
def test_bad_database_url(imdb, db, url, message, fault):
    fault.snapshot()
    run = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 2
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and message in last and "Traceback" not in run.log
    assert sum(imdb.hits.values()) == 0  # refused before crawling
    fault.assert_nothing_lost()


@pytest.mark.parametrize("update, message", [
    ("UPDATE movie_lists SET metadata = jsonb_set(metadata, '{year}', '\"abc\"') WHERE source_key = 'venice_2024'",
     "metadata.year must be a number, got 'abc'"),
    ("UPDATE movie_lists SET source_id = '' WHERE source_key = 'venice_2024'", "missing or malformed event id"),
    ("UPDATE movie_lists SET metadata = metadata - 'year' WHERE source_key = 'venice_2024'", "metadata.year is missing"),
    ("UPDATE movie_lists SET source_url = 'http://evil.example.net/event/ev0000681/2024/1/' "
     "WHERE source_key = 'venice_2024'", "source_url host 'evil.example.net' is not IMDb's"),
])
def test_malformed_or_offsite_config_is_refused_before_crawling(imdb, db, pg_url, update, message, fault):
    db.execute(update)
    fault.snapshot()
    run = crawl_event(imdb, pg_url)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines()[-1] == f"error: config 'venice_2024': {message}" or \
        message in run.stderr.strip().splitlines()[-1]
    assert sum(imdb.hits.values()) == 0
    fault.assert_nothing_lost()
