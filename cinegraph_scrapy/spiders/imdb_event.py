"""`scrapy crawl imdb_event -a key=venice_2024` (or `keys=…`, `org=… years=…`): event editions into the
festival tables, one request per edition page."""

from __future__ import annotations

import logging

from scrapy.http import Response

from cinegraph_scrapy.configs import ImportTarget
from cinegraph_scrapy.items import NominationItem
from cinegraph_scrapy.parsing.imdb_event import parse_event_page
from cinegraph_scrapy.spiders.base import BaseImportSpider

logger = logging.getLogger(__name__)


class ImdbEventSpider(BaseImportSpider):
    name = "imdb_event"
    source_type = "imdb_event"

    async def start(self):
        for target in self.active_targets():
            yield self.request(target.url, target, self.parse_edition)

    def parse_edition(self, response: Response):
        target = self.ledgers[response.meta["source_key"]].target
        return self.guarded(response, lambda: list(self._parse(response, target)))

    def _parse(self, response: Response, target: ImportTarget):
        parsed = parse_event_page(response.body)
        ledger = self.ledgers[target.source_key]
        stats = self.crawler.stats
        ledger.nominations_found += len(parsed.nominations)
        ledger.winners += parsed.winners
        stats.inc_value("cinegraph/nominations_found", len(parsed.nominations))
        if parsed.truncated_categories:
            ledger.truncated.extend(parsed.truncated_categories)
            stats.inc_value("cinegraph/truncated_categories", len(parsed.truncated_categories))
            logger.warning(
                "%s: %d categor%s continue beyond this page (hasNextPage); data may be incomplete: %s",
                target.source_key, len(parsed.truncated_categories),
                "y" if len(parsed.truncated_categories) == 1 else "ies", ", ".join(parsed.truncated_categories[:5]),
            )
        if parsed.year is not None and parsed.year != target.year:
            logger.warning("%s: IMDb answered with the %s edition for year %s", target.source_key, parsed.year, target.year)
        items = []
        for nomination in parsed.nominations:
            common = dict(
                source_key=target.source_key,
                page=1,
                event_id=target.source_id,
                edition_year=target.year,
                edition_instance=target.instance,
                award_name=nomination.award_name,
                category=nomination.category,
                won=nomination.won,
                notes=nomination.notes,
                people=[p.as_dict() for p in nomination.people],
            )
            if not nomination.films:
                ledger.people_only += 1
                stats.inc_value("cinegraph/people_only_nominations")
                items.append(NominationItem(imdb_id=None, **common))
            for film in nomination.films:
                items.append(NominationItem(imdb_id=film.imdb_id, title=film.title,
                                            original_title=film.original_title, year=film.year, **common))
        yield from self.emit_page(target, 1, items, event_name=parsed.event_name, edition_id=parsed.edition_id,
                                  layout=parsed.layout)
