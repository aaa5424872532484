"""Project signals (Scrapy's signal machinery): `imports_added(spider, ledgers)` is sent when a crawl
starts importing configurations it found while running (edition discovery); import tracking locks them
and opens their runs, as it does for the configurations a crawl starts with."""

imports_added = object()
