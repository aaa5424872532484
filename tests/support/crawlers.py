"""Crawlers for in-process tests of one component: Scrapy's `get_crawler` with the project's own settings
(the defaults live in cinegraph_scrapy/settings.py only; components read them without fallbacks)."""

from __future__ import annotations

from scrapy.utils.test import get_crawler

from cinegraph_scrapy import settings as project

# What the project sets, minus what would start machinery a lone component does not need.
_SKIP = {"TWISTED_REACTOR", "EXTENSIONS", "EXTENSIONS_BASE", "ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES",
         "SPIDER_MODULES", "NEWSPIDER_MODULE", "COMMANDS_MODULE", "LOG_FORMATTER", "FEED_EXPORTERS"}


def project_crawler(spidercls=None, **overrides):
    values = {k: getattr(project, k) for k in dir(project) if k.isupper() and k not in _SKIP}
    values.update(overrides)
    return get_crawler(spidercls, settings_dict=values)
