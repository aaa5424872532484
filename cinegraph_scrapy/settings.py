"""Every knob of cinegraph-scrapy, with its default. Override with `-s NAME=value` or the environment
(DATABASE_URL, TMDB_API_KEY, TMDB_READ_ACCESS_TOKEN, CHROMIUM_PATH)."""

import os

from scrapy.settings import default_settings as _scrapy_defaults

BOT_NAME = "cinegraph_scrapy"
SPIDER_MODULES = ["cinegraph_scrapy.spiders"]
NEWSPIDER_MODULE = "cinegraph_scrapy.spiders"
COMMANDS_MODULE = "cinegraph_scrapy.commands"

# ---- where things are
DATABASE_URL = os.environ.get("DATABASE_URL")  # None → sqlite:///cinegraph.db in the working directory
IMDB_BASE_URL = os.environ.get("IMDB_BASE_URL", "https://www.imdb.com")
# IMDb's GraphQL API: the first fetch path for every edition and list (pages, then the browser, are the
# fallbacks). Its queries are the .graphql files of cinegraph_scrapy/queries/; a folder named here
# overrides any of them (a schema change on IMDb's side is an edit, not a release).
IMDB_GRAPHQL_URL = os.environ.get("IMDB_GRAPHQL_URL", "https://api.graphql.imdb.com/")
IMDB_API_ENABLED = True
IMDB_GRAPHQL_QUERIES_DIR = os.environ.get("IMDB_GRAPHQL_QUERIES_DIR")
IMDB_GRAPHQL_PAGE_SIZE = 250  # list items per answer
IMDB_API_CATEGORIES_FIRST = 100  # categories per award per answer (IMDb refuses "too much data")
IMDB_API_NOMINATIONS_FIRST = 250  # nominations per category per answer
TMDB_API_BASE = os.environ.get("TMDB_API_BASE", "https://api.themoviedb.org/3")

# ---- politeness towards IMDb: about one request per second, adapted by AutoThrottle
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    # Pinned: titles and category names must not change with the machine's locale.
    "Accept-Language": "en-US",
}
ROBOTSTXT_OBEY = False
DOWNLOAD_DELAY = 1.0
# With a delay, a slot sends one request at a time anyway; this also sizes the HTTP connection pool per
# host (TMDb keeps TMDB_CONCURRENCY connections alive only if this is at least as large).
CONCURRENT_REQUESTS_PER_DOMAIN = 8
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60

# ---- retries: RetryMiddleware with backoff and Retry-After
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 1.0  # seconds; doubles per attempt
RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "cinegraph_scrapy.middlewares.retry.BackoffRetryMiddleware": 550,
    # before the retries see a host that cannot be reached at all: no retry, no further request to it
    "cinegraph_scrapy.middlewares.unreachable.UnreachableHostsMiddleware": 560,
    "cinegraph_scrapy.middlewares.waf.WafChallengeMiddleware": 640,
}

# ---- items: validation → deduplication → TMDb enrichment → routing and storage
ITEM_PIPELINES = {
    "cinegraph_scrapy.pipelines.validate.ValidationPipeline": 100,
    "cinegraph_scrapy.pipelines.dedupe.DeduplicationPipeline": 200,
    "cinegraph_scrapy.pipelines.tmdb.TmdbEnrichmentPipeline": 300,
    "cinegraph_scrapy.pipelines.store.StoragePipeline": 800,
}
# ---- feeds (-O items.jsonl …): one record per row, though a page's rows travel as one PageItem
FEED_EXPORTERS = {
    fmt: f"cinegraph_scrapy.exporters.{name}ItemExporter"
    for fmt, name in (("json", "Json"), ("jsonlines", "JsonLines"), ("jsonl", "JsonLines"), ("jl", "JsonLines"),
                      ("csv", "Csv"), ("xml", "Xml"), ("marshal", "Marshal"), ("pickle", "Pickle"))
}
# The project's add-on: download slots (TMDb, IMDb GraphQL) and the browser handler, from the settings above.
ADDONS = {"cinegraph_scrapy.addon.CinegraphAddon": 0}

EXTENSIONS = {
    "cinegraph_scrapy.extensions.import_runs.ImportRunsExtension": 100,
    "cinegraph_scrapy.extensions.configurations.DiscoveredConfigurations": 105,
    "cinegraph_scrapy.extensions.gc_tuning.GcTuning": 110,
    "cinegraph_scrapy.extensions.thread_switching.ThreadSwitching": 120,
}
# Scrapy's own extensions minus the two that are off anyway (REMOTE_CONTROL_ENABLED and
# TELNETCONSOLE_ENABLED below): Scrapy imports every extension it lists, even a disabled one, and the
# remote control pulls in aiohttp, a fifth of a second of every crawl's start.
EXTENSIONS_BASE = {
    path: order for path, order in _scrapy_defaults.EXTENSIONS_BASE.items()
    if path not in ("scrapy.extensions.remote_control.RemoteControl", "scrapy.extensions.telnet.TelnetConsole")
}
GC_GEN0_THRESHOLD = 50000  # see extensions/gc_tuning.py; 0 = interpreter default
THREAD_SWITCH_INTERVAL = 0.0005  # seconds; see extensions/thread_switching.py; 0 = interpreter default (5 ms)

# ---- storage: page transactions run on writer threads (PostgreSQL; SQLite always uses one)
DB_WRITERS = 2
DB_PAGE_RETRIES = 5  # a page transaction lost to a deadlock or a dropped connection is tried again
DB_RETRY_BACKOFF = 0.2  # seconds before the first retry; doubles per attempt

# ---- drift guard (drift.py): a page giving under this share of the nominations, categories or list
# entries the last import stored is not written and the run ends `suspect` (`-a accept=1` writes it)
DRIFT_MIN_SHARE = 0.5

# ---- import runs: one running import per key
IMPORT_HEARTBEAT_SECONDS = 10.0
IMPORT_LOCK_STALE_SECONDS = 60.0

# ---- TMDb enrichment (credentials from the environment; never logged)
TMDB_ENABLED = True
TMDB_API_KEY = os.environ.get("TMDB_API_KEY")
TMDB_READ_ACCESS_TOKEN = os.environ.get("TMDB_READ_ACCESS_TOKEN")
TMDB_REFRESH_DAYS = 30
TMDB_CONCURRENCY = 8
TMDB_MAX_RPS = 35.0  # 0 = no limit (taken as 1000/s, see pipelines/tmdb.py)
TMDB_MAX_RETRIES = 5
TMDB_PEOPLE = False  # also look people up (/find/nm…) for people.tmdb_person_id: one request per person

# ---- browser fallback for IMDb's AWS WAF challenge (scrapy-playwright + Debian's chromium)
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH")  # None → `chromium` found on PATH
BROWSER_FALLBACK_ENABLED = True
BROWSER_WAIT_SELECTOR = "script#__NEXT_DATA__"
BROWSER_TIMEOUT_MS = 30000
# The Playwright download handlers are switched on by the import spiders only when a browser exists.
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 2
PLAYWRIGHT_MAX_CONTEXTS = 2
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "headless": True,
    "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--disable-quic"],
}

# ---- Scrapy housekeeping
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REMOTE_CONTROL_ENABLED = False  # Scrapy 2.19 would otherwise open a code-running control server per job
TELNETCONSOLE_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
LOG_FORMATTER = "cinegraph_scrapy.logformatter.ImportLogFormatter"
