"""`scrapy crawl`, with the import checks done before Scrapy starts: a bad DATABASE_URL, an unknown key,
a malformed config or a key already being imported ends with one line on stderr and exit status 2, not
a traceback. A crawl whose imports failed exits with status 1."""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from cinegraph_scrapy.errors import CinegraphError


class Command(ScrapyCrawl):
    def run(self, args, opts):
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        try:
            self._preflight(args[0], opts)
        except CinegraphError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        elif crawler.stats is not None and crawler.stats.get_value("cinegraph/final_status") in ("failed", "refused"):
            self.exitcode = 1

    def _preflight(self, spider_name: str, opts) -> None:
        from cinegraph_scrapy.spiders.base import BaseImportSpider

        spidercls = self.crawler_process.spider_loader.load(spider_name)
        if issubclass(spidercls, BaseImportSpider):
            spidercls.preflight(self.settings, dict(opts.spargs))
