"""The generic page writes (SQLAlchemy Core; SQLite and any database without a faster path of its own)."""

from __future__ import annotations

from cinegraph_scrapy.db.writes_events import EventWrites
from cinegraph_scrapy.db.writes_lists import ListWrites
from cinegraph_scrapy.db.writes_seen import SeenWrites
from cinegraph_scrapy.db.writes_tmdb import TmdbWrites


class GenericWrites(EventWrites, ListWrites, SeenWrites, TmdbWrites):
    """Every write a page makes, on one connection (see db/writes.py for the lock order)."""
