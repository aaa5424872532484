"""TMDb enrichment through Scrapy's engine, against a loopback TMDb stand-in."""

import pytest

from tests.conftest import scrapy
from tests.support.events import VENICE_FILMS
from tests.support.pages import Film, next_list_page
from tests.support.tmdb import TmdbStandIn, tmdb_id_for
from tests.support.scenes import serve_venice

API_KEY = "k3y-SECRET-0123456789abcdef"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.SECRET-TOKEN-abcdef"
LIST_FILMS = [Film(f"tt{3000000 + i:07d}", f"Film {i}", 1960) for i in range(30)] + [Film("tt3000000", "Dup")]


def settings_for(imdb, tmdb, **extra):
    return {"IMDB_BASE_URL": imdb.url, "TMDB_API_BASE": tmdb.base, "TMDB_MAX_RPS": "0", "LOG_LEVEL": "DEBUG", **extra}


@pytest.fixture
def stand_in(tmdb):
    return TmdbStandIn(tmdb, api_key=API_KEY, token=TOKEN)


def test_event_import_enriches_every_film_and_rerun_makes_no_request(imdb, stand_in, db, pg_url):
    serve_venice(imdb)
    run = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url,
                 settings=settings_for(imdb, stand_in), env={"TMDB_API_KEY": API_KEY})
    assert run.returncode == 0, run.log
    assert db.scalar("SELECT count(*) FROM movies WHERE tmdb_status = 'enriched'") == VENICE_FILMS
    assert stand_in.requests <= 2 * VENICE_FILMS
    assert stand_in.counts["find"] == VENICE_FILMS  # one lookup per unique film, though F2 is nominated 4 times
    row = db.rows("SELECT tmdb_id, tmdb_title, runtime, genres, release_date::text, vote_count, "
                  "tmdb_data->'credits'->'cast'->0->>'name' FROM movies WHERE imdb_id = 'tt28607951'")[0]
    assert row == (tmdb_id_for("tt28607951"), "TMDb tt28607951", 142, ["Drama", "Crime"], "1994-09-23", 27000, "Tim Robbins")
    stats = db.scalar("SELECT stats FROM import_runs")["crawl"]
    assert stats["tmdb/enriched"] == VENICE_FILMS and stats["tmdb/requests"] == 2 * VENICE_FILMS
    assert API_KEY not in run.log
    assert "api_key=***" in run.log  # the request URLs were logged, redacted

    before = stand_in.requests
    again = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url,
                   settings=settings_for(imdb, stand_in), env={"TMDB_API_KEY": API_KEY})
    assert again.returncode == 0, again.log
    assert stand_in.requests == before
    assert db.scalar("SELECT stats FROM import_runs ORDER BY id DESC LIMIT 1")["crawl"]["tmdb/cached"] >= VENICE_FILMS


def test_list_import_with_bearer_token(imdb, stand_in, db, pg_url):
    imdb.route("/list/ls024863935/", __import__("tests.support.server", fromlist=["Reply"]).Reply.html(
        next_list_page(LIST_FILMS, total=31, has_next=False)))
    run = scrapy("crawl", "imdb_list", "-a", "key=1001_movies", db_url=pg_url,
                 settings=settings_for(imdb, stand_in), env={"TMDB_READ_ACCESS_TOKEN": TOKEN})
    assert run.returncode == 0, run.log
    assert db.scalar("SELECT count(*) FROM movies WHERE tmdb_status = 'enriched'") == 30
    assert stand_in.requests == 60
    assert all(seen.startswith(f"Bearer {TOKEN}|") and "api_key" not in seen for seen in stand_in.auth_seen)
    assert TOKEN not in run.log


def test_429_and_500_are_survived(imdb, stand_in, db, pg_url):
    serve_venice(imdb)
    stand_in.throttle_first = 3
    stand_in.fail_first = 3
    run = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url,
                 settings=settings_for(imdb, stand_in, TMDB_CONCURRENCY="2"), env={"TMDB_API_KEY": API_KEY})
    assert run.returncode == 0, run.log
    assert db.scalar("SELECT count(*) FROM movies WHERE tmdb_status = 'enriched'") == VENICE_FILMS
    assert stand_in.requests == 2 * VENICE_FILMS + 6
    assert "retry/throttled_429" in run.log


def test_unknown_film_is_not_found_and_not_retried(imdb, stand_in, db, pg_url):
    serve_venice(imdb)
    stand_in.unknown = {"tt29268110"}
    args = ("crawl", "imdb_event", "-a", "key=venice_2024")
    run = scrapy(*args, db_url=pg_url, settings=settings_for(imdb, stand_in), env={"TMDB_API_KEY": API_KEY})
    assert run.returncode == 0, run.log
    assert db.scalar("SELECT tmdb_status FROM movies WHERE imdb_id = 'tt29268110'") == "not_found"
    before = stand_in.requests
    scrapy(*args, db_url=pg_url, settings=settings_for(imdb, stand_in), env={"TMDB_API_KEY": API_KEY})
    assert stand_in.requests == before


def test_401_stores_everything_pending_with_one_error(imdb, stand_in, db, pg_url):
    serve_venice(imdb)
    stand_in.reject_all = True
    run = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url,
                 settings=settings_for(imdb, stand_in), env={"TMDB_API_KEY": API_KEY})
    assert run.returncode == 0, run.log
    assert db.scalar("SELECT count(*) FROM movies WHERE tmdb_status = 'pending'") == VENICE_FILMS
    assert db.scalar("SELECT count(*) FROM festival_nominations") == 9
    assert run.log.count("TMDb rejected the credentials") == 1
    assert API_KEY not in run.log


def test_without_credentials_everything_is_stored_pending(imdb, tmdb, db, pg_url):
    serve_venice(imdb)
    run = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url,
                 settings={"IMDB_BASE_URL": imdb.url, "TMDB_API_BASE": f"{tmdb.url}/3"})
    assert run.returncode == 0, run.log
    assert db.scalar("SELECT count(*) FROM movies WHERE tmdb_status = 'pending'") == VENICE_FILMS
    assert run.log.count("TMDb enrichment is off") == 1
    assert sum(tmdb.hits.values()) == 0


def test_backfill_enriches_pending_films(imdb, stand_in, db, pg_url):
    serve_venice(imdb)
    assert scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url,
                  settings={"IMDB_BASE_URL": imdb.url}).returncode == 0
    assert db.scalar("SELECT count(*) FROM movies WHERE tmdb_status = 'pending'") == VENICE_FILMS
    limited = scrapy("crawl", "tmdb_backfill", "-a", "limit=2", db_url=pg_url,
                     settings={"TMDB_API_BASE": stand_in.base, "TMDB_MAX_RPS": "0"}, env={"TMDB_API_KEY": API_KEY})
    assert limited.returncode == 0, limited.log
    assert db.scalar("SELECT count(*) FROM movies WHERE tmdb_status = 'enriched'") == 2
    run = scrapy("crawl", "tmdb_backfill", db_url=pg_url,
                 settings={"TMDB_API_BASE": stand_in.base, "TMDB_MAX_RPS": "0"}, env={"TMDB_API_KEY": API_KEY})
    assert run.returncode == 0, run.log
    assert db.scalar("SELECT count(*) FROM movies WHERE tmdb_status = 'enriched'") == VENICE_FILMS
    assert f"tmdb_backfill: looked up {VENICE_FILMS - 2}, enriched {VENICE_FILMS - 2}, not found 0, failed 0" in run.stdout
    assert API_KEY not in run.log
