"""`scrapy crawl`, with the import checks done before Scrapy starts: a bad DATABASE_URL, an unknown key,
a malformed config or a key already being imported ends with one line on stderr and exit status 2, not
a traceback. A crawl whose imports failed exits with status 1."""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from cinegraph_scrapy.cli import quiet_on_closed_pipe, start_crawler_process
from cinegraph_scrapy.errors import CinegraphError


class Command(ScrapyCrawl):
    requires_crawler_process = False  # made after the checks: a refused crawl prints one line, no banner

    @quiet_on_closed_pipe
    def run(self, args, opts):
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        from sqlalchemy.exc import SQLAlchemyError

        from cinegraph_scrapy.redaction import redact

        try:
            self._preflight(args[0], opts)
        except CinegraphError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        except SQLAlchemyError as exc:  # the database failed during the checks (after retries)
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            print(f"error: the database failed while checking the configurations: {redact(reason)}", file=sys.stderr)
            self.exitcode = 2
            return
        self.crawler_process = start_crawler_process(self.settings)
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        self._report(crawler, opts)
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        elif crawler.stats is not None and crawler.stats.get_value("cinegraph/final_status") in ("failed", "suspect", "refused"):
            self.exitcode = 1

    def _report(self, crawler, opts) -> None:
        """End the log with the grep-able IMPORT STATUS line; when the log does not show INFO (-L WARNING,
        --nolog), the import summary goes to stdout instead."""
        import logging

        from cinegraph_scrapy.extensions.import_runs import ImportRunsExtension

        try:
            extensions = crawler.extensions.middlewares
        except RuntimeError:  # the crawler failed before its extensions were built (its error is logged)
            return
        tracker = next((e for e in extensions if isinstance(e, ImportRunsExtension)), None)
        if tracker is None:
            return
        line = tracker.status_line()
        log_shows_info = self.settings.getbool("LOG_ENABLED") and \
            logging.getLevelName(str(self.settings.get("LOG_LEVEL")).upper()) in (logging.DEBUG, logging.INFO)
        if not log_shows_info:
            for summary in tracker.summary_lines:
                print(summary, flush=True)
        if line:
            logging.getLogger("cinegraph_scrapy.import").warning(line)
            if not log_shows_info and not self.settings.getbool("LOG_ENABLED"):
                print(line, flush=True)

    def _preflight(self, spider_name: str, opts) -> None:
        import difflib

        from scrapy.spiderloader import get_spider_loader

        loader = get_spider_loader(self.settings)
        try:
            spidercls = loader.load(spider_name)
        except KeyError:
            names = loader.list()
            near = difflib.get_close_matches(spider_name, names, n=1, cutoff=0.4)
            hint = f"; did you mean {near[0]}?" if near else ""
            raise CinegraphError(f"unknown spider {spider_name!r}{hint} (spiders: {', '.join(sorted(names))})") from None
        known = getattr(spidercls, "arguments", None)
        if known is not None:
            unknown = [name for name in opts.spargs if name not in known and not name.startswith("_")]
            if unknown:
                near = difflib.get_close_matches(unknown[0], list(known), n=1, cutoff=0.6)
                hint = f" (did you mean {near[0]}?)" if near else ""
                raise CinegraphError(f"{spider_name} takes no argument {unknown[0]!r}{hint}; it takes: "
                                     f"{', '.join(known) or 'none'} (scrapy help-args {spider_name})")
        if hasattr(spidercls, "preflight"):
            spidercls.preflight(self.settings, dict(opts.spargs))
