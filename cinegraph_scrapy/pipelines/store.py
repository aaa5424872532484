"""Routing and storage: list entries → movies + canonical_sources; nominations → festival tables.

Each PageItem (a page's rows, after validation, deduplication and TMDb) is written in one transaction on
a database writer thread (the reactor keeps crawling meanwhile): DB_WRITERS threads on PostgreSQL, one
on SQLite (a single-writer database). Rows are locked in one global order (see db/repository.py); a page
transaction that still fails with a deadlock, a serialization failure or a lost connection is retried
whole on a fresh connection (DB_PAGE_RETRIES times, with backoff) before the page counts as failed. Organization and category ids are cached.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from scrapy import signals

from cinegraph_scrapy.db import changes as diff
from cinegraph_scrapy.db import repository as repo
from cinegraph_scrapy.db.retry import retryable
from cinegraph_scrapy.items import NominationItem, PageItem
from cinegraph_scrapy.pipelines import drop_row
from cinegraph_scrapy.pipelines import rows
from cinegraph_scrapy.pipelines.fingerprints import page_fingerprint
from cinegraph_scrapy.drift import SuspectPage, edition_drift, list_drift, page_figures, stored_figures
from cinegraph_scrapy.runs import RunLedger, utcnow
from cinegraph_scrapy.redaction import error_line, redact

logger = logging.getLogger(__name__)

class StoragePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.writers = max(1, crawler.settings.getint("DB_WRITERS"))
        self.page_retries = max(0, crawler.settings.getint("DB_PAGE_RETRIES"))
        self.retry_backoff = crawler.settings.getfloat("DB_RETRY_BACKOFF")
        self.full_write = False  # `-a full=1`: write every page even when its content is unchanged
        self.accept_drift = False  # `-a accept=1`: write a page the drift guard does not believe
        self.drift_min_share = crawler.settings.getfloat("DRIFT_MIN_SHARE")
        self.executor: ThreadPoolExecutor | None = None
        self.pending: set[asyncio.Future] = set()
        self.org_ids: dict[str, int] = {}
        self.category_ids: dict[tuple[int, str, str], int] = {}
        # Each writer thread keeps its connection from page to page (no pool check-out and ping per
        # page); one that failed is dropped and the retry connects afresh.
        self._local = threading.local()
        self._connections: list = []
        # Stored page fingerprints of the crawl's configs, read once for all of them: a page whose
        # fingerprint differs (or that has none: a first import) is written without trying the touch.
        self._fingerprints: dict[tuple[int, int], str] = {}
        self._fingerprints_read: set[int] = set()
        self._lock = threading.Lock()
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.item_error, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def spider(self):
        return self.crawler.spider

    def open_spider(self):
        self.full_write = bool(getattr(self.spider, "full_write", False))
        self.accept_drift = bool(getattr(self.spider, "accept_drift", False))
        engine = getattr(self.spider, "engine_db", None)
        writers = self.writers if engine is not None and engine.dialect.name == "postgresql" else 1
        self.executor = ThreadPoolExecutor(max_workers=writers, thread_name_prefix="cinegraph-db")

    # ------------------------------------------------------------ pages

    async def process_item(self, item):
        if isinstance(item, PageItem):
            await self._write(item)
        return item

    async def item_dropped(self, item, response, exception, spider):
        if isinstance(item, PageItem):  # a stage (one of your own) dropped the whole page
            drop_row(self.crawler, item.source_key, type(exception).__name__, count=len(item.rows), logged=True)

    async def item_error(self, item, response, spider, failure):
        """An earlier stage raised on the page: its rows are not stored, and the run says why."""
        if not isinstance(item, PageItem):
            return
        ledger = getattr(self.spider, "ledgers", {}).get(item.source_key)
        if ledger is not None:
            ledger.store_errors.append(f"page {item.page} not stored: {error_line(failure.value)}")
        self.stats.inc_value("cinegraph/store_errors")
        drop_row(self.crawler, item.source_key, f"error_{failure.type.__name__}", count=len(item.rows), logged=True)

    async def close_spider(self):
        if self.pending:
            await asyncio.gather(*self.pending, return_exceptions=True)
        if self.executor is not None:
            self.executor.shutdown(wait=True)
        self._close_connections()

    async def _write(self, item: PageItem) -> None:
        ledger = self.spider.ledgers.get(item.source_key)  # None: not an import (tmdb_backfill)
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.executor, self._write_page, ledger, item)
        self.pending.add(future)
        try:
            await future
        finally:
            self.pending.discard(future)

    # ------------------------------------------------------------ writing (database thread)

    def _write_page(self, ledger: RunLedger | None, page_item: PageItem) -> None:
        page = page_item.page
        if not page_item.rows:
            return
        engine = self.spider.engine_db
        now = utcnow()
        if ledger is None:
            self._write_tmdb_only(engine, page_item)
            return
        target = ledger.target
        if ledger.lock_lost:
            ledger.store_errors.append(f"page {page} not stored: {ledger.lock_lost}")
            return
        if ledger.suspect:  # an earlier page of this import was not believed: none of it is written
            return
        fingerprint = page_fingerprint(target, page_item)
        attempt = 0
        while True:
            try:
                conn = self._connection(engine)
                with conn.begin():
                    result = self._transaction(conn, ledger, page_item, fingerprint, now)
                    self._before_commit(conn, ledger, page)
                break
            except SuspectPage as exc:  # rolled back: the drift guard does not believe this page
                ledger.suspect = str(exc)
                self.stats.inc_value("cinegraph/suspect_pages")
                logger.error("%s: page %s %s", target.source_key, page, exc)
                return
            except Exception as exc:  # the page is rolled back as a whole; the crawl goes on
                self._drop_connection()
                kind = retryable(exc)
                if kind and attempt < self.page_retries:
                    attempt += 1
                    ledger.page_retries += 1
                    self.stats.inc_value("cinegraph/page_write_retries")
                    self.stats.inc_value(f"cinegraph/page_write_retries/{kind}")
                    logger.warning("%s: page %s hit a %s; retrying (%d/%d)", target.source_key, page, kind,
                                   attempt, self.page_retries)
                    time.sleep(self.retry_backoff * (2 ** (attempt - 1)) * (0.5 + random.random()))
                    continue
                detail = str(exc).splitlines()[0] if str(exc) else ""
                message = redact(f"storing page {page} failed: {type(exc).__name__}: {detail}"
                                 + (f" (after {attempt} retries)" if attempt else ""))
                ledger.store_errors.append(message)
                self.stats.inc_value("cinegraph/store_errors")
                logger.error("%s: %s", target.source_key, message)
                return
        if fingerprint:
            self._fingerprints[(target.list_id, page)] = fingerprint
        self._after_commit(ledger, page_item, result)

    def _transaction(self, conn, ledger: RunLedger, page_item: PageItem, fingerprint: str | None, now):
        """The page's one transaction: a touch when its content is unchanged, else the whole write."""
        target, page = ledger.target, page_item.page
        if fingerprint and not self.full_write and self._stored_fingerprint(conn, target, page) == fingerprint:
            result = self._touch_page(conn, ledger, page, page_item, fingerprint, now)  # last_seen_at only
            if result is not None:
                return result
        # the fingerprint first: rows nobody else writes go before the shared ones (see below)
        saved = (target.list_id, page, fingerprint) if fingerprint else None
        if target.is_event:
            return self._write_event_page(conn, ledger, page_item, now, saved)
        if saved:
            repo.save_fingerprint(conn, *saved, now)
        return self._write_list_page(conn, ledger, page_item, now)

    def _connection(self, engine):
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.invalidated or conn.engine is not engine:
            conn = engine.connect()
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _drop_connection(self) -> None:
        conn, self._local.conn = getattr(self._local, "conn", None), None
        if conn is not None:
            with self._lock:
                self._connections = [c for c in self._connections if c is not conn]
            try:
                conn.close()
            except Exception:  # a broken connection: the pool discards it
                pass

    def _close_connections(self) -> None:
        with self._lock:
            held, self._connections = self._connections, []
        for conn in held:
            try:
                conn.close()
            except Exception:
                pass

    def _stored_fingerprint(self, conn, target, page: int) -> str | None:
        """The page's stored fingerprint, from one read of every known config's fingerprints."""
        if target.list_id not in self._fingerprints_read:
            ledgers = list(getattr(self.spider, "ledgers", {}).values())
            wanted = {target.list_id, *(l.target.list_id for l in ledgers)} - self._fingerprints_read
            found = repo.stored_fingerprints(conn, sorted(wanted))
            with self._lock:
                for key, value in found.items():
                    self._fingerprints.setdefault(key, value)
                self._fingerprints_read.update(wanted)
        return self._fingerprints.get((target.list_id, page))

    def _touch_page(self, conn, ledger: RunLedger, page: int, page_item: PageItem, fingerprint: str,
                    now) -> dict[str, Any] | None:
        """The page says exactly what its last write stored: mark its rows seen, write nothing else.
        None when its stored fingerprint differs or its stored rows are not there any more (then the page
        is written as usual)."""
        target = ledger.target
        if target.is_event:
            movie_ids = repo.touch_unchanged_edition(conn, target.list_id, page, fingerprint, self._slug(target),
                                                     target.year, target.instance, now)
        else:
            movie_ids = repo.touch_unchanged_list_page(conn, target.list_id, page, fingerprint,
                                                       [i.imdb_id for i in page_item.rows], now)
        if movie_ids is None:
            return None
        self.stats.inc_value("cinegraph/pages_unchanged")
        result: dict[str, Any] = {"movie_ids": set(movie_ids), "unchanged": True, "changes": []}
        if target.is_event:
            result.update(nominations=len({(i.award_name, i.category, i.nominee_key) for i in page_item.rows}),
                          org={}, categories={})
        return result

    @staticmethod
    def _slug(target) -> str:
        return target.organization or target.source_key.rsplit("_", 1)[0]

    def _write_tmdb_only(self, engine, page_item: PageItem) -> None:
        try:
            with engine.begin() as conn:
                stored = repo.store_tmdb(conn, rows.tmdb_rows(page_item.rows))
        except Exception as exc:
            self.stats.inc_value("cinegraph/store_errors")
            logger.error("storing TMDb results failed: %s", error_line(exc))
            return
        self.stats.inc_value("tmdb/stored", stored)

    def _before_commit(self, conn, ledger: RunLedger, page: int) -> None:
        """Hook for tests that need to break a page mid-transaction."""

    def _after_commit(self, ledger: RunLedger, page_item: PageItem, result: dict[str, Any]) -> None:
        ledger.items_stored += len(page_item.rows)
        ledger.changes.update(result.get("changes", []))
        if result.get("unchanged"):
            ledger.pages_unchanged += 1
        ledger.movie_ids.update(result["movie_ids"])
        self.stats.inc_value("cinegraph/items_stored", len(page_item.rows))
        self.stats.inc_value("cinegraph/films_stored", len(result["movie_ids"]))
        if "nominations" in result:
            ledger.nominations_stored += result["nominations"]
            self.stats.inc_value("cinegraph/nominations_stored", result["nominations"])
            self.org_ids.update(result["org"])
            self.category_ids.update(result["categories"])
        if result.get("tmdb"):
            self.stats.inc_value("tmdb/stored", result["tmdb"])

    def _write_list_page(self, conn, ledger: RunLedger, page_item: PageItem, now) -> dict[str, Any]:
        items = page_item.rows
        if page_item.page == 1 and not self.accept_drift:
            announced = page_item.info.get("total")
            reason = list_drift(announced if isinstance(announced, int) else len(items),
                                diff.stored_list_entries(conn, ledger.target.list_id), min_share=self.drift_min_share)
            if reason:
                raise SuspectPage(reason)
        movie_ids = repo.upsert_movies(conn, rows.films(items), now)
        tmdb = repo.store_tmdb(conn, rows.tmdb_rows(items))
        page = {movie_ids[i.imdb_id]: {"imdb_id": i.imdb_id, "position": i.position, "notes": i.notes} for i in items}
        changes = diff.list_changes(conn, ledger.target.list_id, page)
        repo.insert_changes(conn, ledger.run_id, changes)
        if ledger.target.metadata.get("name_from_page") and page_item.info.get("name"):
            repo.rename_config(conn, ledger.target.list_id, page_item.info["name"])
        repo.upsert_canonical_sources(
            conn,
            ledger.target.list_id,
            [
                {
                    "movie_id": movie_ids[i.imdb_id],
                    "position": i.position,
                    "notes": i.notes,
                    "award_name": i.award_name,
                    "award_year": i.award_year,
                    "award_won": i.award_won,
                }
                for i in items
            ],
            now,
        )
        return {"movie_ids": set(movie_ids.values()), "tmdb": tmdb, "changes": [c["change"] for c in changes]}

    def _write_event_page(self, conn, ledger: RunLedger, page_item: PageItem, now,
                          fingerprint: tuple[int, int, str] | None = None) -> dict[str, Any]:
        target = ledger.target
        meta = target.metadata
        slug = self._slug(target)
        org_id = self.org_ids.get(slug)
        if org_id is None:
            org_id = repo.ensure_organization(
                conn,
                slug=slug,
                name=meta.get("organization_name") or page_item.info.get("event_name") or target.name,
                abbreviation=meta.get("abbreviation"),
                event_id=target.source_id,
            )
        ceremony = repo.write_ceremony(
            conn,
            organization_id=org_id,
            list_id=target.list_id,
            year=target.year,
            instance=target.instance,
            name=page_item.info.get("event_name") or target.name,
            source_url=target.url,
            edition_id=page_item.info.get("edition_id"),
            date=page_item.info.get("date"),
            location=page_item.info.get("location"),
            now=now,
            fingerprint=fingerprint,
        )
        ceremony_id = ceremony.id
        # what the edition held before this page (nothing to read for an edition stored for the first time)
        snapshot = diff.ceremony_snapshot(conn, ceremony.id, ceremony.previous_seen_at) if ceremony.existed \
            else diff.EventSnapshot()
        items: list[NominationItem] = page_item.rows
        if snapshot.nominations and not self.accept_drift:
            self._check_drift(target, snapshot, items)
        award_ids = {(i.award_name, i.category): i.award_id for i in items}
        categories = {pair: self.category_ids[(org_id, *pair)] for pair in award_ids if (org_id, *pair) in self.category_ids}
        missing = [pair for pair in award_ids if pair not in categories]
        if missing:
            categories.update(repo.upsert_categories(conn, org_id, missing, award_ids))
        # What changed is known from the snapshot and the page alone: recorded with the shared rows (films,
        # people), because a film this transaction inserts holds back every other page inserting it until
        # this one commits, so the fewer statements from there to the commit, the better.
        changes = diff.event_changes(snapshot, rows.page_nominations(items, categories))
        movie_ids, person_ids, nomination_ids = repo.write_edition_page(
            conn, rows.films(items), rows.people(items), rows.nomination_rows(items, categories, ceremony_id),
            rows.links(items, categories), now, new_edition=not snapshot.nominations, run_id=ledger.run_id,
            changes=changes)
        tmdb = repo.store_tmdb(conn, rows.tmdb_rows(items))
        repo.store_people_tmdb(conn, {k: v for k, v in rows.people_tmdb(items).items() if k in person_ids}, now)
        return {
            "changes": [c["change"] for c in changes],
            "movie_ids": set(movie_ids.values()),
            "people": len(person_ids),
            "nominations": len(nomination_ids),
            "tmdb": tmdb,
            "org": {slug: org_id},
            "categories": {(org_id, a, c): i for (a, c), i in categories.items()},
        }

    def _check_drift(self, target, snapshot, items: list[NominationItem]) -> None:
        """SuspectPage when this edition's page is far smaller than what is stored (drift.py)."""
        reason = edition_drift(page_figures(items), stored_figures(snapshot), min_share=self.drift_min_share,
                               past_edition=(target.year or 0) < utcnow().year)
        if reason:
            raise SuspectPage(reason)


__all__ = ["StoragePipeline"]
