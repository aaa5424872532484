"""Find the JSON payloads embedded in IMDb pages (Next.js __NEXT_DATA__, JSON-LD)."""

from __future__ import annotations

import json
import re
from typing import Any

from cinegraph_scrapy import jsontext
from cinegraph_scrapy.parsing.blocks import NoDataError

_NEXT_DATA = re.compile(rb"<script[^>]*\bid=[\"']__NEXT_DATA__[\"'][^>]*>(.*?)</script>", re.S | re.I)
_LD_JSON = re.compile(rb"<script[^>]*type=[\"']application/ld\+json[\"'][^>]*>(.*?)</script>", re.S | re.I)


def as_bytes(body: str | bytes) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def _next_data_bytes(body: bytes) -> bytes | None:
    """The __NEXT_DATA__ script's content. IMDb writes it as `<script id="__NEXT_DATA__" type=…>`: found
    with plain byte searches (the regex below scans every `<script` tag of a 1 MB page), the regex kept
    for other spellings."""
    at = body.find(b'id="__NEXT_DATA__"')
    if at != -1:
        start = body.rfind(b"<script", 0, at)
        open_end = body.find(b">", at)
        if start != -1 and open_end != -1 and b">" not in body[start:at]:
            end = body.find(b"</script>", open_end)
            if end != -1:
                return body[open_end + 1:end]
    m = _NEXT_DATA.search(body)
    return m.group(1) if m is not None else None


def next_data(body: bytes) -> dict[str, Any] | None:
    """The parsed __NEXT_DATA__ object, None when the page has none; NoDataError when it is broken."""
    payload = _next_data_bytes(body)
    if payload is None:
        if re.search(rb"id=[\"']__NEXT_DATA__", body):
            raise NoDataError("page has a __NEXT_DATA__ script that never ends (truncated page)")
        return None
    try:
        data = jsontext.loads(payload)
    except ValueError as exc:
        raise NoDataError(f"__NEXT_DATA__ is not valid JSON ({exc.msg} at char {exc.pos}): truncated or changed page") from None
    except RecursionError:
        raise NoDataError("__NEXT_DATA__ is nested too deeply to be an IMDb page (hostile or broken page)") from None
    return data if isinstance(data, dict) else None


def ld_json_objects(body: bytes) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page (flattening lists and @graph); broken blocks are skipped."""
    found: list[dict[str, Any]] = []
    for m in _LD_JSON.finditer(body):
        try:
            data = json.loads(m.group(1))
        except (ValueError, RecursionError):
            continue
        stack = data if isinstance(data, list) else [data]
        for obj in stack:
            if isinstance(obj, dict):
                found.append(obj)
                graph = obj.get("@graph")
                if isinstance(graph, list):
                    found.extend(g for g in graph if isinstance(g, dict))
    return found
