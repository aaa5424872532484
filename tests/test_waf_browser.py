"""IMDb's AWS WAF challenge: the browser fallback (Debian's chromium via scrapy-playwright) gets through
once, keeps the aws-waf-token cookie, and the following plain requests carry it."""

import shutil

from tests.conftest import scrapy
from tests.support.events import venice_awards
from tests.support.graphql import GraphqlList
from tests.support.pages import Film, next_event_page, next_list_page
from tests.support.server import Reply


def test_chromium_is_installed():
    assert shutil.which("chromium"), "Debian's chromium is required (./setup installs it; apt-get install -y chromium)"

CHALLENGE = """<!DOCTYPE html><html><head><script>
  document.cookie = "aws-waf-token=tok-{n}; path=/";
  setTimeout(function () {{ location.reload(); }}, 50);
</script></head><body></body></html>"""


class WafSite:
    """Plain requests without the token get 202 + x-amzn-waf-action: challenge + a script-only page."""

    def __init__(self, site, pages):
        self.site, self.pages = site, pages
        self.challenged: list[str] = []
        self.with_token: list[str] = []
        for path in pages:
            site.route(path, self.handle)

    def handle(self, req):
        cookie = req.headers.get("cookie", "")
        if "aws-waf-token=tok-" not in cookie:
            self.challenged.append(req.full_path)
            return Reply.html(CHALLENGE.format(n=len(self.challenged)), 202,
                              headers={"x-amzn-waf-action": "challenge"})
        self.with_token.append(req.full_path)
        return Reply.html(self.pages[req.full_path])


def test_challenge_is_solved_once_then_plain_requests_carry_the_cookie(imdb, db, pg_url):
    pages = {"/event/ev0000681/": next_event_page(venice_awards(), event_name="Venice", event_id="ev0000681",
                                                  year=2024, editions=[(2023, 1), (2024, 1)])}
    for year in (2023, 2024):
        pages[f"/event/ev0000681/{year}/1/"] = next_event_page(
            venice_awards(), event_name="Venice", event_id="ev0000681", year=year, editions=[(2023, 1), (2024, 1)])
    waf = WafSite(imdb, pages)
    run = scrapy("crawl", "imdb_event", "-a", "org=venice", "-a", "years=all", db_url=pg_url,
                 settings={"IMDB_BASE_URL": imdb.url, "CONCURRENT_REQUESTS_PER_DOMAIN": "1"})
    assert run.returncode == 0, run.log
    assert db.rows("SELECT status FROM import_runs") == [("success",), ("success",)]
    assert "'waf/browser_requests': 1" in run.log  # only the first page needed the browser
    # the plain request and the browser's first navigation; nothing once the token is known
    assert waf.challenged == ["/event/ev0000681/", "/event/ev0000681/"]
    assert sorted(waf.with_token[-2:]) == ["/event/ev0000681/2023/1/", "/event/ev0000681/2024/1/"]


def test_graphql_continuation_never_goes_through_the_browser(imdb, graphql, db, pg_url):
    films = [Film(f"tt{4000000 + i:07d}", f"F{i}", 2000) for i in range(6)]
    WafSite(imdb, {"/list/ls024863935/": next_list_page(films[:3], total=6, has_next=True)})
    graphql.route("/", GraphqlList("ls024863935", films))
    run = scrapy("crawl", "imdb_list", "-a", "key=1001_movies", db_url=pg_url,
                 settings={"IMDB_BASE_URL": imdb.url, "IMDB_GRAPHQL_URL": graphql.url + "/", "IMDB_API_ENABLED": "False"})
    assert run.returncode == 0, run.log
    assert db.scalar("SELECT count(*) FROM canonical_sources") == 6
    assert "'waf/browser_requests': 1" in run.log
    assert [r.method for r in graphql.requests] == ["POST"]
    assert "aws-waf-token" not in graphql.requests[0].headers.get("cookie", "")


def test_config_can_force_the_browser(imdb, db, pg_url):
    db.execute("""UPDATE movie_lists SET metadata = jsonb_set(metadata, '{render}', '"browser"')
                  WHERE source_key = 'venice_2024'""")
    imdb.route("/event/ev0000681/2024/1/", Reply.html(next_event_page(
        venice_awards(), event_name="Venice", event_id="ev0000681", year=2024)))
    run = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url, settings={"IMDB_BASE_URL": imdb.url})
    assert run.returncode == 0, run.log
    assert db.scalar("SELECT count(*) FROM festival_nominations") == 9
    assert "'waf/browser_requests': 1" in run.log
    assert "'waf/pages_closed': 1" in run.log and "'waf/contexts_closed': 1" in run.log


def test_no_browser_is_a_clear_failure(imdb, db, pg_url):
    WafSite(imdb, {"/event/ev0000681/2024/1/": "unused"})
    run = scrapy("crawl", "imdb_event", "-a", "key=venice_2024", db_url=pg_url,
                 settings={"IMDB_BASE_URL": imdb.url, "CHROMIUM_PATH": "/nonexistent/chromium"})
    assert run.returncode == 1
    status, error = db.rows("SELECT status, error FROM import_runs")[0]
    assert status == "failed"
    assert "AWS WAF challenge" in error and "apt-get install -y chromium" in error
