"""IMDb's GraphQL API for lists: `list(id) { name description titleListItemSearch(first, after) }` → one
slice of the list (ListPage-like), each answer continuing from the previous one's endCursor.

A private list answers `FORBIDDEN`, an unknown one `RESOURCE_NOT_FOUND` or `list: null` (ApiForbidden /
ApiNotFound); an answer whose `errors` say a field is gone comes back with `errors` set (the spider asks
that slice again with the basic query).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cinegraph_scrapy.parsing.imdb_api import ApiAnswer, ApiRefusal, read_answer, require
from cinegraph_scrapy.items import ListEntry
from cinegraph_scrapy.parsing.imdb_list import list_edge_entry, search_page_info
from cinegraph_scrapy.parsing.text import as_list, dig, int_or_none, text_of

GRAPHQL_PAGE_SIZE = 250


@dataclass
class GraphqlListPage:
    entries: list[ListEntry] = field(default_factory=list)
    total: int | None = None
    has_next: bool | None = None
    end_cursor: str | None = None
    name: str | None = None
    description: str | None = None
    errors: list[str] = field(default_factory=list)  # GraphQL `errors[]`, one line each


def list_variables(list_id: str, cursor: str | None, first: int = GRAPHQL_PAGE_SIZE) -> dict:
    return {"id": list_id, "first": first, "after": cursor}


def parse_list_items(body: str | bytes, offset: int = 0, list_id: str = "the list") -> GraphqlListPage:
    """The API's answer for one slice of a list. `offset` numbers entries that carry no absolutePosition.

    Raises ApiForbidden (private), ApiNotFound (no such list), ApiRefusal (not an answer, or errors and no
    data); an answer with errors and no list items comes back with `errors` set and no entries."""
    answer: ApiAnswer = read_answer(body)
    errors = [str(e) for e in answer.errors]
    if answer.errors and not answer.codes() & {"FORBIDDEN", "RESOURCE_NOT_FOUND", "NOT_FOUND"} \
            and not isinstance(dig(answer.data, "list", "titleListItemSearch"), dict):
        return GraphqlListPage(errors=errors)
    lst = require(answer, "list", f"list {list_id}")
    search = lst.get("titleListItemSearch")
    if not isinstance(search, dict):
        if errors:
            return GraphqlListPage(errors=errors)
        raise ApiRefusal("IMDb's API answer has no list.titleListItemSearch")
    edges = as_list(search.get("edges"))
    entries = [list_edge_entry(edge, "title", offset + index + 1)
               for index, edge in enumerate(edges) if isinstance(edge, dict)]
    has_next, cursor = search_page_info(search)
    return GraphqlListPage(entries=entries, total=int_or_none(search.get("total")), has_next=has_next,
                           end_cursor=cursor, name=text_of(dig(lst, "name", "originalText")),
                           description=text_of(dig(lst, "description", "originalText")), errors=errors)
