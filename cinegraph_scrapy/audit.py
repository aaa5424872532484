"""`scrapy audit`: the figures an operator checks per edition and list, and what looks wrong about them.

Per edition: nominations, winners, categories, person nominations and how many of them name a person,
canonical coverage, the last import's status. Flags: `suspect` / `failed` (the last run), `no_winners` (a
past edition with nominations and no winner), `below_median` (under half the organization's median of
nominations), `people_missing` (person nominations naming nobody), `never_imported`. Per list: entries stored,
the last status, and the same run flags.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from statistics import median
from typing import Any

from sqlalchemy import Connection, distinct, func, select

from cinegraph_scrapy.db.models import (CanonicalSource, FestivalCeremony, FestivalNomination,
                                        FestivalNominationPerson, MovieList)

N, CE = FestivalNomination, FestivalCeremony


def _edition_figures(conn: Connection) -> dict[int, dict[str, Any]]:
    """list id → figures of the ceremony imported from that config."""
    with_people = select(FestivalNominationPerson.nomination_id).distinct().scalar_subquery()
    stmt = (select(CE.list_id, func.count(N.id), func.count(N.id).filter(N.won.is_(True)),
                   func.count(distinct(N.category_id)), func.count(N.id).filter(N.nominee_type == "person"),
                   func.count(N.id).filter(N.nominee_type == "person", N.id.in_(with_people)),
                   func.count(N.canonical_key))
            .join(N, N.ceremony_id == CE.id).where(CE.list_id.is_not(None)).group_by(CE.list_id))
    return {list_id: {"nominations": noms, "winners": wins, "categories": cats, "person_nominations": persons,
                      "person_nominations_with_people": named,
                      "canonical_coverage": round(mapped / noms, 3) if noms else None}
            for list_id, noms, wins, cats, persons, named, mapped in conn.execute(stmt)}


def _entries(conn: Connection) -> dict[int, int]:
    return dict(conn.execute(select(CanonicalSource.list_id, func.count()).group_by(CanonicalSource.list_id)).all())


def _run_flags(status: str | None) -> list[str]:
    if not status or status == "never":
        return ["never_imported"]
    return [status] if status in ("suspect", "failed", "interrupted") else []


def audit(conn: Connection, organizations: list[str] | None = None) -> list[dict[str, Any]]:
    """One entry per event edition (and, without an organization filter, per list), flagged."""
    figures, entries = _edition_figures(conn), _entries(conn)
    this_year = datetime.now(timezone.utc).year
    editions, lists = [], []
    configs = select(MovieList.id, MovieList.source_key, MovieList.source_type, MovieList.metadata_,
                     MovieList.last_import_status).order_by(MovieList.source_key)
    for list_id, key, source_type, meta, last_status in conn.execute(configs):
        meta = meta if isinstance(meta, dict) else {}
        status = last_status or "never"
        if source_type == "imdb_event":
            org = meta.get("organization")
            if organizations and org not in organizations:
                continue
            found = figures.get(list_id, {"nominations": 0, "winners": 0, "categories": 0, "person_nominations": 0,
                                         "person_nominations_with_people": 0, "canonical_coverage": None})
            editions.append({"organization": org, "key": key, "year": meta.get("year"),
                             "instance": meta.get("instance", 1), **found, "last_status": status,
                             "flags": _run_flags(last_status)})
        elif not organizations:
            lists.append({"organization": None, "key": key, "year": None, "instance": None,
                          "entries": entries.get(list_id, 0), "last_status": status, "flags": _run_flags(last_status)})
    _flag_editions(editions, this_year)
    return editions + lists


def _flag_editions(editions: list[dict[str, Any]], this_year: int) -> None:
    by_org: dict[str, list[int]] = defaultdict(list)
    for entry in editions:
        if entry["nominations"]:
            by_org[entry["organization"]].append(entry["nominations"])
    medians = {org: median(values) for org, values in by_org.items() if len(values) >= 3}
    for entry in editions:
        if not entry["nominations"]:
            continue
        year = entry["year"] if isinstance(entry["year"], int) else this_year
        if year < this_year and entry["winners"] == 0:
            entry["flags"].append("no_winners")
        typical = medians.get(entry["organization"])
        if typical and entry["nominations"] < typical / 2:
            entry["flags"].append("below_median")
        if entry["person_nominations"] and not entry["person_nominations_with_people"]:
            entry["flags"].append("people_missing")
