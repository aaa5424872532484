"""Drop rows that cannot be stored correctly: bad IMDb ids, films without a title, empty nominations."""

from __future__ import annotations


from cinegraph_scrapy.ids import NAME_ID as _NM, TITLE_ID as _TT
from cinegraph_scrapy.items import ListEntry, NominationRow, PageItem
from cinegraph_scrapy.pipelines import drop_row



def problem(item) -> tuple[str, str] | None:
    """(reason code, detail) when the row is invalid."""
    if isinstance(item, NominationRow):
        if item.imdb_id is None:
            if not item.people:
                return "empty_nomination", f"{item.award_name} / {item.category} names no film and no person"
            bad = [p.get("imdb_id") for p in item.people if p.get("imdb_id") and not _NM.match(p["imdb_id"])]
            return ("invalid_person_id", ", ".join(bad)) if bad else None
    if not isinstance(item.imdb_id, str) or not _TT.match(item.imdb_id):
        return "invalid_imdb_id", repr(item.imdb_id)
    if not (item.title or "").strip() and not (item.original_title or "").strip():
        return "missing_title", item.imdb_id
    return None


class ValidationPipeline:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if isinstance(item, PageItem):
            kept = []
            for row in item.rows:
                found = problem(row) if isinstance(row, (ListEntry, NominationRow)) else None
                if found:
                    drop_row(self.crawler, item.source_key, *found)
                else:
                    kept.append(row)
            item.rows = kept
        return item
