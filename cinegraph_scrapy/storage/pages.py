"""The unit of work of storage: one page in, written in the caller's transaction, a PageResult out.

`PageWriter.write_page(conn, target, page, run_id=…)` decides what the page's transaction does — a touch of
`last_seen_at` when the page says exactly what its last write stored (its fingerprint), else the whole write:
list pages → movies + canonical_sources, edition pages → organization → ceremony → categories → films and
people → nominations → their people — with the drift guard before anything is written (SuspectPage rolls the
page back). It owns the caches that outlive a page (organization and category ids, stored fingerprints) and
is safe to share between writer threads. It knows nothing of threads, retries or run accounting: the
storage pipeline owns those."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from cinegraph_scrapy.db import changes as diff
from cinegraph_scrapy.db.writes import GenericWrites, writes_for
from cinegraph_scrapy.drift import SuspectPage, edition_drift, list_drift, page_figures, stored_figures
from cinegraph_scrapy.items import PageItem
from cinegraph_scrapy.storage import rows


@dataclass
class PageResult:
    """What one page's transaction stored."""
    movie_ids: set[int] = field(default_factory=set)
    changes: list[str] = field(default_factory=list)  # "added", "gone", "changed" per change record
    nominations: int | None = None  # edition pages only
    people: int = 0
    tmdb: int = 0
    unchanged: bool = False  # only last_seen_at was written
    # ids the writer caches for later pages, once the transaction has committed (a rolled-back insert's id is
    # no id at all)
    organizations: dict[str, int] = field(default_factory=dict, repr=False)
    categories: dict[tuple[int, str, str], int] = field(default_factory=dict, repr=False)


def organization_slug(target) -> str:
    return target.organization or target.source_key.rsplit("_", 1)[0]


