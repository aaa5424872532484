"""An edition's rows: its organization, ceremony, categories, nominations and the people of each nomination
(the order of the lock order in db/writes.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update

from cinegraph_scrapy.db.models import FestivalCategory, FestivalCeremony, FestivalNomination, FestivalNominationPerson
from cinegraph_scrapy.db.models import FestivalOrganization
from cinegraph_scrapy.db.sqlkit import WritesOn, chunks
from cinegraph_scrapy.db.writes_films import FilmWrites, film_rows

NOMINATION_COLUMNS = ("ceremony_id", "category_id", "movie_id", "nominee_key", "award_name", "won", "notes",
                      "nominee_type", "imdb_nomination_id", "details")
CEREMONY_FIELDS = ("organization_id", "list_id", "year", "instance", "name", "source_url", "imdb_edition_id",
                   "date", "location", "last_seen_at")


@dataclass(frozen=True)
class CeremonyWrite:
    id: int
    existed: bool  # stored before this write (its nominations are then worth reading)
    previous_seen_at: datetime | None  # its last_seen_at before this write


@dataclass(frozen=True)
class EditionIds:
    """What an edition page's write returns: the ids of its films, people and nominations."""
    movies: dict[str, int]
    people: dict[str, int]
    nominations: dict[tuple[int, str], int]


