"""Item pipelines, one concern each, ordered in settings.ITEM_PIPELINES:
validate (100) → dedupe (200) → tmdb (300) → store (800).

Each stage takes one PageItem (a page's rows) at a time. A stage that refuses a row takes it off the page
and counts it with `drop_row`, as Scrapy counts a dropped item: in the run (signals.rows_dropped, per reason), in the
stats (`cinegraph/dropped/REASON`, `item_dropped_count`) and in the log (INFO "Dropped: …")."""

from __future__ import annotations

import logging

from cinegraph_scrapy.signals import rows_dropped

logger = logging.getLogger(__name__)


def drop_row(crawler, source_key: str, reason: str, detail: str = "", count: int = 1, logged: bool = False) -> None:
    """Account for `count` rows of `source_key` that will not be stored, for `reason`. `logged`: Scrapy has
    logged and counted it already (a whole page dropped or failed in a stage)."""
    crawler.signals.send_catch_log(signal=rows_dropped, key=source_key, reason=reason, count=count)
    crawler.stats.inc_value(f"cinegraph/dropped/{reason}", count)
    if not logged:
        crawler.stats.inc_value("item_dropped_count", count)
        crawler.stats.inc_value(f"item_dropped_reasons_count/{reason}", count)
        logger.info("Dropped: %s", f"{reason}: {detail}" if detail else reason)
