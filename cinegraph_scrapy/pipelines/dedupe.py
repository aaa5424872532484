"""The same film twice in one list import (the first kept), or the same nominee twice in one category of an
edition (one nomination, won if either mention won: items.same_nominee) → one row."""

from __future__ import annotations

from cinegraph_scrapy.items import ListEntry, NominationRow, PageItem, same_nominee
from cinegraph_scrapy.pipelines import drop_row


def natural_key(source_key: str, row) -> tuple | None:
    """A film once per list import; a nominee once per category of an edition."""
    if isinstance(row, ListEntry):
        return (source_key, row.imdb_id)
    if isinstance(row, NominationRow):
        return (source_key, row.award_name, row.category, row.nominee_key)
    return None


class DeduplicationPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.seen: set[tuple] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if not isinstance(item, PageItem):
            return item
        kept, seen, on_page = [], self.seen, {}
        for row in item.rows:
            key = natural_key(item.source_key, row)
            if key is not None:
                if key in seen:
                    if isinstance(row, NominationRow) and key in on_page:
                        same_nominee(on_page[key], row)
                    drop_row(self.crawler, item.source_key, "duplicate",
                             f"{item.source_key} {row.imdb_id or 'person-only nomination'}")
                    continue
                seen.add(key)
                on_page[key] = row
            kept.append(row)
        item.rows = kept
        return item
