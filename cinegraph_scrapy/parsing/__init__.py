"""Pure parsing: a page body in, plain dataclasses out. No Scrapy, no database, no network."""

from cinegraph_scrapy.parsing.blocks import NoDataError, blocked_reason
from cinegraph_scrapy.parsing.imdb_event import EventPage, parse_event_page
from cinegraph_scrapy.parsing.imdb_list import ListPage, parse_list_page

__all__ = [
    "EventPage",
    "ListPage",
    "NoDataError",
    "blocked_reason",
    "parse_event_page",
    "parse_list_page",
]
