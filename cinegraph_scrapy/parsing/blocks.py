"""Recognise answers that are not the page we asked for: CDN blocks, the AWS WAF challenge, robot checks."""

from __future__ import annotations

import re
from collections.abc import Mapping

from cinegraph_scrapy.errors import BlockedPage


class NoDataError(BlockedPage):
    """The page came back but holds no data in any layout we know (layout change or truncated page)."""


_ROBOT_MARKERS = re.compile(rb"captcha|robot check|are you a robot|awswafintegration|challenge\.js", re.I)
_SCRIPT_ONLY = re.compile(rb"^\s*(<!doctype[^>]*>)?\s*(<html[^>]*>)?\s*(<head[^>]*>)?\s*(<script\b.*?</script>\s*)+", re.I | re.S)


def header_map(raw_headers) -> dict[str, str]:
    """Scrapy's Headers (bytes name → list of bytes values) → lower-case name → first value, as str."""
    return {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in raw_headers.items() if v}


def is_waf_challenge(status: int, headers: Mapping[str, str]) -> bool:
    """IMDb's AWS WAF answers HTTP 202 and/or sets `x-amzn-waf-action: challenge`."""
    action = (headers.get("x-amzn-waf-action") or "").lower()
    return bool(action) or status == 202


def blocked_reason(status: int, headers: Mapping[str, str], body: bytes) -> str | None:
    """Why this answer is a block, or None when it looks like a real page.

    `headers` maps lower-case names to str values.
    """
    action = (headers.get("x-amzn-waf-action") or "").lower()
    if action:
        return f"AWS WAF {action} (HTTP {status}, x-amzn-waf-action: {action})"
    if status == 202:
        return "AWS WAF challenge (HTTP 202" + (" with an empty body)" if not body.strip() else ")")
    if status in (401, 403, 405, 429):
        return f"blocked by IMDb (HTTP {status})"
    if status >= 400:
        return f"HTTP {status}"
    stripped = body.strip()
    if not stripped:
        return f"empty body (HTTP {status})"
    head = stripped[:20000]
    if b"__NEXT_DATA__" not in head and b"/title/tt" not in body and b"NomineesWidget" not in body:
        if _ROBOT_MARKERS.search(head):
            return "robot check / CAPTCHA page"
    return None
