"""Which database errors a fresh attempt of the same transaction can get past (a deadlock, a serialization
failure, a lost connection, SQLite's busy lock), and a helper that retries a short transaction on them."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

logger = logging.getLogger(__name__)
T = TypeVar("T")


def retryable(exc: BaseException) -> str | None:
    """'deadlock' / 'serialization failure' / 'lost connection' / 'database locked' when a fresh attempt
    of the same transaction can succeed, else None."""
    if not isinstance(exc, DBAPIError):
        return None
    if exc.connection_invalidated:
        return "lost connection"
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate == "40P01":
        return "deadlock"
    if sqlstate == "40001":
        return "serialization failure"
    if sqlstate and sqlstate.startswith(("08", "57P")):  # connection exception, admin shutdown / crash
        return "lost connection"
    text = str(exc.orig or exc).lower()
    if "database is locked" in text:
        return "database locked"
    if "server closed the connection" in text or "connection is closed" in text or "terminating connection" in text:
        return "lost connection"
    return None


def with_retries(work: Callable[[], T], *, what: str, attempts: int = 5, backoff: float = 0.2) -> T:
    """`work()` (one whole transaction), tried again on a retryable error with a doubling backoff."""
    for attempt in range(attempts + 1):
        try:
            return work()
        except Exception as exc:
            kind = retryable(exc)
            if kind is None or attempt == attempts:
                raise
            logger.warning("%s hit a %s; retrying (%d/%d)", what, kind, attempt + 1, attempts)
            time.sleep(backoff * (2 ** attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")
