"""The fetch paths of an IMDb import, in their order: IMDb's GraphQL API, then the page, then the browser
(the WAF middleware re-sends a challenged page through Chromium when one exists). Every path is a Scrapy
request through the engine, so retries, throttling, stats and middlewares apply to each.

This mixin builds API requests and keeps the per-path tallies (`cinegraph/fetch/<path>/…` stats and the
import's run accounting): which path served each page and how many bytes each path fetched.
"""

from __future__ import annotations

from typing import Any

import scrapy
from scrapy.http import Response

from cinegraph_scrapy.errors import HostUnreachable
from cinegraph_scrapy.parsing.imdb_api import API_HEADERS, payload
from cinegraph_scrapy.queries import load_query

GRAPHQL_SLOT = "imdb_graphql"
API, PAGE, BROWSER = "api", "page", "browser"


def path_of(response: Response) -> str:
    if response.meta.get("imdb_graphql"):
        return API
    return BROWSER if response.meta.get("cinegraph_browser_attempt") or response.meta.get("playwright") else PAGE


class FetchPaths:
    """Mixed into the import spiders (which have `settings`, `crawler` and `note`)."""

    def api_enabled(self) -> bool:
        return self.settings.getbool("IMDB_API_ENABLED")

    def api_request(self, operation: str, variables: dict[str, Any], callback, errback, **meta: Any) -> scrapy.Request:
        """One GraphQL operation (its query read from the queries folder), POSTed in the API's own slot."""
        query = load_query(operation, self.settings.get("IMDB_GRAPHQL_QUERIES_DIR") or None)
        self.crawler.stats.inc_value(f"cinegraph/fetch/{API}/requests")
        self.crawler.stats.inc_value("cinegraph/graphql_requests")
        self.note(meta.get("source_key"), graphql_requests=1)
        meta.update({"download_slot": GRAPHQL_SLOT, "imdb_graphql": True, "api_operation": operation,
                     "dont_redirect": True})
        return scrapy.Request(self.settings.get("IMDB_GRAPHQL_URL"), method="POST", headers=API_HEADERS,
                              body=payload(operation, query, variables), callback=callback, errback=errback,
                              dont_filter=True, meta=meta)

    def fetched(self, response: Response) -> str:
        """Count what this answer cost, on its path; returns the path."""
        path = path_of(response)
        size = len(response.body)
        stats = self.crawler.stats
        stats.inc_value(f"cinegraph/fetch/{path}/responses")
        stats.inc_value(f"cinegraph/fetch/{path}/bytes", size)
        self.note(response.meta.get("source_key"), bytes_fetched={path: size})
        return path

    def api_failure(self, failure) -> str:
        """Why an API request gave no answer to read, in one line."""
        response = getattr(failure.value, "response", None)
        if response is not None:
            self.fetched(response)
            return f"IMDb's API answered HTTP {response.status}"
        if failure.check(HostUnreachable):
            return f"IMDb's API: {failure.getErrorMessage()}"
        return f"IMDb's API could not be reached ({failure.type.__name__}: {failure.getErrorMessage()})"

    def served(self, key: str, path: str) -> None:
        """This import's page was served by `path`."""
        self.crawler.stats.inc_value(f"cinegraph/fetch/{path}/pages")
        self.note(key, served_by={path: 1})
