"""The same film twice in one list import, or the same nomination twice in one edition → one row."""

from __future__ import annotations

from cinegraph_scrapy.items import ListEntryItem, NominationItem, PageItem
from cinegraph_scrapy.pipelines import drop_row


def natural_key(item) -> tuple | None:
    if isinstance(item, ListEntryItem):
        return (item.source_key, item.imdb_id)
    if isinstance(item, NominationItem):
        return (item.source_key, item.award_name, item.category, item.nominee_key)
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
        kept, seen = [], self.seen
        for row in item.rows:
            key = natural_key(row)
            if key is not None:
                if key in seen:
                    drop_row(self.crawler, item.source_key, "duplicate",
                             f"{row.source_key} {row.imdb_id or 'person-only nomination'}")
                    continue
                seen.add(key)
            kept.append(row)
        item.rows = kept
        return item
