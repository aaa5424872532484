"""Bare Scrapy, one item per page: the same spider as bare_items.py (the project's fields), yielding each
page's rows as one item, as the project's spiders do (a PageItem per page), no pipelines. The difference
from bare_items.py is what Scrapy's per-item machinery costs. Run with `scrapy runspider`."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # run by path with `scrapy runspider`
from bare_items import BareItemsSpider  # noqa: E402


class BarePagesSpider(BareItemsSpider):
    name = "bare_pages"

    def parse(self, response):
        yield {"rows": list(super().parse(response))}
