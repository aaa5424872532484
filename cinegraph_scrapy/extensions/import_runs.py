"""Import tracking: locks each key, opens an `import_runs` row per configuration, keeps heartbeats,
closes the rows with their final status, updates `movie_lists.last_*`, and ends the log with a summary."""

from __future__ import annotations

import logging
from datetime import timedelta

from scrapy import signals
from scrapy.utils.asyncio import AsyncioLoopingCall

from cinegraph_scrapy import runs
from cinegraph_scrapy.locks import KeyLocks
from cinegraph_scrapy.db.retry import with_retries
from cinegraph_scrapy.redaction import install_log_redaction, redact
from cinegraph_scrapy.signals import imports_added

logger = logging.getLogger(__name__)

_STATUS_RANK = {"success": 0, "announced": 0, "partial": 1, "suspect": 2, "failed": 3, "skipped": 4}
_STATS_PREFIXES = ("cinegraph/", "tmdb/", "retry/", "downloader/response_status_count/", "item_dropped", "waf/",
                   "finish_reason", "elapsed_time_seconds", "log_count/ERROR", "log_count/WARNING")


def _keys(keys) -> str:
    """`venice_2024`, or `venice_1990 … venice_2024 (35 imports)` for many."""
    keys = list(keys)
    return keys[0] if len(keys) == 1 else f"{keys[0]} … {keys[-1]} ({len(keys)} imports)" if len(keys) > 3 else ", ".join(keys)


def fetch_summary(ledger) -> str:
    """`via api 1 page (412 kB in 2 API requests)`: which path served the pages and what each path cost."""
    served = ", ".join(f"{path} {n}" for path, n in sorted(ledger.served_by.items())) or "nothing"
    cost = ", ".join(f"{path} {size / 1024:.0f} kB" for path, size in sorted(ledger.bytes_fetched.items()))
    return f"served by {served} ({cost}; API requests {ledger.graphql_requests})"


