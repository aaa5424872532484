"""Fail fast, say it once: with IMDb (pages and API) unreachable, a 35-edition range stops asking after the first
failure per host (no retries, no further requests), names the host, the cause and what to do once, and ends
`failed` for every key with exit 1 and no traceback; at -L WARNING it is a few lines."""

import socket

from tests.conftest import scrapy


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_imdb_fails_a_35_edition_range_at_once_and_says_it_once(db, pg_url):
    pages, api = f"127.0.0.1:{closed_port()}", f"127.0.0.1:{closed_port()}"
    settings = {"IMDB_BASE_URL": f"http://{pages}", "IMDB_GRAPHQL_URL": f"http://{api}/",
                "RETRY_BACKOFF_BASE": "1.0", "CHROMIUM_PATH": "/nonexistent/chromium"}
    run = scrapy("crawl", "imdb_event", "-a", "org=venice", "-a", "years=1990-2024", db_url=pg_url, settings=settings)
    assert run.returncode == 1, run.log
    assert "Traceback" not in run.log
    errors = [l for l in run.log.splitlines() if " ERROR: " in l]
    for host in (pages, api):  # each cause named once, with what to do
        said = [l for l in errors if f"cannot reach {host}: the connection is refused; check the network or proxy "
                                     "(`scrapy demo` works offline)" in l]
        assert len(said) == 1 or (len(said) == 2 and "(35 imports)" in said[1]), said
    assert "'retry/count'" not in run.log  # nothing was retried
    assert "'cinegraph/hosts_unreachable': 2" in run.log
    runs = db.rows("SELECT l.source_key, r.status, r.error FROM import_runs r JOIN movie_lists l ON l.id = r.list_id")
    # the seeded editions keep their failed run; the 30 this crawl created for the range leave nothing behind
    assert sorted(key for key, _, _ in runs) == [f"venice_{y}" for y in range(2020, 2025)]
    assert all(status == "failed" and f"cannot reach {api}" in error and f"cannot reach {pages}" in error
               for _, status, error in runs)
    assert db.scalar("SELECT count(*) FROM movie_lists WHERE source_key LIKE 'venice\\_19%'") == 0
    assert "removed the configurations this crawl created for imports that failed: venice_1990 … venice_2019" in run.log

    quiet = scrapy("crawl", "imdb_event", "-a", "org=venice", "-a", "years=1990-2024", "-L", "WARNING",
                   db_url=pg_url, settings=settings)
    assert quiet.returncode == 1
    lines = [l for l in (quiet.stdout + quiet.stderr).splitlines() if l.strip()]
    assert len(lines) <= 8, lines
    assert "Traceback" not in quiet.log and "(35 imports)" in quiet.log


def test_the_default_log_names_the_cause_once(db, pg_url):
    pages, api = f"127.0.0.1:{closed_port()}", f"127.0.0.1:{closed_port()}"
    run = scrapy("crawl", "imdb_event", "-a", "keys=venice_2020,venice_2021,venice_2022", db_url=pg_url,
                 settings={"IMDB_BASE_URL": f"http://{pages}", "IMDB_GRAPHQL_URL": f"http://{api}/",
                           "CHROMIUM_PATH": "/nonexistent/chromium"})
    assert run.returncode == 1
    cause = f"cannot reach {pages}: the connection is refused"
    lines = [l for l in run.log.splitlines() if cause in l]
    # once from the middleware, once in the grouped failure, once in the grouped summary
    assert len(lines) == 3, lines
