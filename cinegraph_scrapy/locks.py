"""One running import per key, across processes and machines sharing the database (KeyLocks)."""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from sqlalchemy import Connection, delete, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from cinegraph_scrapy.db.models import ImportLock
from cinegraph_scrapy.errors import CinegraphError
from cinegraph_scrapy.redaction import redact
from cinegraph_scrapy.runs import as_aware, utcnow

logger = logging.getLogger(__name__)

_LOCK_NAMESPACE = 727274002


class AlreadyRunning(CinegraphError):
    pass


def lock_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _pid_alive(owner: str) -> bool | None:
    """True/False for an owner on this host, None when it ran elsewhere."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class KeyLocks:
    """One running import per key, across processes and machines sharing the database.

    PostgreSQL: a session advisory lock on a connection held for the whole crawl (released by the
    server when the process dies). SQLite: an `import_locks` row with a heartbeat; a row whose owner
    process is gone, or whose heartbeat is older than `stale_after`, is taken over.
    """

    def __init__(self, engine: Engine, stale_after: timedelta):
        self.engine = engine
        self.stale_after = stale_after
        self.owner = lock_owner()
        self.held: set[str] = set()
        self._unconfirmed: set[str] = set()  # held keys whose advisory lock is not (yet) taken again
        self._pg_conn: Connection | None = None

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def acquire_many(self, keys: list[str]) -> dict[str, str]:
        """Take every free lock among `keys` (in one round trip or two); returns the refused keys with why.

        A key whose lock row has a fresh heartbeat from another live process is refused even when its
        PostgreSQL advisory lock is free: that crawl's lock connection died, the crawl did not."""
        refused: dict[str, str] = {}
        wanted = [k for k in dict.fromkeys(keys) if k not in self.held]
        if not wanted:
            return refused
        now = utcnow()
        advisory: list[str] = []
        if self.is_postgres:
            got = self._try_advisory(wanted)
            busy = [k for k in wanted if not got.get(k)]
            if busy:
                holders = self._holders(busy)
                for k in busy:
                    refused[k] = (f"an import of {k!r} is already running ({holders.get(k, 'held by another process')}); "
                                  "not starting a second one")
            wanted = advisory = [k for k in wanted if got.get(k)]
        try:
            taken = self._claim_rows(wanted, now, refused)
        except Exception:
            self._release_quietly(advisory)  # a retry starts from nothing held
            raise
        self.held.update(taken)  # only once the rows are committed
        given_back = [k for k in advisory if k in refused]
        if given_back:
            self._unlock_advisory(given_back)
        return refused

    def _claim_rows(self, wanted: list[str], now, refused: dict[str, str]) -> list[str]:
        """Write (or take over) the lock rows of `wanted` in one transaction; adds the refused ones to `refused`."""
        taken: list[str] = []
        with Session(self.engine) as session, session.begin():
            locks = {lock.source_key: lock for lock in session.scalars(
                select(ImportLock).where(ImportLock.source_key.in_(wanted)).with_for_update())} if wanted else {}
            for key in wanted:
                lock = locks.get(key)
                if lock is not None and lock.owner != self.owner:
                    alive = _pid_alive(lock.owner)
                    fresh = as_aware(lock.heartbeat_at) > now - self.stale_after
                    if alive or (alive is None and fresh):
                        refused[key] = (f"an import of {key!r} is already running ({lock.owner}, heartbeat "
                                        f"{as_aware(lock.heartbeat_at):%H:%M:%S} UTC); not starting a second one")
                        continue
                    logger.warning("Taking over the stale lock of %r left by %s", key, lock.owner)
                if lock is None:
                    session.add(ImportLock(source_key=key, owner=self.owner, heartbeat_at=now))
                else:
                    lock.owner, lock.heartbeat_at, lock.run_id = self.owner, now, None
                taken.append(key)
        return taken

    def _release_quietly(self, advisory: list[str]) -> None:
        try:
            self._unlock_advisory(advisory)
        except Exception:  # the lock connection itself is gone: its advisory locks went with it
            self._discard_pg_conn()

    def _try_advisory(self, keys: list[str]) -> dict[str, bool]:
        if self._pg_conn is None:
            self._pg_conn = self.engine.connect()
        try:
            got = dict(self._pg_conn.execute(
                text("SELECT k, pg_try_advisory_lock(:ns, hashtext(k)) FROM unnest(CAST(:keys AS text[])) AS k"),
                {"ns": _LOCK_NAMESPACE, "keys": keys}).all())
            self._pg_conn.commit()
        except Exception:
            self._discard_pg_conn()  # the next attempt starts from a fresh connection
            raise
        return got

    def _unlock_advisory(self, keys: list[str]) -> None:
        if self._pg_conn is None or not keys:
            return
        self._pg_conn.execute(
            text("SELECT pg_advisory_unlock(:ns, hashtext(k)) FROM unnest(CAST(:keys AS text[])) AS k"),
            {"ns": _LOCK_NAMESPACE, "keys": keys})
        self._pg_conn.commit()

    def _holders(self, keys: list[str]) -> dict[str, str]:
        with Session(self.engine) as session:
            return {lock.source_key: f"held by {lock.owner}" for lock in
                    session.scalars(select(ImportLock).where(ImportLock.source_key.in_(keys)))}

    def verify(self) -> dict[str, str]:
        """Check that the locks still hold (PostgreSQL: the advisory locks live as long as their connection).
        A dead lock connection is replaced and its locks taken again. A key whose advisory lock another
        process holds right now stays ours while its lock row still names us (a refused contender lets go
        at once; it is tried again at the next beat); returns the keys another crawl has taken over."""
        if not self.is_postgres or not self.held:
            return {}
        try:
            if self._pg_conn is not None and not self._unconfirmed:
                self._pg_conn.execute(text("SELECT 1")).scalar()
                return {}
        except Exception as exc:
            logger.warning("the key-lock connection died (%s); taking the locks again",
                           redact(str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
            self._discard_pg_conn()
            self._unconfirmed = set(self.held)
        if self._pg_conn is None:
            self._unconfirmed = set(self.held)
        wanted = sorted(self._unconfirmed)
        got = self._try_advisory(wanted)
        missing = [k for k in wanted if not got.get(k)]
        self._unconfirmed = set(missing)
        if not missing:
            return {}
        with Session(self.engine) as session:
            owners = {lock.source_key: lock.owner for lock in
                      session.scalars(select(ImportLock).where(ImportLock.source_key.in_(missing)))}
        lost = {k: (f"lost the import lock of {k!r} (its database connection died) and another crawl "
                    f"({owners.get(k, 'unknown')}) holds it now; stopped storing this import")
                for k in missing if owners.get(k) != self.owner}
        self.held.difference_update(lost)
        self._unconfirmed.difference_update(lost)
        return lost

    def _discard_pg_conn(self) -> None:
        if self._pg_conn is not None:
            try:
                self._pg_conn.invalidate()
                self._pg_conn.close()
            except Exception:
                pass
            self._pg_conn = None

    def heartbeat(self, keys: set[str] | None = None) -> None:
        keys = self.held if keys is None else keys
        if not keys:
            return
        with self.engine.begin() as conn:
            conn.execute(
                update(ImportLock)
                .where(ImportLock.source_key.in_(keys), ImportLock.owner == self.owner)
                .values(heartbeat_at=utcnow())
            )

    def release_many(self, keys) -> None:
        """Give locks back; never raises (a dead database at close time must not end in a traceback)."""
        keys = [k for k in keys if k in self.held]
        if not keys:
            return
        self.held.difference_update(keys)
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(ImportLock).where(ImportLock.source_key.in_(keys), ImportLock.owner == self.owner))
        except Exception as exc:
            logger.warning("could not remove the lock rows of %d key(s): %s", len(keys), redact(str(exc).splitlines()[0]))
        try:
            self._unlock_advisory(keys)
        except Exception:
            self._discard_pg_conn()  # the server releases a dead session's advisory locks itself

    def close(self) -> None:
        self.release_many(list(self.held))
        if self._pg_conn is not None:
            try:
                self._pg_conn.close()
            except Exception:
                pass
            self._pg_conn = None
