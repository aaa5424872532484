"""TMDb enrichment: titles without fresh TMDb data get `/find/{imdb_id}` then one `/movie/{id}` call with
credits, external ids and release dates appended — or, for a TV title (`tv_results`), one `/tv/{id}` call
with credits and external ids. With TMDB_PEOPLE, each person gets one `/find/{nm…}` for their TMDb id. Requests go through Scrapy's engine (download slot
"tmdb": its own concurrency and rate, the retry middleware with Retry-After and backoff, the stats).

Freshness is looked up for a page's rows at once (one SELECT per page), a film wanted by two rows at once
is fetched once, and the result travels on the row to the storage pipeline.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from scrapy import Request
from scrapy.exceptions import NotConfigured
from sqlalchemy import select

from cinegraph_scrapy.db.engine import crawl_engine
from cinegraph_scrapy.db.models import Movie, Person
from cinegraph_scrapy.items import FilmRow, ListEntry, NominationRow, PageItem
from cinegraph_scrapy.runs import as_aware, utcnow
from cinegraph_scrapy.redaction import error_line, redact, register_secret

logger = logging.getLogger(__name__)


def parse_release_date(value: Any) -> date | None:
    """TMDb's release_date ("1999-10-15"; "" or missing when unknown) as a date."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None

TMDB_SLOT = "tmdb"
FRESH_STATUSES = ("enriched", "not_found")
# IMDb title types TMDb keeps among its TV shows (a tvMovie is a movie there).
TV_TITLE_TYPES = {"tvSeries", "tvMiniSeries", "tvSpecial", "tvShort", "tvEpisode", "tvPilot"}


UNLIMITED_RPS = 1000.0


def tmdb_slot_settings(settings) -> dict[str, Any]:
    """The DOWNLOAD_SLOTS entry that limits TMDb to TMDB_CONCURRENCY requests and TMDB_MAX_RPS per second.

    TMDB_MAX_RPS <= 0 means "no rate limit" and is taken as 1000/s: a slot without any delay starts the
    next queued request before the finished one has handed its connection back to the pool, so every
    request of a backlog would open (and close) a new connection."""
    rps = settings.getfloat("TMDB_MAX_RPS")
    return {
        "concurrency": settings.getint("TMDB_CONCURRENCY"),
        "delay": 1.0 / (rps if rps > 0 else UNLIMITED_RPS),
        "jitter": 0,
    }


def _columns(details: dict[str, Any], now: datetime, *, media_type: str, title: str, original_title: str,
             release: str, runtime: Any) -> dict[str, Any]:
    genres = [g.get("name") for g in details.get("genres") or [] if isinstance(g, dict) and g.get("name")]
    return {
        "tmdb_id": details.get("id"),
        "tmdb_media_type": media_type,
        "tmdb_status": "enriched",
        "tmdb_fetched_at": now,
        "tmdb_title": details.get(title),
        "tmdb_original_title": details.get(original_title),
        "release_date": parse_release_date(details.get(release)),
        "runtime": runtime if isinstance(runtime, int) else None,
        "overview": details.get("overview"),
        "poster_path": details.get("poster_path"),
        "popularity": details.get("popularity"),
        "vote_average": details.get("vote_average"),
        "vote_count": details.get("vote_count"),
        "genres": genres,
        "tmdb_data": details,
    }


def movie_columns(details: dict[str, Any], now: datetime) -> dict[str, Any]:
    return _columns(details, now, media_type="movie", title="title", original_title="original_title",
                    release="release_date", runtime=details.get("runtime"))


