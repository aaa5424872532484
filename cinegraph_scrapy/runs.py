"""Import runs: one `import_runs` row per configuration per crawl, its running tally (RunLedger) and the
status the run ends with. The one-running-import-per-key lock is locks.py."""

from __future__ import annotations

import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from cinegraph_scrapy.configs import ImportTarget
from cinegraph_scrapy.db.models import ImportLock, ImportRun, MovieList
from cinegraph_scrapy.redaction import redact

logger = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: they were written in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


@dataclass
class RunLedger:
    """What happened to one configuration during this crawl."""

    target: ImportTarget
    run_id: int | None = None
    started_at: datetime = field(default_factory=utcnow)
    pages: int = 0
    pages_unchanged: int = 0  # pages whose content equalled their last write: nothing rewritten
    page_errors: list[str] = field(default_factory=list)
    items_scraped: int = 0
    items_stored: int = 0
    items_dropped: int = 0
    drop_reasons: Counter = field(default_factory=Counter)
    movie_ids: set[int] = field(default_factory=set)
    expected_total: int | None = None
    entries_seen: int = 0
    graphql_requests: int = 0  # requests to IMDb's GraphQL API
    served_by: Counter = field(default_factory=Counter)  # pages per fetch path (api / page / browser)
    bytes_fetched: Counter = field(default_factory=Counter)  # bytes per fetch path
    unread: list[str] = field(default_factory=list)  # what a fallback query could not read
    announced: str | None = None  # IMDb lists the edition but publishes no nominations yet
    suspect: str | None = None  # the drift guard did not believe a page (drift.py): nothing of it written
    unmapped_categories: int | None = None  # category names of the edition no canonical rule maps
    notes_unread: int = 0  # GraphQL entries read with the basic query (their notes could not be read)
    nominations_found: int = 0
    nominations_stored: int = 0
    winners: int = 0
    people_only: int = 0
    truncated: list[str] = field(default_factory=list)
    store_errors: list[str] = field(default_factory=list)
    page_retries: int = 0  # page transactions retried after a deadlock or a lost connection
    changes: Counter = field(default_factory=Counter)  # added / gone / changed against what was stored
    lock_lost: str | None = None  # the key lock is gone (and another crawl holds it): stop storing
    skipped: str | None = None  # why this configuration was not imported at all

    def page_failed(self, reason: str) -> None:
        self.page_errors.append(redact(reason))

    # Facts a spider may note (signals.import_noted): numbers add up, lists and tallies extend, the rest is set.
    NOTABLE = frozenset({"pages", "items_scraped", "nominations_found", "winners", "people_only", "truncated",
                         "expected_total", "entries_seen", "notes_unread", "graphql_requests", "served_by",
                         "bytes_fetched", "unread", "announced"})

    def note(self, **facts: Any) -> None:
        for name, value in facts.items():
            if name not in self.NOTABLE:
                raise TypeError(f"not a fact a spider notes about an import: {name}")
            current = getattr(self, name)
            if isinstance(current, (Counter, list)):
                current.update(value) if isinstance(current, Counter) else current.extend(value)
            elif isinstance(current, int) and not isinstance(current, bool) and name != "expected_total":
                setattr(self, name, current + value)
            else:
                setattr(self, name, value)

    def stored(self, rows: int, result) -> None:
        """A page's transaction committed (storage.pages.PageResult)."""
        self.items_stored += rows
        self.changes.update(result.changes)
        self.pages_unchanged += 1 if result.unchanged else 0
        self.movie_ids.update(result.movie_ids)
        self.nominations_stored += result.nominations or 0

    def final_status(self, finish_reason: str) -> tuple[str, str | None]:
        """success | partial | failed, and the reason when it is not success."""
        if self.lock_lost:
            return "failed", self.lock_lost
        if self.suspect:
            return "suspect", self.suspect
        errors = self.page_errors + self.store_errors
        stored = self.items_stored
        if stored == 0 and self.nominations_stored == 0:
            if self.announced and not errors:
                return "announced", self.announced
            if errors:
                return "failed", errors[0]
            if self.items_scraped and self.items_dropped >= self.items_scraped:
                reasons = ", ".join(f"{k}: {v}" for k, v in self.drop_reasons.most_common())
                return "failed", f"every item was dropped ({reasons})"
            if finish_reason != "finished":
                return "failed", f"crawl ended early ({finish_reason}) before anything was stored"
            return "failed", "nothing was stored"
        problems: list[str] = []
        if errors:
            problems.append(f"{len(errors)} page error(s): {errors[0]}")
        if self.expected_total is not None and not self.target.is_event and self.entries_seen < self.expected_total:
            problems.append(f"read {self.entries_seen} of {self.expected_total} films the list announces")
        if self.truncated:
            problems.append(
                f"{len(self.truncated)} categor{'y' if len(self.truncated) == 1 else 'ies'} incomplete "
                f"({'; '.join(self.truncated[:3])})"
            )
        if self.unread:
            problems.append("; ".join(self.unread))
        if finish_reason != "finished":
            problems.append(f"crawl ended early ({finish_reason})")
        if problems:
            return "partial", "; ".join(problems)
        return "success", None

    def counts(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "pages_unchanged": self.pages_unchanged,
            "items_scraped": self.items_scraped,
            "items_stored": self.items_stored,
            "items_dropped": self.items_dropped,
            "drop_reasons": dict(self.drop_reasons),
            "films": len(self.movie_ids),
            "expected_total": self.expected_total,
            "graphql_requests": self.graphql_requests,
            "unmapped_categories": self.unmapped_categories,
            "served_by": dict(self.served_by),
            "bytes_fetched": dict(self.bytes_fetched),
            "notes_unread": self.notes_unread,
            "nominations_found": self.nominations_found,
            "nominations_stored": self.nominations_stored,
            "winners": self.winners,
            "people_only_nominations": self.people_only,
            "truncated_categories": self.truncated,
            "page_errors": self.page_errors[:20],
            "page_retries": self.page_retries,
            "changes": {k: self.changes.get(k, 0) for k in ("added", "gone", "changed")},
        }