class ImportRunsExtension:
    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.heartbeat_every = settings.getfloat("IMPORT_HEARTBEAT_SECONDS")
        self.stale_after = timedelta(seconds=settings.getfloat("IMPORT_LOCK_STALE_SECONDS"))
        self.locks: KeyLocks | None = None
        self.loop: AsyncioLoopingCall | None = None
        self.summary_lines: list[str] = []
        self.statuses: dict[str, str] = {}  # key → final status, for the IMPORT STATUS line
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(self.imports_added, signal=imports_added)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @staticmethod
    def _tracked(spider) -> bool:
        from cinegraph_scrapy.spiders.base import BaseImportSpider

        return isinstance(spider, BaseImportSpider)

    def spider_opened(self, spider):
        install_log_redaction()  # Scrapy installs its root log handler after extensions are built
        if not self._tracked(spider):
            return
        self.locks = KeyLocks(spider.engine_db, self.stale_after)
        self._begin(spider, spider.ledgers)
        if spider.ledgers and all(ledger.skipped for ledger in spider.ledgers.values()):
            self.crawler.stats.set_value("cinegraph/refused", "already_running")
        self.loop = AsyncioLoopingCall(self._heartbeat, spider)
        self.loop.start(self.heartbeat_every, now=False)

    def imports_added(self, spider, ledgers):
        if self.locks is not None:
            self._begin(spider, ledgers)

    def _begin(self, spider, ledgers) -> None:
        """Lock the keys, mark runs left by dead processes interrupted, open a `running` row per ledger."""
        engine = spider.engine_db
        refused = with_retries(lambda: self.locks.acquire_many(list(ledgers)), what="taking the import locks")
        for key, reason in refused.items():
            ledgers[key].skipped = reason
            self.crawler.stats.inc_value("cinegraph/skipped_already_running")
            logger.error("%s", reason)
        started = [ledger for key, ledger in ledgers.items() if key not in refused]
        interrupted = with_retries(lambda: runs.mark_interrupted(engine, [ledger.target.list_id for ledger in started]),
                                   what="marking interrupted runs")
        if interrupted:
            logger.warning("marked %d earlier run(s) as interrupted (their process died)", interrupted)
        with_retries(lambda: runs.start_runs(engine, started, spider.name, getattr(spider, "_job", None)),
                     what="opening the import runs")

    def _heartbeat(self, spider) -> None:
        try:
            for key, reason in self.locks.verify().items():
                ledger = spider.ledgers.get(key)
                if ledger is not None and ledger.lock_lost is None:
                    ledger.lock_lost = reason
                    self.crawler.stats.inc_value("cinegraph/locks_lost")
                    logger.error("%s", reason)
        except Exception as exc:  # the database is unreachable right now: try again at the next beat
            logger.warning("could not check the key locks: %s", redact(str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
        try:
            self.locks.heartbeat()
            runs.heartbeat_runs(spider.engine_db, [l.run_id for l in spider.ledgers.values() if l.run_id])
        except Exception as exc:  # a missed heartbeat must not kill the crawl
            logger.warning("heartbeat failed: %s", redact(str(exc)))

    def spider_closed(self, spider, reason):
        if not self._tracked(spider):
            return
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        stats = self.crawler.stats.get_stats()
        crawl_stats = {k: v for k, v in stats.items() if k.startswith(_STATS_PREFIXES) and isinstance(v, (int, float, str))}
        for slug, error in getattr(spider, "discovery_errors", {}).items():
            logger.error("%s: edition discovery failed — %s", slug, error)
            self.summary_lines.append(f"{slug}: discovery FAILED | {redact(error)}")
            self.statuses[slug] = "failed"
        mapped = self._map_categories(spider)
        outcomes = []
        said: dict[tuple[str, str | None], list[str]] = {}  # (status, reason) → keys: each reason logged once
        failed_alike: dict[str | None, list] = {}
        for key, ledger in spider.ledgers.items():
            if ledger.skipped:
                self.summary_lines.append(f"{key}: skipped — {ledger.skipped}")
                self.statuses[key] = "skipped"
                continue
            status, error = self._close_import(spider, key, ledger, reason, mapped)
            outcomes.append((ledger, status, error, {**ledger.counts(), "crawl": crawl_stats}))
            if status != "success":
                said.setdefault((status, error), []).append(key)
            if status == "failed" and not ledger.items_stored and not ledger.nominations_stored:
                failed_alike.setdefault(error, []).append((key, ledger))
            else:
                self.summary_lines.append(self._summary(key, ledger, status, error, stats))
        self._say_once(said)
        self._summarise_alike(failed_alike, stats)
        self._record(spider, outcomes)
        worst = max((s for s in self.statuses.values() if s != "skipped"), key=lambda s: _STATUS_RANK.get(s, 0),
                    default=None)
        if worst is not None:
            self.crawler.stats.set_value("cinegraph/final_status", worst)
        elif spider.ledgers:
            self.crawler.stats.set_value("cinegraph/final_status", "refused")
        if self.locks is not None:
            self.locks.close()  # never raises

    def _close_import(self, spider, key: str, ledger, reason: str, mapped) -> tuple[str, str | None]:
        """The import's final status (and what it takes to know it: categories mapped, list entries gone)."""
        status, error = ledger.final_status(reason)
        if mapped is not None and ledger.target.is_event and ledger.nominations_stored:
            ledger.unmapped_categories = len(
                mapped.unmapped_by_year.get((ledger.target.organization, ledger.target.year), ()))
        if status == "success" and not ledger.target.is_event:
            self._record_list_gone(spider, ledger)
        self.crawler.stats.set_value(f"cinegraph/status/{key}", status)
        self.statuses[key] = status
        if status == "success":
            logger.info("%s: import %s", key, status)
        return status, error

    def _summarise_alike(self, failed_alike: dict, stats) -> None:
        """35 editions failing for one reason: one summary line, not 35."""
        for error, group in failed_alike.items():
            if len(group) == 1:
                key, ledger = group[0]
                self.summary_lines.append(self._summary(key, ledger, "failed", error, stats))
            else:
                self.summary_lines.append(f"{_keys(k for k, _ in group)}: FAILED | {redact(error)}")

    @staticmethod
    def _record(spider, outcomes) -> None:
        """Close the runs; remove the configs this crawl created for first imports that failed."""
        try:
            with_retries(lambda: runs.finish_runs(spider.engine_db, outcomes), what="recording the import runs")
            failed_new = [l for l, status, _, _ in outcomes if status in ("failed", "suspect")]
            removed = with_retries(lambda: runs.remove_failed_new_configs(spider.engine_db, failed_new),
                                   what="removing the configurations of failed first imports")
            if removed:
                logger.info("removed the configuration%s this crawl created for imports that failed: %s",
                            "s" if len(removed) > 1 else "", _keys(removed))
        except Exception as exc:
            logger.error("could not record the import runs: %s", redact(str(exc)))

    @staticmethod
    def _say_once(said: dict[tuple[str, str | None], list[str]]) -> None:
        for (status, error), keys in said.items():
            log = logger.error if status in ("failed", "suspect") else logger.warning
            log("%s: import %s — %s", _keys(keys), status, error)

    @staticmethod
    def _map_categories(spider):
        """Canonical keys for what this crawl stored (canonical/mapping.py); never fatal to the crawl."""
        from cinegraph_scrapy.canonical.mapping import map_imported

        slugs = {l.target.organization for l in spider.ledgers.values()
                 if l.target.is_event and l.target.organization and l.nominations_stored}
        if not slugs:
            return None
        try:
            return with_retries(lambda: map_imported(spider.engine_db, slugs), what="mapping canonical categories")
        except Exception as exc:
            logger.warning("could not map canonical categories: %s", redact(str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
            return None

    @staticmethod
    def _record_list_gone(spider, ledger) -> None:
        """The whole list was read: entries the previous import saw and this one did not are gone."""
        from cinegraph_scrapy.db import changes, repository

        def record() -> int:
            with spider.engine_db.begin() as conn:
                gone = changes.list_gone(conn, ledger.target.list_id, ledger.run_id, ledger.started_at)
                repository.insert_changes(conn, ledger.run_id, gone)
                return len(gone)

        try:
            ledger.changes["gone"] += with_retries(record, what="recording the entries gone from the list")
        except Exception as exc:
            logger.warning("%s: could not record the entries no longer on the list: %s", ledger.target.source_key,
                           redact(str(exc).splitlines()[0] if str(exc) else type(exc).__name__))

    @staticmethod
    def _summary(key, ledger, status, error, stats) -> str:
        pages = f"pages {ledger.pages}" + (f" ({ledger.pages_unchanged} unchanged)" if ledger.pages_unchanged else "")
        parts = [f"{key}: {status.upper()}", pages, f"items {ledger.items_scraped}"]
        if ledger.target.is_event:
            parts.append(f"nominations {ledger.nominations_stored}/{ledger.nominations_found} stored")
            parts.append(f"winners {ledger.winners}")
            if ledger.people_only:
                parts.append(f"people-only {ledger.people_only}")
            if ledger.unmapped_categories is not None:
                parts.append(f"unmapped categories {ledger.unmapped_categories}")
        else:
            total = f"/{ledger.expected_total}" if ledger.expected_total is not None else ""
            parts.append(f"entries {ledger.entries_seen}{total}")
            if ledger.notes_unread:
                parts.append(f"notes unread {ledger.notes_unread}")
        parts.append(f"films stored {len(ledger.movie_ids)}")
        if ledger.served_by or ledger.bytes_fetched:
            parts.append(fetch_summary(ledger))
        c = ledger.changes
        parts.append(f"changes +{c.get('added', 0)} −{c.get('gone', 0)} ~{c.get('changed', 0)}")
        if ledger.page_retries:
            parts.append(f"page writes retried {ledger.page_retries}")
        parts.append(f"TMDb enriched {stats.get('tmdb/enriched', 0)}")
        if ledger.items_dropped:
            reasons = ", ".join(f"{k} {v}" for k, v in ledger.drop_reasons.most_common())
            parts.append(f"dropped {ledger.items_dropped} ({reasons})")
        line = " | ".join(parts)
        return f"{line} | {redact(error)}" if error else line

    def engine_stopped(self):
        if self.summary_lines:
            logger.info("Import summary:\n  %s", "\n  ".join(self.summary_lines))

    def status_line(self) -> str | None:
        """`IMPORT STATUS: <worst status> <keys> (<count per status>)`: the last line of a job's log."""
        if not self.statuses:
            return None
        worst = max(self.statuses.values(), key=lambda s: _STATUS_RANK.get(s, 0))
        counts = {}
        for status in self.statuses.values():
            counts[status] = counts.get(status, 0) + 1
        detail = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        return f"IMPORT STATUS: {worst} {','.join(self.statuses)} ({detail})"