def tv_columns(details: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A `/tv/{id}` answer in the movie columns: name, first air date, the first episode run time."""
    runtimes = [r for r in details.get("episode_run_time") or [] if isinstance(r, int)]
    return _columns(details, now, media_type="tv", title="name", original_title="original_name",
                    release="first_air_date", runtime=runtimes[0] if runtimes else None)


def _first_result(results) -> dict | None:
    return next((r for r in results or [] if isinstance(r, dict) and r.get("id") is not None), None)


class TmdbAuthError(Exception):
    pass


class TmdbEnrichmentPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.enabled = settings.getbool("TMDB_ENABLED")
        self.api_key = settings.get("TMDB_API_KEY") or None
        self.token = settings.get("TMDB_READ_ACCESS_TOKEN") or None
        register_secret(self.api_key)
        register_secret(self.token)
        self.base = settings.get("TMDB_API_BASE").rstrip("/")
        self.refresh = timedelta(days=settings.getfloat("TMDB_REFRESH_DAYS"))
        self.people_enabled = settings.getbool("TMDB_PEOPLE")
        self.max_retries = settings.getint("TMDB_MAX_RETRIES")
        self.batch_size = 500
        self.inflight: dict[str, asyncio.Future] = {}  # key → its one lookup of this crawl (running or done)
        self.handled: set[str] = set()  # films enriched (or found fresh) during this crawl
        self._fresh_waiters: dict[str, list[asyncio.Future]] = {}
        self._fresh_scheduled = False
        self.warned_no_credentials = False
        if not self.enabled:
            raise NotConfigured("TMDB_ENABLED is off")  # not even a pass-through stage
        if not (self.api_key or self.token):
            logger.warning(
                "TMDb enrichment is off: no TMDB_API_KEY or TMDB_READ_ACCESS_TOKEN; films are stored with "
                "tmdb_status=pending (run `scrapy crawl tmdb_backfill` later)"
            )
            raise NotConfigured("no TMDb credentials")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    # ------------------------------------------------------------------ items

    async def process_item(self, item):
        """A page's rows are enriched together: their freshness is read in one SELECT, their lookups share
        the TMDb slot. A row whose enrichment raised is stored as it is (TMDb pending), with the error logged."""
        if not self.enabled or not isinstance(item, PageItem):
            return item
        rows = [row for row in item.rows if isinstance(row, (ListEntry, NominationRow, FilmRow))]
        results = await asyncio.gather(*(self._enrich_row(row) for row in rows), return_exceptions=True)
        for row, result in zip(rows, results):
            if isinstance(result, BaseException):
                if isinstance(result, asyncio.CancelledError):
                    raise result
                self.stats.inc_value(f"tmdb/errors/{type(result).__name__}")
                logger.error("TMDb enrichment of %s failed: %s", row.imdb_id or "a person-only nomination",
                             error_line(result))
        return item

    async def _enrich_row(self, item) -> None:
        if self.people_enabled and isinstance(item, NominationRow) and item.people:
            await self._enrich_people(item)
        if item.imdb_id:
            await self._enrich_title(item)

    async def _enrich_people(self, item: NominationRow) -> None:
        """TMDB_PEOPLE: each person once per crawl and never again while fresh: `/find/{nm…}` → TMDb id."""
        found: dict[str, int | None] = {}
        for person in item.people:
            nm = person.get("imdb_id")
            if not nm or nm in self.handled:
                continue
            if await self._current_status(nm) is True:
                self.handled.add(nm)
                continue
            result = await self._coalesced(nm, self._lookup_person)
            if result is None:  # failed or no credentials: asked again next time
                continue
            self.handled.add(nm)
            found[nm] = result["tmdb_person_id"]
        if found:
            item.people_tmdb = found

    async def _lookup_person(self, nm: str) -> dict[str, Any] | None:
        try:
            answer = await self._get(f"/find/{nm}", {"external_source": "imdb_id"})
        except TmdbAuthError:
            return None
        if answer is None:
            return None  # failed: asked again next time
        person = _first_result(answer.get("person_results"))
        self.stats.inc_value("tmdb/people_found" if person else "tmdb/people_not_found")
        return {"tmdb_person_id": person["id"] if person else None}

    async def _coalesced(self, key: str, lookup):
        """One lookup per key per crawl: rows asking for the same title or person share it, whether they ask
        while it runs or after it has answered (a row that read the stored status meanwhile must not ask
        again)."""
        future = self.inflight.get(key)
        if future is None:
            future = self.inflight[key] = asyncio.ensure_future(lookup(key))
        else:
            self.stats.inc_value("tmdb/coalesced")
        return await future

    async def _enrich_title(self, item):
        imdb_id = item.imdb_id
        if imdb_id in self.handled:
            self.stats.inc_value("tmdb/cached")
            return item
        force = isinstance(item, FilmRow)
        previous = None if force else await self._current_status(imdb_id)
        if previous is True:
            self.handled.add(imdb_id)
            self.stats.inc_value("tmdb/cached")
            return item
        title_type = getattr(item, "title_type", None)
        result = await self._coalesced(imdb_id, lambda key: self._lookup(key, title_type))
        if result is None:  # auth failure or crawl-wide stop: leave the film as it is (pending)
            return item
        if result["status"] == "failed" and previous == "enriched":
            return item  # a failed refresh keeps the older data
        self.handled.add(imdb_id)
        item.tmdb = result
        return item

    # ------------------------------------------------------------------ freshness, batched

    async def _current_status(self, imdb_id: str):
        """True when the stored TMDb data is fresh, else the stored status (or None for a new film)."""
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._fresh_waiters.setdefault(imdb_id, []).append(waiter)
        if not self._fresh_scheduled:
            self._fresh_scheduled = True
            loop.call_soon(self._resolve_freshness)
        return await waiter

    def _resolve_freshness(self) -> None:
        self._fresh_scheduled = False
        waiters, self._fresh_waiters = self._fresh_waiters, {}
        titles = [k for k in waiters if not k.startswith("nm")]
        people = [k for k in waiters if k.startswith("nm")]
        found: dict[str, Any] = {}
        cutoff = utcnow() - self.refresh
        try:
            engine = crawl_engine(self.crawler.settings)
            with engine.connect() as conn:
                for start in range(0, len(titles), self.batch_size):
                    chunk = titles[start : start + self.batch_size]
                    rows = conn.execute(
                        select(Movie.imdb_id, Movie.tmdb_status, Movie.tmdb_fetched_at).where(Movie.imdb_id.in_(chunk))
                    )
                    for imdb_id, status, fetched in rows:
                        fresh = status in FRESH_STATUSES and fetched is not None and as_aware(fetched) > cutoff
                        found[imdb_id] = True if fresh else status
                for start in range(0, len(people), self.batch_size):
                    chunk = people[start : start + self.batch_size]
                    rows = conn.execute(select(Person.imdb_id, Person.tmdb_checked_at).where(Person.imdb_id.in_(chunk)))
                    for imdb_id, checked in rows:
                        if checked is not None and as_aware(checked) > cutoff:
                            found[imdb_id] = True
        except Exception as exc:
            logger.warning("TMDb freshness lookup failed, looking films up anyway: %s", redact(str(exc)))
        for imdb_id, futures in waiters.items():
            for future in futures:
                if not future.done():
                    future.set_result(found.get(imdb_id))

    # ------------------------------------------------------------------ HTTP through the engine

    async def _lookup(self, imdb_id: str, title_type: str | None = None) -> dict[str, Any] | None:
        now = utcnow()
        try:
            found = await self._get(f"/find/{imdb_id}", {"external_source": "imdb_id"})
            if found is None:
                return self._failed(imdb_id, now)
            movie, tv = _first_result(found.get("movie_results")), _first_result(found.get("tv_results"))
            if movie is None and tv is None:
                self.stats.inc_value("tmdb/not_found")
                return {"tmdb_id": None, "status": "not_found",
                        "columns": {"tmdb_status": "not_found", "tmdb_fetched_at": now}}
            if tv is not None and (movie is None or title_type in TV_TITLE_TYPES):
                details = await self._get(f"/tv/{tv['id']}", {"append_to_response": "credits,external_ids"})
                if details is None or not isinstance(details, dict):
                    return self._failed(imdb_id, now)
                self.stats.inc_value("tmdb/enriched")
                self.stats.inc_value("tmdb/enriched_tv")
                return {"tmdb_id": details.get("id") or tv["id"], "status": "enriched", "media_type": "tv",
                        "columns": tv_columns(details, now)}
            movie_id = movie["id"]
            details = await self._get(f"/movie/{movie_id}", {"append_to_response": "credits,external_ids,release_dates"})
            if details is None or not isinstance(details, dict):
                return self._failed(imdb_id, now)
            self.stats.inc_value("tmdb/enriched")
            return {"tmdb_id": details.get("id") or movie_id, "status": "enriched", "media_type": "movie",
                    "columns": movie_columns(details, now)}
        except TmdbAuthError:
            return None
        except Exception as exc:  # an unexpected answer must not cost the item: it is stored as failed
            self.stats.inc_value("tmdb/errors")
            logger.warning("TMDb lookup of %s failed: %s", imdb_id, redact(f"{type(exc).__name__}: {exc}"))
            return self._failed(imdb_id, now)

    def _failed(self, imdb_id: str, now: datetime) -> dict[str, Any] | None:
        if not self.enabled:
            return None
        self.stats.inc_value("tmdb/failed")
        return {"tmdb_id": None, "status": "failed", "columns": {"tmdb_status": "failed", "tmdb_fetched_at": now}}

    async def _get(self, path: str, params: dict[str, str]) -> dict[str, Any] | None:
        """The JSON answer, None for a failure after retries; raises TmdbAuthError on 401."""
        if not self.enabled:
            raise TmdbAuthError()
        query = dict(params)
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        elif self.api_key:
            query["api_key"] = self.api_key
        request = Request(
            f"{self.base}{path}?{urlencode(query)}",
            headers=headers,
            meta={
                "download_slot": TMDB_SLOT,
                "max_retry_times": self.max_retries,
                "tmdb": True,
                "dont_redirect": True,
            },
            dont_filter=True,
        )
        self.stats.inc_value("tmdb/requests")
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:
            self.stats.inc_value("tmdb/errors")
            logger.warning("TMDb %s failed: %s", path.split("/")[1], redact(f"{type(exc).__name__}: {exc}"))
            return None
        if response.status == 401:
            self._auth_failed(response)
            raise TmdbAuthError()
        if response.status == 404:
            return {"movie_results": []} if path.startswith("/find/") else None
        if response.status != 200:
            self.stats.inc_value("tmdb/errors")
            logger.warning("TMDb %s answered HTTP %s after retries", path.split("/")[1], response.status)
            return None
        try:
            return json.loads(response.body)
        except ValueError:
            self.stats.inc_value("tmdb/errors")
            logger.warning("TMDb %s answered something that is not JSON", path.split("/")[1])
            return None

    def _auth_failed(self, response) -> None:
        if not self.enabled:
            return
        self.enabled = False
        self.stats.inc_value("tmdb/errors")
        self.stats.set_value("tmdb/auth_error", 1)
        try:
            message = json.loads(response.body).get("status_message") or ""
        except (ValueError, AttributeError):
            message = ""
        logger.error(
            "TMDb rejected the credentials (HTTP 401%s): enrichment is off for the rest of this crawl; "
            "films are stored with tmdb_status=pending",
            f": {redact(message)}" if message else "",
        )
