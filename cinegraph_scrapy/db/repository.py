"""Storage statements: bulk upserts on natural keys, one call per page (no per-item SELECT).

Every function takes an open Connection inside the caller's transaction, so a page is stored whole or
not at all.
"""

from __future__ import annotations

import json

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, exists, func, null, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from cinegraph_scrapy.db.models import (
    CanonicalSource,
    FestivalCategory,
    FestivalCeremony,
    FestivalNomination,
    FestivalOrganization,
    Movie,
)

# SQLite allows 32766 bound parameters per statement; stay well below it.
_CHUNK = 500
_MODELS = {
    "movies": Movie,
    "canonical_sources": CanonicalSource,
    "festival_categories": FestivalCategory,
    "festival_nominations": FestivalNomination,
}


def _insert(conn: Connection, model):
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(model)


_STATEMENTS: dict[tuple[str, str], Any] = {}


def _statement(conn: Connection, name: str, build):
    """Build each upsert once per dialect: a constant statement is compiled once (SQLAlchemy's cache) and
    executed with many parameter sets (insertmanyvalues / psycopg pipelines), not rebuilt per page."""
    key = (conn.dialect.name, name)
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        stmt = _STATEMENTS[key] = build(_insert(conn, _MODELS[name]))
    return stmt


# PostgreSQL: one constant statement per page, its rows sent as one JSON document (jsonb_to_recordset):
# prepared once by the server, one json.dumps per page on the client. Same semantics as the generic
# upserts below.
_PG_MOVIES = text("""
    INSERT INTO movies (imdb_id, title, original_title, year, updated_at)
    SELECT u.imdb_id, u.title, u.original_title, u.year, :now
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS u(imdb_id text, title text, original_title text, year int)
    ON CONFLICT (imdb_id) DO UPDATE SET
        title = COALESCE(EXCLUDED.title, movies.title),
        original_title = COALESCE(EXCLUDED.original_title, movies.original_title),
        year = COALESCE(EXCLUDED.year, movies.year),
        updated_at = EXCLUDED.updated_at
    RETURNING imdb_id, id""")

_PG_NOMINATIONS = text("""
    INSERT INTO festival_nominations
        (ceremony_id, category_id, movie_id, nominee_key, award_name, won, people, notes, last_seen_at)
    SELECT u.ceremony_id, u.category_id, u.movie_id, u.nominee_key, u.award_name, u.won, u.people, u.notes, :now
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS u(ceremony_id int, category_id int, movie_id int,
         nominee_key text, award_name text, won bool, people jsonb, notes text)
    ON CONFLICT (ceremony_id, category_id, nominee_key) DO UPDATE SET
        movie_id = EXCLUDED.movie_id, award_name = EXCLUDED.award_name, won = EXCLUDED.won,
        people = EXCLUDED.people, notes = EXCLUDED.notes, last_seen_at = EXCLUDED.last_seen_at""")


