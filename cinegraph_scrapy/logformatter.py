"""Scrapy's LogFormatter, minus one DEBUG line per item and per response when DEBUG is off.

Scrapy builds those records for every item even at LOG_LEVEL=INFO (the root logger lets everything
through and the handler drops it), which costs more than the rest of an item's trip at import volumes.
Dropped items are still logged (at INFO), and counted per reason in the run and the stats."""

from __future__ import annotations

import logging

from scrapy import logformatter


class ImportLogFormatter(logformatter.LogFormatter):
    def __init__(self, debug: bool = False):
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler):
        level = crawler.settings.get("LOG_LEVEL")
        level = logging.getLevelName(level) if isinstance(level, str) else level
        return cls(debug=isinstance(level, int) and level <= logging.DEBUG)

    def crawled(self, request, response, spider):
        return super().crawled(request, response, spider) if self.debug else None

    def scraped(self, item, response, spider):
        return super().scraped(item, response, spider) if self.debug else None

    def dropped(self, item, exception, response, spider):
        entry = super().dropped(item, exception, response, spider)
        if not self.debug and entry is not None:
            entry = {**entry, "level": logging.INFO, "msg": "Dropped: %(exception)s",
                     "args": {"exception": exception}}
        return entry
