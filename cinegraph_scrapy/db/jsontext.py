"""JSON text for the documents a page's statements carry (PostgreSQL reads its rows with
jsonb_to_recordset): orjson when it is installed, a fifth of the cost of the standard library's encoder;
the standard library for values orjson refuses, and on a node without orjson."""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - a scrapyd node whose environment predates the requirement
    orjson = None


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
