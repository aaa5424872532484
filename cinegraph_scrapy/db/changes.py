"""What an import changed against what was stored before: `import_changes` rows per run.

For an edition (one page), the ceremony's stored nominations are read before the page is written, inside
the page transaction: a nomination on the page but not stored is `added`; one whose winner flag, notes or
people differ is `changed` (with old and new values); one stored and seen by the previous import of the
edition but not on the page is `gone`. For a list, each page's entries are compared the same way (position,
notes), and entries seen by the previous import but by no page of this one are `gone` once the import has
read the whole list. A first import lists everything as added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select

from cinegraph_scrapy.db.models import (
    CanonicalSource,
    FestivalCategory,
    FestivalNomination,
    FestivalNominationPerson,
    ImportRun,
    Movie,
    Person,
)


@dataclass
class StoredNomination:
    won: bool
    notes: str | None
    people: list[str]  # "nm…:role", sorted
    imdb_id: str | None
    award: str
    category: str
    seen_last_time: bool


@dataclass
class EventSnapshot:
    nominations: dict[tuple[int, str], StoredNomination] = field(default_factory=dict)  # (category_id, key)


def ceremony_snapshot(conn: Connection, ceremony_id: int, previous: datetime | None) -> EventSnapshot:
    """A stored ceremony's nominations, `previous` being its last_seen_at before this page's write."""
    snapshot = EventSnapshot()
    rows = conn.execute(
        select(FestivalNomination.id, FestivalNomination.category_id, FestivalNomination.nominee_key,
               FestivalNomination.won, FestivalNomination.notes, FestivalNomination.last_seen_at, Movie.imdb_id,
               FestivalCategory.award_name, FestivalCategory.name)
        .join(FestivalCategory, FestivalCategory.id == FestivalNomination.category_id)
        .outerjoin(Movie, Movie.id == FestivalNomination.movie_id)
        .where(FestivalNomination.ceremony_id == ceremony_id)).all()
    people: dict[int, list[str]] = {}
    for nomination_id, imdb_id, role in conn.execute(
            select(FestivalNominationPerson.nomination_id, Person.imdb_id, FestivalNominationPerson.role)
            .join(Person, Person.id == FestivalNominationPerson.person_id)
            .join(FestivalNomination, FestivalNomination.id == FestivalNominationPerson.nomination_id)
            .where(FestivalNomination.ceremony_id == ceremony_id)):
        people.setdefault(nomination_id, []).append(f"{imdb_id}:{role}")
    for nid, category_id, key, won, notes, seen, imdb_id, award, category in rows:
        snapshot.nominations[(category_id, key)] = StoredNomination(
            won=bool(won), notes=notes, people=sorted(people.get(nid, [])), imdb_id=imdb_id, award=award,
            category=category, seen_last_time=previous is not None and seen is not None and seen >= previous)
    return snapshot


def page_people(people: list[dict[str, Any]]) -> list[str]:
    return sorted({f"{p['imdb_id']}:{p.get('role') or 'primary'}" for p in people if p.get("imdb_id")})


def event_changes(snapshot: EventSnapshot, page: dict[tuple[int, str], dict[str, Any]]) -> list[dict[str, Any]]:
    """Page nominations ((category_id, key) → won, notes, people, imdb_id, award, category, nominee) against
    the snapshot → change rows (without run_id)."""
    changes = []
    for key, new in sorted(page.items(), key=lambda kv: (kv[1]["award"], kv[1]["category"], kv[0][1])):
        common = {"imdb_id": new["imdb_id"], "award": new["award"], "category": new["category"],
                  "nominee": new["nominee"]}
        old = snapshot.nominations.get(key)
        if old is None:
            changes.append({"change": "added", **common})
            continue
        fields = {}
        if old.won != new["won"]:
            fields["won"] = [old.won, new["won"]]
        if old.notes != new["notes"]:
            fields["notes"] = [old.notes, new["notes"]]
        if old.people != new["people"]:
            fields["people"] = [old.people, new["people"]]
        if fields:
            changes.append({"change": "changed", **common, "fields": fields})
    for key, old in sorted(snapshot.nominations.items(), key=lambda kv: (kv[1].award, kv[1].category, kv[0][1])):
        if key not in page and old.seen_last_time:
            changes.append({"change": "gone", "imdb_id": old.imdb_id, "award": old.award, "category": old.category,
                            "nominee": ", ".join(p.split(":")[0] for p in old.people) or None})
    return changes


def list_changes(conn: Connection, list_id: int, page: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """A list page's entries (movie_id → imdb_id, position, notes) against the stored ones, before writing."""
    stored = {movie_id: (position, notes) for movie_id, position, notes in conn.execute(
        select(CanonicalSource.movie_id, CanonicalSource.position, CanonicalSource.notes).where(
            CanonicalSource.list_id == list_id, CanonicalSource.movie_id.in_(sorted(page))))} if page else {}
    changes = []
    for movie_id, new in sorted(page.items(), key=lambda kv: kv[1]["position"] or 0):
        common = {"imdb_id": new["imdb_id"], "position": new["position"]}
        if movie_id not in stored:
            changes.append({"change": "added", **common})
            continue
        position, notes = stored[movie_id]
        fields = {}
        if position != new["position"]:
            fields["position"] = [position, new["position"]]
        if notes != new["notes"]:
            fields["notes"] = [notes, new["notes"]]
        if fields:
            changes.append({"change": "changed", **common, "fields": fields})
    return changes


def list_gone(conn: Connection, list_id: int, run_id: int, started_at: datetime) -> list[dict[str, Any]]:
    """Entries the previous import of the list saw that no page of this (complete) import did."""
    previous = conn.execute(select(ImportRun.started_at).where(
        ImportRun.list_id == list_id, ImportRun.id != run_id, ImportRun.status.in_(("success", "partial")),
        ImportRun.started_at < started_at).order_by(ImportRun.started_at.desc()).limit(1)).scalar()
    if previous is None:
        return []
    rows = conn.execute(select(Movie.imdb_id, CanonicalSource.position).join(Movie, Movie.id == CanonicalSource.movie_id)
                        .where(CanonicalSource.list_id == list_id,
                               and_(CanonicalSource.last_seen_at >= previous, CanonicalSource.last_seen_at < started_at))
                        .order_by(CanonicalSource.position)).all()
    return [{"change": "gone", "imdb_id": imdb_id, "position": position} for imdb_id, position in rows]


def stored_list_entries(conn: Connection, list_id: int) -> int:
    """How many entries the list's imports have stored (the drift guard's measure of a list)."""
    return conn.execute(select(func.count()).select_from(CanonicalSource)
                        .where(CanonicalSource.list_id == list_id)).scalar_one()
