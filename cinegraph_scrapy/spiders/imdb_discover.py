"""`scrapy discover ORG…` runs this spider: each organization's editions → one import config per edition.
The editions come from IMDb's API (`nominationEvent(id) { name editions }`); when the API gives nothing,
from the event page (`/event/ev…/`, which IMDb redirects to the latest edition, `historyEventEditions`).

`-a orgs=oscars,venice`; a new organization is added by its event id: `-a event_id=ev0004044 -a slug=busan`
(its name comes from the page's `eventName`). Results are kept on the spider for the command to print.
"""

from __future__ import annotations

from typing import Any

import scrapy
from scrapy.http import Response

from cinegraph_scrapy.seeding import ensure_seeded
from cinegraph_scrapy.discovery import DiscoveryReport, editions_on_page
from cinegraph_scrapy.errors import CinegraphError, ConfigError
from cinegraph_scrapy.organizations import check_new_organization, known_organizations
from cinegraph_scrapy.parsing.imdb_api import parse_event_editions
from cinegraph_scrapy.parsing.imdb_event import parse_event_page
from cinegraph_scrapy.redaction import redact
from cinegraph_scrapy.spiders.base import DatabaseSpider


def discovery_plan(orgs: dict[str, dict[str, Any]], names: list[str], *, slug: str | None = None,
                   every: bool = False) -> tuple[list[str], tuple[str, str] | None]:
    """Command arguments → (known slugs to discover, (event id, slug) of a new organization or None)."""
    if every:
        return sorted(orgs), None
    if not names:
        raise ConfigError("name the organizations to discover (e.g. `scrapy discover oscars`), or use --all")
    slugs, new = [], None
    for name in names:
        if name.startswith("ev"):
            if slug is None:
                known = next((o["slug"] for o in orgs.values() if o["event_id"] == name), None)
                if known is None:
                    raise ConfigError(f"{name} is not a known organization: add it with --slug NAME")
                slugs.append(known)
                continue
            check_new_organization(orgs, name, slug)
            if orgs.get(slug, {}).get("event_id") == name:
                slugs.append(slug)
            else:
                new = (name, slug)
        elif name in orgs:
            slugs.append(name)
        else:
            raise ConfigError(f"unknown organization {name!r} (known: {', '.join(sorted(orgs))}; "
                              "add one with `scrapy discover ev… --slug NAME`)")
    if slug is not None and new is None and not any(n.startswith("ev") for n in names):
        raise ConfigError("--slug names a new organization: give its event id too (scrapy discover ev… --slug NAME)")
    return list(dict.fromkeys(slugs)), new


class ImdbDiscoverSpider(DatabaseSpider):
    """Run by `scrapy discover` (prefer the command, which prints what it found)."""

    name = "imdb_discover"
    arguments = {"orgs": "comma-separated organization slugs", "event_id": "a new organization's ev… id",
                 "slug": "its key prefix", "every": "1 for every known organization"}

    def __init__(self, *args, orgs: str = "", event_id: str | None = None, slug: str | None = None,
                 every: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.names = [n.strip() for n in orgs.split(",") if n.strip()]
        self.new_event_id, self.new_slug = event_id, slug
        self.every = every in ("1", "true", "True")
        self.reports: list[DiscoveryReport] = []
        self.orgs: dict[str, dict[str, Any]] = {}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        ensure_seeded(spider.engine_db)
        spider.orgs = known_organizations(spider.engine_db)
        return spider

    async def start(self):
        names = self.names + ([self.new_event_id] if self.new_event_id else [])
        slugs, new = discovery_plan(self.orgs, names, slug=self.new_slug, every=self.every)
        wanted = [{"slug": slug, "event_id": self.orgs[slug]["event_id"]} for slug in slugs]
        if new is not None:
            wanted.append({"slug": new[1], "event_id": new[0], "new_event_id": new[0]})
        for meta in wanted:
            if self.api_enabled():
                yield self.api_request("EventEditions", {"eventId": meta["event_id"]}, self.parse_api,
                                       self.on_api_error, **meta)
            else:
                yield self._request(meta)

    def _request(self, meta: dict, api_refusal: str | None = None) -> scrapy.Request:
        url = f"{self.settings.get('IMDB_BASE_URL').rstrip('/')}/event/{meta['event_id']}/"
        meta = {k: meta.get(k) for k in ("slug", "event_id", "new_event_id")} | {"api_refusal": api_refusal}
        return scrapy.Request(url, callback=self.parse_event, errback=self.on_error, dont_filter=True, meta=meta)

    def parse_api(self, response: Response):
        self.fetched(response)
        meta = response.meta
        try:
            listing = parse_event_editions(response.body, meta["event_id"])
            if not listing.editions:
                raise CinegraphError(f"IMDb's API lists no editions of {meta['event_id']}")
            org = self._org(meta, listing.name)
            report = self.record_editions(org, listing.editions)
        except CinegraphError as exc:
            yield self._request(meta, api_refusal=redact(f"IMDb's API: {exc}"))
            return
        self.reports.append(report)
        self.crawler.stats.inc_value("cinegraph/editions_discovered", len(report.editions))

    def on_api_error(self, failure):
        yield self._request(failure.request.meta, api_refusal=self.api_failure(failure))

    def _org(self, meta, name: str | None) -> dict[str, Any]:
        """The known organization, or the new one registered under the name IMDb gives it."""
        if not meta.get("new_event_id"):
            return self.orgs[meta["slug"]]
        org = self.register_organization(meta["slug"], name or meta["slug"], meta["new_event_id"])
        self.orgs[org["slug"]] = org
        return org

    def _report(self, meta, **kw) -> DiscoveryReport:
        event_id = meta.get("new_event_id") or self.orgs[meta["slug"]]["event_id"]
        return DiscoveryReport(slug=meta["slug"], event_id=event_id, **kw)

    def parse_event(self, response: Response):
        meta = response.meta
        self.fetched(response)
        try:
            self.check_page(response)
            name = None
            if meta.get("new_event_id"):
                name = parse_event_page(response.body, require_nominations=False).event_name
            report = self.record_editions(self._org(meta, name), editions_on_page(response.body))
        except CinegraphError as exc:
            self.reports.append(self._report(meta, error=redact(self.with_refusal(meta, str(exc)))))
            return
        self.reports.append(report)
        self.crawler.stats.inc_value("cinegraph/editions_discovered", len(report.editions))

    def on_error(self, failure):
        response = getattr(failure.value, "response", None)
        reason = (self.block_reason(response, default=f"HTTP {response.status}") if response is not None
                  else f"{failure.type.__name__}: {failure.getErrorMessage()} at {failure.request.url}")
        self.reports.append(self._report(failure.request.meta, error=redact(self.with_refusal(failure.request.meta, reason))))
