"""`scrapy discover ORG [ORG…]` / `--all` / `ev0004044 --slug busan`: read each event's editions from
IMDb (through a crawl, so retries, politeness and the WAF fallback apply) and create one import config per
edition; prints what it found and created. Exit 2 for bad arguments, 1 when an event could not be read."""

from __future__ import annotations

import sys

from scrapy.commands import ScrapyCommand

from cinegraph_scrapy.cli import print_table, quiet_on_closed_pipe, start_crawler_process
from cinegraph_scrapy.seeding import ensure_seeded
from cinegraph_scrapy.db.engine import open_database, resolve_database_url
from cinegraph_scrapy.errors import CinegraphError
from cinegraph_scrapy.organizations import known_organizations
from cinegraph_scrapy.spiders.imdb_discover import ImdbDiscoverSpider, discovery_plan


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # made after the arguments are checked

    def syntax(self):
        return "ORG [ORG ...] | --all | EVENT_ID --slug NAME"

    def short_desc(self):
        return "Discover an event's editions on IMDb and create their import configs"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--all", dest="every", action="store_true", help="every known organization")
        parser.add_argument("--slug", help="key prefix for a new organization given by its event id (ev…)")

    @quiet_on_closed_pipe
    def run(self, args, opts):
        try:
            engine = open_database(resolve_database_url(self.settings))
            ensure_seeded(engine)
            discovery_plan(known_organizations(engine), list(args), slug=opts.slug, every=opts.every)
        except CinegraphError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        names = [a for a in args if not a.startswith("ev")]
        event_ids = [a for a in args if a.startswith("ev")]
        spargs = {"orgs": ",".join(names + (event_ids if opts.slug is None else [])), "every": "1" if opts.every else "0"}
        if opts.slug is not None:
            spargs.update(event_id=event_ids[0], slug=opts.slug)
        if not opts.loglevel and not opts.nolog:
            self.settings.set("LOG_LEVEL", "WARNING", priority="cmdline")  # the table is the output
        self.crawler_process = start_crawler_process(self.settings)
        crawler = self.crawler_process.create_crawler(ImdbDiscoverSpider)
        self.crawler_process.crawl(crawler, **spargs)
        self.crawler_process.start()
        reports = getattr(crawler.spider, "reports", []) if crawler.spider is not None else []
        rows = [[r.slug, r.event_id, len(r.editions), r.span, len(r.created), len(r.editions) - len(r.created),
                 r.error or ""] for r in sorted(reports, key=lambda r: r.slug)]
        print_table(rows, ["organization", "event", "editions", "years", "created", "already known", "error"])
        for report in reports:
            if report.created:
                shown = ", ".join(report.created[:8]) + (f", … ({len(report.created)})" if len(report.created) > 8 else "")
                print(f"{report.slug}: created {shown}")
        if not reports or any(r.error for r in reports) or self.crawler_process.bootstrap_failed:
            self.exitcode = 1
