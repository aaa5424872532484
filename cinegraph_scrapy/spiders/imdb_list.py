"""`scrapy crawl imdb_list -a key=1001_movies`: an IMDb list, every page, into movies + canonical_sources."""

from __future__ import annotations

import math

from scrapy.http import Response

from cinegraph_scrapy.configs import ImportTarget, list_url
from cinegraph_scrapy.items import ListEntryItem
from cinegraph_scrapy.parsing.award_notes import parse_award_note
from cinegraph_scrapy.parsing.blocks import NoDataError
from cinegraph_scrapy.parsing.imdb_list import PAGE_SIZE, parse_list_page
from cinegraph_scrapy.spiders.base import BaseImportSpider


class ImdbListSpider(BaseImportSpider):
    name = "imdb_list"
    source_type = "imdb"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.requested_pages: dict[str, set[int]] = {}

    async def start(self):
        for target in self.active_targets():
            self.requested_pages[target.source_key] = {1}
            yield self.request(target.url, target, self.parse_list, page=1)

    def _page_request(self, target: ImportTarget, page: int, speculative: bool = False):
        self.requested_pages[target.source_key].add(page)
        base = self.settings.get("IMDB_BASE_URL")
        return self.request(list_url(base, target.source_id, page), target, self.parse_list, page=page,
                            speculative=speculative)

    def parse_list(self, response: Response):
        target = self.ledgers[response.meta["source_key"]].target
        page = response.meta["page"]
        if response.meta.get("speculative"):
            # A page asked for only because the previous one was full: nothing there means the end.
            try:
                self.check_page(response)
                parse_list_page(response.body, page)
            except NoDataError:
                return []
        return self.guarded(response, lambda: list(self._parse(response, target, page)))

    def _parse(self, response: Response, target: ImportTarget, page: int):
        parsed = parse_list_page(response.body, page)
        ledger = self.ledgers[target.source_key]
        if parsed.total is not None:
            ledger.expected_total = parsed.total
        ledger.entries_seen += len(parsed.entries)
        items = []
        for entry in parsed.entries:
            item = ListEntryItem(
                source_key=target.source_key,
                page=page,
                imdb_id=entry.imdb_id,
                title=entry.title,
                original_title=entry.original_title,
                year=entry.year,
                position=entry.position,
                notes=entry.notes,
            )
            if target.tracks_awards:
                note = parse_award_note(entry.notes)
                if note is not None:
                    item.award_name, item.award_year, item.award_won = note.award_name, note.year, note.won
            items.append(item)
        yield from self.emit_page(target, page, items, layout=parsed.layout, total=parsed.total)
        yield from self._follow(target, page, parsed)

    def _follow(self, target: ImportTarget, page: int, parsed):
        requested = self.requested_pages[target.source_key]
        if page == 1 and parsed.total and parsed.entries:
            # The list says how many films it holds: ask for every page at once.
            per_page = max(len(parsed.entries), 1)
            for n in range(2, math.ceil(parsed.total / per_page) + 1):
                if n not in requested:
                    yield self._page_request(target, n)
        if parsed.has_next and page + 1 not in requested:
            yield self._page_request(target, page + 1)
        elif parsed.has_next is None and parsed.total is None and len(parsed.entries) >= PAGE_SIZE \
                and page + 1 not in requested:
            yield self._page_request(target, page + 1, speculative=True)
