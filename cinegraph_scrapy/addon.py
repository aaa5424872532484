"""The project's Scrapy add-on (settings.ADDONS): the download set-up every crawl derives from the project's
settings, made once when the crawler's settings are complete (after the command line's `-s`), so that no
spider has to know the pipelines' and middlewares' slots and handlers."""

from __future__ import annotations

from cinegraph_scrapy.middlewares.waf import configure_browser
from cinegraph_scrapy.pipelines.tmdb import TMDB_SLOT, tmdb_slot_settings
from cinegraph_scrapy.spiders.fetching import GRAPHQL_SLOT


class CinegraphAddon:
    def update_settings(self, settings) -> None:
        """TMDb's own download slot (concurrency and rate), IMDb GraphQL's (one request at a time, as polite as
        page requests), and the Playwright download handler when the WAF browser fallback can run."""
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        slots.setdefault(TMDB_SLOT, tmdb_slot_settings(settings))
        slots.setdefault(GRAPHQL_SLOT, {"concurrency": 1, "delay": settings.getfloat("DOWNLOAD_DELAY")})
        settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        configure_browser(settings)
