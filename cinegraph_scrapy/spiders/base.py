"""The base spider every import spider derives from: arguments → validated configurations from the
database, one RunLedger per configuration, and one PageItem per page."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from cinegraph_scrapy.configs import ImportTarget, keys_for, load_configs, wants_all_years
from cinegraph_scrapy.seeding import ensure_seeded
from cinegraph_scrapy.db.engine import open_database, resolve_database_url
from cinegraph_scrapy.db.retry import with_retries
from cinegraph_scrapy.errors import BlockedPage, CinegraphError, ConfigError, HostUnreachable
from cinegraph_scrapy.items import PageItem
from cinegraph_scrapy.organizations import known_organizations
from cinegraph_scrapy.parsing.blocks import blocked_reason, header_map
from cinegraph_scrapy.locks import AlreadyRunning, KeyLocks
from cinegraph_scrapy.redaction import error_line, redact
from cinegraph_scrapy.signals import (ImportOptions, editions_found, import_noted, imports_added, organization_found,
                                      page_failed, recorded, refusals)
from cinegraph_scrapy.spiders.fetching import FetchPaths

logger = logging.getLogger(__name__)


def truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class DatabaseSpider(FetchPaths, scrapy.Spider):
    """What every spider that feeds the storage pipeline shares: the download set-up (TMDb slot, browser),
    the database engine, the imports it runs (their run accounting is the import extension's) and the page items."""

    # `-a NAME=…` arguments the spider takes, with what they do (`scrapy help-args SPIDER` shows them;
    # `scrapy crawl` refuses any other, except scrapyd's own `_job`).
    arguments: ClassVar[dict[str, str]] = {}

    @classmethod
    def preflight(cls, settings, spargs: dict[str, Any]) -> None:
        """Checks before Scrapy starts (the `crawl` command): ConfigError → one line, exit 2."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.by_key: dict[str, ImportTarget] = {}  # the imports this crawl runs (their runs are open)

    def note(self, key: str | None, **facts: Any) -> None:
        """Tell the run accounting (the import extension) what this crawl learnt about an import."""
        if key in self.by_key:
            self.crawler.signals.send_catch_log(signal=import_noted, key=key, facts=facts)

    def record_editions(self, org: dict[str, Any], editions) -> Any:
        """The configurations of these editions, written by the component that owns them (a DiscoveryReport);
        raises what the write raised."""
        return recorded(self.crawler.signals.send_catch_log(signal=editions_found, org=org, editions=editions),
                        "the editions")

    def register_organization(self, slug: str, name: str, event_id: str) -> dict[str, Any]:
        return recorded(self.crawler.signals.send_catch_log(signal=organization_found, slug=slug, name=name,
                                                            event_id=event_id), "the organization")

    def target_of(self, meta) -> ImportTarget:
        return self.by_key[meta["source_key"]]

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.engine_db = open_database(resolve_database_url(crawler.settings))
        return spider

    @staticmethod
    def block_reason(response: Response, default: str | None = None) -> str | None:
        """Why this answer is not the page we asked for (with the WAF middleware's note), or `default`."""
        reason = blocked_reason(response.status, header_map(response.headers), response.body) or default
        if reason is None:
            return None
        note = response.meta.get("waf_note")
        return f"{reason} at {response.url}" + (f"; {note}" if note else "")

    def check_page(self, response: Response) -> None:
        """Raise BlockedPage when the answer is not the page we asked for."""
        reason = self.block_reason(response)
        if reason:
            raise BlockedPage(reason)


class BaseImportSpider(DatabaseSpider):
    """`-a key=KEY` (or `keys=a,b`, or `org=venice years=1990-2024`), `-a force=1` for inactive configs."""

    source_type: ClassVar[str | None] = None
    arguments = {
        "key": "one configuration key (see `scrapy lists`), e.g. venice_2024",
        "keys": "several keys, comma-separated",
        "org": "an organization slug, with years=",
        "years": "YEAR, YEAR-YEAR, a comma-separated mix, or all (discover the editions on IMDb first)",
        "force": "1 to import an inactive configuration",
        "full": "1 to write every page even when its content equals what its last import stored",
        "accept": "1 to write a page the drift guard refuses (far fewer nominations or entries than last time)",
    }

    def __init__(self, *args: Any, key: str | None = None, keys: str | None = None, org: str | None = None,
                 years: str | None = None, force: str | None = None, list: str | None = None,  # noqa: A002
                 full: str | None = None, accept: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.full_write = truthy(full) if full is not None else False
        self.accept_drift = truthy(accept) if accept is not None else False
        self.requested = {"key": key, "keys": keys, "org": org, "years": years, "list_ref": list}
        self.force = truthy(force) if force is not None else False
        self.targets: list[ImportTarget] = []
        self.orgs: dict[str, dict[str, Any]] = {}
        # Organizations whose editions are discovered first (`-a years=all`), then imported.
        self.discover_orgs: list[str] = [org] if org and wants_all_years(years) else []
        self.skipped: dict[str, str] = {}  # keys another crawl is importing, with why

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        ensure_seeded(spider.engine_db)
        # Each read is one short transaction: a connection lost mid-way (a restarted server, a killed backend)
        # is tried again rather than failing the crawl before it starts.
        spider.orgs = with_retries(lambda: known_organizations(spider.engine_db), what="reading the organizations")
        keys = keys_for(**spider.requested, orgs=spider.orgs)
        if keys or not spider.discover_orgs:
            spider.targets = with_retries(
                lambda: cls.resolve_targets(spider.engine_db, crawler.settings, keys, spider.force, spider.orgs),
                what="reading the configurations")
        return spider

    @classmethod
    def resolve_targets(cls, engine, settings, keys: list[str], force: bool, orgs=None, *,
                        create: bool = True) -> list[ImportTarget]:
        return load_configs(
            engine, keys, imdb_base_url=settings.get("IMDB_BASE_URL"), force=force, source_type=cls.source_type,
            orgs=orgs, create=create,
        )

    def add_targets(self, keys: list[str]) -> list[ImportTarget]:
        """Import these configs too (found while crawling and recorded by the configurations extension, e.g. by
        edition discovery): their runs start now. Read only: a callback writes no configuration."""
        keys = [k for k in keys if k not in self.by_key and k not in self.skipped]
        if not keys:
            return []
        targets = with_retries(lambda: self.resolve_targets(self.engine_db, self.settings, keys, self.force, self.orgs,
                                                            create=False), what="reading the configurations")
        targets = [t for t in targets if t.list_id]  # a key nothing recorded (id 0) is not imported
        self.targets.extend(targets)
        return self.begin_imports(targets)

    def begin_imports(self, targets: list[ImportTarget]) -> list[ImportTarget]:
        """Open the imports of these targets (signals.imports_added); returns those not refused (another crawl
        imports the others)."""
        targets = [t for t in targets if t.source_key not in self.by_key and t.source_key not in self.skipped]
        if not targets:
            return []
        options = ImportOptions(full_write=self.full_write, accept_drift=self.accept_drift)
        refused = refusals(self.crawler.signals.send_catch_log(
            signal=imports_added, targets=targets, options=options, spider_name=self.name,
            job=getattr(self, "_job", None)))
        self.skipped.update(refused)
        started = [t for t in targets if t.source_key not in refused]
        self.by_key.update({t.source_key: t for t in started})
        return started

    @classmethod
    def preflight(cls, settings, spargs: dict[str, Any]) -> None:
        """Everything that can be checked before Scrapy starts (used by the `crawl` command). The checks
        are repeated whole on a lost connection, as migrating and seeding are."""
        engine = open_database(resolve_database_url(settings))
        ensure_seeded(engine)
        with_retries(lambda: cls._check(engine, settings, spargs), what="checking the configurations")

    @classmethod
    def _check(cls, engine, settings, spargs: dict[str, Any]) -> None:
        orgs = known_organizations(engine)
        keys = keys_for(key=spargs.get("key"), keys=spargs.get("keys"), org=spargs.get("org"),
                        years=spargs.get("years"), list_ref=spargs.get("list"), orgs=orgs)
        if wants_all_years(spargs.get("years")):
            if cls.source_type != "imdb_event":
                raise ConfigError("-a years=all discovers event editions: use the imdb_event spider")
            if not keys:
                return
        # checked without being created: the crawl creates what it imports (and removes it if that fails)
        targets = cls.resolve_targets(engine, settings, keys, truthy(spargs.get("force", "0")), orgs, create=False)
        locks = KeyLocks(engine, timedelta(seconds=settings.getfloat("IMPORT_LOCK_STALE_SECONDS")))
        try:
            busy = list(locks.acquire_many([t.source_key for t in targets]).values())
        finally:
            locks.close()
        if busy and len(busy) == len(targets):
            raise AlreadyRunning(busy[0] if len(busy) == 1 else f"{len(busy)} keys are already being imported: {busy[0]}")

    # ---------------------------------------------------------------- crawling helpers

    def active_targets(self) -> list[ImportTarget]:
        """The crawl's targets, their imports opened now (once); those another crawl is importing left out."""
        self.begin_imports(self.targets)
        return [t for t in self.targets if t.source_key in self.by_key]

    def request(self, url: str, target: ImportTarget, callback, page: int = 1, **meta: Any) -> scrapy.Request:
        meta.update({"source_key": target.source_key, "page": page})
        if target.metadata.get("render") == "browser":
            meta["cinegraph_browser"] = True
        return scrapy.Request(url, callback=callback, errback=self.on_request_error, meta=meta, dont_filter=True)

    @staticmethod
    def with_refusal(meta, reason: str) -> str:
        """A page's failure, after the API's: both refusals in one line."""
        refusal = meta.get("api_refusal")
        return f"{refusal}; the page: {reason}" if refusal else reason

    def page_failed(self, response_or_request, reason: str, *, said: bool = False) -> None:
        meta = response_or_request.meta
        self.page_failed_for(self.target_of(meta), self.with_refusal(meta, reason), meta.get("page", 1), said=said)

    def page_failed_for(self, target: ImportTarget, reason: str, page: int = 1, *, said: bool = False) -> None:
        """Record a page's failure; `said`: its cause was logged already (an unreachable host), once."""
        self.crawler.signals.send_catch_log(signal=page_failed, key=target.source_key, reason=f"page {page}: {reason}")
        self.crawler.stats.inc_value("cinegraph/page_errors")
        (logger.debug if said else logger.error)("%s page %s failed: %s", target.source_key, page, redact(reason))

    def on_request_error(self, failure: Failure) -> None:
        request = failure.request
        response = getattr(failure.value, "response", None)
        if failure.check(HostUnreachable):  # said once by the middleware, for every request to that host
            self.page_failed(request, failure.getErrorMessage(), said=True)
            return
        if response is not None:
            reason = self.block_reason(response, default=f"HTTP {response.status}")
        else:
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()} at {request.url}"
        self.page_failed(request, reason)

    def page_item(self, target: ImportTarget, page: int, rows: list[Any], **info: Any) -> PageItem:
        """The page's rows as the one item the pipelines see (and storage writes in one transaction)."""
        self.note(target.source_key, pages=1, items_scraped=len(rows))
        self.crawler.stats.inc_value("cinegraph/pages")
        return PageItem(target.source_key, page, rows, info)

    def guarded(self, response: Response, parse):
        """Run a page parser; a blocked or empty page becomes a recorded page error, not a crash."""
        try:
            self.check_page(response)
            return parse()
        except CinegraphError as exc:
            self.page_failed(response, str(exc))
            return []
        except Exception as exc:  # a shape no parser knows: this page fails with the reason, the crawl goes on
            logger.debug("parser error on %s", response.url, exc_info=True)
            self.page_failed(response, f"the page could not be parsed ({error_line(exc)}); nothing of it was stored")
            return []

