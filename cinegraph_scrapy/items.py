"""The items that flow from the spiders through the pipelines (plain dataclasses, used via itemadapter).

A spider yields one PageItem per page: the page's rows (list entries, nominations, films to enrich) and
what the page says about itself. The page is the unit of every pipeline stage and of the storage
transaction; Scrapy's per-item machinery (a chain of Deferreds, signals and stats for every item) cost
more than all of our own per-row work when every row was an item. Feeds still get one line per row
(exporters.py). Every row names its configuration (`source_key`) and its page (`page`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any


def _tmdb_summary(value: Any) -> Any:
    """Feeds carry the TMDb id and status, not the raw TMDb document (credits are large)."""
    if not isinstance(value, dict):
        return value
    return {"tmdb_id": value.get("tmdb_id"), "status": value.get("status"), "media_type": value.get("media_type")}


@dataclass
class PageItem:
    """One page of one import: its rows, in page order, and what the page said about itself (event name,
    edition id, date, layout…). Pipelines drop rows from `rows`, not the page."""

    source_key: str
    page: int
    rows: list[Any] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class ListEntryItem:
    """One film on one IMDb list page."""

    source_key: str
    page: int
    imdb_id: str | None
    title: str | None
    original_title: str | None = None
    year: int | None = None
    position: int | None = None
    notes: str | None = None
    title_type: str | None = None
    award_name: str | None = None
    award_year: int | None = None
    award_won: bool | None = None
    tmdb: dict[str, Any] | None = field(default=None, metadata={"serializer": _tmdb_summary})


@dataclass
class NominationItem:
    """One nominated film (or a person-only honour) of one nomination in one event edition."""

    source_key: str
    page: int
    event_id: str
    edition_year: int
    edition_instance: int
    award_name: str
    category: str
    won: bool
    imdb_id: str | None
    title: str | None = None
    original_title: str | None = None
    year: int | None = None
    notes: str | None = None
    # {imdb_id, name, role}: role "primary" is the nominee, "secondary" is named with a nominated title
    people: list[dict[str, str | None]] = field(default_factory=list)
    nominee_type: str = "title"  # title | person
    title_type: str | None = None  # IMDb's titleType.id of this film, when the page gives it
    award_id: str | None = None  # aw…
    imdb_nomination_id: str | None = None  # an… (legacy pages; on the nomination's first film)
    details: dict[str, Any] | None = None  # songs, characters, episodes, companies
    tmdb: dict[str, Any] | None = field(default=None, metadata={"serializer": _tmdb_summary})
    people_tmdb: dict[str, int | None] | None = field(default=None, metadata={"serializer": lambda v: None})

    @cached_property
    def nominee_key(self) -> str:
        """Natural key within ceremony + category: the film and the set of nominated people (computed once:
        deduplication, storage and the change log all ask for it)."""
        people = ",".join(sorted({p.get("imdb_id") or f"?{p.get('name') or ''}" for p in self.people}))
        return f"{self.imdb_id or '-'}|{people}"



@dataclass
class FilmItem:
    """A film to (re-)enrich from TMDb (the tmdb_backfill spider)."""

    source_key: str
    page: int
    imdb_id: str
    title: str | None = None
    tmdb: dict[str, Any] | None = field(default=None, metadata={"serializer": _tmdb_summary})
