"""The download handler of the browser fallback: plain requests through Scrapy's own HTTP handler, requests
the WAF middleware marks `playwright` through scrapy-playwright with Chromium.

scrapy-playwright (and Playwright) are imported, and the browser started, on the first browser request only:
most crawls never meet the challenge, and importing them costs every crawl a third of a second."""

from __future__ import annotations

import asyncio

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.utils.misc import build_from_crawler


class BrowserFallbackHandler(HTTP11DownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler=crawler)
        self._crawler_for_browser = crawler
        self._browser = None
        self._browser_lock = asyncio.Lock()

    async def download_request(self, request):
        if request.meta.get("playwright"):
            return await (await self._browser_handler()).download_request(request)
        return await super().download_request(request)

    async def _browser_handler(self):
        async with self._browser_lock:
            if self._browser is None:
                self._browser = build_from_crawler(browser_handler_class(), self._crawler_for_browser)
                await self._browser.start_browser()
        return self._browser

    async def close(self) -> None:
        await super().close()
        if self._browser is not None:
            await self._browser.close()


def browser_handler_class():
    """scrapy-playwright's handler whose browser starts when asked (not with the crawl: engine_started has
    passed by the time it exists)."""
    from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

    class StartedOnDemand(ScrapyPlaywrightDownloadHandler):
        async def _maybe_launch_in_thread(self) -> None:  # engine_started: nothing to do
            return None

        async def start_browser(self) -> None:
            await self._launch()

    return StartedOnDemand
