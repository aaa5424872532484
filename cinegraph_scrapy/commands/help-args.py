"""`scrapy help-args SPIDER`: the `-a NAME=value` arguments a spider takes, with what they do."""

from __future__ import annotations

import difflib
import sys

from scrapy.commands import ScrapyCommand
from scrapy.spiderloader import get_spider_loader

from cinegraph_scrapy.cli import quiet_closed_pipe


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self):
        return "SPIDER"

    def short_desc(self):
        return "Show the -a arguments a spider takes"

    def run(self, args, opts):
        loader = get_spider_loader(self.settings)
        names = loader.list()
        if len(args) != 1 or args[0] not in names:
            near = difflib.get_close_matches(args[0], names, n=1, cutoff=0.4) if args else []
            hint = f"; did you mean {near[0]}?" if near else ""
            print(f"error: give one spider name{hint} (spiders: {', '.join(sorted(names))})", file=sys.stderr)
            self.exitcode = 2
            return
        try:
            self._print(loader.load(args[0]), args[0])
            sys.stdout.flush()
        except BrokenPipeError:  # `scrapy help-args imdb_event | head -1`: the reader has gone
            quiet_closed_pipe()

    @staticmethod
    def _print(spidercls, name: str) -> None:
        doc = (spidercls.__module__ and sys.modules[spidercls.__module__].__doc__ or "").strip().splitlines()
        print(f"scrapy crawl {name} [-a NAME=value …]" + (f" — {doc[0]}" if doc else ""))
        arguments = getattr(spidercls, "arguments", {}) or {}
        width = max([len(n) for n in arguments] + [4])
        for name, text in arguments.items():
            print(f"  -a {name.ljust(width)}  {text}")
        if not arguments:
            print("  (no arguments)")
