"""`scrapy crawl tmdb_backfill [-a limit=N] [-a status=pending,failed]`: TMDb data for stored films that
have none (pending), whose lookup failed, or whose data is older than TMDB_REFRESH_DAYS."""

from __future__ import annotations

import logging
from datetime import timedelta

from scrapy import signals
from sqlalchemy import and_, or_, select

from cinegraph_scrapy.db.models import Movie
from cinegraph_scrapy.errors import ConfigError
from cinegraph_scrapy.items import FilmRow, PageItem
from cinegraph_scrapy.runs import utcnow
from cinegraph_scrapy.spiders.base import DatabaseSpider

logger = logging.getLogger(__name__)

STATUSES = ("pending", "failed", "not_found", "enriched")
BATCH = 200


def parse_arguments(limit: str | None, status: str | None) -> tuple[int | None, list[str]]:
    """`limit` (a positive number) and `status` (comma-separated TMDb statuses); ConfigError otherwise."""
    try:
        number = int(limit) if limit not in (None, "") else None
    except ValueError:
        raise ConfigError(f"limit must be a whole number, got {limit!r}") from None
    if number is not None and number < 1:
        raise ConfigError(f"limit must be 1 or more, got {number}")
    statuses = [s.strip() for s in (status or "pending,failed").split(",") if s.strip()]
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown or not statuses:
        raise ConfigError(f"unknown tmdb status {(unknown or [status])[0]!r} (use {', '.join(STATUSES)})")
    return number, statuses


class TmdbBackfillSpider(DatabaseSpider):
    name = "tmdb_backfill"
    arguments = {
        "limit": "look up at most this many titles",
        "status": f"comma-separated TMDb statuses to look up (default pending,failed; any of {', '.join(STATUSES)})",
    }

    def __init__(self, *args, limit: str | None = None, status: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit, self.statuses = parse_arguments(limit, status)

    @classmethod
    def preflight(cls, settings, spargs) -> None:
        parse_arguments(spargs.get("limit"), spargs.get("status"))
        if not settings.getbool("TMDB_ENABLED"):
            raise ConfigError("tmdb_backfill needs TMDb: TMDB_ENABLED is off")
        if not (settings.get("TMDB_API_KEY") or settings.get("TMDB_READ_ACCESS_TOKEN")):
            raise ConfigError("tmdb_backfill needs TMDb credentials: set TMDB_API_KEY (v3 key) or "
                              "TMDB_READ_ACCESS_TOKEN (read access token)")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.report, signal=signals.spider_closed)
        return spider

    def _query(self):
        stale = utcnow() - timedelta(days=self.settings.getfloat("TMDB_REFRESH_DAYS"))
        stmt = select(Movie.imdb_id, Movie.title).where(
            or_(Movie.tmdb_status.in_(self.statuses),
                and_(Movie.tmdb_status == "enriched", Movie.tmdb_fetched_at < stale)))
        stmt = stmt.order_by(Movie.id)
        return stmt.limit(self.limit) if self.limit is not None else stmt

    async def start(self):
        with self.engine_db.connect() as conn:
            films = conn.execute(self._query()).all()
        self.crawler.stats.set_value("tmdb/backfill_candidates", len(films))
        logger.info("tmdb_backfill: %d film(s) to look up (status %s or stale)", len(films), "/".join(self.statuses))
        for start in range(0, len(films), BATCH):
            chunk = films[start : start + BATCH]
            page = start // BATCH + 1
            yield PageItem("tmdb_backfill", page, [FilmRow(imdb_id=imdb_id, title=title) for imdb_id, title in chunk])

    def report(self, spider, reason):
        stats = self.crawler.stats
        summary = (f"tmdb_backfill: looked up {stats.get_value('tmdb/backfill_candidates', 0)}, "
                   f"enriched {stats.get_value('tmdb/enriched', 0)}, not found {stats.get_value('tmdb/not_found', 0)}, "
                   f"failed {stats.get_value('tmdb/failed', 0)}, requests {stats.get_value('tmdb/requests', 0)}")
        if stats.get_value("tmdb/auth_error"):
            summary += " — stopped: TMDb rejected the credentials (HTTP 401)"
        candidates = stats.get_value("tmdb/backfill_candidates", 0)
        answered = stats.get_value("tmdb/enriched", 0) + stats.get_value("tmdb/not_found", 0)
        if candidates and not answered:  # every lookup failed: the crawl exits 1
            stats.set_value("cinegraph/final_status", "failed")
            summary += " — every lookup failed"
        logger.info(summary)
        print(summary)
