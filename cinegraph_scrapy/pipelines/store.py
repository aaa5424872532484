"""Routing and storage: each PageItem (a page's rows, after validation, deduplication and TMDb) is written in
one transaction by storage.pages.PageWriter, on a database writer thread (the reactor keeps crawling
meanwhile): DB_WRITERS threads on PostgreSQL, one on SQLite (a single-writer database).

A page transaction that fails with a deadlock, a serialization failure or a lost connection is retried whole
on a fresh connection (DB_PAGE_RETRIES times, with backoff) before the page counts as failed. What happened
to each page is sent as a signal (signals.py) from the reactor thread once its write is over; the import
extension keeps the accounting. This pipeline owns the writer threads, their connections and the PageWriter.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from scrapy import signals

from cinegraph_scrapy import signals as project
from cinegraph_scrapy.db.engine import crawl_engine, writer_threads
from cinegraph_scrapy.db.retry import retryable
from cinegraph_scrapy.db.writes import writes_for
from cinegraph_scrapy.drift import SuspectPage
from cinegraph_scrapy.items import PageItem
from cinegraph_scrapy.pipelines import drop_row
from cinegraph_scrapy.redaction import error_line, redact
from cinegraph_scrapy.runs import utcnow
from cinegraph_scrapy.storage import rows
from cinegraph_scrapy.storage.fingerprints import page_fingerprint
from cinegraph_scrapy.storage.pages import PageResult, PageWriter

logger = logging.getLogger(__name__)


@dataclass
class PageOutcome:
    """What became of one page's write (built on a writer thread, sent as signals on the reactor's)."""
    result: PageResult | None = None
    error: str | None = None
    suspect: str | None = None
    retries: list[str] = field(default_factory=list)  # the kind of each retried failure


class StoragePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.writers = max(1, settings.getint("DB_WRITERS"))
        self.page_retries = max(0, settings.getint("DB_PAGE_RETRIES"))
        self.retry_backoff = settings.getfloat("DB_RETRY_BACKOFF")
        self.writer = PageWriter(drift_min_share=settings.getfloat("DRIFT_MIN_SHARE"))
        self.imports: dict[str, project.StartedImport] = {}  # the imports whose pages this crawl stores
        self.lock_lost: dict[str, str] = {}  # imports whose key another crawl holds now: nothing more is stored
        self.suspect: set[str] = set()  # imports with a page the drift guard did not believe: none of it is written
        self.executor: ThreadPoolExecutor | None = None
        self.pending: set[asyncio.Future] = set()
        # Each writer thread keeps its connection from page to page (no pool check-out and ping per page); one
        # that failed is dropped and the retry connects afresh.
        self._local = threading.local()
        self._connections: list = []
        self._lock = threading.Lock()
        connect = crawler.signals.connect
        connect(self.item_dropped, signal=signals.item_dropped)
        connect(self.item_error, signal=signals.item_error)
        connect(self.imports_started, signal=project.imports_started)
        connect(self.import_lock_lost, signal=project.import_lock_lost)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def imports_started(self, imports, options):
        self.imports.update(imports)
        self.writer.expect((i.target.list_id for i in imports.values()), options)

    def import_lock_lost(self, key, reason):
        self.lock_lost[key] = reason

    def open_spider(self):
        writers = writer_threads(crawl_engine(self.crawler.settings), self.writers)
        self.executor = ThreadPoolExecutor(max_workers=writers, thread_name_prefix="cinegraph-db")

    async def process_item(self, item):
        if isinstance(item, PageItem) and item.rows:
            await self._write(item)
        return item

    async def item_dropped(self, item, response, exception, spider):
        if isinstance(item, PageItem):  # a stage (one of your own) dropped the whole page
            drop_row(self.crawler, item.source_key, type(exception).__name__, count=len(item.rows), logged=True)

    async def item_error(self, item, response, spider, failure):
        """An earlier stage raised on the page: its rows are not stored, and the run says why."""
        if not isinstance(item, PageItem):
            return
        self._send(project.page_not_stored, item, error=f"page {item.page} not stored: {error_line(failure.value)}")
        self.stats.inc_value("cinegraph/store_errors")
        drop_row(self.crawler, item.source_key, f"error_{failure.type.__name__}", count=len(item.rows), logged=True)

    async def close_spider(self):
        if self.pending:
            await asyncio.gather(*self.pending, return_exceptions=True)
        if self.executor is not None:
            self.executor.shutdown(wait=True)
        self._close_connections()

    async def _write(self, item: PageItem) -> None:
        started = self.imports.get(item.source_key)  # None: not an import (tmdb_backfill)
        future = asyncio.get_running_loop().run_in_executor(self.executor, self._write_page, started, item)
        self.pending.add(future)
        try:
            outcome = await future
        finally:
            self.pending.discard(future)
        self._report(item, outcome)

    def _send(self, signal, item: PageItem, **kwargs) -> None:
        self.crawler.signals.send_catch_log(signal=signal, key=item.source_key, page=item.page, **kwargs)

    def _report(self, item: PageItem, outcome: PageOutcome | None) -> None:
        """On the reactor thread: what became of the page, as signals and stats."""
        if outcome is None:
            return
        for kind in outcome.retries:
            self.stats.inc_value("cinegraph/page_write_retries")
            self.stats.inc_value(f"cinegraph/page_write_retries/{kind}")
            self.crawler.signals.send_catch_log(signal=project.page_write_retried, key=item.source_key, kind=kind)
        if outcome.suspect:
            self.suspect.add(item.source_key)
            self.stats.inc_value("cinegraph/suspect_pages")
            self._send(project.page_suspect, item, reason=outcome.suspect)
        elif outcome.error:
            self.stats.inc_value("cinegraph/store_errors")
            self._send(project.page_not_stored, item, error=outcome.error)
        elif outcome.result is not None:
            result = outcome.result
            self.stats.inc_value("cinegraph/items_stored", len(item.rows))
            self.stats.inc_value("cinegraph/films_stored", len(result.movie_ids))
            if result.unchanged:
                self.stats.inc_value("cinegraph/pages_unchanged")
            if result.nominations is not None:
                self.stats.inc_value("cinegraph/nominations_stored", result.nominations)
            if result.tmdb:
                self.stats.inc_value("tmdb/stored", result.tmdb)
            self._send(project.page_stored, item, rows=len(item.rows), result=result)

    # ------------------------------------------------------------ writing (database thread)

    def _write_page(self, started: project.StartedImport | None, item: PageItem) -> PageOutcome | None:
        engine = crawl_engine(self.crawler.settings)
        if started is None:
            self._write_tmdb_only(engine, item)
            return None
        target, outcome, now = started.target, PageOutcome(), utcnow()
        if target.source_key in self.lock_lost:
            outcome.error = f"page {item.page} not stored: {self.lock_lost[target.source_key]}"
            return outcome
        if target.source_key in self.suspect:  # an earlier page of this import was not believed
            return None
        fingerprint = page_fingerprint(target, item)
        while True:
            try:
                conn = self._connection(engine)
                with conn.begin():
                    result = self.writer.write_page(conn, target, item, run_id=started.run_id, now=now,
                                                    fingerprint=fingerprint)
                self.writer.committed(target, item.page, fingerprint, result)
                outcome.result = result
                return outcome
            except SuspectPage as exc:  # rolled back: the drift guard does not believe this page
                outcome.suspect = str(exc)
                logger.error("%s: page %s %s", target.source_key, item.page, exc)
                return outcome
            except Exception as exc:  # the page is rolled back as a whole; the crawl goes on
                self._drop_connection()
                kind = retryable(exc)
                if kind and len(outcome.retries) < self.page_retries:
                    outcome.retries.append(kind)
                    attempt = len(outcome.retries)
                    logger.warning("%s: page %s hit a %s; retrying (%d/%d)", target.source_key, item.page, kind,
                                   attempt, self.page_retries)
                    time.sleep(self.retry_backoff * (2 ** (attempt - 1)) * (0.5 + random.random()))
                    continue
                detail = str(exc).splitlines()[0] if str(exc) else ""
                attempts = len(outcome.retries)
                outcome.error = redact(f"storing page {item.page} failed: {type(exc).__name__}: {detail}"
                                       + (f" (after {attempts} retries)" if attempts else ""))
                logger.error("%s: %s", target.source_key, outcome.error)
                return outcome

    def _write_tmdb_only(self, engine, item: PageItem) -> None:
        try:
            with engine.begin() as conn:
                stored = writes_for(conn).store_tmdb(rows.tmdb_rows(item.rows))
        except Exception as exc:
            self.stats.inc_value("cinegraph/store_errors")
            logger.error("storing TMDb results failed: %s", error_line(exc))
            return
        self.stats.inc_value("tmdb/stored", stored)

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


__all__ = ["StoragePipeline"]
