"""Unchanged pages are nearly free: a re-import of a page whose parsed content equals its last write
touches only `last_seen_at` and the run bookkeeping; `-a full=1` writes it anyway."""

from tests.conftest import scrapy
from tests.support.events import VENICE_NOMINATIONS
from tests.support.scenes import serve_venice
from tests.support.scenes import serve_two_pages, sites

SHARED = ("movies", "festival_categories", "festival_organizations", "people", "festival_nomination_people")


def row_versions(db) -> dict[str, set]:
    """PostgreSQL's xmin of every row: it changes whenever a row is written."""
    return {t: set(db.rows(f"SELECT id, xmin::text FROM {t}")) for t in SHARED + ("festival_nominations",)}


def crawl_venice(imdb, pg_url, *args):
    return scrapy("crawl", "imdb_event", "-a", "key=venice_2024", *args, db_url=pg_url,
                  settings={"IMDB_BASE_URL": imdb.url})


def test_unchanged_edition_writes_only_last_seen_at(imdb, db, pg_url):
    serve_venice(imdb)
    assert crawl_venice(imdb, pg_url).returncode == 0
    before, seen = row_versions(db), db.scalar("SELECT max(last_seen_at) FROM festival_nominations")
    counts = db.counts()
    again = crawl_venice(imdb, pg_url)
    assert again.returncode == 0, again.log
    assert "venice_2024: SUCCESS | pages 1 (1 unchanged)" in again.log and "changes +0 −0 ~0" in again.log
    assert f"nominations {VENICE_NOMINATIONS}/{VENICE_NOMINATIONS} stored" in again.log
    after = row_versions(db)
    for table in SHARED:
        assert after[table] == before[table], table  # not one shared row rewritten
    assert db.scalar("SELECT min(last_seen_at) FROM festival_nominations") > seen  # but every nomination seen
    assert db.counts() == counts
    assert db.scalar("SELECT stats->>'pages_unchanged' FROM import_runs ORDER BY id DESC LIMIT 1") == "1"
    assert db.rows("SELECT last_import_status, last_movie_count FROM movie_lists WHERE source_key = 'venice_2024'") == [
        ("success", db.scalar("SELECT count(DISTINCT movie_id) FROM festival_nominations"))]

    forced = crawl_venice(imdb, pg_url, "-a", "full=1")
    assert forced.returncode == 0 and "unchanged" not in forced.log.split("Import summary")[-1]
    assert db.counts() == counts


def test_unchanged_list_pages_and_a_changed_one(imdb, graphql, db, pg_url):
    serve_two_pages(imdb, graphql)
    # the page path: page 1 from the list page (which the test then changes), the rest from the API
    run = lambda: scrapy("crawl", "imdb_list", "-a", "key=1001_movies", db_url=pg_url,
                         settings={**sites(imdb, graphql), "IMDB_API_ENABLED": "False"})
    assert run().returncode == 0
    again = run()
    assert again.returncode == 0 and "pages 2 (2 unchanged)" in again.log, again.log
    shown = scrapy("lists", db_url=pg_url).stdout
    assert [l for l in shown.splitlines() if l.startswith("1001_movies ")][0].rstrip().endswith("260")
    from tests.support.pages import Film, next_list_page
    from tests.support.scenes import FILMS

    renamed = [Film(FILMS[0].imdb_id, "A new title", FILMS[0].year, description=FILMS[0].description)] + FILMS[1:250]
    from tests.support.server import Reply

    imdb.route("/list/ls024863935/", Reply.html(next_list_page(renamed, total=260, has_next=True)))
    third = run()
    assert third.returncode == 0 and "pages 2 (1 unchanged)" in third.log, third.log
    assert db.scalar("SELECT title FROM movies WHERE imdb_id = %r" % FILMS[0].imdb_id) == "A new title"


def test_unchanged_edition_on_sqlite(imdb, tmp_path):
    """SQLite takes the generic path (fingerprint read, then the touch): same outcome as PostgreSQL's one
    statement; a changed page after it is written again."""
    import sqlite3

    serve_venice(imdb)
    url = f"sqlite:///{tmp_path / 'cg.db'}"
    assert crawl_venice(imdb, url).returncode == 0
    with sqlite3.connect(tmp_path / "cg.db") as conn:
        seen = conn.execute("SELECT max(last_seen_at) FROM festival_nominations").fetchone()[0]
        count = conn.execute("SELECT count(*) FROM festival_nominations").fetchone()[0]
    again = crawl_venice(imdb, url)
    assert again.returncode == 0, again.log
    assert "venice_2024: SUCCESS | pages 1 (1 unchanged)" in again.log
    with sqlite3.connect(tmp_path / "cg.db") as conn:
        assert conn.execute("SELECT min(last_seen_at) FROM festival_nominations").fetchone()[0] > seen
        assert conn.execute("SELECT count(*) FROM festival_nominations").fetchone()[0] == count
        conn.execute("UPDATE page_fingerprints SET fingerprint = 'other'")  # as if the page had changed
    third = crawl_venice(imdb, url)
    assert third.returncode == 0 and "(1 unchanged)" not in third.log
