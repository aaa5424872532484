"""`scrapy demo`: see the project work without internet or credentials. Bundled pages in IMDb's real shapes
(cinegraph_scrapy/demo) are served on loopback from this process, imported into the configured database
(the SQLite default when none is set) by the real spiders and pipelines, then the import summary and the
coverage table are printed. Exit 0 when every import succeeded."""

from __future__ import annotations

import sys

from scrapy.commands import ScrapyCommand

from cinegraph_scrapy import demo
from cinegraph_scrapy.cli import quiet_on_closed_pipe, start_crawler_process
from cinegraph_scrapy.seeding import ensure_seeded
from cinegraph_scrapy.db.engine import open_database, resolve_database_url, safe_url
from cinegraph_scrapy.errors import CinegraphError
from cinegraph_scrapy.organizations import register_organization


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def short_desc(self):
        return "Import bundled demo pages (an edition in each IMDb layout, a 310-film list) offline"

    @quiet_on_closed_pipe
    def run(self, args, opts):
        try:
            url = resolve_database_url(self.settings)
            engine = open_database(url)
            ensure_seeded(engine)
            register_organization(engine, slug=demo.SLUG, name=demo.NAME, event_id=demo.EVENT_ID)
        except CinegraphError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        with demo.DemoSite() as site:
            for name, value in {"IMDB_BASE_URL": site.url, "IMDB_GRAPHQL_URL": site.url + demo.GRAPHQL_PATH,
                                "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "TMDB_ENABLED": False,
                                "BROWSER_FALLBACK_ENABLED": False, "RETRY_TIMES": 0}.items():
                self.settings.set(name, value, priority="cmdline")
            if not opts.loglevel:
                self.settings.set("LOG_LEVEL", "ERROR", priority="cmdline")  # the summary is the output
            process = start_crawler_process(self.settings)
            crawlers = [process.create_crawler("imdb_event"), process.create_crawler("imdb_list")]
            process.crawl(crawlers[0], keys=f"{demo.SLUG}_2024,{demo.SLUG}_2019")
            process.crawl(crawlers[1], list=demo.LIST_ID)
            process.start()
        from cinegraph_scrapy.commands.report import print_terminal
        from cinegraph_scrapy.extensions.import_runs import ImportRunsExtension
        from cinegraph_scrapy.quality import coverage

        print(f"demo: imported into {safe_url(url)} from bundled pages (no network)\n")
        print("Import summary")
        statuses = []
        for crawler in crawlers:
            tracker = next((e for e in getattr(crawler.extensions, "middlewares", [])
                            if isinstance(e, ImportRunsExtension)), None)
            for line in tracker.summary_lines if tracker else []:
                print(f"  {line}")
            statuses.extend((tracker.statuses if tracker else {}).values())
        print()
        print_terminal(coverage(engine))
        if not statuses or any(s != "success" for s in statuses):
            self.exitcode = 1
