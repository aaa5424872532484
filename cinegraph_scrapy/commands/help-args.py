"""`scrapy help-args SPIDER`: the `-a NAME=value` arguments a spider takes, with what they do."""

from __future__ import annotations

import difflib
import sys
import textwrap

from scrapy.commands import ScrapyCommand
from scrapy.spiderloader import get_spider_loader

from cinegraph_scrapy.cli import quiet_on_closed_pipe


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self):
        return "SPIDER"

    def short_desc(self):
        return "Show the -a arguments a spider takes"

    @quiet_on_closed_pipe
    def run(self, args, opts):
        loader = get_spider_loader(self.settings)
        names = loader.list()
        if len(args) != 1 or args[0] not in names:
            near = difflib.get_close_matches(args[0], names, n=1, cutoff=0.4) if args else []
            hint = f"; did you mean {near[0]}?" if near else ""
            print(f"error: give one spider name{hint} (spiders: {', '.join(sorted(names))})", file=sys.stderr)
            self.exitcode = 2
            return
        self._print(loader.load(args[0]), args[0])

    @staticmethod
    def _print(spidercls, name: str) -> None:
        """The spider's summary (the first paragraph of its module's docstring, whole) and its arguments,
        wrapped at 100 columns."""
        doc = (spidercls.__module__ and sys.modules[spidercls.__module__].__doc__ or "").strip()
        summary = " ".join(doc.split("\n\n")[0].split())
        print(f"scrapy crawl {name} [-a NAME=value …]")
        if summary:
            print(textwrap.fill(summary, 100, initial_indent="  ", subsequent_indent="  "))
        arguments = getattr(spidercls, "arguments", {}) or {}
        width = max([len(n) for n in arguments] + [4])
        for arg, text in arguments.items():
            print(textwrap.fill(text, 100, initial_indent=f"  -a {arg.ljust(width)}  ",
                                subsequent_indent=" " * (width + 7)))
        if not arguments:
            print("  (no arguments)")
