"""What every storage statement shares: rows in chunks below SQLite's parameter limit, `WHERE … IN` reads in
such chunks, the dialect's INSERT construct (for ON CONFLICT), and statements built once per dialect."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

# SQLite allows 32766 bound parameters per statement; stay well below it.
CHUNK = 500


def chunks(rows: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def select_in(conn: Connection, stmt, column, values: Sequence) -> list:
    """`stmt WHERE column IN values`, in chunks that stay below SQLite's parameter limit."""
    rows: list = []
    for chunk in chunks(list(values)):
        rows.extend(conn.execute(stmt.where(column.in_(chunk))).all())
    return rows


def insert_construct(conn: Connection):
    """The INSERT that knows ON CONFLICT on this connection's database (PostgreSQL's or SQLite's)."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def insert_ignoring_conflicts(conn: Connection, model, rows: Sequence[dict[str, Any]]) -> int:
    """INSERT … ON CONFLICT DO NOTHING: rows someone else inserted first are left as they are. Returns how
    many rows this call inserted."""
    if not rows:
        return 0
    stmt = insert_construct(conn)(model).on_conflict_do_nothing().returning(*model.__table__.primary_key.columns)
    inserted = 0
    for chunk in chunks(list(rows)):
        inserted += len(conn.execute(stmt, list(chunk)).all())
    return inserted


class WritesOn:
    """Statements on one open connection, inside its caller's transaction (a page is stored whole or not at
    all). Statements of bound parameters only are built once per dialect: building and cache-keying a
    statement costs more than running it, once per page."""

    _built: ClassVar[dict[tuple[str, str], Any]] = {}

    def __init__(self, conn: Connection):
        self.conn = conn

    def insert(self, model):
        return insert_construct(self.conn)(model)

    def built(self, name: str, build: Callable[[], Any]):
        key = (self.conn.dialect.name, name)
        stmt = WritesOn._built.get(key)
        if stmt is None:
            stmt = WritesOn._built[key] = build()
        return stmt

    def upsert_on(self, model, name: str, finish: Callable[[Any], Any]):
        """An upsert on `model`'s table (`finish(insert(model))`), compiled once (SQLAlchemy's cache) and
        executed with many parameter sets (insertmanyvalues / psycopg pipelines)."""
        return self.built(name, lambda: finish(self.insert(model)))

    def select_in(self, stmt, column, values: Sequence) -> list:
        return select_in(self.conn, stmt, column, values)
