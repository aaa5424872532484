"""Data-quality queries on imported data (no crawling): list vs events comparison, list → event config
migration plan, and the coverage report's figures."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from cinegraph_scrapy.canonical.queries import coverage_by_organization
from cinegraph_scrapy.configs import auto_event_row, event_config_row, nearest_keys, organizations
from cinegraph_scrapy.db.models import (
    CanonicalSource,
    FestivalCategory,
    FestivalCeremony,
    FestivalNomination,
    FestivalOrganization,
    ImportRun,
    Movie,
    MovieList,
)
from cinegraph_scrapy.errors import ConfigError, NothingImported

_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")


def _norm(text: str | None) -> str:
    return re.sub(r"[^\w]+", " ", (text or "").casefold()).strip()


def _config(session: Session, key: str, source_type: str, orgs=None) -> MovieList | None:
    """The config of `key`; None for an edition of a known festival that has no config yet (accepted as
    `crawl` accepts it: it simply was never imported). Unknown keys get crawl's nearest-key hint."""
    row = session.scalar(select(MovieList).where(MovieList.source_key == key))
    if row is None:
        if source_type == "imdb_event" and auto_event_row(key, orgs) is not None:
            return None
        near = nearest_keys(session, key)
        raise ConfigError(f"unknown config key {key!r}" + (f"; nearest: {', '.join(near)}" if near else "")
                          + " (run `scrapy lists` for all keys)")
    if row.source_type != source_type:
        raise ConfigError(f"{key!r} is a {row.source_type} config, expected {source_type}")
    return row


def _never_imported(rows: list[MovieList | None], keys: list[str]) -> list[str]:
    return [key for key, row in zip(keys, rows) if row is None or row.last_import_at is None]


# ------------------------------------------------------------------ compare


@dataclass
class Comparison:
    list_key: str
    event_keys: list[str]
    list_films: int
    event_films: int
    in_both: list[dict[str, Any]] = field(default_factory=list)
    only_in_list: list[dict[str, Any]] = field(default_factory=list)
    only_in_events: list[dict[str, Any]] = field(default_factory=list)
    winners_missing_from_list: list[dict[str, Any]] = field(default_factory=list)
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    not_imported: list[str] = field(default_factory=list)  # event keys never imported (left out)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def compare(engine: Engine, list_key: str, event_keys: list[str], orgs=None) -> Comparison:
    with Session(engine) as session:
        lst = _config(session, list_key, "imdb")
        events = [_config(session, k, "imdb_event", orgs) for k in event_keys]
        never = _never_imported(events, event_keys)
        if lst.last_import_at is None or len(never) == len(event_keys):
            missing = ([list_key] if lst.last_import_at is None else []) + never
            raise NothingImported(f"never imported: {', '.join(missing)} — compare works on imported data; "
                                  "import them first (scrapy crawl …)")
        events = [e for e in events if e is not None]
        list_rows = session.execute(
            select(Movie.imdb_id, Movie.title, CanonicalSource.position, CanonicalSource.notes,
                   CanonicalSource.award_name, CanonicalSource.award_year, CanonicalSource.award_won)
            .join(CanonicalSource, CanonicalSource.movie_id == Movie.id)
            .where(CanonicalSource.list_id == lst.id)
            .order_by(CanonicalSource.position)
        ).all()
        event_rows = session.execute(
            select(Movie.imdb_id, Movie.title, MovieList.source_key, FestivalCeremony.year,
                   FestivalCategory.award_name, FestivalCategory.name, FestivalNomination.won)
            .join(FestivalNomination, FestivalNomination.movie_id == Movie.id)
            .join(FestivalCeremony, FestivalCeremony.id == FestivalNomination.ceremony_id)
            .join(FestivalCategory, FestivalCategory.id == FestivalNomination.category_id)
            .join(MovieList, MovieList.id == FestivalCeremony.list_id)
            .where(FestivalCeremony.list_id.in_([e.id for e in events]))
            .order_by(FestivalCeremony.year, Movie.imdb_id)
        ).all()
    in_list = {r.imdb_id: r for r in list_rows}
    in_events: dict[str, dict[str, Any]] = {}
    for r in event_rows:
        film = in_events.setdefault(r.imdb_id, {"imdb_id": r.imdb_id, "title": r.title, "won": [], "nominated": []})
        label = r.award_name if _norm(r.name) == _norm(r.award_name) else f"{r.award_name}: {r.name}"
        (film["won"] if r.won else film["nominated"]).append({"event": r.source_key, "year": r.year, "award": label})
    result = Comparison(list_key, event_keys, len(in_list), len(in_events), not_imported=never)
    for imdb_id, row in in_list.items():
        entry = {"imdb_id": imdb_id, "title": row.title, "position": row.position, "list_notes": row.notes}
        if imdb_id not in in_events:
            result.only_in_list.append(entry)
            continue
        film = in_events[imdb_id]
        result.in_both.append({**entry, "event_wins": [w["award"] for w in film["won"]]})
        if row.award_name and row.award_won:
            won = [w for w in film["won"] if _norm(row.award_name) in _norm(w["award"])]
            if not won:
                said = ", ".join(f"{w['award']} ({w['year']})" for w in film["won"]) or "no win, nominated only"
                result.disagreements.append({**entry, "list_says": row.award_name, "events_say": said})
    for imdb_id, film in in_events.items():
        if imdb_id in in_list:
            continue
        result.only_in_events.append({"imdb_id": imdb_id, "title": film["title"],
                                      "won": [w["award"] for w in film["won"]]})
        if film["won"]:
            result.winners_missing_from_list.append(
                {"imdb_id": imdb_id, "title": film["title"],
                 "won": [f"{w['award']} ({w['year']})" for w in film["won"]]})
    return result


