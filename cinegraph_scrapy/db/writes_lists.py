"""A list page's rows: its entries (canonical_sources, one per film of the list) and the list's name."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import update

from cinegraph_scrapy.db.models import CanonicalSource, MovieList
from cinegraph_scrapy.db.sqlkit import WritesOn

ENTRY_COLUMNS = ("position", "notes", "award_name", "award_year", "award_won")


def entry_rows(list_id: int, entries: Iterable[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """One row per film (the last mention wins), in movie-id order."""
    by_movie = {e["movie_id"]: {"movie_id": e["movie_id"], "list_id": list_id,
                                **{k: e.get(k) for k in ENTRY_COLUMNS}, "last_seen_at": now} for e in entries}
    return [by_movie[k] for k in sorted(by_movie)]


class ListWrites(WritesOn):
    def rename_config(self, list_id: int, name: str) -> None:
        """A config created from `-a list=ls…` takes the list's name from its page (only when it differs)."""
        self.conn.execute(update(MovieList).where(MovieList.id == list_id, MovieList.name != name).values(name=name))

    def upsert_canonical_sources(self, list_id: int, entries: Iterable[dict[str, Any]], now: datetime) -> int:
        rows = entry_rows(list_id, entries, now)
        if rows:
            self._upsert_entries(rows, now)
        return len(rows)

    def _upsert_entries(self, rows: list[dict[str, Any]], now: datetime) -> None:
        stmt = self.upsert_on(CanonicalSource, "canonical_sources", lambda ins: ins.on_conflict_do_update(
            index_elements=[CanonicalSource.movie_id, CanonicalSource.list_id],
            set_={column: getattr(ins.excluded, column) for column in (*ENTRY_COLUMNS, "last_seen_at")},
        ).returning(CanonicalSource.id))  # RETURNING: multi-row VALUES batches instead of one row at a time
        self.conn.execute(stmt, rows).all()
