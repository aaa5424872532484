"""Crawlers for in-process tests of one component: Scrapy's `get_crawler` with the project's own settings
(the defaults live in cinegraph_scrapy/settings.py only; components read them without fallbacks)."""

from __future__ import annotations

from scrapy.utils.test import get_crawler

from cinegraph_scrapy import settings as project

# What the project sets, minus what would start machinery a lone component does not need.
_SKIP = {"TWISTED_REACTOR", "EXTENSIONS", "EXTENSIONS_BASE", "ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES",
         "SPIDER_MODULES", "NEWSPIDER_MODULE", "COMMANDS_MODULE", "LOG_FORMATTER", "FEED_EXPORTERS"}


def project_crawler(spidercls=None, **overrides):
    values = {k: getattr(project, k) for k in dir(project) if k.isupper() and k not in _SKIP}
    values.update(overrides)
    return get_crawler(spidercls, settings_dict=values)


def tracked_crawler(keys=(), target=None, run_id=None, components=(), **overrides):
    """A crawler with the import extension (the run accounting) and, for `target` (or bare `keys`), a running
    import whose ledger the test reads: what the spiders and pipelines signal lands there, as in a crawl.
    `components` (pipeline classes…) are built from the crawler before the imports start; returns the crawler,
    the extension and the components."""
    from cinegraph_scrapy.extensions.import_runs import ImportRunsExtension
    from cinegraph_scrapy.runs import RunLedger
    from cinegraph_scrapy.signals import ImportOptions, StartedImport, imports_started

    crawler = project_crawler(**overrides)
    extension = ImportRunsExtension(crawler)
    built = [component(crawler) for component in components]
    # Scrapy's signals hold receivers weakly: in a crawl the extension manager keeps them alive, here the crawler
    crawler.test_components = (extension, *built)
    targets = [target] if target is not None else []
    for key in keys:
        from types import SimpleNamespace

        targets.append(SimpleNamespace(source_key=key, list_id=0, is_event=True))
    for t in targets:
        extension.ledgers[t.source_key] = RunLedger(target=t, run_id=run_id)
    crawler.signals.send_catch_log(signal=imports_started, options=ImportOptions(),
                                   imports={t.source_key: StartedImport(t, run_id) for t in targets})
    return crawler, extension, built