class PageWriter:
    def __init__(self, *, drift_min_share: float, full_write: bool = False, accept_drift: bool = False):
        self.drift_min_share = drift_min_share
        self.full_write = full_write  # write every page even when its content is unchanged
        self.accept_drift = accept_drift  # write a page the drift guard does not believe
        self._org_ids: dict[str, int] = {}
        self._category_ids: dict[tuple[int, str, str], int] = {}
        # Stored page fingerprints of the crawl's configs, read once for all of them: a page whose
        # fingerprint differs (or that has none: a first import) is written without trying the touch.
        self._fingerprints: dict[tuple[int, int], str] = {}
        self._fingerprints_read: set[int] = set()
        self._configs: set[int] = set()
        self._lock = threading.Lock()

    def expect(self, list_ids, options=None) -> None:
        """Configurations this crawl imports (their stored fingerprints are read together, once), and what the
        operator asked of them (signals.ImportOptions: `-a full=1`, `-a accept=1`)."""
        with self._lock:
            self._configs.update(list_ids)
            if options is not None:
                self.full_write, self.accept_drift = options.full_write, options.accept_drift

    def write_page(self, conn: Connection, target, page: PageItem, *, run_id: int | None, now: datetime,
                   fingerprint: str | None = None) -> PageResult:
        """The page's one transaction (the caller begins and commits it): a touch when its content is
        unchanged, else the whole write. Raises SuspectPage when the drift guard does not believe it."""
        writes = writes_for(conn)
        if fingerprint and not self.full_write and self._stored_fingerprint(writes, target, page.page) == fingerprint:
            result = self._touch_page(writes, target, page, fingerprint, now)  # last_seen_at only
            if result is not None:
                return result
        # the fingerprint first: rows nobody else writes go before the shared ones (see db/writes.py)
        saved = (target.list_id, page.page, fingerprint) if fingerprint else None
        if target.is_event:
            return self._write_edition_page(writes, target, page, run_id, now, saved)
        if saved:
            writes.save_fingerprint(*saved, now)
        return self._write_list_page(writes, target, page, run_id, now)

    def committed(self, target, page: int, fingerprint: str | None, result: PageResult) -> None:
        """The page's transaction committed: its fingerprint is the stored one now, its ids are real."""
        with self._lock:
            if fingerprint:
                self._fingerprints[(target.list_id, page)] = fingerprint
            self._org_ids.update(result.organizations)
            self._category_ids.update(result.categories)

    def _stored_fingerprint(self, writes: GenericWrites, target, page: int) -> str | None:
        if target.list_id not in self._fingerprints_read:
            with self._lock:
                wanted = {target.list_id, *self._configs} - self._fingerprints_read
            found = writes.stored_fingerprints(sorted(wanted))
            with self._lock:
                for key, value in found.items():
                    self._fingerprints.setdefault(key, value)
                self._fingerprints_read.update(wanted)
        return self._fingerprints.get((target.list_id, page))

    def _touch_page(self, writes: GenericWrites, target, page: PageItem, fingerprint: str,
                    now: datetime) -> PageResult | None:
        """The page says exactly what its last write stored: mark its rows seen, write nothing else. None
        when its stored fingerprint differs or its stored rows are not there any more."""
        if target.is_event:
            movie_ids = writes.touch_unchanged_edition(target.list_id, page.page, fingerprint,
                                                       organization_slug(target), target.year, target.instance, now)
        else:
            movie_ids = writes.touch_unchanged_list_page(target.list_id, page.page, fingerprint,
                                                         [i.imdb_id for i in page.rows], now)
        if movie_ids is None:
            return None
        nominations = len({(i.award_name, i.category, i.nominee_key) for i in page.rows}) if target.is_event else None
        return PageResult(movie_ids=set(movie_ids), unchanged=True, nominations=nominations)

    def _write_list_page(self, writes: GenericWrites, target, page: PageItem, run_id: int | None,
                         now: datetime) -> PageResult:
        items = page.rows
        if page.page == 1 and not self.accept_drift:
            announced = page.info.get("total")
            reason = list_drift(announced if isinstance(announced, int) else len(items),
                                diff.stored_list_entries(writes.conn, target.list_id), min_share=self.drift_min_share)
            if reason:
                raise SuspectPage(reason)
        movie_ids = writes.upsert_movies(rows.films(items), now)
        tmdb = writes.store_tmdb(rows.tmdb_rows(items))
        entries = {movie_ids[i.imdb_id]: {"imdb_id": i.imdb_id, "position": i.position, "notes": i.notes} for i in items}
        changes = diff.list_changes(writes.conn, target.list_id, entries)
        writes.insert_changes(run_id, changes)
        if target.metadata.get("name_from_page") and page.info.get("name"):
            writes.rename_config(target.list_id, page.info["name"])
        writes.upsert_canonical_sources(target.list_id, rows.list_entries(items, movie_ids), now)
        return PageResult(movie_ids=set(movie_ids.values()), tmdb=tmdb, changes=[c["change"] for c in changes])

    def _organization(self, writes: GenericWrites, target, page: PageItem) -> int:
        slug = organization_slug(target)
        with self._lock:
            org_id = self._org_ids.get(slug)
        if org_id is None:
            meta = target.metadata
            org_id = writes.ensure_organization(
                slug=slug, name=meta.get("organization_name") or page.info.get("event_name") or target.name,
                abbreviation=meta.get("abbreviation"), event_id=target.source_id)
        return org_id

    def _categories(self, writes: GenericWrites, org_id: int, items) -> dict[tuple[str, str], int]:
        award_ids = {(i.award_name, i.category): i.award_id for i in items}
        with self._lock:
            known = {pair: self._category_ids[(org_id, *pair)] for pair in award_ids
                     if (org_id, *pair) in self._category_ids}
        missing = [pair for pair in award_ids if pair not in known]
        return {**known, **(writes.upsert_categories(org_id, missing, award_ids) if missing else {})}

    def _write_edition_page(self, writes: GenericWrites, target, page: PageItem, run_id: int | None,
                            now: datetime, fingerprint: tuple[int, int, str] | None) -> PageResult:
        info, items = page.info, page.rows
        org_id = self._organization(writes, target, page)
        ceremony = writes.write_ceremony(
            organization_id=org_id, list_id=target.list_id, year=target.year, instance=target.instance,
            name=info.get("event_name") or target.name, source_url=target.url, edition_id=info.get("edition_id"),
            date=info.get("date"), location=info.get("location"), now=now, fingerprint=fingerprint)
        # what the edition held before this page (nothing to read for an edition stored for the first time)
        snapshot = diff.ceremony_snapshot(writes.conn, ceremony.id, ceremony.previous_seen_at) if ceremony.existed \
            else diff.EventSnapshot()
        if snapshot.nominations and not self.accept_drift:
            self._check_drift(target, snapshot, items, now)
        categories = self._categories(writes, org_id, items)
        # What changed is known from the snapshot and the page alone: recorded with the shared rows (films,
        # people), because a film this transaction inserts holds back every other page inserting it until
        # this one commits, so the fewer statements from there to the commit, the better.
        changes = diff.event_changes(snapshot, rows.page_nominations(items, categories))
        ids = writes.write_edition_page(
            rows.films(items), rows.people(items), rows.nomination_rows(items, categories, ceremony.id),
            rows.links(items, categories), now, new_edition=not snapshot.nominations, run_id=run_id, changes=changes)
        tmdb = writes.store_tmdb(rows.tmdb_rows(items))
        writes.store_people_tmdb({k: v for k, v in rows.people_tmdb(items).items() if k in ids.people}, now)
        return PageResult(movie_ids=set(ids.movies.values()), changes=[c["change"] for c in changes],
                          nominations=len(ids.nominations), people=len(ids.people), tmdb=tmdb,
                          organizations={organization_slug(target): org_id},
                          categories={(org_id, a, c): i for (a, c), i in categories.items()})

    def _check_drift(self, target, snapshot, items, now: datetime) -> None:
        """SuspectPage when this edition's page is far smaller than what is stored (drift.py)."""
        reason = edition_drift(page_figures(items), stored_figures(snapshot), min_share=self.drift_min_share,
                               past_edition=(target.year or 0) < now.year)
        if reason:
            raise SuspectPage(reason)
