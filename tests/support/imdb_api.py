"""A stand-in for IMDb's GraphQL API (`api.graphql.imdb.com`) that executes real GraphQL (graphql-core)
against the schema in imdb_schema.graphql: a field the schema lacks is a validation error with `data: null`,
connections are paged with `first` / `after` and opaque cursors (a nomination's is base64 of its an… id, a
list's base64 JSON with resultIndex), `first` above MAX_FIRST is refused ("Too much data requested"), a
private list is `FORBIDDEN`, an unknown one `list: null`. Requests without the web client's headers get
CloudFront's bare 403 page, as since 2026-07-30.

Its data are editions and lists in the API's shape, built from the real captures (tests/support/api_data.py).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import GraphQLError, build_schema, graphql_sync

from tests.support.pages import cursor_for
from tests.support.server import Reply, Request

SCHEMA_SDL = (Path(__file__).resolve().parent / "imdb_schema.graphql").read_text()
MAX_FIRST = 500
CLOUDFRONT_403 = (b"<HTML><HEAD><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=iso-8859-1\">"
                  b"<TITLE>ERROR: The request could not be satisfied</TITLE></HEAD><BODY><H1>403 ERROR</H1>"
                  b"<H2>The request could not be satisfied.</H2></BODY></HTML>")
REQUIRED_HEADERS = {"x-imdb-client-name": "imdb-web-next", "origin": "https://www.imdb.com",
                    "referer": "https://www.imdb.com/", "content-type": "application/json"}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def unb64(cursor: str) -> str:
    return base64.b64decode(cursor + "=" * (-len(cursor) % 4)).decode()


def _check_first(first: int | None) -> int:
    if first is not None and first > MAX_FIRST:
        raise GraphQLError("Too much data requested", extensions={"code": "BAD_USER_INPUT"})
    return first if first is not None else MAX_FIRST


def _connection(items: list[Any], first: int | None, after: str | None, cursor_of, typename: str,
                spread: bool = False) -> dict:
    """A Relay connection over `items`: `after` is a cursor of one of them (unknown: past the end). With
    `spread`, an item holds its edge's fields (a list edge has `node` and `title`) instead of being the node."""
    first = _check_first(first)
    start = 0
    if after:
        cursors = [cursor_of(i, item) for i, item in enumerate(items)]
        start = cursors.index(after) + 1 if after in cursors else len(items)
    chunk = items[start:start + first]
    edges = [{"cursor": cursor_of(start + i, item), "position": start + i + 1, **(item if spread else {"node": item})}
             for i, item in enumerate(chunk)]
    end = start + len(chunk)
    return {"total": len(items), "edges": edges, "__typename": typename,
            "pageInfo": {"hasNextPage": end < len(items), "hasPreviousPage": start > 0,
                         "endCursor": edges[-1]["cursor"] if edges else None,
                         "startCursor": edges[0]["cursor"] if edges else None}}


@dataclass
class ApiData:
    """What the stand-in knows: events by ev… id, editions by ee… id (API shape, each award's categories
    under `categories`, each category's nominations under `nominations`), lists by ls… id."""

    events: dict[str, dict] = field(default_factory=dict)
    editions: dict[str, dict] = field(default_factory=dict)
    lists: dict[str, dict] = field(default_factory=dict)
    private_lists: set[str] = field(default_factory=set)

    def add_edition(self, edition: dict, event_name: str | None = None, location: str | None = None) -> None:
        self.editions[edition["id"]] = edition
        event_id = edition["event"]["id"]
        event = self.events.setdefault(event_id, {
            "id": event_id, "name": {"text": event_name or edition["event"]["name"]["text"]},
            "location": edition["event"].get("location"), "editions": []})
        summary = {"id": edition["id"], "year": edition["year"], "instanceWithinYear": edition["instanceWithinYear"]}
        if summary not in event["editions"]:
            event["editions"].append(summary)


def _resolvers(schema, data: ApiData) -> None:
    def field(type_name: str, name: str, resolve) -> None:
        schema.type_map[type_name].fields[name].resolve = resolve

    def edition_of(_root, _info, id):  # noqa: A002
        edition = data.editions.get(id)
        if edition is None:
            raise GraphQLError(f"No NominationEventEdition with id {id}", extensions={"code": "RESOURCE_NOT_FOUND"})
        return edition

    def event_of(_root, _info, id):  # noqa: A002
        event = data.events.get(id)
        if event is None:
            return None
        editions = [data.editions.get(e["id"], e) for e in event["editions"]]
        return {**event, "editions": editions}

    def list_of(_root, _info, id):  # noqa: A002
        if id in data.private_lists:
            raise GraphQLError("Forbidden", extensions={"code": "FORBIDDEN"})
        return data.lists.get(id)

    def categories(award, _info, first=None, after=None, **_):
        return _connection(award["categories"], first, after, lambda i, _c: b64(f"cat:{i}"),
                           "NominationsWithCategoryConnection")

    def nominations(category, _info, first=None, after=None, **_):
        return _connection(category["nominations"], first, after, lambda _i, n: b64(n["id"]), "NominationConnection")

    def list_items(lst, _info, first, after=None, **_):
        return _connection(lst["items"], first, after, lambda i, _x: cursor_for(i), "TitleListItemSearchConnection",
                           spread=True)

    field("Query", "nominationEventEdition", edition_of)
    field("Query", "nominationEvent", event_of)
    field("Query", "list", list_of)
    field("NominationAward", "nominationCategories", categories)
    field("NominationsWithCategory", "nominations", nominations)
    field("List", "titleListItemSearch", list_items)


@dataclass
class ImdbApi:
    """The HTTP handler: route "/" of a LoopbackSite to it. `remove` takes "Type.field" names out of the schema
    (a field IMDb dropped); `refuse` answers every request with CloudFront's 403."""

    data: ApiData
    remove: tuple[str, ...] = ()
    refuse: bool = False
    calls: list[dict] = field(default_factory=list)

    def __post_init__(self):
        self.schema = build_schema(SCHEMA_SDL)
        for dotted in self.remove:
            type_name, name = dotted.split(".")
            del self.schema.type_map[type_name].fields[name]
        _resolvers(self.schema, self.data)

    def operations(self) -> list[str]:
        return [c.get("operationName") for c in self.calls]

    def __call__(self, req: Request) -> Reply:
        if self.refuse or req.method != "POST" or any(
                not req.headers.get(h, "").startswith(v) for h, v in REQUIRED_HEADERS.items()):
            return Reply(CLOUDFRONT_403, 403, {"Content-Type": "text/html", "Server": "CloudFront"})
        body = req.json()
        self.calls.append(body)
        result = graphql_sync(self.schema, body.get("query", ""), variable_values=body.get("variables"),
                              operation_name=body.get("operationName"))
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            errors = []
            for error in result.errors:
                formatted = error.formatted
                if not error.path and not (formatted.get("extensions") or {}).get("code"):
                    formatted["extensions"] = {"code": "GRAPHQL_VALIDATION_FAILED"}
                errors.append(formatted)
            answer["errors"] = errors
        return Reply.json(answer)
