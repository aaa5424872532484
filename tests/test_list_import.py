"""End-to-end list imports: real `scrapy crawl` processes against a loopback IMDb, into PostgreSQL."""

from tests.conftest import scrapy
from tests.support.pages import Film, next_list_page
from tests.support.server import Reply
from tests.support.scenes import serve_two_pages, sites


def test_two_page_list_is_stored_with_positions_and_rerun_changes_nothing(imdb, graphql, db, pg_url):
    serve_two_pages(imdb, graphql)
    run = scrapy("crawl", "imdb_list", "-a", "key=1001_movies", db_url=pg_url, settings=sites(imdb, graphql))
    assert run.returncode == 0, run.log
    assert db.scalar("SELECT count(*) FROM movies") == 260
    rows = db.rows("""SELECT m.imdb_id, m.title, m.year, c.position, c.notes FROM canonical_sources c
                      JOIN movies m ON m.id = c.movie_id JOIN movie_lists l ON l.id = c.list_id
                      WHERE l.source_key = '1001_movies' ORDER BY c.position""")
    assert len(rows) == 260
    assert rows[0] == ("tt2000000", "Film “0”", 1950, 1, "note 0")
    assert rows[-1] == ("tt2000259", "Film “259”", 1950 + 259 % 60, 260, "note 259")
    assert db.rows("SELECT status, pages, items_scraped, items_stored, items_dropped FROM import_runs") == [
        ("success", 2, 260, 260, 0)]
    assert db.rows("SELECT last_import_status, last_movie_count FROM movie_lists WHERE source_key='1001_movies'") == [
        ("success", 260)]
    assert "1001_movies: SUCCESS" in run.log

    before = db.counts()
    again = scrapy("crawl", "imdb_list", "-a", "key=1001_movies", db_url=pg_url, settings=sites(imdb, graphql))
    assert again.returncode == 0, again.log
    assert db.counts() == before
    assert db.scalar("SELECT count(*) FROM import_runs WHERE status='success'") == 2

    shown = scrapy("lists", db_url=pg_url)
    line = [l for l in shown.stdout.splitlines() if l.startswith("1001_movies ")][0]
    assert "success" in line and line.rstrip().endswith("260")


def test_invalid_and_duplicate_entries_are_dropped_with_reasons(imdb, db, pg_url):
    films = [Film("tt0000001", "A"), Film("tt0000001", "A again"), Film("bogus", "B"), Film("tt0000003", None)]
    imdb.route("/list/ls087831830/", Reply.html(next_list_page(films, total=4, has_next=False)))
    run = scrapy("crawl", "imdb_list", "-a", "key=criterion", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 0, run.log
    assert db.rows("SELECT imdb_id, title FROM movies") == [("tt0000001", "A")]
    stats = db.scalar("SELECT stats FROM import_runs")
    assert stats["drop_reasons"] == {"duplicate": 1, "invalid_imdb_id": 1, "missing_title": 1}
    assert db.scalar("SELECT items_dropped FROM import_runs") == 3


def test_unknown_key_is_a_one_line_error_with_nearest_keys(pg_url):
    run = scrapy("crawl", "imdb_list", "-a", "key=1001_movie", db_url=pg_url)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines()[-1] == (
        "error: unknown config key '1001_movie'; nearest: 1001_movies (run `scrapy lists` for all keys)")
    assert "Traceback" not in run.log


def test_inactive_config_needs_force(imdb, graphql, db, pg_url):
    serve_two_pages(imdb, graphql, "ls076768590")
    db.execute("UPDATE movie_lists SET active = false WHERE source_key = 'afi_100'")
    refused = scrapy("crawl", "imdb_list", "-a", "key=afi_100", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert refused.returncode == 2 and "inactive" in refused.stderr and "force=1" in refused.stderr
    forced = scrapy("crawl", "imdb_list", "-a", "key=afi_100", "-a", "force=1", db_url=pg_url,
                    settings=sites(imdb, graphql))
    assert forced.returncode == 0, forced.log
    assert db.scalar("SELECT count(*) FROM movies") == 260


def test_blocked_page_fails_with_the_reason(imdb, db, pg_url):
    imdb.route("/list/ls024863935/", Reply(b"", 403))
    run = scrapy("crawl", "imdb_list", "-a", "key=1001_movies", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 1
    status, error = db.rows("SELECT status, error FROM import_runs")[0]
    assert status == "failed" and "HTTP 403" in error
    assert db.scalar("SELECT last_import_status FROM movie_lists WHERE source_key='1001_movies'") == "failed"


def test_waf_challenge_without_browser_fallback_fails(imdb, db, pg_url):
    imdb.route("/list/ls024863935/", Reply(b"", 202, {"x-amzn-waf-action": "challenge"}))
    run = scrapy("crawl", "imdb_list", "-a", "key=1001_movies", db_url=pg_url,
                 settings={"IMDB_BASE_URL": imdb.url, "BROWSER_FALLBACK_ENABLED": "False"})
    assert run.returncode == 1
    assert "AWS WAF challenge" in db.scalar("SELECT error FROM import_runs")


def test_page_with_no_data_is_not_a_success(imdb, db, pg_url):
    imdb.route("/list/ls024863935/", Reply.html("<html><body><h1>Something else</h1></body></html>"))
    run = scrapy("crawl", "imdb_list", "-a", "key=1001_movies", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 1
    status, error = db.rows("SELECT status, error FROM import_runs")[0]
    assert status == "failed" and "no films found" in error


def test_sqlite_is_the_default_database(imdb, graphql, tmp_path):
    import sqlite3

    serve_two_pages(imdb, graphql)
    run = scrapy("crawl", "imdb_list", "-a", "key=1001_movies", cwd=tmp_path, settings=sites(imdb, graphql),
                 env={"SCRAPY_SETTINGS_MODULE": "cinegraph_scrapy.settings"})
    assert run.returncode == 0, run.log
    conn = sqlite3.connect(tmp_path / "cinegraph.db")
    assert conn.execute("SELECT count(*), min(position), max(position) FROM canonical_sources").fetchone() == (260, 1, 260)
