"""Import tracking, the one owner of the run accounting: one RunLedger per import, fed by the signals the
spiders and pipelines send (signals.py). It locks each key, opens an `import_runs` row per configuration,
keeps heartbeats, closes the rows with their final status, updates `movie_lists.last_*`, and ends the log
with a summary (summary.py)."""

from __future__ import annotations

import logging
from datetime import timedelta

from scrapy import signals

from cinegraph_scrapy import runs
from cinegraph_scrapy import signals as project
from cinegraph_scrapy.db.engine import crawl_engine
from cinegraph_scrapy.db.retry import with_retries
from cinegraph_scrapy.extensions import summary
from cinegraph_scrapy.locks import KeyLocks
from cinegraph_scrapy.redaction import error_line, install_log_redaction, redact
from cinegraph_scrapy.runs import RunLedger

logger = logging.getLogger(__name__)

_STATS_PREFIXES = ("cinegraph/", "tmdb/", "retry/", "downloader/response_status_count/", "item_dropped", "waf/",
                   "finish_reason", "elapsed_time_seconds", "log_count/ERROR", "log_count/WARNING")


class ImportRunsExtension:
    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.heartbeat_every = settings.getfloat("IMPORT_HEARTBEAT_SECONDS")
        self.stale_after = timedelta(seconds=settings.getfloat("IMPORT_LOCK_STALE_SECONDS"))
        self.ledgers: dict[str, RunLedger] = {}
        self.refused: dict[str, str] = {}  # keys another crawl was importing
        self.discovery_errors: dict[str, str] = {}
        self.locks: KeyLocks | None = None
        self.loop = None
        self.summary_lines: list[str] = []
        self.statuses: dict[str, str] = {}  # key → final status, for the IMPORT STATUS line
        connect = crawler.signals.connect
        connect(self.spider_opened, signal=signals.spider_opened)
        connect(self.spider_closed, signal=signals.spider_closed)
        connect(self.engine_stopped, signal=signals.engine_stopped)
        connect(self.imports_added, signal=project.imports_added)
        connect(self.import_noted, signal=project.import_noted)
        connect(self.page_failed, signal=project.page_failed)
        connect(self.discovery_failed, signal=project.discovery_failed)
        connect(self.rows_dropped, signal=project.rows_dropped)
        connect(self.page_stored, signal=project.page_stored)
        connect(self.page_not_stored, signal=project.page_not_stored)
        connect(self.page_suspect, signal=project.page_suspect)
        connect(self.page_write_retried, signal=project.page_write_retried)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def engine(self):
        return crawl_engine(self.crawler.settings)

    def spider_opened(self):
        install_log_redaction()  # Scrapy installs its root log handler after extensions are built

    # ------------------------------------------------------------ imports begin

    def imports_added(self, targets, options, spider_name, job=None) -> dict[str, str]:
        """Lock the keys, mark runs left by dead processes interrupted, open a `running` row per import;
        returns the keys another crawl is importing, with why."""
        if self.locks is None:
            self.locks = KeyLocks(self.engine, self.stale_after)
            from scrapy.utils.asyncio import AsyncioLoopingCall

            self.loop = AsyncioLoopingCall(self._heartbeat)
            self.loop.start(self.heartbeat_every, now=False)
        ledgers = {t.source_key: RunLedger(target=t) for t in targets}
        refused = with_retries(lambda: self.locks.acquire_many(list(ledgers)), what="taking the import locks")
        for key, reason in refused.items():
            self.refused[key] = reason
            self.crawler.stats.inc_value("cinegraph/skipped_already_running")
            logger.error("%s", reason)
        started = [ledger for key, ledger in ledgers.items() if key not in refused]
        if not started and not self.ledgers:
            self.crawler.stats.set_value("cinegraph/refused", "already_running")
        interrupted = with_retries(lambda: runs.mark_interrupted(self.engine, [l.target.list_id for l in started]),
                                   what="marking interrupted runs")
        if interrupted:
            logger.warning("marked %d earlier run(s) as interrupted (their process died)", interrupted)
        with_retries(lambda: runs.start_runs(self.engine, started, spider_name, job), what="opening the import runs")
        self.ledgers.update({l.target.source_key: l for l in started})
        self.crawler.signals.send_catch_log(
            signal=project.imports_started, options=options,
            imports={l.target.source_key: project.StartedImport(l.target, l.run_id) for l in started})
        return refused

    # ------------------------------------------------------------ what the spiders and pipelines say

    def import_noted(self, key, facts):
        if key in self.ledgers:
            self.ledgers[key].note(**facts)

    def page_failed(self, key, reason):
        if key in self.ledgers:
            self.ledgers[key].page_failed(reason)

    def discovery_failed(self, slug, reason):
        self.discovery_errors[slug] = reason

    def rows_dropped(self, key, reason, count):
        ledger = self.ledgers.get(key)
        if ledger is not None:
            ledger.items_dropped += count
            ledger.drop_reasons[reason] += count

    def page_stored(self, key, page, rows, result):
        if key in self.ledgers:
            self.ledgers[key].stored(rows, result)

    def page_not_stored(self, key, page, error):
        if key in self.ledgers:
            self.ledgers[key].store_errors.append(error)

    def page_suspect(self, key, page, reason):
        if key in self.ledgers:
            self.ledgers[key].suspect = reason

    def page_write_retried(self, key, kind):
        if key in self.ledgers:
            self.ledgers[key].page_retries += 1

    def _heartbeat(self) -> None:
        try:
            for key, reason in self.locks.verify().items():
                ledger = self.ledgers.get(key)
                if ledger is not None and ledger.lock_lost is None:
                    ledger.lock_lost = reason
                    self.crawler.stats.inc_value("cinegraph/locks_lost")
                    logger.error("%s", reason)
                    self.crawler.signals.send_catch_log(signal=project.import_lock_lost, key=key, reason=reason)
        except Exception as exc:  # the database is unreachable right now: try again at the next beat
            logger.warning("could not check the key locks: %s", error_line(exc))
        try:
            self.locks.heartbeat()
            runs.heartbeat_runs(self.engine, [l.run_id for l in self.ledgers.values() if l.run_id])
        except Exception as exc:  # a missed heartbeat must not kill the crawl
            logger.warning("heartbeat failed: %s", redact(str(exc)))

    # ------------------------------------------------------------ imports end

    def spider_closed(self, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        stats = self.crawler.stats.get_stats()
        for slug, error in self.discovery_errors.items():
            logger.error("%s: edition discovery failed — %s", slug, error)
            self.summary_lines.append(f"{slug}: discovery FAILED | {redact(error)}")
            self.statuses[slug] = "failed"
        for key, why in self.refused.items():
            self.summary_lines.append(f"{key}: skipped — {why}")
            self.statuses[key] = "skipped"
        if self.ledgers:
            self._close_imports(reason, stats)
        worst = summary.worst_status(s for s in self.statuses.values() if s != "skipped")
        if worst is not None:
            self.crawler.stats.set_value("cinegraph/final_status", worst)
        elif self.refused:
            self.crawler.stats.set_value("cinegraph/final_status", "refused")
        if self.locks is not None:
            self.locks.close()  # never raises

    def _close_imports(self, reason: str, stats) -> None:
        crawl_stats = {k: v for k, v in stats.items() if k.startswith(_STATS_PREFIXES) and isinstance(v, (int, float, str))}
        mapped = self._map_categories()
        outcomes = []
        said: dict[tuple[str, str | None], list[str]] = {}  # (status, reason) → keys: each reason logged once
        failed_alike: dict[str | None, list] = {}
        for key, ledger in self.ledgers.items():
            status, error = self._close_import(key, ledger, reason, mapped)
            outcomes.append((ledger, status, error, {**ledger.counts(), "crawl": crawl_stats}))
            if status != "success":
                said.setdefault((status, error), []).append(key)
            if status == "failed" and not ledger.items_stored and not ledger.nominations_stored:
                failed_alike.setdefault(error, []).append((key, ledger))
            else:
                self.summary_lines.append(summary.import_line(key, ledger, status, error, stats))
        for (status, error), keys in said.items():
            log = logger.error if status in ("failed", "suspect") else logger.warning
            log("%s: import %s — %s", summary.key_range(keys), status, error)
        self.summary_lines.extend(summary.failed_alike_lines(failed_alike, stats))
        self._record(outcomes)

    def _close_import(self, key: str, ledger, reason: str, mapped) -> tuple[str, str | None]:
        """The import's final status (and what it takes to know it: categories mapped, list entries gone)."""
        status, error = ledger.final_status(reason)
        if mapped is not None and ledger.target.is_event and ledger.nominations_stored:
            ledger.unmapped_categories = len(
                mapped.unmapped_by_year.get((ledger.target.organization, ledger.target.year), ()))
        if status == "success" and not ledger.target.is_event:
            self._record_list_gone(ledger)
        self.crawler.stats.set_value(f"cinegraph/status/{key}", status)
        self.statuses[key] = status
        if status == "success":
            logger.info("%s: import %s", key, status)
        return status, error

    def _record(self, outcomes) -> None:
        """Close the runs; remove the configs this crawl created for first imports that failed."""
        try:
            with_retries(lambda: runs.finish_runs(self.engine, outcomes), what="recording the import runs")
            failed_new = [l for l, status, _, _ in outcomes if status in ("failed", "suspect")]
            removed = with_retries(lambda: runs.remove_failed_new_configs(self.engine, failed_new),
                                   what="removing the configurations of failed first imports")
            if removed:
                logger.info("removed the configuration%s this crawl created for imports that failed: %s",
                            "s" if len(removed) > 1 else "", summary.key_range(removed))
        except Exception as exc:
            logger.error("could not record the import runs: %s", redact(str(exc)))

    def _map_categories(self):
        """Canonical keys for what this crawl stored (canonical/mapping.py); never fatal to the crawl."""
        from cinegraph_scrapy.canonical.mapping import map_imported

        slugs = {l.target.organization for l in self.ledgers.values()
                 if l.target.is_event and l.target.organization and l.nominations_stored}
        if not slugs:
            return None
        try:
            return with_retries(lambda: map_imported(self.engine, slugs), what="mapping canonical categories")
        except Exception as exc:
            logger.warning("could not map canonical categories: %s", error_line(exc))
            return None

    def _record_list_gone(self, ledger) -> None:
        """The whole list was read: entries the previous import saw and this one did not are gone."""
        from cinegraph_scrapy.db import changes
        from cinegraph_scrapy.db.writes import writes_for

        def record() -> int:
            with self.engine.begin() as conn:
                gone = changes.list_gone(conn, ledger.target.list_id, ledger.run_id, ledger.started_at)
                writes_for(conn).insert_changes(ledger.run_id, gone)
                return len(gone)

        try:
            ledger.changes["gone"] += with_retries(record, what="recording the entries gone from the list")
        except Exception as exc:
            logger.warning("%s: could not record the entries no longer on the list: %s", ledger.target.source_key,
                           error_line(exc))

    def engine_stopped(self):
        if self.summary_lines:
            logger.info("Import summary:\n  %s", "\n  ".join(self.summary_lines))

    def status_line(self) -> str | None:
        return summary.status_line(self.statuses)
