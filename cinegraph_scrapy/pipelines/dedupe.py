"""The same film twice in one list import, or the same nomination twice in one edition → one row."""

from __future__ import annotations

from cinegraph_scrapy.items import ListEntryItem, NominationItem
from cinegraph_scrapy.pipelines import Dropped


def natural_key(item) -> tuple | None:
    if isinstance(item, ListEntryItem):
        return (item.source_key, item.imdb_id)
    if isinstance(item, NominationItem):
        return (item.source_key, item.award_name, item.category, item.nominee_key)
    return None


class DeduplicationPipeline:
    def __init__(self):
        self.seen: set[tuple] = set()

    def process_item(self, item):
        key = natural_key(item)
        if key is None:
            return item
        if key in self.seen:
            raise Dropped("duplicate", f"{item.source_key} {item.imdb_id or 'person-only nomination'}")
        self.seen.add(key)
        return item
