"""How soon a database writer thread gets the interpreter back: pages are written on writer threads
(pipelines/store.py) while the reactor thread parses the next pages, and each page is a few round trips
to the database. With CPython's default switch interval (5 ms) a writer whose answer has arrived waits
up to that long for the reactor to let go of the GIL, at every round trip, and the writers, not the
parsing, set the pace of an import. THREAD_SWITCH_INTERVAL (seconds; 0 leaves the interpreter's default
alone) is set when the engine starts and restored when it stops."""

from __future__ import annotations

import sys

from scrapy import signals
from scrapy.exceptions import NotConfigured


class ThreadSwitching:
    def __init__(self, interval: float):
        self.interval = interval
        self.previous: float | None = None

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("THREAD_SWITCH_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        ext = cls(interval)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_started(self):
        self.previous = sys.getswitchinterval()
        sys.setswitchinterval(self.interval)

    def engine_stopped(self):
        if self.previous is not None:
            sys.setswitchinterval(self.previous)
            self.previous = None
