"""A stand-in for IMDb's GraphQL API (`api.graphql.imdb.com`) serving a list's items past its first page,
in the real answer's shapes: cursors are base64 of `{"esToken": [], "filter": "<JSON with resultIndex>"}`
(as in the real list page's endCursor), edges are `{node: {absolutePosition, description}, title: {…}}`
with `__typename`s, an empty note is `null`, and an unknown field is a GraphQL validation error with
`data: null`."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

from tests.support.pages import Film, cursor_for
from tests.support.server import Reply, Request

HEADERS_REQUIRED = {
    "content-type": "application/json",
    "x-imdb-user-language": "en-US",
    "origin": "https://www.imdb.com",
}


def result_index(cursor: str) -> int:
    outer = json.loads(base64.b64decode(cursor + "=" * (-len(cursor) % 4)))
    return json.loads(outer["filter"])["resultIndex"]


def _title(film: Film, with_type: bool) -> dict:
    title = {
        "id": film.imdb_id,
        "titleText": {"text": film.title, "__typename": "TitleText"} if film.title is not None else None,
        "originalTitleText": {"text": film.original_title or film.title, "__typename": "TitleText"},
        "releaseYear": {"year": film.year, "__typename": "YearRange"} if film.year else None,
        "__typename": "Title",
    }
    if with_type:
        title["titleType"] = {"id": "movie", "__typename": "TitleType"}
    return title


@dataclass
class GraphqlList:
    """Items of one list by position (1-based); `first` of them, after the cursor's resultIndex."""

    list_id: str
    films: list[Film]  # the whole list, position 1 first
    reject_notes: bool = False  # answer the query asking for node.description with a validation error
    fail_after: int | None = None  # answer HTTP 500 for cursors at or past this resultIndex
    calls: list[dict] = field(default_factory=list)

    def __call__(self, req: Request) -> Reply:
        if req.method != "POST":
            return Reply.json({"errors": [{"message": "GET not supported"}]}, 405)
        missing = [h for h, v in HEADERS_REQUIRED.items() if not req.headers.get(h, "").startswith(v)]
        if missing:
            return Reply.json({"errors": [{"message": f"missing headers {missing}"}]}, 400)
        payload = req.json()
        self.calls.append(payload)
        query, variables = payload.get("query", ""), payload.get("variables", {})
        if variables.get("id") != self.list_id:
            return Reply.json({"data": {"list": None}})
        if self.reject_notes and "description" in query:
            return Reply.json({"errors": [{
                "message": "Cannot query field \"description\" on type \"ListItemSearchNode\".",
                "locations": [{"line": 4, "column": 33}], "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}],
                "data": None})
        start = result_index(variables["after"]) + 1 if variables.get("after") else 0
        if self.fail_after is not None and start >= self.fail_after:
            return Reply.json({"message": "Internal server error"}, 500)
        first = int(variables.get("first", 250))
        chunk = self.films[start:start + first]
        with_notes, with_type = "description" in query, "titleType" in query
        edges = []
        for offset, film in enumerate(chunk):
            node = {"absolutePosition": start + offset + 1, "__typename": "ListItemSearchNode"}
            if with_notes:
                node["description"] = ({"originalText": {"plainText": film.description, "__typename": "Markdown"},
                                        "__typename": "ListItemDescription"} if film.description else None)
            edges.append({"node": node, "title": _title(film, with_type), "__typename": "ListItemSearchEdge"})
        end = start + len(chunk) - 1
        return Reply.json({"data": {"list": {"titleListItemSearch": {
            "total": len(self.films),
            "pageInfo": {"hasNextPage": end + 1 < len(self.films), "endCursor": cursor_for(end),
                         "__typename": "PageInfo"},
            "edges": edges, "__typename": "TitleListItemSearchConnection"}, "__typename": "List"}}})