def mark_interrupted(engine: Engine, list_ids: list[int]) -> int:
    """Runs of these configs still `running` although we now hold their locks (taken only from a dead
    process or a stale heartbeat): their process died."""
    if not list_ids:
        return 0
    with engine.begin() as conn:
        return conn.execute(
            update(ImportRun)
            .where(ImportRun.list_id.in_(list_ids), ImportRun.status == "running")
            .values(
                status="interrupted",
                finished_at=utcnow(),
                error="the crawl process stopped without finishing (killed or crashed); a later run took over",
            )
        ).rowcount or 0


def start_runs(engine: Engine, ledgers: list[RunLedger], spider: str, job_id: str | None) -> None:
    """One `running` import_runs row per ledger, in one transaction."""
    if not ledgers:
        return
    now = utcnow()
    with Session(engine) as session, session.begin():
        runs = [ImportRun(list_id=l.target.list_id, spider=spider, job_id=job_id, pid=os.getpid(), started_at=now,
                          heartbeat_at=now, status="running", pages=0, items_scraped=0, items_stored=0,
                          items_dropped=0) for l in ledgers]
        session.add_all(runs)
        session.flush()
        for ledger, run in zip(ledgers, runs):
            ledger.run_id, ledger.started_at = run.id, now
        session.execute(update(MovieList).where(MovieList.id.in_([l.target.list_id for l in ledgers]))
                        .values(last_import_status="running"))
        locks = ImportLock.__table__
        session.connection().execute(update(locks).where(locks.c.source_key == bindparam("b_key"))
                                     .values(run_id=bindparam("b_run")),
                                     [{"b_key": l.target.source_key, "b_run": l.run_id} for l in ledgers])


def heartbeat_runs(engine: Engine, run_ids: list[int]) -> None:
    if not run_ids:
        return
    with engine.begin() as conn:
        conn.execute(update(ImportRun).where(ImportRun.id.in_(run_ids)).values(heartbeat_at=utcnow()))


def finish_runs(engine: Engine, outcomes: list[tuple[RunLedger, str, str | None, dict[str, Any]]]) -> None:
    """Close the runs (status, counts, error, stats) and update movie_lists.last_*, in one transaction."""
    if not outcomes:
        return
    now = utcnow()
    runs = [{"b_id": l.run_id, "finished_at": now, "heartbeat_at": now, "status": status, "pages": l.pages,
             "items_scraped": l.items_scraped, "items_stored": l.items_stored, "items_dropped": l.items_dropped,
             "error": redact(error) if error else None, "stats": stats} for l, status, error, stats in outcomes]
    lists = [{"b_id": l.target.list_id, "last_import_at": now, "last_import_status": status,
              "last_movie_count": len(l.movie_ids)} for l, status, _, _ in outcomes]
    run_table, list_table = ImportRun.__table__, MovieList.__table__
    with engine.begin() as conn:
        conn.execute(update(run_table).where(run_table.c.id == bindparam("b_id")), runs)
        conn.execute(update(list_table).where(list_table.c.id == bindparam("b_id")), lists)


def running_keys(engine: Engine, fresh_within: timedelta) -> dict[str, datetime]:
    """Keys with a `running` import whose heartbeat is fresh: the scheduler skips them."""
    cutoff = utcnow() - fresh_within
    with Session(engine) as session:
        rows = session.execute(
            select(MovieList.source_key, ImportRun.heartbeat_at)
            .join(ImportRun, ImportRun.list_id == MovieList.id)
            .where(ImportRun.status == "running")
        ).all()
    return {key: as_aware(hb) for key, hb in rows if hb is not None and as_aware(hb) > cutoff}


def remove_failed_new_configs(engine: Engine, ledgers: list[RunLedger]) -> list[str]:
    """Configurations this crawl created on demand (`-a list=`, `years=`) whose import failed with nothing
    stored: removed with their runs, so that a typo or an offline attempt leaves nothing behind."""
    doomed = [l.target for l in ledgers if l.target.created_now and not l.items_stored and not l.nominations_stored]
    if not doomed:
        return []
    with engine.begin() as conn:
        conn.execute(delete(MovieList).where(MovieList.id.in_([t.list_id for t in doomed]),
                                             MovieList.last_import_status.in_(("failed", "suspect"))))
    return [t.source_key for t in doomed]
