"""How the event spider reads editions through IMDb's GraphQL API (the first fetch path), and when it hands
an edition to the page path instead.

Per event (once per crawl): `EventEditions` → the ee… id of every edition, kept with the configurations.
Per edition: `EventEdition`, then one `EventEditionCategories` / `EventEditionNominations` per connection
that continues, until every connection holds its `total` (parsing/imdb_api.EditionAssembly). An answer with
GraphQL `errors` is asked again once with `EventEditionMinimal`; anything else the API cannot give (HTTP
403, no answer, no such edition, another edition) sends the edition to its page, carrying the API's refusal.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from scrapy.http import Response

from cinegraph_scrapy.configs import ImportTarget
from cinegraph_scrapy.errors import CinegraphError
from cinegraph_scrapy.parsing.imdb_api import Continuation, EditionAssembly, parse_event_editions, read_answer, require
from cinegraph_scrapy.parsing.edition_check import edition_mismatch
from cinegraph_scrapy.redaction import error_line, redact

logger = logging.getLogger(__name__)

MINIMAL_UNREAD = ("read with IMDb's minimal query after the full one was refused ({why}): notes, songs, "
                  "episodes, companies, original titles, title types and award ids not read")


class EventApiFlow:
    """Mixed into ImdbEventSpider (which provides the page path: edition_request, edition_items…)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # source key → (the edition read so far, its ee… id), while its connections are being followed
        self._assemblies: dict[str, tuple[EditionAssembly, str]] = {}

    def first_requests(self, targets: list[ImportTarget]):
        if not self.api_enabled():
            for target in targets:
                yield self.edition_request(target)
            return
        waiting: dict[str, list[str]] = defaultdict(list)
        for target in targets:
            edition_id = target.metadata.get("edition_id")
            if isinstance(edition_id, str) and edition_id.startswith("ee"):
                yield self.edition_api_request(target, edition_id)
            else:
                waiting[target.source_id].append(target.source_key)
        for event_id, keys in waiting.items():
            yield self.editions_request(event_id, keys)

    # ---------------------------------------------------------------- the event's editions

    def editions_request(self, event_id: str, keys: list[str], discover_org: str | None = None):
        return self.api_request("EventEditions", {"eventId": event_id}, self.parse_editions, self.on_editions_error,
                                event_id=event_id, waiting_keys=keys, discover_org=discover_org)

    def parse_editions(self, response: Response):
        self.fetched(response)
        meta = response.meta
        try:
            listing = parse_event_editions(response.body, meta["event_id"])
        except CinegraphError as exc:
            yield from self._editions_unavailable(meta, str(exc))
            return
        if not listing.editions:
            yield from self._editions_unavailable(meta, f"IMDb's API lists no editions of {meta['event_id']}")
            return
        report = self._record(meta["event_id"], listing.editions)
        if meta.get("discover_org"):
            if report is None:
                self._discovery_failed(meta["discover_org"], "could not record the editions IMDb's API lists")
            else:
                yield from self.discovered(meta["discover_org"], report)
        ids = {(e.year, e.instance): e.edition_id for e in listing.editions if e.edition_id}
        for key in meta["waiting_keys"]:
            target = self.by_key[key]
            edition_id = ids.get((target.year, target.instance))
            if edition_id:
                yield self.edition_api_request(target, edition_id)
            else:
                yield self.edition_request(target, api_refusal=(
                    f"IMDb's API lists no {target.year} edition (instance {target.instance}) of {target.source_id}"))

    def _record(self, event_id: str, editions):
        """New editions become configs; known ones learn their ee… id (never fatal to the crawl)."""
        org = next((o for o in self.orgs.values() if o["event_id"] == event_id), None)
        if org is None:
            return None
        try:
            report = self.record_editions(org, editions)
        except Exception as exc:
            logger.warning("%s: could not record the editions IMDb's API lists: %s", org["slug"], error_line(exc))
            return None
        if self.known_keys is not None:
            self.known_keys.update(report.keys)
        if report.created:
            self.crawler.stats.inc_value("cinegraph/editions_created", len(report.created))
        return report

    def on_editions_error(self, failure):
        yield from self._editions_unavailable(failure.request.meta, self.api_failure(failure))

    def _editions_unavailable(self, meta, why: str):
        refusal = redact(why if why.startswith("IMDb's API") else f"IMDb's API: {why}")
        logger.info("%s: %s; trying the pages", meta["event_id"], refusal)
        for key in meta["waiting_keys"]:
            yield self.edition_request(self.by_key[key], api_refusal=refusal)
        if meta.get("discover_org"):
            yield self.discovery_page_request(meta["discover_org"], api_refusal=refusal)

    # ---------------------------------------------------------------- one edition

    def edition_api_request(self, target: ImportTarget, edition_id: str, operation: str = "EventEdition", **meta):
        variables = {"editionId": edition_id}
        if operation == "EventEdition":
            variables.update(categoriesFirst=self.settings.getint("IMDB_API_CATEGORIES_FIRST"),
                             nominationsFirst=self.settings.getint("IMDB_API_NOMINATIONS_FIRST"))
        return self.api_request(operation, variables, self.parse_edition_api, self.on_edition_api_error,
                                source_key=target.source_key, page=1, edition_id=edition_id, **meta)

    def parse_edition_api(self, response: Response):
        self.fetched(response)
        meta = response.meta
        target = self.by_key[meta["source_key"]]
        try:
            answer = read_answer(response.body)
            if (answer.errors and meta["api_operation"] == "EventEdition"
                    and not answer.codes() & {"RESOURCE_NOT_FOUND", "NOT_FOUND", "FORBIDDEN"}):
                self.crawler.stats.inc_value("cinegraph/graphql_fallbacks")
                logger.warning("%s: IMDb's API refused the full edition query (%s); asking with the minimal one",
                               target.source_key, answer.summary(200))
                yield self.edition_api_request(target, meta["edition_id"], "EventEditionMinimal",
                                               refused=answer.summary(200))
                return
            edition = require(answer, "nominationEventEdition", f"edition {meta['edition_id']}")
        except CinegraphError as exc:
            yield self.edition_request(target, api_refusal=redact(f"IMDb's API: {exc}"))
            return
        if meta["api_operation"] == "EventEditionMinimal":
            self.note(target.source_key, unread=[MINIMAL_UNREAD.format(why=meta.get("refused"))])
        self._assemblies[target.source_key] = (EditionAssembly(edition), meta["edition_id"])
        yield from self._continue(target)

    def on_edition_api_error(self, failure):
        target = self.by_key[failure.request.meta["source_key"]]
        yield self.edition_request(target, api_refusal=self.api_failure(failure))

    def parse_continuation(self, response: Response):
        self.fetched(response)
        key = response.meta["source_key"]
        self._assemblies[key][0].merge(response.meta["step"], response.body)
        yield from self._continue(self.by_key[key])

    def on_continuation_error(self, failure):
        key = failure.request.meta["source_key"]
        step: Continuation = failure.request.meta["step"]
        assembly = self._assemblies[key][0]
        assembly.asked.add(step)
        assembly.failed.append(f"{step.category}: {self.api_failure(failure)}")
        yield from self._continue(self.by_key[key])

    def _continue(self, target: ImportTarget):
        """Ask for the next missing part of the edition, or, when nothing is missing, yield its page item."""
        assembly, edition_id = self._assemblies[target.source_key]
        step = assembly.pending()
        if step is not None:
            variables = step.variables(edition_id, self.settings.getint("IMDB_API_CATEGORIES_FIRST"),
                                       self.settings.getint("IMDB_API_NOMINATIONS_FIRST"))
            self.crawler.stats.inc_value("cinegraph/api_continuations")
            yield self.api_request(step.operation, variables, self.parse_continuation, self.on_continuation_error,
                                   source_key=target.source_key, page=1, step=step)
            return
        del self._assemblies[target.source_key]
        try:
            yield from self._finish(target, assembly, edition_id)
        except Exception as exc:  # a shape no reader foresaw: this edition fails with the reason, the crawl goes on
            logger.debug("API answer of %s could not be read", target.source_key, exc_info=True)
            self.page_failed_for(target, f"IMDb's API answer could not be read ({error_line(exc)}); nothing stored")

    def _finish(self, target: ImportTarget, assembly: EditionAssembly, edition_id: str):
        page = assembly.page()
        mismatch = edition_mismatch(target.source_id, target.year, target.instance, page, "")
        if mismatch:
            yield self.edition_request(target, api_refusal=f"IMDb's API answered {edition_id} with another edition ({mismatch})")
            return
        self.note(target.source_key, truncated=list(assembly.failed))
        if not page.nominations:
            self.note(target.source_key, announced=f"IMDb lists this edition ({edition_id}, {len(assembly.awards)} awards) but publishes no "
                                "nominations yet; it will be imported again next time")
            self.crawler.stats.inc_value("cinegraph/editions_announced")
            return
        self.served(target.source_key, "api")
        yield from self.edition_items(target, page)
