"""Which edition answered: the edition a final URL names (`/event/ev…/YEAR/INSTANCE/`, a locale path) and
why a parsed edition is not the one asked for."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cinegraph_scrapy.parsing.event_rows import EventPage

_EDITION_PATH = re.compile(
    r"^/(?:(?P<locale>[a-z]{2}(?:-[a-z]{2})?)/)?event/(?P<event>ev\d{7})/?(?:(?P<year>\d{4})/?(?:(?P<instance>\d+)/?)?)?",
    re.I,
)


@dataclass(frozen=True)
class EditionUrl:
    event_id: str
    year: int | None
    instance: int | None
    locale: str | None


def edition_from_url(url: str) -> EditionUrl | None:
    """`…/event/ev0000681/2024/1/` (or `/fr/event/…`) → its parts; None for any other path."""
    from urllib.parse import urlsplit

    m = _EDITION_PATH.match(urlsplit(url).path or "/")
    if m is None:
        return None
    return EditionUrl(m.group("event"), int(m.group("year")) if m.group("year") else None,
                      int(m.group("instance")) if m.group("instance") else None,
                      m.group("locale").lower() if m.group("locale") else None)


def _edition_name(year, instance) -> str:
    return f"{year}" if not instance or instance == 1 else f"{year} (instance {instance})"


def edition_mismatch(event_id: str, year: int, instance: int, page: EventPage, final_url: str) -> str | None:
    """Why this page is not the edition asked for (naming both editions), or None when it is.

    The page's own `editionInfo` (or the legacy `year`/`occurrence`/`eventId`) and the final URL after
    redirects are both checked; a locale path (`/fr/event/…`) is refused too, since titles and category
    names would not be the pinned English ones."""
    asked = f"the {_edition_name(year, instance)} edition of {event_id}"
    url = edition_from_url(final_url)
    if url is not None:
        if url.locale:
            return f"IMDb answered {asked} with a locale path (/{url.locale}/…: {final_url}); titles would not be English"
        if url.event_id.lower() != event_id.lower():
            return f"IMDb answered {asked} with event {url.event_id} ({final_url})"
        if url.year is not None and (url.year != year or (url.instance or 1) != instance):
            return (f"IMDb answered {asked} with the {_edition_name(url.year, url.instance)} edition "
                    f"(redirected to {final_url})")
    if page.event_id and page.event_id.lower() != event_id.lower():
        return f"IMDb answered {asked} with a page of event {page.event_id}"
    if page.year is not None and (page.year != year or (page.instance is not None and page.instance != instance)):
        return (f"IMDb answered {asked} with the {_edition_name(page.year, page.instance)} edition "
                f"(the page's editionInfo{' ' + page.edition_id if page.edition_id else ''})")
    return None
