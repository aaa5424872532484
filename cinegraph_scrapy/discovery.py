"""Edition discovery: the editions an event page lists (`historyEventEditions`) become import configs.

One config per edition, created when missing and never rewritten (an operator's edits stay): keys are
`ORG_YEAR` for the first edition of a year and `ORG_YEAR_INSTANCE` for a later one (`oscars_1930_2`).
Used by `scrapy discover`, by `-a years=all`, and by every edition page an import fetches anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from cinegraph_scrapy.configs import create_configs, edition_key, event_config_row, max_plausible_year
from cinegraph_scrapy.db.models import MovieList
from cinegraph_scrapy.parsing.blocks import NoDataError
from cinegraph_scrapy.parsing.imdb_event import Edition, EventPage, parse_event_page


@dataclass
class DiscoveryReport:
    slug: str
    event_id: str
    editions: list[Edition] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # one per edition, oldest first
    created: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def span(self) -> str:
        return f"{self.editions[0].year}-{self.editions[-1].year}" if self.editions else ""


def edition_keys(slug: str, editions: list[Edition]) -> dict[Edition, str]:
    """Edition → config key: the lowest instance of a year gets `ORG_YEAR`, later ones `ORG_YEAR_N`."""
    first_of_year: dict[int, int] = {}
    for edition in editions:
        first_of_year[edition.year] = min(first_of_year.get(edition.year, edition.instance), edition.instance)
    return {e: edition_key(slug, e.year, 1 if e.instance == first_of_year[e.year] else e.instance)
            for e in editions}


def existing_keys(engine: Engine) -> set[str]:
    """Every config key there is (a few thousand short strings)."""
    with engine.connect() as conn:
        return set(conn.execute(select(MovieList.source_key)).scalars())


def record_editions(engine: Engine, org: dict[str, Any], editions: list[Edition]) -> DiscoveryReport:
    """Create the missing configs for these editions of `org` (one transaction, concurrency-safe)."""
    plausible = [e for e in sorted(set(editions)) if 1900 <= e.year <= max_plausible_year()]
    report = DiscoveryReport(slug=org["slug"], event_id=org["event_id"], editions=plausible)
    keys = edition_keys(org["slug"], plausible)
    report.keys = [keys[e] for e in plausible]
    rows = []
    for edition in plausible:
        values = event_config_row(org, edition.year, edition.instance, key=keys[edition])
        if edition.edition_id:
            values["metadata_"]["edition_id"] = edition.edition_id
        rows.append(values)
    with engine.begin() as conn:
        existing = set(conn.execute(select(MovieList.source_key).where(
            MovieList.source_key.in_(report.keys))).scalars()) if report.keys else set()
        missing = [row for row in rows if row["source_key"] not in existing]
        create_configs(conn, missing)
        _keep_edition_ids(conn, {keys[e]: e.edition_id for e in plausible if e.edition_id and keys[e] in existing})
    report.created = [row["source_key"] for row in missing]
    return report


def _keep_edition_ids(conn, ids: dict[str, str]) -> None:
    """Existing configs learn their edition's ee… id (the API asks for an edition by it); a config that
    already names one keeps it (an operator's edit wins)."""
    if not ids:
        return
    rows = conn.execute(select(MovieList.id, MovieList.source_key, MovieList.metadata_)
                        .where(MovieList.source_key.in_(sorted(ids)))).all()
    for row_id, key, meta in rows:
        if isinstance(meta, dict) and not meta.get("edition_id"):
            conn.execute(update(MovieList).where(MovieList.id == row_id)
                         .values(metadata_={**meta, "edition_id": ids[key]}))


def editions_of(page: EventPage) -> list[Edition]:
    """What an event page says about the event's editions: all of them (Next.js), else at least its own."""
    if page.editions:
        return page.editions
    if page.year is not None:
        return [Edition(page.year, page.instance or 1, page.edition_id)]
    return []


def editions_on_page(body: bytes) -> list[Edition]:
    """The editions an event page lists (any edition's page; it may have no nominations yet)."""
    editions = editions_of(parse_event_page(body, require_nominations=False))
    if not editions:
        raise NoDataError("the event page lists no editions (no historyEventEditions, no edition year)")
    return editions