def nomination_rows(rows: Iterable[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """One row per (ceremony, category, nominee key), in key order, merged as items.same_nominee says (the
    first mention, won if either mention won): a guard for rows that did not pass through deduplication."""
    by_key: dict[tuple[int, int, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["ceremony_id"], row["category_id"], row["nominee_key"])
        if key in by_key:
            by_key[key]["won"] = by_key[key]["won"] or row["won"]
            continue
        by_key[key] = {**{c: row.get(c) for c in NOMINATION_COLUMNS}, "last_seen_at": now}
    return [by_key[k] for k in sorted(by_key)]


def ceremony_values(*, organization_id: int, list_id: int, year: int, instance: int, name: str | None,
                    source_url: str, edition_id: str | None, now: datetime, date: date | None = None,
                    location: str | None = None) -> dict[str, Any]:
    """A ceremony's columns, keyed as the ceremony upsert binds them (c_…)."""
    values = {"organization_id": organization_id, "list_id": list_id, "year": year, "instance": instance,
              "name": name, "source_url": source_url, "imdb_edition_id": edition_id, "date": date,
              "location": location, "last_seen_at": now}
    return {f"c_{k}": v for k, v in values.items()}


class EventWrites(FilmWrites, WritesOn):
    def ensure_organization(self, slug: str, name: str, abbreviation: str | None, event_id: str | None) -> int:
        """The organization's id, creating it from the config when it is missing."""
        table = FestivalOrganization
        found = self.conn.execute(select(table.id).where(table.slug == slug)).scalar()
        if found is None and event_id:
            found = self.conn.execute(select(table.id).where(table.imdb_event_id == event_id)).scalar()
        if found is not None:
            return found
        stmt = (self.insert(table).values(slug=slug, name=name, abbreviation=abbreviation, imdb_event_id=event_id)
                .on_conflict_do_nothing().returning(table.id))
        found = self.conn.execute(stmt).scalar()
        if found is None:  # another transaction created it meanwhile
            found = self.conn.execute(select(table.id).where(table.slug == slug)).scalar_one()
        return found

    def _ceremony_upsert(self):
        stmt = self.insert(FestivalCeremony).values({f: bindparam(f"c_{f}") for f in CEREMONY_FIELDS})
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

    def upsert_ceremony(self, **values: Any) -> int:
        """The ceremony's id, inserted or updated (ceremony_values' arguments)."""
        return self.conn.execute(self.built("ceremony_upsert", self._ceremony_upsert),
                                 ceremony_values(**values)).scalar_one()

    def write_ceremony(self, *, fingerprint: tuple[int, int, str] | None = None, **values: Any) -> CeremonyWrite:
        """upsert_ceremony, saying whether the ceremony was stored before and when it was last seen, and the
        page's fingerprint (list id, page, digest) saved with it."""
        if fingerprint:
            self.save_fingerprint(*fingerprint, values["now"])
        old = self.conn.execute(select(FestivalCeremony.last_seen_at).where(
            FestivalCeremony.organization_id == values["organization_id"], FestivalCeremony.year == values["year"],
            FestivalCeremony.instance == values["instance"])).first()
        ceremony_id = self.upsert_ceremony(**values)
        return CeremonyWrite(id=ceremony_id, existed=old is not None, previous_seen_at=old[0] if old else None)

    def upsert_categories(self, organization_id: int, pairs: Iterable[tuple[str, str]],
                          award_ids: dict[tuple[str, str], str | None] | None = None) -> dict[tuple[str, str], int]:
        """(award name, category name) → festival_categories.id: existing ones read, missing ones inserted (in
        key order, ON CONFLICT DO NOTHING); a stored category is only written to fill in its IMDb award id."""
        wanted = sorted(set(pairs))
        if not wanted:
            return {}
        award_ids = award_ids or {}
        table = FestivalCategory
        stmt = select(table.award_name, table.name, table.id, table.imdb_award_id).where(
            table.organization_id == organization_id)
        found: dict[tuple[str, str], int] = {}
        fill: list[dict[str, Any]] = []
        wanted_set = set(wanted)
        for a, c, i, award_id in self.select_in(stmt, table.name, sorted({c for _, c in wanted})):
            if (a, c) in wanted_set:
                found[(a, c)] = i
                if award_id is None and award_ids.get((a, c)):
                    fill.append({"b_id": i, "b_award": award_ids[(a, c)]})
        missing = [pair for pair in wanted if pair not in found]
        if missing:
            insert = self.upsert_on(table, "festival_categories", lambda ins: ins.on_conflict_do_nothing().returning(
                table.award_name, table.name, table.id))
            rows = [{"organization_id": organization_id, "award_name": a, "name": c,
                     "imdb_award_id": award_ids.get((a, c))} for a, c in missing]
            found.update({(a, c): i for a, c, i in self.conn.execute(insert, rows)})
            raced = set(missing) - set(found)
            if raced:
                found.update({(a, c): i for a, c, i, _ in self.select_in(stmt, table.name, sorted({c for _, c in raced}))
                              if (a, c) in raced})
        if fill:
            self.conn.execute(update(table).where(table.id == bindparam("b_id")).values(imdb_award_id=bindparam("b_award"))
                              .execution_options(synchronize_session=False), sorted(fill, key=lambda r: r["b_id"]))
        return found

    def keep_nomination_ids_unique(self, rows: list[dict[str, Any]]) -> None:
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
        moved = [row_id for row_id, nomination_id, category_id, key in self.select_in(stmt, table.imdb_nomination_id,
                                                                                     sorted(owner))
                 if owner[nomination_id] != (category_id, key)]
        if moved:
            self.conn.execute(update(table).where(table.id.in_(sorted(moved))).values(imdb_nomination_id=None))

    def upsert_nominations(self, rows: Iterable[dict[str, Any]], now: datetime) -> dict[tuple[int, str], int]:
        """Rows: NOMINATION_COLUMNS (one ceremony per call). Returns (category_id, nominee_key) → id."""
        ordered = nomination_rows(rows, now)
        if not ordered:
            return {}
        self.keep_nomination_ids_unique(ordered)
        return self._upsert_ordered_nominations(ordered, now)

    def _upsert_ordered_nominations(self, ordered: list[dict[str, Any]], now: datetime) -> dict[tuple[int, str], int]:
        stmt = self.upsert_on(FestivalNomination, "festival_nominations", lambda ins: ins.on_conflict_do_update(
            index_elements=[FestivalNomination.ceremony_id, FestivalNomination.category_id,
                            FestivalNomination.nominee_key],
            set_={column: getattr(ins.excluded, column) for column in
                  ("movie_id", "award_name", "won", "notes", "nominee_type", "imdb_nomination_id", "details",
                   "last_seen_at")},
        ).returning(FestivalNomination.category_id, FestivalNomination.nominee_key, FestivalNomination.id))
        return {(category_id, key): i for category_id, key, i in self.conn.execute(stmt, ordered)}

    def sync_nomination_people(self, links: list[tuple[int, int, str, int]], *, new_nominations: bool = False) -> int:
        """Make the people of these nominations exactly `links` (nomination id, person id, role, position):
        missing links inserted, gone ones deleted, moved ones get their new position. Returns the links kept.
        `new_nominations`: the nominations were all created by this transaction (no links to read)."""
        wanted = {(n, p, r): pos for n, p, r, pos in links}
        nominations = sorted({n for n, _, _, _ in links})
        if not nominations:
            return 0
        table = FestivalNominationPerson
        existing = {} if new_nominations else {(n, p, r): (i, pos) for i, n, p, r, pos in self.select_in(
            select(table.id, table.nomination_id, table.person_id, table.role, table.position),
            table.nomination_id, nominations)}
        gone = sorted(i for key, (i, _) in existing.items() if key not in wanted)
        for chunk in chunks(gone):
            self.conn.execute(delete(table).where(table.id.in_(chunk)))
        moved = [{"b_id": existing[k][0], "b_pos": pos} for k, pos in wanted.items()
                 if k in existing and existing[k][1] != pos]
        if moved:
            self.conn.execute(update(table).where(table.id == bindparam("b_id")).values(position=bindparam("b_pos"))
                              .execution_options(synchronize_session=False), sorted(moved, key=lambda r: r["b_id"]))
        new = [{"nomination_id": n, "person_id": p, "role": r, "position": pos}
               for (n, p, r), pos in sorted(wanted.items()) if (n, p, r) not in existing]
        if new:
            self.insert_links(new)
        return len(wanted)

    def insert_links(self, new: list[dict[str, Any]]) -> None:
        # RETURNING makes SQLAlchemy send the rows as multi-row VALUES (insertmanyvalues), not one by one
        stmt = self.upsert_on(FestivalNominationPerson, "festival_nomination_people",
                              lambda ins: ins.on_conflict_do_nothing().returning(FestivalNominationPerson.id))
        self.conn.execute(stmt, new).all()

    def write_edition_page(self, films: Iterable[dict[str, Any]], people: dict[str, str | None],
                           nominations: Iterable[dict[str, Any]], links: list[tuple[int, str, str, str, int]],
                           now: datetime, *, new_edition: bool, run_id: int | None = None,
                           changes: Sequence[dict[str, Any]] = ()) -> EditionIds:
        """An edition page's rows: films_and_people (with the page's change records), then its nominations (as
        upsert_nominations takes them, with the film's imdb id under "film" instead of movie_id) and their
        people (links: category id, nominee key, person imdb id, role, position), as sync_nomination_people.
        `new_edition`: stored for the first time (no nominations or links to compare with)."""
        rows = list(nominations)
        movie_ids, person_ids = self.films_and_people(film_rows(films).values(), people, now, run_id, changes)
        for row in rows:
            row["movie_id"] = movie_ids.get(row.get("film")) if row.get("film") else None
        ids = self.upsert_nominations(rows, now)
        self.sync_nomination_people([(ids[(c, k)], person_ids[p], r, pos) for c, k, p, r, pos in links
                                     if p in person_ids], new_nominations=new_edition)
        return EditionIds(movie_ids, person_ids, ids)
