"""Shared pieces of the project commands: database access with one-line errors, plain tables."""

from __future__ import annotations

import sys

from scrapy.commands import ScrapyCommand

from cinegraph_scrapy.db.engine import open_database, resolve_database_url
from cinegraph_scrapy.errors import CinegraphError, NothingImported


def start_crawler_process(settings):
    """The crawler process Scrapy's command line would have made, made only once the command's checks have
    passed: a refused command prints its one `error:` line and no Scrapy start-up banner."""
    from scrapy.crawler import AsyncCrawlerProcess, CrawlerProcess

    if settings.get("TWISTED_REACTOR") == "twisted.internet.asyncioreactor.AsyncioSelectorReactor":
        return AsyncCrawlerProcess(settings)
    return CrawlerProcess(settings)


class DatabaseCommand(ScrapyCommand):
    """A command that works on the database only: one-line errors, exit status 2 on bad input."""

    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def database(self, *, seed: bool = True):
        from cinegraph_scrapy.seeding import ensure_seeded

        engine = open_database(resolve_database_url(self.settings))
        if seed:
            ensure_seeded(engine)
        return engine

    def run(self, args, opts):
        try:
            self.execute(args, opts)
        except NothingImported as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 1
        except CinegraphError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 2
        except BrokenPipeError:  # `scrapy lists | head -1`: the reader has gone, nothing left to say
            quiet_closed_pipe()
            self.exitcode = 0


def quiet_on_closed_pipe(run):
    """For a command's run(): `scrapy demo | head -1` ends quietly (exit 0) when the reader has gone."""
    import functools

    @functools.wraps(run)
    def wrapper(self, args, opts):
        try:
            result = run(self, args, opts)
            sys.stdout.flush()
            return result
        except BrokenPipeError:
            quiet_closed_pipe()
            self.exitcode = 0
    return wrapper


def quiet_closed_pipe() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not complain either."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass

    def execute(self, args, opts):  # pragma: no cover - abstract
        raise NotImplementedError


def print_table(rows: list[list], headers: list[str], out=None) -> None:
    out = out or sys.stdout
    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    print(line.rstrip(), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip(), file=out)
