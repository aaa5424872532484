"""`scrapy crawl imdb_event -a key=venice_2024` (or `keys=…`, `org=… years=…`, `org=… years=all`): event
editions into the festival tables.

Fetch order per edition (spiders/fetching.py): IMDb's GraphQL API first: `nominationEventEdition(ee…)`,
its connections followed until complete; the ee… id comes from `nominationEvent(ev…) { editions }`, asked
once per event per crawl and kept with the configurations. When the API gives nothing usable the edition
page is fetched (and, behind the WAF challenge, the browser). An edition that turns out to be another
(another year or instance, another event, a locale path) fails and stores nothing. `years=all` first reads
the event's editions (API, else the event page), creates their configs, then imports them.
"""

from __future__ import annotations

import logging

import scrapy
from scrapy.http import Response

from cinegraph_scrapy.configs import ImportTarget
from cinegraph_scrapy.discovery import edition_keys, editions_on_page, existing_keys
from cinegraph_scrapy.errors import BlockedPage, CinegraphError
from cinegraph_scrapy.parsing.edition_check import edition_mismatch
from cinegraph_scrapy.parsing.event_rows import film_rows
from cinegraph_scrapy.parsing.imdb_event import EventPage, parse_event_page
from cinegraph_scrapy.redaction import redact
from cinegraph_scrapy.signals import discovery_failed
from cinegraph_scrapy.spiders.base import BaseImportSpider
from cinegraph_scrapy.spiders.event_api import EventApiFlow

logger = logging.getLogger(__name__)


class WrongEdition(BlockedPage):
    """IMDb answered with another edition than the one asked for."""


class ImdbEventSpider(EventApiFlow, BaseImportSpider):
    name = "imdb_event"
    source_type = "imdb_event"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_keys: set[str] | None = None  # config keys that exist (read on first need)

    async def start(self):
        for request in self.first_requests(self.active_targets()):
            yield request
        for slug in self.discover_orgs:
            org = self.orgs[slug]
            if self.api_enabled():
                yield self.editions_request(org["event_id"], [], discover_org=slug)
            else:
                yield self.discovery_page_request(slug)

    def discovery_page_request(self, slug: str, api_refusal: str | None = None) -> scrapy.Request:
        url = f"{self.settings.get('IMDB_BASE_URL').rstrip('/')}/event/{self.orgs[slug]['event_id']}/"
        return scrapy.Request(url, callback=self.parse_discovery, errback=self.on_discovery_error,
                              dont_filter=True, meta={"discover_org": slug, "api_refusal": api_refusal})

    def edition_request(self, target: ImportTarget, api_refusal: str | None = None) -> scrapy.Request:
        """The edition's page (the second fetch path), carrying why the API did not serve it."""
        self.crawler.stats.inc_value("cinegraph/fetch/page/requests")
        return self.request(target.url, target, self.parse_edition, api_refusal=api_refusal)

    # ---------------------------------------------------------------- years=all

    def parse_discovery(self, response: Response):
        slug = response.meta["discover_org"]
        self.fetched(response)
        try:
            self.check_page(response)
            report = self.record_editions(self.orgs[slug], editions_on_page(response.body))
        except CinegraphError as exc:
            self._discovery_failed(slug, self.with_refusal(response.meta, str(exc)))
            return
        yield from self.discovered(slug, report)

    def discovered(self, slug: str, report):
        if self.known_keys is not None:
            self.known_keys.update(report.keys)
        self.crawler.stats.inc_value("cinegraph/editions_discovered", len(report.editions))
        logger.info("%s: %d editions listed (%s), %d new configs", slug, len(report.editions), report.span,
                    len(report.created))
        yield from self.first_requests(self.add_targets(report.keys))

    def on_discovery_error(self, failure):
        response = getattr(failure.value, "response", None)
        reason = (self.block_reason(response, default=f"HTTP {response.status}") if response is not None
                  else f"{failure.type.__name__}: {failure.getErrorMessage()} at {failure.request.url}")
        self._discovery_failed(failure.request.meta["discover_org"], self.with_refusal(failure.request.meta, reason))

    def _discovery_failed(self, slug: str, reason: str) -> None:
        self.crawler.signals.send_catch_log(signal=discovery_failed, slug=slug, reason=redact(reason))
        self.crawler.stats.inc_value("cinegraph/discovery_errors")

    # ---------------------------------------------------------------- editions

    def parse_edition(self, response: Response):
        target = self.by_key[response.meta["source_key"]]
        path = self.fetched(response)
        items = self.guarded(response, lambda: list(self._parse(response, target)))
        if items:
            self.served(target.source_key, path)
        return items

    def _remember_editions(self, target: ImportTarget, page) -> None:
        """An edition page lists every edition of its event: create the configs of those not known yet.
        The keys that exist are read once per crawl, so a page listing nothing new costs no database work."""
        slug = target.organization
        org = self.orgs.get(slug or "")
        if org is None or org["event_id"] != target.source_id or not page.editions:
            return
        if self.known_keys is None:
            self.known_keys = existing_keys(self.engine_db)
        keys = edition_keys(slug, page.editions)
        if all(key in self.known_keys for key in keys.values()):
            return
        try:
            report = self.record_editions(org, page.editions)
        except Exception as exc:  # knowing fewer editions must not cost this page
            logger.warning("%s: could not record the editions the page lists: %s", slug, redact(str(exc)))
            return
        self.known_keys.update(report.keys)
        if report.created:
            self.crawler.stats.inc_value("cinegraph/editions_created", len(report.created))
            logger.info("%s: %d editions newly known from the page (%s)", slug, len(report.created),
                        ", ".join(report.created[:5]) + ("…" if len(report.created) > 5 else ""))

    def _parse(self, response: Response, target: ImportTarget):
        parsed = parse_event_page(response.body)
        self._remember_editions(target, parsed)
        mismatch = edition_mismatch(target.source_id, target.year, target.instance, parsed, response.url)
        if mismatch:
            self.crawler.stats.inc_value("cinegraph/wrong_edition")
            raise WrongEdition(f"{mismatch}; nothing stored for {target.source_key}")
        yield from self.edition_items(target, parsed)

    def edition_items(self, target: ImportTarget, parsed: EventPage):
        """The page item of an edition, whichever path read it (API or page)."""
        stats = self.crawler.stats
        self.note(target.source_key, nominations_found=len(parsed.nominations), winners=parsed.winners)
        stats.inc_value("cinegraph/nominations_found", len(parsed.nominations))
        if parsed.truncated_categories:
            self.note(target.source_key, truncated=list(parsed.truncated_categories))
            stats.inc_value("cinegraph/truncated_categories", len(parsed.truncated_categories))
            logger.warning(
                "%s: %d categor%s continue beyond this page (hasNextPage); data may be incomplete: %s",
                target.source_key, len(parsed.truncated_categories),
                "y" if len(parsed.truncated_categories) == 1 else "ies", ", ".join(parsed.truncated_categories[:5]),
            )
        rows = film_rows(parsed.nominations)
        people_only = sum(1 for n in parsed.nominations if not n.films)
        if people_only:
            self.note(target.source_key, people_only=people_only)
            stats.inc_value("cinegraph/people_only_nominations", people_only)
        yield self.page_item(target, 1, rows, event_name=parsed.event_name, edition_id=parsed.edition_id,
                             layout=parsed.layout, date=parsed.date, location=parsed.location,
                             event_id=target.source_id, edition_year=target.year, edition_instance=target.instance)
