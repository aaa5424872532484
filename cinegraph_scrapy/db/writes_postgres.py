"""PostgreSQL's page writes: the generic writes' results in fewer round trips, each step one constant
statement over the page's rows as JSON (db/statements_postgres.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from cinegraph_scrapy import jsontext
from cinegraph_scrapy.db import statements_postgres as sql
from cinegraph_scrapy.db.writes_events import NOMINATION_COLUMNS, CeremonyWrite, EditionIds, ceremony_values
from cinegraph_scrapy.db.writes_events import nomination_rows
from cinegraph_scrapy.db.writes_films import change_rows, film_rows
from cinegraph_scrapy.db.writes_generic import GenericWrites


def films_people_and_changes_params(films: dict[str, dict[str, Any]], people: dict[str, str | None], now: datetime,
                                    run_id: int | None, changes: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The parameters of FILMS_PEOPLE_AND_CHANGES_STEPS: films and people in key order, the change records."""
    return {"films": jsontext.dumps([films[k] for k in sorted(films)]),
            "people": jsontext.dumps([{"imdb_id": k, "name": people[k]} for k in sorted(people)]),
            "run": run_id, "now": now, "changes": jsontext.dumps(change_rows(changes) if run_id is not None else [])}


class PostgresWrites(GenericWrites):
    def insert_changes(self, run_id: int | None, changes: Sequence[dict[str, Any]]) -> None:
        if run_id is not None and changes:
            self.conn.execute(sql.INSERT_CHANGES, {"run": run_id, "rows": jsontext.dumps(change_rows(changes))})

    def _films_people_and_changes(self, films: dict[str, dict[str, Any]], people: dict[str, str | None],
                                  now: datetime, run_id: int | None = None, changes: Sequence[dict[str, Any]] = ()
                                  ) -> tuple[dict[str, int], dict[str, int]]:
        """Film ids and person ids (either side may be empty); raced rows are left to the caller."""
        movie_ids: dict[str, int] = {}
        person_ids: dict[str, int] = {}
        params = films_people_and_changes_params(films, people, now, run_id, changes)
        for is_film, imdb_id, row_id in self.conn.execute(sql.FILMS_PEOPLE_AND_CHANGES, params):
            (movie_ids if is_film else person_ids)[imdb_id] = row_id
        return movie_ids, person_ids

    def upsert_movies(self, films: Iterable[dict[str, Any]], now: datetime) -> dict[str, int]:
        by_id = film_rows(films)
        if not by_id:
            return {}
        ids, _ = self._films_people_and_changes(by_id, {}, now)  # stored rows updated in it, in key order
        self.finish_movies(by_id, ids, [], now)
        return ids

    def upsert_people(self, people: dict[str, str | None], now: datetime) -> dict[str, int]:
        if not people:
            return {}
        _, ids = self._films_people_and_changes({}, people, now)
        self.finish_people(people, ids, [], now)
        return ids

    def films_and_people(self, films: Iterable[dict[str, Any]], people: dict[str, str | None], now: datetime,
                         run_id: int | None = None, changes: Sequence[dict[str, Any]] = ()
                         ) -> tuple[dict[str, int], dict[str, int]]:
        """One statement (one round trip where three would each wait for the server and for the writer
        thread's turn at the interpreter)."""
        by_id = film_rows(films)
        movie_ids, person_ids = self._films_people_and_changes(by_id, people, now, run_id, changes)
        self.finish_movies(by_id, movie_ids, [], now)
        self.finish_people(people, person_ids, [], now)
        return movie_ids, person_ids

    def _upsert_entries(self, rows: list[dict[str, Any]], now: datetime) -> None:
        payload = jsontext.dumps([{k: v for k, v in r.items() if k != "last_seen_at"} for r in rows])
        self.conn.execute(sql.CANONICAL_SOURCES, {"rows": payload, "now": now})

    def write_ceremony(self, *, fingerprint: tuple[int, int, str] | None = None, **values: Any) -> CeremonyWrite:
        """One round trip: the fingerprint saved, the ceremony read as it was and upserted."""
        f_list, f_page, f_value = fingerprint or (None, None, None)
        found = self.conn.execute(sql.WRITE_CEREMONY, {**ceremony_values(**values), "f_list": f_list,
                                                       "f_page": f_page, "f_value": f_value}).one()
        return CeremonyWrite(id=found[0], existed=bool(found[1]), previous_seen_at=found[2])

    def _upsert_ordered_nominations(self, ordered: list[dict[str, Any]], now: datetime) -> dict[tuple[int, str], int]:
        rows = jsontext.dumps([{k: r[k] for k in NOMINATION_COLUMNS} for r in ordered])
        return {(c, k): i for c, k, i in self.conn.execute(sql.NOMINATIONS, {"rows": rows, "now": now})}

    def insert_links(self, new: list[dict[str, Any]]) -> None:
        self.conn.execute(sql.NEW_LINKS, {"rows": jsontext.dumps(new)})

    def touch_unchanged_edition(self, list_id: int, page: int, fingerprint: str, slug: str, year: int,
                                instance: int, now: datetime) -> list[int] | None:
        found = self.conn.execute(sql.TOUCH_UNCHANGED_EDITION, {
            "slug": slug, "year": year, "instance": instance, "list_id": list_id, "page": page,
            "fingerprint": fingerprint, "now": now}).first()
        return None if found is None else list(found[1])

    def write_edition_page(self, films: Iterable[dict[str, Any]], people: dict[str, str | None],
                           nominations: Iterable[dict[str, Any]], links: list[tuple[int, str, str, str, int]],
                           now: datetime, *, new_edition: bool, run_id: int | None = None,
                           changes: Sequence[dict[str, Any]] = ()) -> EditionIds:
        """An edition stored for the first time is one statement; a stored one is written as generic."""
        rows = list(nominations)
        if not new_edition:
            return super().write_edition_page(films, people, rows, links, now, new_edition=False, run_id=run_id,
                                              changes=changes)
        by_id = film_rows(films)
        for row in rows:
            row["movie_id"] = None
        ordered = nomination_rows(rows, now)
        if not ordered:
            return EditionIds(*self.films_and_people(by_id.values(), people, now, run_id, changes), {})
        film_of = {(r["category_id"], r["nominee_key"]): r.get("film") for r in rows}
        self.keep_nomination_ids_unique(ordered)
        wanted = {(c, k, p, r): pos for c, k, p, r, pos in links}  # a link named twice keeps its last position
        result = self.conn.execute(sql.NEW_EDITION_PAGE, {
            **films_people_and_changes_params(by_id, people, now, run_id, changes),
            "rows": jsontext.dumps([{**{k: r[k] for k in NOMINATION_COLUMNS if k != "movie_id"},
                                     "film": film_of[(r["category_id"], r["nominee_key"])]} for r in ordered]),
            "links": jsontext.dumps([{"category_id": c, "nominee_key": k, "person": p, "role": r, "position": pos}
                                     for (c, k, p, r), pos in wanted.items()])})
        ids = EditionIds({}, {}, {})
        for kind, key, row_id, category_id in result:
            if kind == "film":
                ids.movies[key] = row_id
            elif kind == "person":
                ids.people[key] = row_id
            else:
                ids.nominations[(category_id, key)] = row_id
        self._finish_raced(by_id, people, ids, film_of, wanted, ordered[0]["ceremony_id"], now)
        return ids

    def _finish_raced(self, by_id, people, ids: EditionIds, film_of, wanted, ceremony_id: int, now) -> None:
        """Films and people another transaction inserted meanwhile: read, then their nominations get their
        film and their links are inserted."""
        raced_films = {k for k in by_id if k not in ids.movies}
        raced_people = {k for k in people if k not in ids.people}
        self.finish_movies(by_id, ids.movies, [], now)
        self.finish_people(people, ids.people, [], now)
        fix = [{"category_id": c, "nominee_key": k, "movie_id": ids.movies[f]}
               for (c, k), f in sorted(film_of.items()) if f in raced_films and f in ids.movies]
        if fix:
            self.conn.execute(sql.NOMINATION_FILMS, {"ceremony": ceremony_id, "rows": jsontext.dumps(fix)})
        new = [{"nomination_id": ids.nominations[(c, k)], "person_id": ids.people[p], "role": r, "position": pos}
               for (c, k, p, r), pos in sorted(wanted.items())
               if p in raced_people and p in ids.people and (c, k) in ids.nominations]
        if new:
            self.insert_links(new)
