"""Browser fallback for IMDb's AWS WAF JavaScript challenge.

A plain request answered with the challenge (HTTP 202 and/or `x-amzn-waf-action`) is re-sent once through
scrapy-playwright with Debian's Chromium; when the real page (`script#__NEXT_DATA__`) is there, the
`aws-waf-token` cookie is kept and every later plain request to IMDb carries it. A config with
`metadata.render = "browser"` sends all its pages through the browser. Pages and contexts are closed
after each use.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from cinegraph_scrapy.parsing.blocks import header_map, is_waf_challenge

logger = logging.getLogger(__name__)

WAF_COOKIE = "aws-waf-token"
NO_BROWSER = (
    "no browser available for IMDb's WAF challenge: run ./setup, which installs Debian's chromium "
    "(apt-get install -y chromium) as root and Playwright's Chromium otherwise, or set CHROMIUM_PATH"
)


def playwright_chromium() -> str | None:
    """The Chromium `playwright install chromium` downloaded (what `./setup` installs when not root)."""
    root = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    found = sorted(glob.glob(str(root / "chromium-*" / "chrome-linux*" / "chrome")), reverse=True)
    return next((path for path in found if os.access(path, os.X_OK)), None)


def find_chromium(settings) -> str | None:
    """CHROMIUM_PATH, else Debian's chromium on PATH, else Playwright's own download."""
    path = settings.get("CHROMIUM_PATH")
    if path:
        return shutil.which(path)
    return shutil.which("chromium") or shutil.which("chromium-browser") or playwright_chromium()


def configure_browser(settings) -> None:
    """Switch on the (lazily started) Playwright download handler when a browser can run."""
    if not settings.getbool("BROWSER_FALLBACK_ENABLED"):
        return
    chromium = find_chromium(settings)
    if chromium is None:
        return
    # Loaded here, with the settings, rather than when the engine starts: a missing module fails before the
    # crawl does (scrapy-playwright itself is only imported on the first browser request).
    from cinegraph_scrapy.middlewares.browser import BrowserFallbackHandler

    handler = f"{BrowserFallbackHandler.__module__}.{BrowserFallbackHandler.__qualname__}"
    handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
    handlers.update({"http": handler, "https": handler})
    settings.set("DOWNLOAD_HANDLERS", handlers, priority="spider")
    options = dict(settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"))
    options.setdefault("executable_path", chromium)
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", options, priority="spider")


class WafChallengeMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.enabled = settings.getbool("BROWSER_FALLBACK_ENABLED")
        self.browser = find_chromium(settings) if self.enabled else None
        self.selector = settings.get("BROWSER_WAIT_SELECTOR")
        self.timeout_ms = settings.getint("BROWSER_TIMEOUT_MS")
        imdb_host = (urlsplit(settings.get("IMDB_BASE_URL")).hostname or "").lower()
        self.imdb_hosts = {imdb_host, "www.imdb.com", "imdb.com", "m.imdb.com"}
        self.token: str | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _is_imdb(self, request) -> bool:
        # IMDb's pages only: TMDb and IMDb's GraphQL API answer plain requests and never go through a browser.
        meta = request.meta
        return (not meta.get("tmdb") and not meta.get("imdb_graphql")
                and (urlsplit(request.url).hostname or "").lower() in self.imdb_hosts)

    def _browser_meta(self, request) -> dict:
        from scrapy_playwright.page import PageMethod

        meta = dict(request.meta)
        meta.update(
            playwright=True,
            playwright_include_page=True,
            playwright_context="waf",
            playwright_page_methods=[
                PageMethod("wait_for_selector", self.selector, state="attached", timeout=self.timeout_ms)
            ],
            cinegraph_browser_attempt=True,
        )
        return meta

    def process_request(self, request, spider=None):
        if not self._is_imdb(request):
            return None
        if self.token and not request.meta.get("playwright"):
            if isinstance(request.cookies, dict):
                request.cookies.setdefault(WAF_COOKIE, self.token)
            else:
                request.cookies.append({"name": WAF_COOKIE, "value": self.token})
        if request.meta.get("cinegraph_browser") and not request.meta.get("playwright"):
            if self.browser is None:
                request.meta["waf_note"] = NO_BROWSER
                return None
            self.stats.inc_value("waf/browser_requests")
            return request.replace(meta=self._browser_meta(request), dont_filter=True)
        return None

    async def process_response(self, request, response, spider=None):
        if not self._is_imdb(request):
            return response
        page = request.meta.pop("playwright_page", None)
        if page is not None:
            await self._keep_token_and_close(page)
            # The browser waited for the real page; status and headers are those of the first navigation
            # (the challenge), the body is the page after the challenge's reload.
            headers = response.headers.copy()
            headers.pop(b"x-amzn-waf-action", None)
            return response.replace(status=200, headers=headers)
        headers = header_map(response.headers)
        if not is_waf_challenge(response.status, headers):
            return response
        self.stats.inc_value("waf/challenges")
        if request.meta.get("cinegraph_browser_attempt"):
            return response  # the browser did not get through either: the spider reports the block
        if self.browser is None:
            request.meta["waf_note"] = NO_BROWSER if self.enabled else "browser fallback disabled (BROWSER_FALLBACK_ENABLED)"
            if self.enabled:
                logger.error("IMDb answered with a WAF challenge at %s; %s", request.url, NO_BROWSER)
            return response
        logger.info("IMDb answered with a WAF challenge at %s; retrying through the browser", request.url)
        self.stats.inc_value("waf/browser_requests")
        return request.replace(meta=self._browser_meta(request), dont_filter=True)

    async def _keep_token_and_close(self, page) -> None:
        try:
            for cookie in await page.context.cookies():
                if cookie.get("name") == WAF_COOKIE and cookie.get("value"):
                    if self.token != cookie["value"]:
                        self.stats.inc_value("waf/tokens")
                    self.token = cookie["value"]
        finally:
            context = page.context
            await page.close()
            self.stats.inc_value("waf/pages_closed")
            await context.close()
            self.stats.inc_value("waf/contexts_closed")
