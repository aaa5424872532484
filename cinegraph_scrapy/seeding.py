"""Seeding `movie_lists` (and the seeded organizations) from the packaged data file (db/seeds.json): once on
first use, or again with `scrapy seed [--overwrite]`; rows an operator edited are kept unless overwritten."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from cinegraph_scrapy.configs import (SEEDED_FIELDS, create_configs, event_config_row, list_url, seed_data,
                                      seed_fingerprint)
from cinegraph_scrapy.db.models import FestivalOrganization, MovieList


def _seed_rows() -> list[dict[str, Any]]:
    data = seed_data()
    rows: list[dict[str, Any]] = []
    for entry in data["lists"]:
        rows.append(
            {
                "source_key": entry["source_key"],
                "name": entry["name"],
                "source_type": "imdb",
                "source_id": entry["source_id"],
                "source_url": list_url("https://www.imdb.com", entry["source_id"]),
                "category": entry.get("category"),
                "tracks_awards": bool(entry.get("tracks_awards")),
                "active": True,
                "metadata_": dict(entry.get("metadata") or {}),
            }
        )
    first, last = data["event_years"]
    for org in data["organizations"]:
        for year in range(first, last + 1):
            rows.append(event_config_row(org, year))
    return rows


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)
    unchanged: int = 0


def seed_configs(engine: Engine, *, overwrite: bool = False) -> SeedReport:
    """Insert missing seed rows; refresh rows still exactly as seeded; keep operator edits unless `overwrite`.
    Safe when several processes seed a new database at once (one lock; inserts ignore conflicts)."""
    from cinegraph_scrapy.db.engine import first_use_lock

    with first_use_lock(engine):
        return _seed_configs(engine, overwrite)


def _seed_configs(engine: Engine, overwrite: bool) -> SeedReport:
    from cinegraph_scrapy.db.sqlkit import insert_ignoring_conflicts

    report = SeedReport()
    rows = _seed_rows()
    new_rows: list[dict[str, Any]] = []
    with Session(engine) as session, session.begin():
        existing = {
            row.source_key: row
            for row in session.scalars(select(MovieList).where(MovieList.source_key.in_([r["source_key"] for r in rows])))
        }
        for values in rows:
            fingerprint = seed_fingerprint(values)
            row = existing.get(values["source_key"])
            if row is None:
                new_rows.append({**values, "seed_hash": fingerprint})
                report.created.append(values["source_key"])
                continue
            current = seed_fingerprint({k: getattr(row, k) for k in SEEDED_FIELDS})
            if current == fingerprint:
                report.unchanged += 1
                if row.seed_hash != fingerprint:
                    row.seed_hash = fingerprint
                continue
            if current == row.seed_hash or overwrite:
                for key, value in values.items():
                    setattr(row, key, value)
                row.seed_hash = fingerprint
                report.updated.append(values["source_key"])
            else:
                report.kept_edited.append(values["source_key"])
        create_configs(session.connection(), new_rows)
        insert_ignoring_conflicts(session.connection(), FestivalOrganization, [
            {"slug": org["slug"], "name": org["name"], "abbreviation": org["abbreviation"],
             "imdb_event_id": org["event_id"]} for org in seed_data()["organizations"]])
    return report


def ensure_seeded(engine: Engine) -> None:
    """Seed on first use (an empty movie_lists table); the check is repeated under the first-use lock so
    that processes starting together seed once."""
    from cinegraph_scrapy.db.engine import first_use_lock

    def empty() -> bool:
        with Session(engine) as session:
            return session.scalar(select(MovieList.id).limit(1)) is None

    def seed_if_empty() -> None:
        if empty():
            with first_use_lock(engine):
                if empty():
                    _seed_configs(engine, overwrite=False)

    from sqlalchemy.exc import SQLAlchemyError

    from cinegraph_scrapy.db.retry import with_retries
    from cinegraph_scrapy.errors import DatabaseError

    try:
        with_retries(seed_if_empty, what="seeding the configurations")
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise DatabaseError(f"cannot seed the configurations: {reason}") from None
