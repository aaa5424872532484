"""Configurations found while crawling: the one component that writes them. A spider that reads an event's
editions (from IMDb's API, an edition page or the event page) or a new organization (`scrapy discover ev…
--slug`) sends what it found (signals.editions_found, signals.organization_found); this extension writes the
missing configurations and organizations and answers with what it wrote, so no spider callback writes to
the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cinegraph_scrapy import signals as project
from cinegraph_scrapy.db.engine import crawl_engine
from cinegraph_scrapy.discovery import record_editions
from cinegraph_scrapy.organizations import register_organization


@dataclass(frozen=True)
class Recorded:
    """What a recording gave: its result, or the error it raised (for the spider to handle as before)."""
    value: Any = None
    error: BaseException | None = None


class DiscoveredConfigurations:
    def __init__(self, crawler):
        self.crawler = crawler
        crawler.signals.connect(self.editions_found, signal=project.editions_found)
        crawler.signals.connect(self.organization_found, signal=project.organization_found)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _record(self, write) -> Recorded:
        try:
            return Recorded(value=write(crawl_engine(self.crawler.settings)))
        except Exception as exc:  # the spider decides what a failed recording means for its crawl
            return Recorded(error=exc)

    def editions_found(self, org, editions) -> Recorded:
        """The missing configurations of these editions of `org` created (a DiscoveryReport)."""
        return self._record(lambda engine: record_editions(engine, org, editions))

    def organization_found(self, slug, name, event_id) -> Recorded:
        """A new organization registered (its organization dict)."""
        return self._record(lambda engine: register_organization(engine, slug=slug, name=name, event_id=event_id))
