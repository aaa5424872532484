"""IMDb's GraphQL API for lists past their first page: the request payload and the answer → ListPage.

IMDb refuses `/list/ls…/?page=N` (HTTP 403); the site itself pages through a list by asking
`api.graphql.imdb.com` for `titleListItemSearch(first, after: endCursor)`. Two queries: the full one also
asks for each item's note (`node.description`) and title type; the basic one is the query known to work
against the live endpoint, used again for a page whose full answer carried a GraphQL `errors` entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from cinegraph_scrapy import jsontext
from cinegraph_scrapy.parsing.blocks import NoDataError
from cinegraph_scrapy.parsing.imdb_list import ListEntry, list_edge_entry, search_page_info
from cinegraph_scrapy.parsing.text import as_list, dig, int_or_none, text_of

GRAPHQL_PAGE_SIZE = 250

LIST_ITEMS_QUERY_BASIC = """query ListItems($id: ID!, $first: Int!, $after: String) {
  list(id: $id) { titleListItemSearch(first: $first, after: $after) {
    total pageInfo { hasNextPage endCursor }
    edges { node { absolutePosition } title { id titleText { text } originalTitleText { text } releaseYear { year } } } } }
}"""

LIST_ITEMS_QUERY_FULL = """query ListItems($id: ID!, $first: Int!, $after: String) {
  list(id: $id) { titleListItemSearch(first: $first, after: $after) {
    total pageInfo { hasNextPage endCursor }
    edges { node { absolutePosition description { originalText { plainText } } }
            title { id titleText { text } originalTitleText { text } releaseYear { year } titleType { id } } } } }
}"""

GRAPHQL_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/graphql+json, application/json",
    "x-imdb-user-language": "en-US",
    "Origin": "https://www.imdb.com",
    "Referer": "https://www.imdb.com/",
}


def list_items_payload(list_id: str, cursor: str, *, full: bool = True, first: int = GRAPHQL_PAGE_SIZE) -> bytes:
    """The POST body asking for the `first` items after `cursor`."""
    return json.dumps({
        "query": LIST_ITEMS_QUERY_FULL if full else LIST_ITEMS_QUERY_BASIC,
        "operationName": "ListItems",
        "variables": {"id": list_id, "first": first, "after": cursor},
    }).encode("utf-8")


@dataclass
class GraphqlListPage:
    entries: list[ListEntry] = field(default_factory=list)
    total: int | None = None
    has_next: bool | None = None
    end_cursor: str | None = None
    errors: list[str] = field(default_factory=list)  # GraphQL `errors[].message`


def parse_list_items(body: str | bytes, offset: int = 0) -> GraphqlListPage:
    """The GraphQL answer for one slice of a list. `offset` numbers entries that carry no absolutePosition.

    Raises NoDataError when the answer is not JSON or has neither data nor errors; an answer with errors
    and no list data comes back with `errors` set and no entries."""
    try:
        data = jsontext.loads(body)
    except (ValueError, RecursionError) as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
        raise NoDataError(f"IMDb GraphQL answer is not valid JSON ({detail})") from None
    if not isinstance(data, dict):
        raise NoDataError("IMDb GraphQL answer is not a JSON object")
    errors = [text_of(e.get("message")) or "unnamed error" for e in as_list(data.get("errors")) if isinstance(e, dict)]
    if data.get("errors") and not errors:
        errors = ["unnamed error"]
    search = dig(data, "data", "list", "titleListItemSearch")
    if not isinstance(search, dict):
        if errors:
            return GraphqlListPage(errors=errors)
        if isinstance(data.get("data"), dict) and dig(data, "data", "list") is None and "list" in data["data"]:
            raise NoDataError("IMDb GraphQL knows no such list (list: null)")
        raise NoDataError("IMDb GraphQL answer has no list.titleListItemSearch")
    edges = as_list(search.get("edges"))
    entries = [list_edge_entry(edge, "title", offset + index + 1)
               for index, edge in enumerate(edges) if isinstance(edge, dict)]
    has_next, cursor = search_page_info(search)
    return GraphqlListPage(entries=entries, total=int_or_none(search.get("total")), has_next=has_next,
                           end_cursor=cursor, errors=errors)
