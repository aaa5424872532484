"""The same film twice in one list import, or the same nomination twice in one edition → one row."""

from __future__ import annotations

from cinegraph_scrapy.items import ListEntry, NominationRow, PageItem
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
        kept, seen = [], self.seen
        for row in item.rows:
            key = natural_key(item.source_key, row)
            if key is not None:
                if key in seen:
                    drop_row(self.crawler, item.source_key, "duplicate",
                             f"{item.source_key} {row.imdb_id or 'person-only nomination'}")
                    continue
                seen.add(key)
            kept.append(row)
        item.rows = kept
        return item
