"""Browser fallback for IMDb's AWS WAF JavaScript challenge (issue 6; filled in below)."""

from __future__ import annotations

import shutil


def find_chromium(settings) -> str | None:
    path = settings.get("CHROMIUM_PATH")
    if path:
        return path if shutil.which(path) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def configure_browser(settings) -> None:
    """Nothing yet: the Playwright handler is switched on with the WAF middleware."""
