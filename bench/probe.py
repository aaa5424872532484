"""A measuring extension added to every benchmarked crawl: wall and CPU time from the crawler's start
(after interpreter start-up) to spider close, peak RSS, and a few stats, written as JSON to $BENCH_PROBE_OUT."""

from __future__ import annotations

import json
import os
import resource
import time

from scrapy import signals


class Probe:
    def __init__(self, crawler):
        self.crawler = crawler
        # From here on: after interpreter start-up and the spider's construction, before any import work.
        self.t0, self.cpu0 = time.perf_counter(), time.process_time()
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def closed(self, spider, reason):
        stats = self.crawler.stats.get_stats()
        out = {
            "wall": time.perf_counter() - self.t0,
            "cpu": time.process_time() - self.cpu0,
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "reason": reason,
            "responses": stats.get("response_received_count", 0),
            "items": stats.get("item_scraped_count", 0),
            "status": stats.get("cinegraph/final_status"),
            "tmdb_requests": stats.get("tmdb/requests", 0),
            "pages_unchanged": stats.get("cinegraph/pages_unchanged", 0),
        }
        with open(os.environ["BENCH_PROBE_OUT"], "w") as fh:
            json.dump(out, fh)
