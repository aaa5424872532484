"""The last bad inputs: each gets one `error:` line and exit 2 before any request (nothing written), or,
for a page, a `failed` run with a clear reason."""

import sqlite3

import pytest

from tests.conftest import scrapy
from tests.support.server import Reply


def one_line(run) -> str:
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in run.log
    return lines[0]


def test_json_nested_100000_deep_fails_the_page_with_a_reason(imdb, db, pg_url):
    body = '<script id="__NEXT_DATA__" type="application/json">' + "[" * 100_000 + "]" * 100_000 + "</script>"
    imdb.route("/event/ev0000681/2024/1/", Reply.html(f"<html><body>{body}</body></html>"))
    run = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 1 and "Traceback" not in run.log and "RecursionError" not in run.log
    status, error = db.rows("SELECT status, error FROM import_runs")[0]
    assert status == "failed" and "nested too deeply" in error


def test_legacy_widget_nested_too_deep_fails_the_page(imdb, db, pg_url):
    script = "IMDbReactWidgets.NomineesWidget.push(['center-3-react', " + '{"a":' * 100_000 + "1" + "}" * 100_000 + "]);"
    imdb.route("/event/ev0000681/2024/1/", Reply.html(f"<html><body><script>{script}</script></body></html>"))
    run = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 1 and "Traceback" not in run.log
    assert "nested too deeply" in db.scalar("SELECT error FROM import_runs")


@pytest.mark.parametrize("args, message", [
    (["-a", "org=venice", "-a", "years=2024-2019"], "runs backwards"),
    (["-a", "org=venice", "-a", "years=1850"], "not a plausible edition year"),
    (["-a", "org=venice"], "needs -a years"),
])
def test_bad_years_are_refused(imdb, db, pg_url, args, message):
    before = db.counts()
    run = scrapy("crawl", "imdb_event", *args, db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 2 and message in one_line(run)
    assert imdb.requests == [] and db.counts() == before
    assert db.scalar("SELECT count(*) FROM import_runs") == 0


@pytest.mark.parametrize("url, message", [("", "set but empty"), ("sqlite://", "in-memory"),
                                          ("sqlite:///:memory:", "in-memory")])
def test_unusable_database_urls_are_refused(imdb, tmp_path, url, message):
    run = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", cwd=tmp_path,
                 settings={"IMDB_BASE_URL": imdb.url, "DATABASE_URL": url},
                 env={"SCRAPY_SETTINGS_MODULE": "cinegraph_scrapy.settings"})
    assert run.returncode == 2 and message in one_line(run)
    assert list(tmp_path.iterdir()) == [] and imdb.requests == []


def test_empty_database_url_in_the_environment_is_refused_by_commands(tmp_path):
    run = scrapy("lists", cwd=tmp_path, env={"DATABASE_URL": "", "SCRAPY_SETTINGS_MODULE": "cinegraph_scrapy.settings"})
    assert run.returncode == 2 and "set but empty" in one_line(run)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("patch, message", [
    ("""jsonb_set(metadata, '{instance}', '0')""", "metadata.instance must be 1 to 9, got 0"),
    ("""jsonb_set(metadata, '{instance}', '100000')""", "metadata.instance must be 1 to 9, got 100000"),
    ("""jsonb_set(metadata, '{organization}', '42')""", "metadata.organization must be a string, got 42"),
])
def test_malformed_event_metadata_is_refused(imdb, db, pg_url, patch, message):
    db.execute(f"UPDATE movie_lists SET metadata = {patch} WHERE source_key = 'venice_2024'")
    run = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 2 and message in one_line(run)
    assert imdb.requests == [] and db.scalar("SELECT count(*) FROM import_runs") == 0


def test_sqlite_metadata_that_is_not_json(imdb, tmp_path):
    url = f"sqlite:///{tmp_path}/cg.db"
    assert scrapy("seed", db_url=url).returncode == 0
    conn = sqlite3.connect(tmp_path / "cg.db")
    conn.execute("UPDATE movie_lists SET metadata = '{not json' WHERE source_key = 'venice_2024'")
    conn.commit()
    crawl = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=url, settings={"IMDB_BASE_URL": imdb.url})
    assert crawl.returncode == 2
    assert "config 'venice_2024': metadata must be a JSON object, got text that is not JSON" in one_line(crawl)
    assert imdb.requests == []
    listed = scrapy("lists", db_url=url)
    assert listed.returncode == 0 and "Traceback" not in listed.log
    assert any(line.startswith("venice_2024 ") for line in listed.stdout.splitlines())
    seeded = scrapy("seed", db_url=url)
    assert seeded.returncode == 0 and "Traceback" not in seeded.log
    assert "kept operator edits 1" in seeded.stdout
    assert conn.execute("SELECT metadata FROM movie_lists WHERE source_key = 'venice_2024'").fetchone() == ("{not json",)
    other = scrapy("crawl", "imdb_event", "-a", "key=venice_2023", db_url=url, settings={"IMDB_BASE_URL": imdb.url})
    assert "JSONDecodeError" not in other.log and "Traceback" not in other.log


def test_a_page_no_parser_can_read_fails_with_the_reason_and_the_crawl_goes_on():
    """An exception a parser did not foresee fails that page (its import ends `failed` with a one-line
    reason), instead of Scrapy's spider-error traceback and a bare "nothing was stored"."""
    from types import SimpleNamespace

    from scrapy.http import HtmlResponse, Request
    from tests.support.crawlers import tracked_crawler

    from cinegraph_scrapy.spiders.base import BaseImportSpider

    target = SimpleNamespace(source_key="venice_2024", list_id=0, is_event=True)
    crawler, extension, _ = tracked_crawler(target=target)
    ledger = extension.ledgers["venice_2024"]
    spider = SimpleNamespace(by_key={"venice_2024": target}, crawler=crawler, check_page=lambda r: None)
    spider.target_of = lambda meta: BaseImportSpider.target_of(spider, meta)
    spider.page_failed = lambda r, reason: BaseImportSpider.page_failed(spider, r, reason)
    spider.page_failed_for = lambda t, reason, page=1, **kw: BaseImportSpider.page_failed_for(spider, t, reason, page, **kw)
    spider.with_refusal = BaseImportSpider.with_refusal
    response = HtmlResponse("https://www.imdb.com/event/ev0000681/2024/1/", body=b"<html></html>",
                            request=Request("https://www.imdb.com/event/ev0000681/2024/1/",
                                            meta={"source_key": "venice_2024", "page": 1}))

    def broken_parser():
        raise TypeError("'float' object is not iterable\nsecond line")

    assert BaseImportSpider.guarded(spider, response, broken_parser) == []
    assert ledger.page_errors == ["page 1: the page could not be parsed (TypeError: 'float' object is not "
                                  "iterable); nothing of it was stored"]
    assert ledger.final_status("finished") == ("failed", ledger.page_errors[0])
    assert BaseImportSpider.guarded(spider, response, lambda: ["row"]) == ["row"]
