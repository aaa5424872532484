"""Small helpers for IMDb's JSON: every field may be missing or null."""

from __future__ import annotations

import re
from typing import Any

from cinegraph_scrapy.ids import FIND_NAME as _NM, FIND_TITLE as _TT

_TAGS = re.compile(r"<[^>]+>")


def dig(obj: Any, *path: str | int) -> Any:
    """obj[p0][p1]… or None as soon as a step is missing or null."""
    for step in path:
        if obj is None:
            return None
        if isinstance(step, int):
            if not isinstance(obj, list) or not -len(obj) <= step < len(obj):
                return None
            obj = obj[step]
        else:
            if not isinstance(obj, dict):
                return None
            obj = obj.get(step)
    return obj


def as_list(value: Any) -> list:
    """A JSON list, or [] for null, a missing key or any other type (a list the page spells otherwise)."""
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict:
    """A JSON object, or {} for null, a missing key or any other type."""
    return value if isinstance(value, dict) else {}


def text_of(value: Any) -> str | None:
    """A display string out of IMDb's text-ish shapes: "x", {text}, {plainText}, {plaidHtml}, {value: …}."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        for key in ("plainText", "text", "originalText", "value", "markdown", "expandedMarkdown"):
            if key in value and value[key] is not None:
                found = text_of(value[key])
                if found is not None:
                    return found
        if value.get("plaidHtml"):
            return _TAGS.sub("", value["plaidHtml"])
    if isinstance(value, list):
        parts = [t for t in (text_of(v) for v in value) if t]
        return "; ".join(parts) if parts else None
    return None


def int_or_none(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        m = re.search(r"\d+", value.replace(",", ""))
        return int(m.group()) if m else None
    return None


def year_of(value: Any) -> int | None:
    """releaseYear {year}, releaseDate {year}, "1994", "(I) (2019)", "2019-05-01" → the year."""
    if isinstance(value, dict):
        return year_of(value.get("year"))
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1850 <= value <= 2200 else None
    if isinstance(value, str):
        m = re.search(r"(18|19|20|21)\d\d", value)
        return int(m.group()) if m else None
    return None


def tt_id(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    if value.startswith("tt") and value[2:].isdigit() and value.isascii() and len(value) >= 9:
        return value  # the usual case: a bare id
    m = _TT.search(value)
    return m.group() if m else None


def nm_id(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    if value.startswith("nm") and value[2:].isdigit() and value.isascii() and len(value) >= 9:
        return value
    m = _NM.search(value)
    return m.group() if m else None
