"""Drop items that cannot be stored correctly: bad IMDb ids, films without a title, empty nominations."""

from __future__ import annotations

import re

from cinegraph_scrapy.items import ListEntryItem, NominationItem
from cinegraph_scrapy.pipelines import Dropped

_TT = re.compile(r"^tt\d{7,}$")
_NM = re.compile(r"^nm\d{7,}$")


def problem(item) -> tuple[str, str] | None:
    """(reason code, detail) when the item is invalid."""
    if isinstance(item, NominationItem):
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
    def process_item(self, item):
        if isinstance(item, (ListEntryItem, NominationItem)):
            found = problem(item)
            if found:
                raise Dropped(*found)
        return item
