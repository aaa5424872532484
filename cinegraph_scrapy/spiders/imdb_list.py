"""`scrapy crawl imdb_list -a key=1001_movies`: an IMDb list, every item, into movies + canonical_sources.

Page 1 is the list page (its `__NEXT_DATA__` holds the first ~250 items with the author's notes). IMDb
answers any `/list/…?query` with 403, so the rest comes from IMDb's GraphQL API, one POST per 250 items,
each continuing from the previous answer's `endCursor`. Each GraphQL answer is a page of its own (its own
transaction); a GraphQL failure leaves the import `partial` with what was read stored.
"""

from __future__ import annotations

import scrapy
from scrapy.http import Response

from cinegraph_scrapy.configs import ImportTarget
from cinegraph_scrapy.items import ListEntryItem, PageItem
from cinegraph_scrapy.parsing.award_notes import parse_award_note
from cinegraph_scrapy.parsing.imdb_graphql import GRAPHQL_HEADERS, list_items_payload, parse_list_items
from cinegraph_scrapy.parsing.imdb_list import ListEntry, parse_list_page
from cinegraph_scrapy.spiders.base import GRAPHQL_SLOT, BaseImportSpider


class ImdbListSpider(BaseImportSpider):
    name = "imdb_list"
    source_type = "imdb"
    arguments = {key: text for key, text in BaseImportSpider.arguments.items() if key not in ("org", "years")} | {
        "list": "any public IMDb list: ls123456789 or https://www.imdb.com/list/ls123456789/ "
                "(its config, key = the list id, is created on first use, named from the page)",
    }

    async def start(self):
        for target in self.active_targets():
            yield self.request(target.url, target, self.parse_list, page=1)

    def parse_list(self, response: Response):
        target = self.ledgers[response.meta["source_key"]].target
        return self.guarded(response, lambda: list(self._parse_first_page(response, target)))

    def _parse_first_page(self, response: Response, target: ImportTarget):
        parsed = parse_list_page(response.body, 1)
        ledger = self.ledgers[target.source_key]
        if parsed.total is not None:
            ledger.expected_total = parsed.total
        # the next page first: it downloads while this one goes through the pipelines
        if parsed.has_next and parsed.end_cursor:
            yield self.graphql_request(target, 2, parsed.end_cursor)
        elif parsed.has_next:
            self.page_failed(response, "the list continues (hasNextPage) but the page gives no endCursor to continue from")
        yield self._page(target, 1, parsed.entries, layout=parsed.layout, total=parsed.total, name=parsed.name)

    # ---------------------------------------------------------------- GraphQL continuation

    def graphql_request(self, target: ImportTarget, page: int, cursor: str, *, full: bool = True) -> scrapy.Request:
        self.ledgers[target.source_key].graphql_requests += 1
        self.crawler.stats.inc_value("cinegraph/graphql_requests")
        return scrapy.Request(
            self.settings.get("IMDB_GRAPHQL_URL"),
            method="POST",
            body=list_items_payload(target.source_id, cursor, full=full,
                                    first=self.settings.getint("IMDB_GRAPHQL_PAGE_SIZE", 250)),
            headers=GRAPHQL_HEADERS,
            callback=self.parse_graphql,
            errback=self.on_request_error,
            dont_filter=True,
            meta={"source_key": target.source_key, "page": page, "download_slot": GRAPHQL_SLOT,
                  "imdb_graphql": True, "graphql_cursor": cursor, "graphql_full": full, "dont_redirect": True},
        )

    def parse_graphql(self, response: Response):
        target = self.ledgers[response.meta["source_key"]].target
        return self.guarded(response, lambda: list(self._parse_graphql(response, target)))

    def _parse_graphql(self, response: Response, target: ImportTarget):
        ledger = self.ledgers[target.source_key]
        page, cursor, full = response.meta["page"], response.meta["graphql_cursor"], response.meta["graphql_full"]
        parsed = parse_list_items(response.body, offset=ledger.entries_seen)
        if parsed.errors and full:
            # The fuller query (notes, title type) was refused: this page again with the known-good query.
            self.crawler.stats.inc_value("cinegraph/graphql_fallbacks")
            self.logger.warning("%s: IMDb GraphQL refused the full list query (%s); asking again without notes",
                                target.source_key, parsed.errors[0][:200])
            yield self.graphql_request(target, page, cursor, full=False)
            return
        if parsed.errors:
            self.page_failed(response, f"IMDb GraphQL answered with errors: {'; '.join(parsed.errors)[:300]}")
        if not full:
            ledger.notes_unread += len(parsed.entries)
        if parsed.total is not None and ledger.expected_total is None:
            ledger.expected_total = parsed.total
        if not parsed.entries:
            return
        if parsed.has_next and parsed.end_cursor and parsed.end_cursor != cursor:
            yield self.graphql_request(target, page + 1, parsed.end_cursor)
        elif parsed.has_next:
            self.page_failed(response, "IMDb GraphQL says the list continues but gives no new endCursor")
        yield self._page(target, page, parsed.entries, layout="graphql", total=parsed.total)

    # ---------------------------------------------------------------- items

    def _page(self, target: ImportTarget, page: int, entries: list[ListEntry], **info) -> PageItem:
        self.ledgers[target.source_key].entries_seen += len(entries)
        items = []
        for entry in entries:
            item = ListEntryItem(
                source_key=target.source_key,
                page=page,
                imdb_id=entry.imdb_id,
                title=entry.title,
                original_title=entry.original_title,
                year=entry.year,
                position=entry.position,
                notes=entry.notes,
                title_type=entry.title_type,
            )
            if target.tracks_awards:
                note = parse_award_note(entry.notes)
                if note is not None:
                    item.award_name, item.award_year, item.award_won = note.award_name, note.year, note.won
            items.append(item)
        return self.page_item(target, page, items, **info)

