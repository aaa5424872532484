"""The real IMDb captures in tests/real/ (see its README), as page bodies."""

from __future__ import annotations

from pathlib import Path

REAL = Path(__file__).resolve().parent.parent / "real"

OSCARS_2024 = "nextjs_event_oscars_ev0000003_2024.html"
LIST_1001_PAGE1 = "nextjs_list_ls024863935_page1.html"
PRIVATE_LIST = "nextjs_list_ls020763765_private_a.html"


def real_page(name: str) -> bytes:
    """A capture as IMDb served it; a legacy widget JSON wrapped in its `NomineesWidget.push` script line."""
    raw = (REAL / name).read_bytes()
    if name.endswith(".json"):
        return (b"<html><body><div id=\"center-3-react\"></div><script>"
                b"IMDbReactWidgets.NomineesWidget.push(['center-3-react', " + raw + b"]);</script></body></html>")
    return raw


def legacy(org_event: str, year: int) -> str:
    """`legacy("oscars_ev0000003", 2019)` → the file name of that widget capture."""
    return f"legacy_event_{org_event}_{year}_nomineeswidget.json"
