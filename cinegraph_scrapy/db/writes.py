"""Page writes: bulk writes on natural keys, one call per page (no per-item SELECT), behind one interface.

`writes_for(conn)` is the one place that chooses how a page is written on a connection: PostgresWrites (each
step one constant statement over the page's rows as JSON) or GenericWrites (SQLAlchemy Core, for SQLite).
Both store the same rows; every method works inside the caller's transaction, so a page is stored whole or
not at all.

Lock order. Concurrent page transactions (two writer threads, several crawls on one PostgreSQL) must never
wait on each other in a cycle, so every page touches tables in one global order and, within a table, rows
in ascending natural-key order:

    festival_organizations (slug) → festival_ceremonies (organization, year, instance)
    → festival_categories (organization, award, name) → movies (imdb_id)
    → festival_nominations (ceremony, category, nominee) | canonical_sources (movie, list)

Rows several pages share — organizations, categories, films, people — are read first and written only when
missing (INSERT … ON CONFLICT DO NOTHING) or really changed (an UPDATE of just those rows, in key order),
so a page that brings nothing new takes no row lock on them at all. Foreign-key checks only take KEY SHARE
locks on rows of tables earlier in the order. The storage pipeline retries a page whose transaction still
fails with a deadlock, a serialization failure or a lost connection.
"""

from __future__ import annotations

from sqlalchemy import Connection

from cinegraph_scrapy.db.writes_events import CeremonyWrite, EditionIds, nomination_rows
from cinegraph_scrapy.db.writes_generic import GenericWrites
from cinegraph_scrapy.db.writes_postgres import PostgresWrites
from cinegraph_scrapy.db.writes_tmdb import TMDB_COLUMNS


def writes_for(conn: Connection) -> GenericWrites:
    """The page writes of this connection's database."""
    return PostgresWrites(conn) if conn.dialect.name == "postgresql" else GenericWrites(conn)


__all__ = ["CeremonyWrite", "EditionIds", "GenericWrites", "PostgresWrites", "TMDB_COLUMNS", "nomination_rows",
           "writes_for"]
