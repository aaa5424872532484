"""The one item that flows from the spiders through the pipelines, and the rows it carries (plain dataclasses).

A spider yields one PageItem per page: its key, its page number, what the page says about itself, and its
rows — the rows the parsers produce (ListEntry, NominationRow; FilmRow for TMDb backfills), not copies. The page is the unit of every pipeline stage and of the storage
transaction; Scrapy's per-item machinery (a chain of Deferreds, signals and stats for every item) cost
more than all of our own per-row work when every row was an item. Feeds still get one line per row
(exporters.py, feed_record): each with its page's key and number.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
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
class ListEntry:
    """One film on an IMDb list: what the list parsers produce (page layouts and API slices alike), what the
    pipelines validate, enrich and store, and what a feed writes (with its page's key and number)."""

    imdb_id: str | None
    title: str | None
    original_title: str | None = None
    year: int | None = None
    position: int | None = None
    notes: str | None = None
    title_type: str | None = None  # IMDb's titleType.id: movie, short, tvSeries…
    # read from the notes of a list that tracks awards ("Winner, Best Film, 1994")
    award_name: str | None = None
    award_year: int | None = None
    award_won: bool | None = None
    tmdb: dict[str, Any] | None = field(default=None, metadata={"serializer": _tmdb_summary})


@dataclass
class NominationRow:
    """One nominated film of one nomination in an event edition (one with no film for a person-only
    honour): what the edition readers produce (parsing/event_rows.film_rows), for the API and every page
    layout alike, and what the pipelines validate, enrich and store. The edition itself (event, year,
    instance) is what the page says about itself, on its PageItem."""

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


def same_nominee(kept: NominationRow, again: NominationRow) -> None:
    """The project's one rule for a nominee named twice in one category of an edition (IMDb lists some twice,
    once among the winners and once among the nominees): one nomination, with its first mention's details,
    which has won if either mention won. Deduplication applies it to a page's rows (pipelines/dedupe.py); the
    storage writes merge the same way (db/writes_events.nomination_rows) only as a guard for pages that did
    not pass through it."""
    kept.won = kept.won or again.won


@dataclass
class FilmRow:
    """A stored film to (re-)enrich from TMDb (the tmdb_backfill spider)."""

    imdb_id: str
    title: str | None = None
    tmdb: dict[str, Any] | None = field(default=None, metadata={"serializer": _tmdb_summary})


# What a feed writes before each row's own fields: the page's key and number, and for an edition's rows the
# edition (event, year, instance) from what the page says about itself.
ROW_CONTEXT = ("event_id", "edition_year", "edition_instance")


def feed_record(page: PageItem, row: Any) -> dict[str, Any]:
    """One row of a page as a feed writes it (each field through its serializer)."""
    record: dict[str, Any] = {"source_key": page.source_key, "page": page.page}
    record.update((key, page.info[key]) for key in ROW_CONTEXT if key in page.info)
    for f in fields(row):
        serializer = f.metadata.get("serializer")
        value = getattr(row, f.name)
        record[f.name] = serializer(value) if serializer else value
    return record
