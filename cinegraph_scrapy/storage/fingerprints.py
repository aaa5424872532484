"""Page fingerprints: a digest of everything a page's write would store, so that a re-import of an unchanged
page writes nothing but `last_seen_at` and the run bookkeeping (the storage pipeline compares it with the
fingerprint the page's last successful write saved)."""

from __future__ import annotations

import dataclasses
import hashlib

from cinegraph_scrapy import jsontext
from cinegraph_scrapy.items import PageItem


def page_fingerprint(target, page_item: PageItem) -> str | None:
    """A digest of everything a page's write would store (its parsed rows and what the page says about
    itself), or None when the page carries TMDb results, which have to be written anyway.

    Rows are digested as the JSON of their field values in field order (dicts in their page order):
    deterministic for the str, int, bool, None, list, dict and date values items hold."""
    rows = []
    for item in page_item.rows:
        if getattr(item, "tmdb", None) or getattr(item, "people_tmdb", None):
            return None
        rows.append(jsontext.dumps_bytes(fingerprint_fields(item)))
    info = jsontext.dumps_bytes(sorted((k, v) for k, v in page_item.info.items() if k != "layout"))
    digest = hashlib.blake2b(digest_size=32)
    digest.update(f"{target.source_key}|{target.year}|{target.instance}|".encode())
    digest.update(info)
    rows.sort()
    digest.update(b"\n".join(rows))
    return digest.hexdigest()


_SKIPPED_FIELDS = frozenset(("tmdb", "people_tmdb", "page"))
_FIELDS: dict[type, tuple[str, ...]] = {}


def fingerprint_fields(item) -> tuple:
    """The item's stored values, in field order (the page number and TMDb results left out)."""
    names = _FIELDS.get(type(item))
    if names is None:
        names = _FIELDS[type(item)] = tuple(f.name for f in dataclasses.fields(item) if f.name not in _SKIPPED_FIELDS)
    values = item.__dict__
    return tuple(values[name] for name in names)
