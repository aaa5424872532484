"""JSON text in and out, at the volumes an import moves: the pages' JSON payloads (__NEXT_DATA__, IMDb's
GraphQL answers) and the documents a page's statements carry (PostgreSQL reads its rows with
jsonb_to_recordset). orjson when it is installed (decoding at about half the cost of the standard
library, encoding at a fifth); the standard library for what orjson refuses, and on a node without it."""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - a scrapyd node whose environment predates the requirement
    orjson = None


def loads(text: bytes | str) -> Any:
    """json.loads(), faster. Text orjson refuses (NaN, a lone surrogate, an integer past 64 bits, nesting
    past 1,024 levels, broken JSON) goes to the standard library, so that what parses and how it fails
    (ValueError with msg and pos, RecursionError) stay the standard library's. Bytes that are not UTF-8
    (a stray byte in a page) are read with U+FFFD in their place, as a browser shows them, rather than
    losing the page."""
    if orjson is not None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(text)
    except UnicodeDecodeError:
        return json.loads(text.decode("utf-8", "replace"))


def dumps(value: Any) -> str:
    """UTF-8 JSON text (not ASCII-escaped); values JSON has no type for (dates) as their str()."""
    if orjson is not None:
        try:
            return orjson.dumps(value, default=str).decode()
        except TypeError:  # a key that is not a string, an integer past 64 bits…
            pass
    return json.dumps(value, ensure_ascii=False, default=str)


def dumps_bytes(value: Any) -> bytes:
    """dumps() as UTF-8 bytes (for digests)."""
    if orjson is not None:
        try:
            return orjson.dumps(value, default=str)
        except TypeError:
            pass
    return json.dumps(value, ensure_ascii=False, default=str).encode()