# ------------------------------------------------------------------ lists → events


@dataclass
class PlannedConfig:
    list_key: str
    organization: str
    year: int
    key: str
    exists: bool


def organization_for(row: MovieList) -> str | None:
    meta = row.metadata_ if isinstance(row.metadata_, dict) else {}
    orgs = organizations()
    slug = meta.get("organization")
    if isinstance(slug, str) and slug in orgs:
        return slug
    words = _norm(row.name).split()
    for slug, org in orgs.items():
        org_words = _norm(org["name"]).split()
        if " ".join(org_words) in " ".join(words) or slug in words or (words and org_words[0] == words[0]):
            return slug
    return None


def migration_plan(engine: Engine) -> tuple[list[PlannedConfig], list[str]]:
    """Event configs that lists tracking awards call for; plus lists whose organization is unknown."""
    plan: list[PlannedConfig] = []
    unresolved: list[str] = []
    with Session(engine) as session:
        lists = session.scalars(
            select(MovieList).where(MovieList.source_type == "imdb", MovieList.tracks_awards.is_(True))
            .order_by(MovieList.source_key)
        ).all()
        if lists and all(lst.last_import_at is None for lst in lists):
            raise NothingImported("no award-tracking list was imported yet ("
                                  + ", ".join(lst.source_key for lst in lists)
                                  + "): the plan comes from their award notes; import one first")
        existing = set(session.scalars(select(MovieList.source_key)))
        for lst in lists:
            slug = organization_for(lst)
            if slug is None:
                unresolved.append(lst.source_key)
                continue
            years: set[int] = set()
            for award_year, notes in session.execute(
                select(CanonicalSource.award_year, CanonicalSource.notes).where(CanonicalSource.list_id == lst.id)
            ):
                if award_year:
                    years.add(award_year)
                elif notes:
                    years.update(int(y) for y in _YEAR.findall(notes))
            for year in sorted(years):
                key = f"{slug}_{year}"
                plan.append(PlannedConfig(lst.source_key, slug, year, key, key in existing))
    return plan, unresolved


def apply_plan(engine: Engine, plan: list[PlannedConfig]) -> list[str]:
    from cinegraph_scrapy.configs import create_configs

    created = []
    with Session(engine) as session, session.begin():
        existing = set(session.scalars(select(MovieList.source_key)))
        for item in plan:
            if item.key in existing:
                continue
            values = event_config_row(organizations()[item.organization], item.year)
            values["metadata_"]["migrated_from"] = item.list_key
            create_configs(session.connection(), [values])
            existing.add(item.key)
            created.append(item.key)
    return created


# ------------------------------------------------------------------ coverage report


@dataclass
class Cell:
    key: str
    status: str  # success | partial | failed | running | interrupted | never
    nominations: int = 0
    winners: int = 0
    last_import_at: Any = None


@dataclass
class Coverage:
    years: list[int]
    organizations: list[tuple[str, str]]  # (slug, name)
    grid: dict[tuple[str, int], Cell]
    lists: list[dict[str, Any]]
    side_by_side: list[dict[str, Any]]
    # key → its last import run: {run_id, status, error, finished_at, stored} (imported configs only)
    last_runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    # organization slug → (nominations with a canonical key, nominations)
    canonical: dict[str, tuple[int, int]] = field(default_factory=dict)


