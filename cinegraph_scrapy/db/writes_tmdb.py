"""TMDb's answers on stored rows: a film's TMDb columns, a person's TMDb id."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, exists, func, null, update
from sqlalchemy.orm import aliased

from cinegraph_scrapy.db.models import Movie, Person
from cinegraph_scrapy.db.sqlkit import WritesOn, chunks

TMDB_COLUMNS = ("tmdb_id", "tmdb_media_type", "tmdb_status", "tmdb_fetched_at", "tmdb_title", "tmdb_original_title",
                "release_date", "runtime", "overview", "poster_path", "popularity", "vote_average", "vote_count",
                "genres", "tmdb_data")


class TmdbWrites(WritesOn):
    def store_tmdb(self, results: Iterable[dict[str, Any]]) -> int:
        """Write TMDb results: dicts with imdb_id and some of TMDB_COLUMNS (a not-found or failed lookup only
        sets the status, keeping older data). A tmdb_id another title already holds for the same media type is
        left NULL on this one (TMDb sometimes maps two IMDb ids to one film) instead of failing the page; a TV
        id equal to a film's id is no clash."""
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        count = 0
        for result in results:
            columns = tuple(c for c in TMDB_COLUMNS if c in result)
            groups.setdefault(columns, []).append({"b_imdb_id": result["imdb_id"],
                                                   **{f"b_{c}": result[c] for c in columns}})
            count += 1
        for columns, rows in groups.items():
            stmt = update(Movie).where(Movie.imdb_id == bindparam("b_imdb_id")).values(self._tmdb_values(columns))
            stmt = stmt.execution_options(synchronize_session=False)
            for chunk in chunks(sorted(rows, key=lambda r: r["b_imdb_id"])):
                self.conn.execute(stmt, list(chunk))
        return count

    @staticmethod
    def _tmdb_values(columns: tuple[str, ...]) -> dict[str, Any]:
        values: dict[str, Any] = {column: bindparam(f"b_{column}") for column in columns}
        if "tmdb_id" in values:
            other = aliased(Movie)
            media = bindparam("b_tmdb_media_type") if "tmdb_media_type" in values else "movie"
            taken = exists().where(and_(other.tmdb_id == bindparam("b_tmdb_id"), other.tmdb_media_type == media,
                                        other.imdb_id != bindparam("b_imdb_id")))
            values["tmdb_id"] = case((taken, null()), else_=bindparam("b_tmdb_id"))
        return values

    def store_people_tmdb(self, found: dict[str, int | None], now: datetime) -> int:
        """nm id → TMDb person id (None: TMDb knows no such person), with when it was asked."""
        rows = [{"b_imdb_id": k, "b_tmdb": v, "b_now": now} for k, v in sorted(found.items())]
        if rows:
            self.conn.execute(update(Person).where(Person.imdb_id == bindparam("b_imdb_id"))
                              .values(tmdb_person_id=func.coalesce(bindparam("b_tmdb"), Person.tmdb_person_id),
                                      tmdb_checked_at=bindparam("b_now"))
                              .execution_options(synchronize_session=False), rows)
        return len(rows)
