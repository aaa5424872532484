"""Films and people, the rows every page shares with others: read first, inserted only when missing, updated
only where the page knows more (a value a page lacks, None, never erases one an earlier import stored), always
in imdb-id order; and a run's change records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from cinegraph_scrapy.db.models import ImportChange, Movie, Person
from cinegraph_scrapy.db.sqlkit import WritesOn, chunks

FILM_FIELDS = ("title", "original_title", "year", "title_type")
CHANGE_KEYS = ("change", "imdb_id", "award", "category", "nominee", "position", "fields")


def film_rows(films: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One row per imdb_id; a value one mention lacks is taken from another."""
    by_id: dict[str, dict[str, Any]] = {}
    for film in films:
        current = by_id.get(film["imdb_id"])
        if current is None:
            by_id[film["imdb_id"]] = {"imdb_id": film["imdb_id"], **{k: film.get(k) for k in FILM_FIELDS}}
        else:
            for key in FILM_FIELDS:
                if current[key] is None and film.get(key) is not None:
                    current[key] = film[key]
    return by_id


def change_rows(changes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: c.get(k) for k in CHANGE_KEYS} for c in changes]


class FilmWrites(WritesOn):
    def insert_changes(self, run_id: int | None, changes: Sequence[dict[str, Any]]) -> None:
        """import_changes rows of a run (change, imdb_id, award, category, nominee, position, fields)."""
        if run_id is None or not changes:
            return
        # RETURNING: SQLAlchemy sends the rows as multi-row VALUES batches, not one statement per row
        self.conn.execute(insert(ImportChange).returning(ImportChange.id),
                          [{"run_id": run_id, **row} for row in change_rows(changes)]).all()

    def upsert_movies(self, films: Iterable[dict[str, Any]], now: datetime) -> dict[str, int]:
        """Films by imdb_id → movies.id: missing ones inserted, stored ones updated only where the page brings
        a value that differs."""
        by_id = film_rows(films)
        if not by_id:
            return {}
        ids: dict[str, int] = {}
        stored_rows: list[tuple[str, list]] = []
        columns = select(Movie.imdb_id, Movie.id, *[getattr(Movie, k) for k in FILM_FIELDS])
        for imdb_id, movie_id, *stored in self.select_in(columns, Movie.imdb_id, sorted(by_id)):
            ids[imdb_id] = movie_id
            stored_rows.append((imdb_id, stored))
        missing = [by_id[k] for k in sorted(by_id) if k not in ids]
        if missing:
            stmt = self.upsert_on(Movie, "movies", lambda ins: ins.on_conflict_do_nothing().returning(Movie.imdb_id, Movie.id))
            ids.update(dict(self.conn.execute(stmt, [{**row, "updated_at": now} for row in missing]).all()))
        self.finish_movies(by_id, ids, stored_rows, now)
        return ids

    def finish_movies(self, by_id: dict[str, dict[str, Any]], ids: dict[str, int],
                      stored_rows: list[tuple[str, list]], now: datetime) -> None:
        """After the read-or-insert: films another transaction inserted meanwhile are read, and stored films
        (`stored_rows`: imdb_id, stored values) and raced ones the page knows more about are updated (in key
        order)."""
        raced = sorted(key for key in by_id if key not in ids)  # inserted by another transaction meanwhile
        if raced:
            columns = select(Movie.imdb_id, Movie.id, *[getattr(Movie, k) for k in FILM_FIELDS])
            for imdb_id, movie_id, *stored in self.select_in(columns, Movie.imdb_id, raced):
                ids[imdb_id] = movie_id
                stored_rows.append((imdb_id, stored))
        changed = [by_id[imdb_id] for imdb_id, stored in stored_rows
                   if any(by_id[imdb_id][k] is not None and by_id[imdb_id][k] != old for k, old in zip(FILM_FIELDS, stored))]
        if changed:
            stmt = (update(Movie).where(Movie.imdb_id == bindparam("b_imdb_id"))
                    .values({**{k: func.coalesce(bindparam(f"b_{k}"), getattr(Movie, k)) for k in FILM_FIELDS},
                             "updated_at": bindparam("b_now")})
                    .execution_options(synchronize_session=False))
            self.conn.execute(stmt, [{"b_imdb_id": r["imdb_id"], "b_now": now, **{f"b_{k}": r[k] for k in FILM_FIELDS}}
                                     for r in sorted(changed, key=lambda r: r["imdb_id"])])

    def upsert_people(self, people: dict[str, str | None], now: datetime) -> dict[str, int]:
        """nm id → name, once per page → people.id: missing people inserted, a stored name updated only when the
        page has a different one."""
        if not people:
            return {}
        ids: dict[str, int] = {}
        stored: list[tuple[str, str | None]] = []
        for imdb_id, person_id, name in self.select_in(select(Person.imdb_id, Person.id, Person.name),
                                                       Person.imdb_id, sorted(people)):
            ids[imdb_id] = person_id
            stored.append((imdb_id, name))
        missing = [{"imdb_id": k, "name": people[k], "updated_at": now} for k in sorted(people) if k not in ids]
        if missing:
            stmt = self.upsert_on(Person, "people", lambda ins: ins.on_conflict_do_nothing().returning(Person.imdb_id, Person.id))
            for chunk in chunks(missing):
                ids.update(dict(self.conn.execute(stmt, list(chunk)).all()))
        self.finish_people(people, ids, stored, now)
        return ids

    def finish_people(self, people: dict[str, str | None], ids: dict[str, int],
                      stored: list[tuple[str, str | None]], now: datetime) -> None:
        """After the read-or-insert: people another transaction inserted meanwhile are read, and stored names
        the page spells differently are updated (in key order)."""
        raced = sorted(k for k in people if k not in ids)
        if raced:
            for imdb_id, person_id, name in self.select_in(select(Person.imdb_id, Person.id, Person.name),
                                                           Person.imdb_id, raced):
                ids[imdb_id] = person_id
                stored.append((imdb_id, name))
        renamed = [{"b_imdb_id": imdb_id, "b_name": people[imdb_id], "b_now": now} for imdb_id, name in sorted(stored)
                   if people[imdb_id] is not None and people[imdb_id] != name]
        if renamed:
            self.conn.execute(update(Person).where(Person.imdb_id == bindparam("b_imdb_id"))
                              .values(name=bindparam("b_name"), updated_at=bindparam("b_now"))
                              .execution_options(synchronize_session=False), renamed)

    def films_and_people(self, films: Iterable[dict[str, Any]], people: dict[str, str | None], now: datetime,
                         run_id: int | None = None, changes: Sequence[dict[str, Any]] = ()
                         ) -> tuple[dict[str, int], dict[str, int]]:
        """upsert_movies and upsert_people of one page, with the page's change records."""
        self.insert_changes(run_id, changes)
        return self.upsert_movies(film_rows(films).values(), now), self.upsert_people(people, now)