def coverage(engine: Engine) -> Coverage:
    orgs = organizations()
    with Session(engine) as session:
        counts = {
            list_id: (noms, wins)
            for list_id, noms, wins in session.execute(
                select(FestivalCeremony.list_id, func.count(FestivalNomination.id),
                       func.count(FestivalNomination.id).filter(FestivalNomination.won.is_(True)))
                .join(FestivalNomination, FestivalNomination.ceremony_id == FestivalCeremony.id)
                .group_by(FestivalCeremony.list_id)
            )
        }
        grid: dict[tuple[str, int], Cell] = {}
        seen_orgs: dict[str, str] = {}
        for row in session.scalars(select(MovieList).where(MovieList.source_type == "imdb_event")):
            meta = row.metadata_ if isinstance(row.metadata_, dict) else {}
            slug, year = meta.get("organization"), meta.get("year")
            if not isinstance(slug, str) or not isinstance(year, int):
                continue
            seen_orgs[slug] = meta.get("organization_name") or orgs.get(slug, {}).get("name") or slug
            noms, wins = counts.get(row.id, (0, 0))
            cell = Cell(row.source_key, row.last_import_status or "never", noms, wins, row.last_import_at)
            current = grid.get((slug, year))
            if current is None or (current.status == "never" and cell.status != "never"):
                grid[(slug, year)] = cell
        lists = [
            {"key": r.source_key, "name": r.name, "status": r.last_import_status or "never",
             "films": r.last_movie_count or 0, "last_import_at": r.last_import_at,
             "tracks_awards": r.tracks_awards, "organization": organization_for(r) if r.tracks_awards else None}
            for r in session.scalars(select(MovieList).where(MovieList.source_type == "imdb").order_by(MovieList.source_key))
        ]
        side = _side_by_side(session, lists, grid)
        last = select(ImportRun.list_id, func.max(ImportRun.id).label("run_id")).group_by(ImportRun.list_id).subquery()
        last_runs = {
            key: {"run_id": run.id, "status": run.status, "error": run.error, "finished_at": run.finished_at,
                  "stored": run.items_stored}
            for key, run in session.execute(
                select(MovieList.source_key, ImportRun).join(last, last.c.list_id == MovieList.id)
                .join(ImportRun, ImportRun.id == last.c.run_id).order_by(MovieList.source_key))
        }
    years = sorted({y for (_, y) in grid})
    ordered = sorted(seen_orgs.items(), key=lambda kv: kv[1])
    return Coverage(years, ordered, grid, lists, side, last_runs, _canonical(engine))


def _side_by_side(session: Session, lists: list[dict[str, Any]], grid) -> list[dict[str, Any]]:
    """Each award-tracking list beside its organization's imported editions: films in both, winners."""
    side = []
    for lst in lists:
        if not lst["organization"]:
            continue
        slug = lst["organization"]
        list_films = set(session.scalars(
            select(Movie.imdb_id).join(CanonicalSource, CanonicalSource.movie_id == Movie.id)
            .join(MovieList, MovieList.id == CanonicalSource.list_id).where(MovieList.source_key == lst["key"])))
        event_films = set(session.scalars(
            select(Movie.imdb_id).join(FestivalNomination, FestivalNomination.movie_id == Movie.id)
            .join(FestivalCeremony, FestivalCeremony.id == FestivalNomination.ceremony_id)
            .join(FestivalOrganization, FestivalOrganization.id == FestivalCeremony.organization_id)
            .where(FestivalOrganization.slug == slug)))
        winners = set(session.scalars(
            select(Movie.imdb_id).join(FestivalNomination, FestivalNomination.movie_id == Movie.id)
            .join(FestivalCeremony, FestivalCeremony.id == FestivalNomination.ceremony_id)
            .join(FestivalOrganization, FestivalOrganization.id == FestivalCeremony.organization_id)
            .where(FestivalOrganization.slug == slug, FestivalNomination.won.is_(True))))
        editions = sum(1 for (s, _), c in grid.items() if s == slug and c.status in ("success", "partial"))
        side.append({"list": lst["key"], "organization": slug, "list_films": len(list_films),
                     "event_films": len(event_films), "event_winners": len(winners),
                     "in_both": len(list_films & event_films), "editions_imported": editions})
    return side


def _canonical(engine: Engine) -> dict[str, tuple[int, int]]:
    with engine.connect() as conn:
        return coverage_by_organization(conn)
