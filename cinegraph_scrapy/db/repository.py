"""Storage statements: bulk writes on natural keys, one call per page (no per-item SELECT).

Every function takes an open Connection inside the caller's transaction, so a page is stored whole or
not at all.

Lock order. Concurrent page transactions (two writer threads, several crawls on one PostgreSQL) must never
wait on each other in a cycle, so every page touches tables in one global order and, within a table, rows
in ascending natural-key order:

    festival_organizations (slug) → festival_ceremonies (organization, year, instance)
    → festival_categories (organization, award, name) → movies (imdb_id)
    → festival_nominations (ceremony, category, nominee) | canonical_sources (movie, list)

Rows several pages share — organizations, categories, films, people — are read first and written only when
missing (INSERT … ON CONFLICT DO NOTHING) or really changed (an UPDATE of just those rows, in key order),
so a page that brings nothing new takes no row lock on them at all. Foreign-key checks only take KEY SHARE
locks on rows of tables earlier in the order. The storage pipeline retries a page whose transaction still
fails with a deadlock, a serialization failure or a lost connection.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, delete, exists, func, insert, null, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from cinegraph_scrapy import jsontext
from cinegraph_scrapy.db.models import (
    CanonicalSource,
    FestivalCategory,
    FestivalCeremony,
    FestivalNomination,
    FestivalNominationPerson,
    FestivalOrganization,
    ImportChange,
    Movie,
    Person,
)

# SQLite allows 32766 bound parameters per statement; stay well below it.
_CHUNK = 500
_MODELS = {
    "movies": Movie,
    "canonical_sources": CanonicalSource,
    "festival_categories": FestivalCategory,
    "festival_nominations": FestivalNomination,
    "people": Person,
    "festival_nomination_people": FestivalNominationPerson,
}


def _insert(conn: Connection, model):
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(model)


_STATEMENTS: dict[tuple[str, str], Any] = {}


def _constant(conn: Connection, name: str, build):
    """A statement of bound parameters only, built once per dialect (`build(conn)`): building and
    cache-keying a statement costs more than running it, once per page."""
    key = (conn.dialect.name, name)
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        stmt = _STATEMENTS[key] = build(conn)
    return stmt


def _statement(conn: Connection, name: str, build):
    """Each upsert on a model's table, built once per dialect (`build(insert(model))`): compiled once
    (SQLAlchemy's cache) and executed with many parameter sets (insertmanyvalues / psycopg pipelines)."""
    return _constant(conn, name, lambda c: build(_insert(c, _MODELS[name])))


# PostgreSQL: one constant statement per page, its rows sent as one JSON document (jsonb_to_recordset):
# prepared once by the server and one json.dumps per page on the client, where a multi-row VALUES list
# would be new SQL text for every page size. Same semantics as the generic upserts.
_PG_NEW_LINKS = text("""
    INSERT INTO festival_nomination_people (nomination_id, person_id, role, position)
    SELECT u.nomination_id, u.person_id, u.role, u.position
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS u(nomination_id int, person_id int, role text, position int)
    ON CONFLICT (nomination_id, person_id, role) DO NOTHING""")

_PG_CANONICAL_SOURCES = text("""
    INSERT INTO canonical_sources (movie_id, list_id, position, notes, award_name, award_year, award_won, last_seen_at)
    SELECT u.movie_id, u.list_id, u.position, u.notes, u.award_name, u.award_year, u.award_won, :now
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS u(movie_id int, list_id int, position int, notes text,
         award_name text, award_year int, award_won bool)
    ON CONFLICT (movie_id, list_id) DO UPDATE SET
        position = EXCLUDED.position, notes = EXCLUDED.notes, award_name = EXCLUDED.award_name,
        award_year = EXCLUDED.award_year, award_won = EXCLUDED.award_won, last_seen_at = EXCLUDED.last_seen_at""")

_NOMINATION_COLUMNS = ("ceremony_id", "category_id", "movie_id", "nominee_key", "award_name", "won", "notes",
                       "nominee_type", "imdb_nomination_id", "details")


def _chunks(rows: Sequence[dict], size: int = _CHUNK) -> Iterable[Sequence[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


_FILM_FIELDS = ("title", "original_title", "year", "title_type")


# PostgreSQL: a page's films and people in one statement. Missing ones are inserted; stored ones the page
# knows more about are updated (a value the page lacks never erases one; rows locked in key order, FOR NO
# KEY UPDATE so that other pages referencing them are not held up); the
# page's change records are inserted alongside. Each row comes back once with its id (the stored ones are
# read at the statement's start, so they never include its own inserts). A row another transaction
# inserts meanwhile comes back in neither part and is read afterwards. Every transaction goes through the
# same steps in the same order: films inserted, people inserted, films updated, people updated. Stored
# rows are found by one index probe per page row (LATERAL … OFFSET 0), never by scanning the table, however
# small the planner believes it to be.
_FILMS_PEOPLE_AND_CHANGES_CTES = """
    WITH mu AS (SELECT * FROM jsonb_to_recordset(CAST(:films AS jsonb))
                AS u(imdb_id text, title text, original_title text, year int, title_type text)),
    ms AS (
        SELECT mu.*, m.id AS movie_id, m.title AS s_title, m.original_title AS s_original_title, m.year AS s_year,
               m.title_type AS s_title_type
        FROM mu CROSS JOIN LATERAL (SELECT m.id, m.title, m.original_title, m.year, m.title_type FROM movies m
                                    WHERE m.imdb_id = mu.imdb_id OFFSET 0) m),
    mins AS (
        INSERT INTO movies (imdb_id, title, original_title, year, title_type, updated_at)
        SELECT mu.imdb_id, mu.title, mu.original_title, mu.year, mu.title_type, :now FROM mu
        WHERE NOT EXISTS (SELECT 1 FROM ms WHERE ms.imdb_id = mu.imdb_id)
        ORDER BY mu.imdb_id
        ON CONFLICT (imdb_id) DO NOTHING
        RETURNING imdb_id, id),
    mlock AS (
        SELECT d.movie_id, d.title, d.original_title, d.year, d.title_type
        FROM (SELECT * FROM ms
              WHERE (title IS NOT NULL AND title IS DISTINCT FROM s_title)
                 OR (original_title IS NOT NULL AND original_title IS DISTINCT FROM s_original_title)
                 OR (year IS NOT NULL AND year IS DISTINCT FROM s_year)
                 OR (title_type IS NOT NULL AND title_type IS DISTINCT FROM s_title_type)
              ORDER BY imdb_id) d
        CROSS JOIN LATERAL (SELECT 1 FROM movies m WHERE m.id = d.movie_id FOR NO KEY UPDATE) l),
    mupd AS (
        UPDATE movies m SET title = coalesce(l.title, m.title), original_title = coalesce(l.original_title, m.original_title),
               year = coalesce(l.year, m.year), title_type = coalesce(l.title_type, m.title_type), updated_at = :now
        FROM mlock l WHERE m.id = l.movie_id AND m.id = ANY(ARRAY(SELECT movie_id FROM mlock)) RETURNING m.id),
    pu AS (SELECT * FROM jsonb_to_recordset(CAST(:people AS jsonb)) AS u(imdb_id text, name text)),
    ps AS (
        SELECT pu.imdb_id, pu.name, p.id AS person_id, p.name AS s_name
        FROM pu CROSS JOIN LATERAL (SELECT p.id, p.name FROM people p WHERE p.imdb_id = pu.imdb_id OFFSET 0) p),
    pins AS (
        INSERT INTO people (imdb_id, name, updated_at)
        SELECT pu.imdb_id, pu.name, :now FROM pu
        WHERE NOT EXISTS (SELECT 1 FROM ps WHERE ps.imdb_id = pu.imdb_id)
        ORDER BY pu.imdb_id
        ON CONFLICT (imdb_id) DO NOTHING
        RETURNING imdb_id, id),
    plock AS (
        SELECT d.person_id, d.name
        FROM (SELECT * FROM ps WHERE name IS NOT NULL AND name IS DISTINCT FROM s_name ORDER BY imdb_id) d
        CROSS JOIN LATERAL (SELECT 1 FROM people p WHERE p.id = d.person_id FOR NO KEY UPDATE) l),
    pupd AS (
        UPDATE people p SET name = l.name, updated_at = :now
        FROM plock l WHERE p.id = l.person_id AND p.id = ANY(ARRAY(SELECT person_id FROM plock)) RETURNING p.id),
    ch AS (
        INSERT INTO import_changes (run_id, change, imdb_id, award, category, nominee, position, fields)
        SELECT CAST(:run AS int), c.change, c.imdb_id, c.award, c.category, c.nominee, c.position, c.fields
        FROM jsonb_to_recordset(CAST(:changes AS jsonb)) AS c(change text, imdb_id text, award text, category text,
             nominee text, position int, fields jsonb)
        RETURNING id)"""
_PG_FILMS_PEOPLE_AND_CHANGES = text(_FILMS_PEOPLE_AND_CHANGES_CTES + """
    SELECT true, imdb_id, id FROM mins
    UNION ALL
    SELECT true, imdb_id, movie_id FROM ms
    UNION ALL
    SELECT false, imdb_id, id FROM pins
    UNION ALL
    SELECT false, imdb_id, person_id FROM ps""")

_CHANGE_KEYS = ("change", "imdb_id", "award", "category", "nominee", "position", "fields")


def _films_people_and_changes_params(films: dict[str, dict[str, Any]], people: dict[str, str | None], now: datetime,
                                     run_id: int | None, changes: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The parameters of _FILMS_PEOPLE_AND_CHANGES_CTES: films and people in key order, the change records."""
    return {"films": jsontext.dumps([films[k] for k in sorted(films)]),
            "people": jsontext.dumps([{"imdb_id": k, "name": people[k]} for k in sorted(people)]),
            "run": run_id, "now": now,
            "changes": jsontext.dumps([{k: c.get(k) for k in _CHANGE_KEYS} for c in changes] if run_id is not None else [])}


def _pg_films_people_and_changes(conn: Connection, films: dict[str, dict[str, Any]], people: dict[str, str | None],
                                 now: datetime, run_id: int | None = None,
                                 changes: Sequence[dict[str, Any]] = ()) -> tuple[dict[str, int], dict[str, int]]:
    """Film ids and person ids (either side may be empty); raced rows are left to the caller."""
    movie_ids: dict[str, int] = {}
    person_ids: dict[str, int] = {}
    result = conn.execute(_PG_FILMS_PEOPLE_AND_CHANGES, _films_people_and_changes_params(films, people, now, run_id,
                                                                                         changes))
    for is_film, imdb_id, row_id in result:
        (movie_ids if is_film else person_ids)[imdb_id] = row_id
    return movie_ids, person_ids


_PG_INSERT_CHANGES = text("""
    INSERT INTO import_changes (run_id, change, imdb_id, award, category, nominee, position, fields)
    SELECT :run, u.change, u.imdb_id, u.award, u.category, u.nominee, u.position, u.fields
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS u(change text, imdb_id text, award text, category text,
         nominee text, position int, fields jsonb)""")


def insert_changes(conn: Connection, run_id: int | None, changes: Sequence[dict[str, Any]]) -> None:
    """import_changes rows of a run (change, imdb_id, award, category, nominee, position, fields)."""
    if run_id is None or not changes:
        return
    if conn.dialect.name == "postgresql":  # one constant statement, the rows as one JSON document
        conn.execute(_PG_INSERT_CHANGES, {"run": run_id, "rows": jsontext.dumps(
            [{k: c.get(k) for k in _CHANGE_KEYS} for c in changes])})
        return
    # RETURNING: SQLAlchemy sends the rows as multi-row VALUES batches, not one statement per row
    conn.execute(insert(ImportChange).returning(ImportChange.id),
                 [{"run_id": run_id, **{k: c.get(k) for k in _CHANGE_KEYS}} for c in changes]).all()


def _film_rows(films: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One row per imdb_id; a value one mention lacks is taken from another."""
    by_id: dict[str, dict[str, Any]] = {}
    for film in films:
        current = by_id.get(film["imdb_id"])
        if current is None:
            by_id[film["imdb_id"]] = {"imdb_id": film["imdb_id"], **{k: film.get(k) for k in _FILM_FIELDS}}
        else:
            for key in _FILM_FIELDS:
                if current[key] is None and film.get(key) is not None:
                    current[key] = film[key]
    return by_id


def upsert_movies(conn: Connection, films: Iterable[dict[str, Any]], now: datetime) -> dict[str, int]:
    """Films by imdb_id → movies.id: missing ones inserted, stored ones updated only where the page brings
    a value that differs (a value the page lacks, None, never erases one an earlier import stored)."""
    by_id = _film_rows(films)
    if not by_id:
        return {}
    ids: dict[str, int] = {}
    ordered = [by_id[k] for k in sorted(by_id)]
    stored_rows: list[tuple[str, list]] = []
    if conn.dialect.name == "postgresql":  # one round trip, in key order, stored rows updated in it
        ids, _ = _pg_films_people_and_changes(conn, by_id, {}, now)
    else:
        columns = select(Movie.imdb_id, Movie.id, *[getattr(Movie, k) for k in _FILM_FIELDS])
        for imdb_id, movie_id, *stored in _select_in(conn, columns, Movie.imdb_id, sorted(by_id)):
            ids[imdb_id] = movie_id
            stored_rows.append((imdb_id, stored))
        missing = [row for row in ordered if row["imdb_id"] not in ids]
        if missing:
            stmt = _statement(conn, "movies", lambda ins: ins.on_conflict_do_nothing().returning(Movie.imdb_id, Movie.id))
            ids.update(dict(conn.execute(stmt, [{**row, "updated_at": now} for row in missing]).all()))
    _finish_movies(conn, by_id, ids, stored_rows, now)
    return ids


def _finish_movies(conn: Connection, by_id: dict[str, dict[str, Any]], ids: dict[str, int],
                   stored_rows: list[tuple[str, list]], now: datetime) -> None:
    """After the read-or-insert: films another transaction inserted meanwhile are read, and stored films
    (`stored_rows`: imdb_id, stored values) and raced ones the page knows more about are updated (in key
    order)."""
    raced = sorted(key for key in by_id if key not in ids)  # inserted by another transaction meanwhile
    if raced:
        columns = select(Movie.imdb_id, Movie.id, *[getattr(Movie, k) for k in _FILM_FIELDS])
        for imdb_id, movie_id, *stored in _select_in(conn, columns, Movie.imdb_id, raced):
            ids[imdb_id] = movie_id
            stored_rows.append((imdb_id, stored))
    changed: list[dict[str, Any]] = []
    for imdb_id, stored in stored_rows:
        wanted = by_id[imdb_id]
        if any(wanted[k] is not None and wanted[k] != old for k, old in zip(_FILM_FIELDS, stored)):
            changed.append(wanted)
    if changed:
        stmt = (update(Movie).where(Movie.imdb_id == bindparam("b_imdb_id"))
                .values({**{k: func.coalesce(bindparam(f"b_{k}"), getattr(Movie, k)) for k in _FILM_FIELDS},
                         "updated_at": bindparam("b_now")})
                .execution_options(synchronize_session=False))
        conn.execute(stmt, [{"b_imdb_id": r["imdb_id"], "b_now": now, **{f"b_{k}": r[k] for k in _FILM_FIELDS}}
                            for r in sorted(changed, key=lambda r: r["imdb_id"])])


def upsert_films_and_people(conn: Connection, films: Iterable[dict[str, Any]], people: dict[str, str | None],
                            now: datetime, run_id: int | None = None,
                            changes: Sequence[dict[str, Any]] = ()) -> tuple[dict[str, int], dict[str, int]]:
    """upsert_movies and upsert_people of one page, with the same results, and insert_changes of the page's
    change records: one statement on PostgreSQL (one round trip where three would each wait for the server
    and for the writer thread's turn at the interpreter)."""
    by_id = _film_rows(films)
    if conn.dialect.name != "postgresql":
        insert_changes(conn, run_id, changes)
        return upsert_movies(conn, by_id.values(), now), upsert_people(conn, people, now)
    movie_ids, person_ids = _pg_films_people_and_changes(conn, by_id, people, now, run_id, changes)
    _finish_movies(conn, by_id, movie_ids, [], now)
    _finish_people(conn, people, person_ids, [], now)
    return movie_ids, person_ids


def _select_in(conn: Connection, stmt, column, values: Sequence) -> list:
    """`stmt WHERE column IN values`, in chunks that stay below SQLite's parameter limit."""
    rows: list = []
    for chunk in _chunks(list(values)):
        rows.extend(conn.execute(stmt.where(column.in_(chunk))).all())
    return rows


TMDB_COLUMNS = (
    "tmdb_id",
    "tmdb_media_type",
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
    sets the status, keeping older data). A tmdb_id another title already holds for the same media type is
    left NULL on this one (TMDb sometimes maps two IMDb ids to one film) instead of failing the page; a TV
    id equal to a film's id is no clash."""
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
            media = bindparam("b_tmdb_media_type") if "tmdb_media_type" in values else "movie"
            taken = exists().where(and_(other.tmdb_id == bindparam("b_tmdb_id"), other.tmdb_media_type == media,
                                        other.imdb_id != bindparam("b_imdb_id")))
            values["tmdb_id"] = case((taken, null()), else_=bindparam("b_tmdb_id"))
        stmt = update(Movie).where(Movie.imdb_id == bindparam("b_imdb_id")).values(values)
        stmt = stmt.execution_options(synchronize_session=False)
        for chunk in _chunks(sorted(rows, key=lambda r: r["b_imdb_id"])):
            conn.execute(stmt, list(chunk))
    return count


def rename_config(conn: Connection, list_id: int, name: str) -> None:
    """A config created from `-a list=ls…` takes the list's name from its page (only when it differs)."""
    from cinegraph_scrapy.db.models import MovieList

    conn.execute(update(MovieList).where(MovieList.id == list_id, MovieList.name != name).values(name=name))


def store_people_tmdb(conn: Connection, found: dict[str, int | None], now: datetime) -> int:
    """TMDB_PEOPLE: nm id → TMDb person id (None: TMDb knows no such person), with when it was asked."""
    rows = [{"b_imdb_id": k, "b_tmdb": v, "b_now": now} for k, v in sorted(found.items())]
    if rows:
        conn.execute(update(Person).where(Person.imdb_id == bindparam("b_imdb_id"))
                     .values(tmdb_person_id=func.coalesce(bindparam("b_tmdb"), Person.tmdb_person_id),
                             tmdb_checked_at=bindparam("b_now"))
                     .execution_options(synchronize_session=False), rows)
    return len(rows)


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
    if rows and conn.dialect.name == "postgresql":
        payload = jsontext.dumps([{k: v for k, v in r.items() if k != "last_seen_at"} for r in rows])
        conn.execute(_PG_CANONICAL_SOURCES, {"rows": payload, "now": now})
    elif rows:
        stmt = _statement(conn, "canonical_sources", lambda ins: ins.on_conflict_do_update(
            index_elements=[CanonicalSource.movie_id, CanonicalSource.list_id],
            set_={column: getattr(ins.excluded, column) for column in
                  ("position", "notes", "award_name", "award_year", "award_won", "last_seen_at")},
        ).returning(CanonicalSource.id))  # RETURNING: multi-row VALUES batches instead of one row at a time
        conn.execute(stmt, rows).all()
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
        .on_conflict_do_nothing()
        .returning(FestivalOrganization.id)
    )
    found = conn.execute(stmt).scalar()
    if found is None:  # another transaction created it meanwhile
        found = conn.execute(select(FestivalOrganization.id).where(FestivalOrganization.slug == slug)).scalar_one()
    return found


_CEREMONY_FIELDS = ("organization_id", "list_id", "year", "instance", "name", "source_url", "imdb_edition_id",
                    "date", "location", "last_seen_at")


def _build_ceremony_upsert(conn: Connection):
    stmt = _insert(conn, FestivalCeremony).values({f: bindparam(f"c_{f}") for f in _CEREMONY_FIELDS})
    excluded = stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=[FestivalCeremony.organization_id, FestivalCeremony.year, FestivalCeremony.instance],
        set_={
            "name": func.coalesce(excluded.name, FestivalCeremony.name),
            "source_url": excluded.source_url,
            "list_id": excluded.list_id,
            "imdb_edition_id": func.coalesce(excluded.imdb_edition_id, FestivalCeremony.imdb_edition_id),
            "date": func.coalesce(excluded.date, FestivalCeremony.date),
            "location": func.coalesce(excluded.location, FestivalCeremony.location),
            "last_seen_at": excluded.last_seen_at,
        },
    ).returning(FestivalCeremony.id)


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
    date: date | None = None,
    location: str | None = None,
) -> int:
    values = {"organization_id": organization_id, "list_id": list_id, "year": year, "instance": instance,
              "name": name, "source_url": source_url, "imdb_edition_id": edition_id, "date": date,
              "location": location, "last_seen_at": now}
    stmt = _constant(conn, "ceremony_upsert", _build_ceremony_upsert)
    return conn.execute(stmt, {f"c_{k}": v for k, v in values.items()}).scalar_one()


# PostgreSQL: the page's fingerprint saved, the ceremony read as it was and upserted, in one statement.
_PG_WRITE_CEREMONY = text("""
    WITH fp AS (
        INSERT INTO page_fingerprints (list_id, page, fingerprint, stored_at)
        SELECT CAST(:f_list AS int), CAST(:f_page AS int), CAST(:f_value AS text), :c_last_seen_at
        WHERE CAST(:f_value AS text) IS NOT NULL
        ON CONFLICT (list_id, page) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, stored_at = EXCLUDED.stored_at),
    old AS (SELECT id, last_seen_at FROM festival_ceremonies
            WHERE organization_id = :c_organization_id AND year = :c_year AND instance = :c_instance),
    up AS (
        INSERT INTO festival_ceremonies (organization_id, list_id, year, instance, name, source_url, imdb_edition_id,
                                         date, location, last_seen_at)
        VALUES (:c_organization_id, :c_list_id, :c_year, :c_instance, CAST(:c_name AS text),
                CAST(:c_source_url AS text), CAST(:c_imdb_edition_id AS text), CAST(:c_date AS date),
                CAST(:c_location AS text), :c_last_seen_at)
        ON CONFLICT (organization_id, year, instance) DO UPDATE SET
            name = coalesce(EXCLUDED.name, festival_ceremonies.name), source_url = EXCLUDED.source_url,
            list_id = EXCLUDED.list_id,
            imdb_edition_id = coalesce(EXCLUDED.imdb_edition_id, festival_ceremonies.imdb_edition_id),
            date = coalesce(EXCLUDED.date, festival_ceremonies.date),
            location = coalesce(EXCLUDED.location, festival_ceremonies.location),
            last_seen_at = EXCLUDED.last_seen_at
        RETURNING id)
    SELECT up.id, old.id IS NOT NULL, old.last_seen_at FROM up LEFT JOIN old ON true""")


@dataclass(frozen=True)
class CeremonyWrite:
    id: int
    existed: bool  # stored before this write (its nominations are then worth reading)
    previous_seen_at: datetime | None  # its last_seen_at before this write


def write_ceremony(conn: Connection, *, organization_id: int, list_id: int, year: int, instance: int,
                   name: str | None, source_url: str, edition_id: str | None, now: datetime,
                   date: date | None = None, location: str | None = None,
                   fingerprint: tuple[int, int, str] | None = None) -> CeremonyWrite:
    """upsert_ceremony, saying whether the ceremony was stored before and when it was last seen, and the
    page's fingerprint (list id, page, digest) saved with it: one round trip on PostgreSQL."""
    values = {"organization_id": organization_id, "list_id": list_id, "year": year, "instance": instance,
              "name": name, "source_url": source_url, "imdb_edition_id": edition_id, "date": date,
              "location": location, "last_seen_at": now}
    if conn.dialect.name == "postgresql":
        f_list, f_page, f_value = fingerprint or (None, None, None)
        found = conn.execute(_PG_WRITE_CEREMONY, {**{f"c_{k}": v for k, v in values.items()},
                                                  "f_list": f_list, "f_page": f_page, "f_value": f_value}).one()
        return CeremonyWrite(id=found[0], existed=bool(found[1]), previous_seen_at=found[2])
    if fingerprint:
        save_fingerprint(conn, *fingerprint, now)
    old = conn.execute(select(FestivalCeremony.last_seen_at).where(
        FestivalCeremony.organization_id == organization_id, FestivalCeremony.year == year,
        FestivalCeremony.instance == instance)).first()
    ceremony_id = conn.execute(_constant(conn, "ceremony_upsert", _build_ceremony_upsert),
                               {f"c_{k}": v for k, v in values.items()}).scalar_one()
    return CeremonyWrite(id=ceremony_id, existed=old is not None, previous_seen_at=old[0] if old else None)


def upsert_categories(
    conn: Connection, organization_id: int, pairs: Iterable[tuple[str, str]],
    award_ids: dict[tuple[str, str], str | None] | None = None,
) -> dict[tuple[str, str], int]:
    """(award name, category name) → festival_categories.id: existing ones read, missing ones inserted (in
    key order, ON CONFLICT DO NOTHING); a stored category is only written to fill in its IMDb award id."""
    wanted = sorted(set(pairs))
    if not wanted:
        return {}
    award_ids = award_ids or {}
    wanted_set = set(wanted)
    table = FestivalCategory
    stmt = select(table.award_name, table.name, table.id, table.imdb_award_id).where(
        table.organization_id == organization_id)
    found: dict[tuple[str, str], int] = {}
    fill: list[dict[str, Any]] = []
    for a, c, i, award_id in _select_in(conn, stmt, table.name, sorted({c for _, c in wanted})):
        if (a, c) in wanted_set:
            found[(a, c)] = i
            if award_id is None and award_ids.get((a, c)):
                fill.append({"b_id": i, "b_award": award_ids[(a, c)]})
    missing = [pair for pair in wanted if pair not in found]
    if missing:
        insert = _statement(conn, "festival_categories", lambda ins: ins.on_conflict_do_nothing().returning(
            FestivalCategory.award_name, FestivalCategory.name, FestivalCategory.id))
        rows = [{"organization_id": organization_id, "award_name": a, "name": c,
                 "imdb_award_id": award_ids.get((a, c))} for a, c in missing]
        found.update({(a, c): i for a, c, i in conn.execute(insert, rows)})
        raced = set(missing) - set(found)
        if raced:
            found.update({(a, c): i for a, c, i, _ in _select_in(conn, stmt, table.name, sorted({c for _, c in raced}))
                          if (a, c) in raced})
    if fill:
        conn.execute(update(table).where(table.id == bindparam("b_id")).values(imdb_award_id=bindparam("b_award"))
                     .execution_options(synchronize_session=False), sorted(fill, key=lambda r: r["b_id"]))
    return found


def upsert_people(conn: Connection, people: dict[str, str | None], now: datetime) -> dict[str, int]:
    """nm id → name, once per page → people.id: missing people inserted, a stored name updated only when the
    page has a different one."""
    if not people:
        return {}
    ids: dict[str, int] = {}
    stored: list[tuple[str, str | None]] = []
    if conn.dialect.name == "postgresql":  # one round trip, in key order, stored names updated in it
        _, ids = _pg_films_people_and_changes(conn, {}, people, now)
    else:
        for imdb_id, person_id, name in _select_in(conn, select(Person.imdb_id, Person.id, Person.name),
                                                   Person.imdb_id, sorted(people)):
            ids[imdb_id] = person_id
            stored.append((imdb_id, name))
        missing = [{"imdb_id": k, "name": people[k], "updated_at": now} for k in sorted(people) if k not in ids]
        if missing:
            stmt = _statement(conn, "people", lambda ins: ins.on_conflict_do_nothing().returning(Person.imdb_id, Person.id))
            for chunk in _chunks(missing):
                ids.update(dict(conn.execute(stmt, list(chunk)).all()))
    _finish_people(conn, people, ids, stored, now)
    return ids


def _finish_people(conn: Connection, people: dict[str, str | None], ids: dict[str, int],
                   stored: list[tuple[str, str | None]], now: datetime) -> None:
    """After the read-or-insert: people another transaction inserted meanwhile are read, and stored names
    the page spells differently are updated (in key order)."""
    raced = sorted(k for k in people if k not in ids)
    if raced:
        for imdb_id, person_id, name in _select_in(conn, select(Person.imdb_id, Person.id, Person.name),
                                                   Person.imdb_id, raced):
            ids[imdb_id] = person_id
            stored.append((imdb_id, name))
    renamed = [{"b_imdb_id": imdb_id, "b_name": people[imdb_id], "b_now": now} for imdb_id, name in sorted(stored)
               if people[imdb_id] is not None and people[imdb_id] != name]
    if renamed:
        conn.execute(update(Person).where(Person.imdb_id == bindparam("b_imdb_id"))
                     .values(name=bindparam("b_name"), updated_at=bindparam("b_now"))
                     .execution_options(synchronize_session=False), renamed)


def sync_nomination_people(conn: Connection, links: list[tuple[int, int, str, int]], *, new_nominations: bool = False) -> int:
    """Make the people of these nominations exactly `links` (nomination id, person id, role, position):
    missing links inserted, gone ones deleted, moved ones get their new position. Returns the links kept.
    `new_nominations`: the nominations were all created by this transaction (no links to read)."""
    wanted = {(n, p, r): pos for n, p, r, pos in links}
    nominations = sorted({n for n, _, _, _ in links})
    if not nominations:
        return 0
    table = FestivalNominationPerson
    existing = {} if new_nominations else {(n, p, r): (i, pos) for i, n, p, r, pos in _select_in(
        conn, select(table.id, table.nomination_id, table.person_id, table.role, table.position),
        table.nomination_id, nominations)}
    gone = sorted(i for key, (i, _) in existing.items() if key not in wanted)
    if gone:
        for chunk in _chunks(gone):
            conn.execute(delete(table).where(table.id.in_(chunk)))
    moved = [{"b_id": existing[k][0], "b_pos": pos} for k, pos in wanted.items()
             if k in existing and existing[k][1] != pos]
    if moved:
        conn.execute(update(table).where(table.id == bindparam("b_id")).values(position=bindparam("b_pos"))
                     .execution_options(synchronize_session=False), sorted(moved, key=lambda r: r["b_id"]))
    new = [{"nomination_id": n, "person_id": p, "role": r, "position": pos}
           for (n, p, r), pos in sorted(wanted.items()) if (n, p, r) not in existing]
    if new and conn.dialect.name == "postgresql":
        conn.execute(_PG_NEW_LINKS, {"rows": jsontext.dumps(new)})
    elif new:
        # RETURNING makes SQLAlchemy send the rows as multi-row VALUES (insertmanyvalues), not one by one
        stmt = _statement(conn, "festival_nomination_people", lambda ins: ins.on_conflict_do_nothing().returning(
            FestivalNominationPerson.id))
        conn.execute(stmt, new).all()
    return len(wanted)


def _nomination_rows(rows: Iterable[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """One row per (ceremony, category, nominee key), in key order; a key named twice has won if either did."""
    by_key: dict[tuple[int, int, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["ceremony_id"], row["category_id"], row["nominee_key"])
        if key in by_key:
            by_key[key]["won"] = by_key[key]["won"] or row["won"]
            continue
        by_key[key] = {**{c: row.get(c) for c in _NOMINATION_COLUMNS}, "last_seen_at": now}
    return [by_key[k] for k in sorted(by_key)]


def upsert_nominations(conn: Connection, rows: Iterable[dict[str, Any]], now: datetime) -> dict[tuple[int, str], int]:
    """Rows: ceremony_id, category_id, movie_id, nominee_key, award_name, won, notes, nominee_type,
    imdb_nomination_id, details (one ceremony per call). Returns (category_id, nominee_key) → id."""
    ordered = _nomination_rows(rows, now)
    if not ordered:
        return {}
    _keep_nomination_ids_unique(conn, ordered)
    if conn.dialect.name == "postgresql":
        result = conn.execute(_PG_NOMINATIONS, {"rows": jsontext.dumps([{k: r[k] for k in _NOMINATION_COLUMNS}
                                                                        for r in ordered]), "now": now})
    else:
        stmt = _statement(conn, "festival_nominations", lambda ins: ins.on_conflict_do_update(
            index_elements=[FestivalNomination.ceremony_id, FestivalNomination.category_id,
                            FestivalNomination.nominee_key],
            set_={column: getattr(ins.excluded, column) for column in
                  ("movie_id", "award_name", "won", "notes", "nominee_type", "imdb_nomination_id", "details",
                   "last_seen_at")},
        ).returning(FestivalNomination.category_id, FestivalNomination.nominee_key, FestivalNomination.id))
        result = conn.execute(stmt, ordered)
    return {(category_id, key): nomination_id for category_id, key, nomination_id in result}


# The nominations' insert on PostgreSQL, over rows `u` (a nomination key stored before is updated).
_NOMINATIONS_INSERT = """
        INSERT INTO festival_nominations
            (ceremony_id, category_id, movie_id, nominee_key, award_name, won, notes, nominee_type,
             imdb_nomination_id, details, last_seen_at)
        SELECT u.ceremony_id, u.category_id, {movie_id}, u.nominee_key, u.award_name, u.won, u.notes,
               u.nominee_type, u.imdb_nomination_id, u.details, :now
        FROM {source}
        ORDER BY u.category_id, u.nominee_key
        ON CONFLICT (ceremony_id, category_id, nominee_key) DO UPDATE SET
            movie_id = EXCLUDED.movie_id, award_name = EXCLUDED.award_name, won = EXCLUDED.won,
            notes = EXCLUDED.notes, nominee_type = EXCLUDED.nominee_type,
            imdb_nomination_id = EXCLUDED.imdb_nomination_id, details = EXCLUDED.details,
            last_seen_at = EXCLUDED.last_seen_at
        RETURNING category_id, nominee_key, id"""
_NOMINATION_RECORD = """(ceremony_id int, category_id int, {film} nominee_key text, award_name text, won bool,
                        notes text, nominee_type text, imdb_nomination_id text, details jsonb)"""

_PG_NOMINATIONS = text(_NOMINATIONS_INSERT.format(
    movie_id="u.movie_id",
    source="jsonb_to_recordset(CAST(:rows AS jsonb)) AS u" + _NOMINATION_RECORD.format(film="movie_id int,")))


# PostgreSQL: a first-time edition's page in one statement: its films, people and change records as in
# _PG_FILMS_PEOPLE_AND_CHANGES, then its nominations (their film found by imdb id among the films just
# read or inserted) and their people links. A film or person another transaction inserted meanwhile is
# not among them: its nominations are given their film, and its links inserted, right after.
_PG_NEW_EDITION_PAGE = text(_FILMS_PEOPLE_AND_CHANGES_CTES + """,
    fids AS (SELECT imdb_id, id FROM mins UNION ALL SELECT imdb_id, movie_id FROM ms),
    pids AS (SELECT imdb_id, id FROM pins UNION ALL SELECT imdb_id, person_id FROM ps),
    n AS (""" + _NOMINATIONS_INSERT.format(
        movie_id="f.id",
        source="jsonb_to_recordset(CAST(:rows AS jsonb)) AS u" + _NOMINATION_RECORD.format(film="film text,")
        + " LEFT JOIN fids f ON f.imdb_id = u.film") + """),
    links AS (
        INSERT INTO festival_nomination_people (nomination_id, person_id, role, position)
        SELECT n.id, p.id, v.role, v.position
        FROM jsonb_to_recordset(CAST(:links AS jsonb)) AS v(category_id int, nominee_key text, person text,
             role text, position int)
        JOIN n ON n.category_id = v.category_id AND n.nominee_key = v.nominee_key
        JOIN pids p ON p.imdb_id = v.person
        ORDER BY n.id, p.id, v.role
        ON CONFLICT (nomination_id, person_id, role) DO NOTHING)
    SELECT 'film', imdb_id, id, NULL::int FROM fids
    UNION ALL
    SELECT 'person', imdb_id, id, NULL FROM pids
    UNION ALL
    SELECT 'nomination', nominee_key, id, category_id FROM n""")

_PG_NOMINATION_FILMS = text("""
    UPDATE festival_nominations fn SET movie_id = u.movie_id
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS u(category_id int, nominee_key text, movie_id int)
    WHERE fn.ceremony_id = :ceremony AND fn.category_id = u.category_id AND fn.nominee_key = u.nominee_key""")


def write_edition_page(conn: Connection, films: Iterable[dict[str, Any]], people: dict[str, str | None],
                       nominations: Iterable[dict[str, Any]], links: list[tuple[int, str, str, str, int]],
                       now: datetime, *, new_edition: bool, run_id: int | None = None,
                       changes: Sequence[dict[str, Any]] = ()) -> tuple[dict[str, int], dict[str, int],
                                                                        dict[tuple[int, str], int]]:
    """An edition page's rows: upsert_films_and_people (with the page's change records), then its
    nominations (as upsert_nominations takes them, with the film's imdb id under "film" instead of
    movie_id) and their people (links: category id, nominee key, person imdb id, role, position), as
    sync_nomination_people. Returns film ids, person ids and nomination ids. For an edition stored
    for the first time (`new_edition`: no nominations or links to compare with) it is one statement on
    PostgreSQL."""
    by_id = _film_rows(films)
    rows = list(nominations)
    if not (new_edition and conn.dialect.name == "postgresql"):
        movie_ids, person_ids = upsert_films_and_people(conn, by_id.values(), people, now, run_id, changes)
        for row in rows:
            row["movie_id"] = movie_ids.get(row.get("film")) if row.get("film") else None
        ids = upsert_nominations(conn, rows, now)
        sync_nomination_people(conn, [(ids[(c, k)], person_ids[p], r, pos) for c, k, p, r, pos in links
                                      if p in person_ids], new_nominations=new_edition)
        return movie_ids, person_ids, ids
    for row in rows:
        row["movie_id"] = None
    ordered = _nomination_rows(rows, now)
    if not ordered:
        movie_ids, person_ids = upsert_films_and_people(conn, by_id.values(), people, now, run_id, changes)
        return movie_ids, person_ids, {}
    film_of = {(r["category_id"], r["nominee_key"]): r.get("film") for r in rows}
    _keep_nomination_ids_unique(conn, ordered)
    wanted = {(c, k, p, r): pos for c, k, p, r, pos in links}  # a link named twice keeps its last position
    result = conn.execute(_PG_NEW_EDITION_PAGE, {
        **_films_people_and_changes_params(by_id, people, now, run_id, changes),
        "rows": jsontext.dumps([{**{k: r[k] for k in _NOMINATION_COLUMNS if k != "movie_id"},
                                 "film": film_of[(r["category_id"], r["nominee_key"])]} for r in ordered]),
        "links": jsontext.dumps([{"category_id": c, "nominee_key": k, "person": p, "role": r, "position": pos}
                                 for (c, k, p, r), pos in wanted.items()])})
    movie_ids: dict[str, int] = {}
    person_ids: dict[str, int] = {}
    nomination_ids: dict[tuple[int, str], int] = {}
    for kind, key, row_id, category_id in result:
        if kind == "film":
            movie_ids[key] = row_id
        elif kind == "person":
            person_ids[key] = row_id
        else:
            nomination_ids[(category_id, key)] = row_id
    raced_films = {k for k in by_id if k not in movie_ids}
    raced_people = {k for k in people if k not in person_ids}
    _finish_movies(conn, by_id, movie_ids, [], now)
    _finish_people(conn, people, person_ids, [], now)
    if raced_films:  # inserted by another transaction meanwhile: their nominations get them now
        fix = [{"category_id": c, "nominee_key": k, "movie_id": movie_ids[f]}
               for (c, k), f in sorted(film_of.items()) if f in raced_films and f in movie_ids]
        if fix:
            conn.execute(_PG_NOMINATION_FILMS, {"ceremony": ordered[0]["ceremony_id"], "rows": jsontext.dumps(fix)})
    if raced_people:
        new = [{"nomination_id": nomination_ids[(c, k)], "person_id": person_ids[p], "role": r, "position": pos}
               for (c, k, p, r), pos in sorted(wanted.items())
               if p in raced_people and p in person_ids and (c, k) in nomination_ids]
        if new:
            conn.execute(_PG_NEW_LINKS, {"rows": jsontext.dumps(new)})
    return movie_ids, person_ids, nomination_ids


def _keep_nomination_ids_unique(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """IMDb's nomination id is unique within a ceremony: a page naming one id twice keeps it on the first
    nomination (the others note it in details), and a stored nomination that held an id the page now gives
    to another nomination lets go of it, so that the page never fails on the unique constraint."""
    owner: dict[str, tuple[int, str]] = {}
    for row in rows:
        nomination_id = row.get("imdb_nomination_id")
        if not nomination_id:
            continue
        if nomination_id in owner:
            row["imdb_nomination_id"] = None
            row["details"] = {**(row.get("details") or {}), "duplicate_nomination_id": nomination_id}
        else:
            owner[nomination_id] = (row["category_id"], row["nominee_key"])
    if not owner:
        return
    table = FestivalNomination
    stmt = select(table.id, table.imdb_nomination_id, table.category_id, table.nominee_key).where(
        table.ceremony_id == rows[0]["ceremony_id"])
    moved = [row_id for row_id, nomination_id, category_id, key in _select_in(conn, stmt, table.imdb_nomination_id,
                                                                             sorted(owner))
             if owner[nomination_id] != (category_id, key)]
    if moved:
        conn.execute(update(table).where(table.id.in_(sorted(moved))).values(imdb_nomination_id=None))


def parse_release_date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def insert_ignoring_conflicts(conn: Connection, model, rows: Sequence[dict[str, Any]]) -> int:
    """INSERT … ON CONFLICT DO NOTHING: rows someone else inserted first are left as they are. Returns how
    many rows this call inserted."""
    if not rows:
        return 0
    stmt = _insert(conn, model).on_conflict_do_nothing().returning(*model.__table__.primary_key.columns)
    inserted = 0
    for chunk in _chunks(list(rows)):
        inserted += len(conn.execute(stmt, list(chunk)).all())
    return inserted


# ------------------------------------------------------------------ unchanged pages


def _build_fingerprint_read(conn: Connection):
    from cinegraph_scrapy.db.models import PageFingerprint

    return select(PageFingerprint.fingerprint).where(
        PageFingerprint.list_id == bindparam("f_list"), PageFingerprint.page == bindparam("f_page"))


def stored_fingerprint(conn: Connection, list_id: int, page: int) -> str | None:
    return conn.execute(_constant(conn, "fingerprint_read", _build_fingerprint_read),
                        {"f_list": list_id, "f_page": page}).scalar()


def stored_fingerprints(conn: Connection, list_ids: Sequence[int]) -> dict[tuple[int, int], str]:
    """(list id, page) → stored fingerprint, for many configs in one read."""
    from cinegraph_scrapy.db.models import PageFingerprint

    stmt = select(PageFingerprint.list_id, PageFingerprint.page, PageFingerprint.fingerprint)
    return {(list_id, page): value for list_id, page, value in
            _select_in(conn, stmt, PageFingerprint.list_id, sorted(set(list_ids)))}


def _build_fingerprint_save(conn: Connection):
    from cinegraph_scrapy.db.models import PageFingerprint

    stmt = _insert(conn, PageFingerprint).values(list_id=bindparam("f_list"), page=bindparam("f_page"),
                                                 fingerprint=bindparam("f_value"), stored_at=bindparam("f_now"))
    return stmt.on_conflict_do_update(index_elements=[PageFingerprint.list_id, PageFingerprint.page],
                                      set_={"fingerprint": stmt.excluded.fingerprint,
                                            "stored_at": stmt.excluded.stored_at})


def save_fingerprint(conn: Connection, list_id: int, page: int, fingerprint: str, now: datetime) -> None:
    conn.execute(_constant(conn, "fingerprint_save", _build_fingerprint_save),
                 {"f_list": list_id, "f_page": page, "f_value": fingerprint, "f_now": now})


def organization_id(conn: Connection, slug: str) -> int | None:
    return conn.execute(_constant(conn, "organization_by_slug", lambda _: select(FestivalOrganization.id).where(
        FestivalOrganization.slug == bindparam("o_slug"))), {"o_slug": slug}).scalar()


def _build_touch_statements(conn: Connection):
    ceremony = select(FestivalCeremony.id, FestivalCeremony.last_seen_at).where(
        FestivalCeremony.organization_id == bindparam("t_org"), FestivalCeremony.year == bindparam("t_year"),
        FestivalCeremony.instance == bindparam("t_instance"))
    nominations = (update(FestivalNomination).where(
        FestivalNomination.ceremony_id == bindparam("t_ceremony"),
        FestivalNomination.last_seen_at >= bindparam("t_previous"))
        .values(last_seen_at=bindparam("t_now")).returning(FestivalNomination.movie_id))
    seen = update(FestivalCeremony).where(FestivalCeremony.id == bindparam("t_ceremony")).values(
        last_seen_at=bindparam("t_now"))
    return ceremony, nominations, seen


def touch_edition(conn: Connection, organization_id: int, year: int, instance: int, now: datetime) -> list[int] | None:
    """An unchanged edition page: its ceremony and the nominations its last write stored are seen now.
    Returns their films, or None when the ceremony is not stored."""
    ceremony, nominations, seen = _constant(conn, "touch_edition", _build_touch_statements)
    found = conn.execute(ceremony, {"t_org": organization_id, "t_year": year, "t_instance": instance}).first()
    if found is None or found[1] is None:
        return None
    ceremony_id, previous = found
    touched = conn.execute(nominations, {"t_ceremony": ceremony_id, "t_previous": previous, "t_now": now}).scalars().all()
    conn.execute(seen, {"t_ceremony": ceremony_id, "t_now": now})
    return [m for m in touched if m is not None]


# PostgreSQL: the fingerprint compared, the ceremony found and it and its nominations marked seen, in one
# statement (the ceremony first, as in the lock order). No row when the fingerprint differs or the
# ceremony is not stored.
_PG_TOUCH_UNCHANGED_EDITION = text("""
    WITH c AS (
        SELECT fc.id, fc.last_seen_at FROM festival_ceremonies fc
        JOIN festival_organizations o ON o.id = fc.organization_id
        WHERE o.slug = :slug AND fc.year = :year AND fc.instance = :instance AND fc.last_seen_at IS NOT NULL
          AND EXISTS (SELECT 1 FROM page_fingerprints pf
                      WHERE pf.list_id = :list_id AND pf.page = :page AND pf.fingerprint = :fingerprint)),
    seen AS (UPDATE festival_ceremonies fc SET last_seen_at = :now FROM c WHERE fc.id = c.id RETURNING fc.id),
    touched AS (UPDATE festival_nominations fn SET last_seen_at = :now FROM c
                WHERE fn.ceremony_id = c.id AND fn.last_seen_at >= c.last_seen_at RETURNING fn.movie_id)
    SELECT seen.id, ARRAY(SELECT movie_id FROM touched WHERE movie_id IS NOT NULL) FROM seen""")


def touch_unchanged_edition(conn: Connection, list_id: int, page: int, fingerprint: str, slug: str, year: int,
                            instance: int, now: datetime) -> list[int] | None:
    """An edition page whose fingerprint is the stored one: touch_edition. None when the fingerprint differs
    or the ceremony is not stored (the page is then written as usual)."""
    if conn.dialect.name == "postgresql":
        found = conn.execute(_PG_TOUCH_UNCHANGED_EDITION, {
            "slug": slug, "year": year, "instance": instance, "list_id": list_id, "page": page,
            "fingerprint": fingerprint, "now": now}).first()
        return None if found is None else list(found[1])
    if stored_fingerprint(conn, list_id, page) != fingerprint:
        return None
    org_id = organization_id(conn, slug)
    return touch_edition(conn, org_id, year, instance, now) if org_id is not None else None


def touch_unchanged_list_page(conn: Connection, list_id: int, page: int, fingerprint: str,
                              imdb_ids: list[str | None], now: datetime) -> list[int] | None:
    """A list page whose fingerprint is the stored one: touch_list_entries. None when the fingerprint
    differs or an entry is missing (the page is then written as usual)."""
    if stored_fingerprint(conn, list_id, page) != fingerprint:
        return None
    return touch_list_entries(conn, list_id, imdb_ids, now)


def touch_list_entries(conn: Connection, list_id: int, imdb_ids: list[str | None], now: datetime) -> list[int] | None:
    """An unchanged list page: its entries are seen now. Returns their films; None when one is missing."""
    wanted = sorted({i for i in imdb_ids if i})
    movie_ids: list[int] = []
    for chunk in _chunks(wanted):
        movie_ids.extend(conn.execute(update(CanonicalSource).where(
            CanonicalSource.list_id == list_id,
            CanonicalSource.movie_id.in_(select(Movie.id).where(Movie.imdb_id.in_(list(chunk)))))
            .values(last_seen_at=now).returning(CanonicalSource.movie_id)).scalars().all())
    return movie_ids if len(movie_ids) == len(wanted) else None