def _chunks(rows: Sequence[dict], size: int = _CHUNK) -> Iterable[Sequence[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def upsert_movies(conn: Connection, films: Iterable[dict[str, Any]], now: datetime) -> dict[str, int]:
    """Insert or update films by imdb_id; returns imdb_id → movies.id. A value the page lacks (None)
    never erases what an earlier import stored."""
    by_id: dict[str, dict[str, Any]] = {}
    for film in films:
        current = by_id.get(film["imdb_id"])
        if current is None:
            by_id[film["imdb_id"]] = {
                "imdb_id": film["imdb_id"],
                "title": film.get("title"),
                "original_title": film.get("original_title"),
                "year": film.get("year"),
                "updated_at": now,
            }
        else:
            for key in ("title", "original_title", "year"):
                if current[key] is None and film.get(key) is not None:
                    current[key] = film[key]
    rows = [by_id[k] for k in sorted(by_id)]  # a fixed order: concurrent crawls cannot deadlock
    if not rows:
        return {}
    if conn.dialect.name == "postgresql":
        payload = json.dumps([{k: r[k] for k in ("imdb_id", "title", "original_title", "year")} for r in rows],
                             ensure_ascii=False)
        return dict(conn.execute(_PG_MOVIES, {"rows": payload, "now": now}).all())
    stmt = _statement(conn, "movies", lambda ins: ins.on_conflict_do_update(
        index_elements=[Movie.imdb_id],
        set_={
            "title": func.coalesce(ins.excluded.title, Movie.title),
            "original_title": func.coalesce(ins.excluded.original_title, Movie.original_title),
            "year": func.coalesce(ins.excluded.year, Movie.year),
            "updated_at": ins.excluded.updated_at,
        },
    ).returning(Movie.imdb_id, Movie.id))
    return {imdb_id: movie_id for imdb_id, movie_id in conn.execute(stmt, rows)}


TMDB_COLUMNS = (
    "tmdb_id",
    "tmdb_status",
    "tmdb_fetched_at",
    "tmdb_title",
    "tmdb_original_title",
    "release_date",
    "runtime",
    "overview",
    "poster_path",
    "popularity",
    "vote_average",
    "vote_count",
    "genres",
    "tmdb_data",
)


def store_tmdb(conn: Connection, results: Iterable[dict[str, Any]]) -> int:
    """Write TMDb results: dicts with imdb_id and some of TMDB_COLUMNS (a not-found or failed lookup only
    sets the status, keeping older data). A tmdb_id another film already holds is left NULL on this one
    (TMDb sometimes maps two IMDb ids to one film) instead of failing the page."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    count = 0
    for result in results:
        columns = tuple(c for c in TMDB_COLUMNS if c in result)
        row = {"b_imdb_id": result["imdb_id"], **{f"b_{c}": result[c] for c in columns}}
        groups.setdefault(columns, []).append(row)
        count += 1
    other = aliased(Movie)
    for columns, rows in groups.items():
        values: dict[str, Any] = {column: bindparam(f"b_{column}") for column in columns}
        if "tmdb_id" in values:
            taken = exists().where(and_(other.tmdb_id == bindparam("b_tmdb_id"), other.imdb_id != bindparam("b_imdb_id")))
            values["tmdb_id"] = case((taken, null()), else_=bindparam("b_tmdb_id"))
        stmt = update(Movie).where(Movie.imdb_id == bindparam("b_imdb_id")).values(values)
        stmt = stmt.execution_options(synchronize_session=False)
        for chunk in _chunks(sorted(rows, key=lambda r: r["b_imdb_id"])):
            conn.execute(stmt, list(chunk))
    return count


def upsert_canonical_sources(conn: Connection, list_id: int, entries: Iterable[dict[str, Any]], now: datetime) -> int:
    rows_by_movie: dict[int, dict[str, Any]] = {}
    for entry in entries:
        rows_by_movie[entry["movie_id"]] = {
            "movie_id": entry["movie_id"],
            "list_id": list_id,
            "position": entry.get("position"),
            "notes": entry.get("notes"),
            "award_name": entry.get("award_name"),
            "award_year": entry.get("award_year"),
            "award_won": entry.get("award_won"),
            "last_seen_at": now,
        }
    rows = [rows_by_movie[k] for k in sorted(rows_by_movie)]
    if rows:
        stmt = _statement(conn, "canonical_sources", lambda ins: ins.on_conflict_do_update(
            index_elements=[CanonicalSource.movie_id, CanonicalSource.list_id],
            set_={column: getattr(ins.excluded, column) for column in
                  ("position", "notes", "award_name", "award_year", "award_won", "last_seen_at")},
        ))
        conn.execute(stmt, rows)
    return len(rows)


def ensure_organization(conn: Connection, slug: str, name: str, abbreviation: str | None, event_id: str | None) -> int:
    """The organization's id, creating it from the config when it is missing."""
    found = conn.execute(select(FestivalOrganization.id).where(FestivalOrganization.slug == slug)).scalar()
    if found is not None:
        return found
    if event_id:
        found = conn.execute(
            select(FestivalOrganization.id).where(FestivalOrganization.imdb_event_id == event_id)
        ).scalar()
        if found is not None:
            return found
    stmt = (
        _insert(conn, FestivalOrganization)
        .values(slug=slug, name=name, abbreviation=abbreviation, imdb_event_id=event_id)
        .on_conflict_do_update(index_elements=[FestivalOrganization.slug], set_={"name": name})
        .returning(FestivalOrganization.id)
    )
    return conn.execute(stmt).scalar_one()


def upsert_ceremony(
    conn: Connection,
    *,
    organization_id: int,
    list_id: int,
    year: int,
    instance: int,
    name: str | None,
    source_url: str,
    edition_id: str | None,
    now: datetime,
) -> int:
    stmt = _insert(conn, FestivalCeremony).values(
        organization_id=organization_id,
        list_id=list_id,
        year=year,
        instance=instance,
        name=name,
        source_url=source_url,
        imdb_edition_id=edition_id,
        last_seen_at=now,
    )
    excluded = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=[FestivalCeremony.organization_id, FestivalCeremony.year, FestivalCeremony.instance],
        set_={
            "name": func.coalesce(excluded.name, FestivalCeremony.name),
            "source_url": excluded.source_url,
            "list_id": excluded.list_id,
            "imdb_edition_id": func.coalesce(excluded.imdb_edition_id, FestivalCeremony.imdb_edition_id),
            "last_seen_at": excluded.last_seen_at,
        },
    ).returning(FestivalCeremony.id)
    return conn.execute(stmt).scalar_one()


def upsert_categories(
    conn: Connection, organization_id: int, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """(award name, category name) → festival_categories.id, creating missing ones in one statement."""
    wanted = sorted(set(pairs))
    if not wanted:
        return {}
    # A no-op update so that RETURNING also yields rows that already existed.
    stmt = _statement(conn, "festival_categories", lambda ins: ins.on_conflict_do_update(
        index_elements=[FestivalCategory.organization_id, FestivalCategory.award_name, FestivalCategory.name],
        set_={"award_name": ins.excluded.award_name},
    ).returning(FestivalCategory.award_name, FestivalCategory.name, FestivalCategory.id))
    rows = [{"organization_id": organization_id, "award_name": a, "name": c} for a, c in wanted]
    return {(a, c): i for a, c, i in conn.execute(stmt, rows)}


def upsert_nominations(conn: Connection, rows: Iterable[dict[str, Any]], now: datetime) -> int:
    """Rows: ceremony_id, category_id, movie_id, nominee_key, award_name, won, people, notes."""
    by_key: dict[tuple[int, int, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["ceremony_id"], row["category_id"], row["nominee_key"])
        if key in by_key:
            by_key[key]["won"] = by_key[key]["won"] or row["won"]
            continue
        by_key[key] = {**row, "last_seen_at": now}
    ordered = [by_key[k] for k in sorted(by_key)]
    if ordered and conn.dialect.name == "postgresql":
        payload = json.dumps([{k: r[k] for k in ("ceremony_id", "category_id", "movie_id", "nominee_key",
                                                  "award_name", "won", "people", "notes")} for r in ordered],
                             ensure_ascii=False)
        conn.execute(_PG_NOMINATIONS, {"rows": payload, "now": now})
    elif ordered:
        stmt = _statement(conn, "festival_nominations", lambda ins: ins.on_conflict_do_update(
            index_elements=[FestivalNomination.ceremony_id, FestivalNomination.category_id,
                            FestivalNomination.nominee_key],
            set_={column: getattr(ins.excluded, column) for column in
                  ("movie_id", "award_name", "won", "people", "notes", "last_seen_at")},
        ))
        conn.execute(stmt, ordered)
    return len(ordered)


def parse_release_date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
