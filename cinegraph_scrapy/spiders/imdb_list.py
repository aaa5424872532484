"""`scrapy crawl imdb_list -a key=1001_movies`: an IMDb list, every item, into movies + canonical_sources.

Fetch order: the whole list from IMDb's GraphQL API (`list(id)`: name, description and 250 items per answer,
each continuing from the previous answer's endCursor); each answer is a page of its own (its own
transaction). When the API gives nothing for the first slice (HTTP 403, no answer) the list page is read
instead (its `__NEXT_DATA__` holds the first 250 items) and the rest again through the API. A private list
(`FORBIDDEN`) and an unknown one (`RESOURCE_NOT_FOUND`, `list: null`) fail with that reason. A failure past
the first slice leaves the import `partial` with what was read stored.
"""

from __future__ import annotations

from collections import Counter

from scrapy.http import Response

from cinegraph_scrapy.configs import ImportTarget
from cinegraph_scrapy.errors import CinegraphError
from cinegraph_scrapy.items import ListEntry, PageItem
from cinegraph_scrapy.parsing.award_notes import parse_award_note
from cinegraph_scrapy.parsing.imdb_api import ApiForbidden, ApiNotFound
from cinegraph_scrapy.parsing.imdb_graphql import list_variables, parse_list_items
from cinegraph_scrapy.parsing.imdb_list import parse_list_page
from cinegraph_scrapy.redaction import redact
from cinegraph_scrapy.spiders.base import BaseImportSpider


class ImdbListSpider(BaseImportSpider):
    name = "imdb_list"
    source_type = "imdb"
    arguments = {key: text for key, text in BaseImportSpider.arguments.items() if key not in ("org", "years")} | {
        "key": "one configuration key (see `scrapy lists --type imdb`), e.g. 1001_movies",
        "list": "any public IMDb list: ls123456789 or https://www.imdb.com/list/ls123456789/ "
                "(its config, key = the list id, is created on first use, named from the list)",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries_seen: Counter = Counter()  # per list: where the next API slice's positions start
        self.totals: dict[str, int] = {}  # per list: how many entries it announces

    async def start(self):
        for target in self.active_targets():
            if self.api_enabled():
                yield self.list_api_request(target, 1, None)
            else:
                yield self.page_request(target)

    def page_request(self, target: ImportTarget, api_refusal: str | None = None):
        self.crawler.stats.inc_value("cinegraph/fetch/page/requests")
        return self.request(target.url, target, self.parse_list, page=1, api_refusal=api_refusal)

    def parse_list(self, response: Response):
        target = self.by_key[response.meta["source_key"]]
        path = self.fetched(response)
        items = self.guarded(response, lambda: list(self._parse_first_page(response, target)))
        if any(isinstance(i, PageItem) for i in items):
            self.served(target.source_key, path)
        return items

    def _parse_first_page(self, response: Response, target: ImportTarget):
        parsed = parse_list_page(response.body, 1)
        if parsed.total is not None:
            self.totals[target.source_key] = parsed.total
            self.note(target.source_key, expected_total=parsed.total)
        # the next page first: it downloads while this one goes through the pipelines
        if parsed.has_next and parsed.end_cursor:
            yield self.list_api_request(target, 2, parsed.end_cursor)
        elif parsed.has_next:
            self.page_failed(response, "the list continues (hasNextPage) but the page gives no endCursor to continue from")
        yield self._page(target, 1, parsed.entries, layout=parsed.layout, total=parsed.total, name=parsed.name)

    # ---------------------------------------------------------------- the API

    def list_api_request(self, target: ImportTarget, page: int, cursor: str | None, *, full: bool = True):
        variables = list_variables(target.source_id, cursor, self.settings.getint("IMDB_GRAPHQL_PAGE_SIZE"))
        return self.api_request("ListPage" if full else "ListPageBasic", variables, self.parse_graphql,
                                self.on_api_error, source_key=target.source_key, page=page, graphql_cursor=cursor,
                                graphql_full=full)

    def on_api_error(self, failure):
        meta = failure.request.meta
        target = self.by_key[meta["source_key"]]
        reason = self.api_failure(failure)
        if meta["page"] == 1:  # nothing read yet: the list page is the next path
            yield self.page_request(target, api_refusal=reason)
        else:
            self.page_failed(failure.request, reason)

    def parse_graphql(self, response: Response):
        target = self.by_key[response.meta["source_key"]]
        self.fetched(response)
        try:
            return list(self._parse_graphql(response, target))
        except (ApiForbidden, ApiNotFound) as exc:
            self.page_failed(response, str(exc))
        except CinegraphError as exc:
            if response.meta["page"] == 1:
                return [self.page_request(target, api_refusal=redact(f"IMDb's API: {exc}"))]
            self.page_failed(response, str(exc))
        return []

    def _parse_graphql(self, response: Response, target: ImportTarget):
        page, cursor, full = response.meta["page"], response.meta["graphql_cursor"], response.meta["graphql_full"]
        parsed = parse_list_items(response.body, offset=self.entries_seen[target.source_key], list_id=target.source_id)
        if parsed.errors and full:
            # The fuller query (name, notes, title type) was refused: this slice again with the known-good query.
            self.crawler.stats.inc_value("cinegraph/graphql_fallbacks")
            self.logger.warning("%s: IMDb's API refused the full list query (%s); asking again without notes",
                                target.source_key, parsed.errors[0][:200])
            yield self.list_api_request(target, page, cursor, full=False)
            return
        if parsed.errors and not parsed.entries:
            self.page_failed(response, f"IMDb's API answered with errors: {'; '.join(parsed.errors)[:300]}")
        if not full:
            self.note(target.source_key, notes_unread=len(parsed.entries))
        if parsed.total is not None and target.source_key not in self.totals:
            self.totals[target.source_key] = parsed.total
            self.note(target.source_key, expected_total=parsed.total)
        if not parsed.entries:
            return
        if parsed.has_next and parsed.end_cursor and parsed.end_cursor != cursor:
            yield self.list_api_request(target, page + 1, parsed.end_cursor)
        elif parsed.has_next:
            self.page_failed(response, "IMDb's API says the list continues but gives no new endCursor")
        self.served(target.source_key, "api")
        yield self._page(target, page, parsed.entries, layout="api", total=parsed.total, name=parsed.name)

    # ---------------------------------------------------------------- items

    def _page(self, target: ImportTarget, page: int, entries: list[ListEntry], **info) -> PageItem:
        self.entries_seen[target.source_key] += len(entries)
        self.note(target.source_key, entries_seen=len(entries))
        if target.tracks_awards:  # the award a note names ("Winner, Best Film, 1994"), on the entry itself
            for entry in entries:
                note = parse_award_note(entry.notes)
                if note is not None:
                    entry.award_name, entry.award_year, entry.award_won = note.award_name, note.year, note.won
        return self.page_item(target, page, entries, **info)

