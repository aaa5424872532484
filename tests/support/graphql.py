"""A list served by the GraphQL stand-in (imdb_api.ImdbApi, real GraphQL against IMDb's schema) in the real
answer's shapes: cursors are base64 of `{"esToken": [], "filter": "<JSON with resultIndex>"}` (as in the real
list page's endCursor), edges are `{node: {absolutePosition, description}, title: {…}}`, an empty note is
`null`."""

from __future__ import annotations

import base64
import json

from tests.support.imdb_api import ApiData, ImdbApi
from tests.support.pages import Film
from tests.support.server import Reply, Request


def result_index(cursor: str) -> int:
    outer = json.loads(base64.b64decode(cursor + "=" * (-len(cursor) % 4)))
    return json.loads(outer["filter"])["resultIndex"]


def list_item(film: Film, position: int) -> dict:
    return {
        "node": {"absolutePosition": position, "itemId": f"li{position}", "__typename": "ListItemSearchNode",
                 "description": ({"originalText": {"plainText": film.description, "__typename": "Markdown"},
                                  "__typename": "ListItemDescription"} if film.description else None)},
        "title": {"id": film.imdb_id, "__typename": "Title",
                  "titleText": {"text": film.title} if film.title is not None else None,
                  "originalTitleText": {"text": film.original_title or film.title} if (film.original_title or film.title) else None,
                  "releaseYear": {"year": film.year, "endYear": None} if film.year else None,
                  "titleType": {"id": "movie", "text": "Movie"}},
    }


def list_data(list_id: str, films: list[Film], name: str = "A list", description: str | None = None) -> dict:
    return {"id": list_id, "name": {"originalText": name},
            "description": {"originalText": {"plainText": description}} if description else None,
            "items": [list_item(film, index + 1) for index, film in enumerate(films)]}


class GraphqlList(ImdbApi):
    """One list (position 1 first). `reject_notes`: the schema has no `ListItemSearchNode.description` (the
    full query is a validation error); `fail_after`: HTTP 500 for slices starting at or past that index."""

    def __init__(self, list_id: str, films: list[Film], reject_notes: bool = False, fail_after: int | None = None,
                 name: str = "A list", data: ApiData | None = None):
        data = data or ApiData()
        data.lists[list_id] = list_data(list_id, films, name)
        super().__init__(data, remove=("ListItemSearchNode.description",) if reject_notes else ())
        self.list_id, self.fail_after = list_id, fail_after

    def __call__(self, req: Request) -> Reply:
        if self.fail_after is not None and req.method == "POST":
            after = ((req.json() or {}).get("variables") or {}).get("after")
            if after and result_index(after) + 1 >= self.fail_after:
                return Reply.json({"message": "Internal server error"}, 500)
        return super().__call__(req)
