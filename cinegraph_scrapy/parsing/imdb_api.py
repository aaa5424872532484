"""IMDb's GraphQL API (`api.graphql.imdb.com`): the request body, the answer's envelope, an event's
editions, and an edition assembled from its answers into the same EventPage the edition page gives.

The API's types are those the Next.js pages embed (`NominationEventEdition`, `NominationAward`,
`NominationsWithCategoryConnection`…), so an assembled edition goes through the page's own reader
(`imdb_event.edition_page`). Connections are read whole: an award whose categories, or a category whose
nominations, continue past one answer (`pageInfo.hasNextPage`) is asked again with `after` until it holds
`total` entries; what still falls short is named with both numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cinegraph_scrapy import jsontext
from cinegraph_scrapy.errors import CinegraphError
from cinegraph_scrapy.parsing.imdb_event import Edition, EventPage, edition_page, listed_editions
from cinegraph_scrapy.parsing.text import as_dict, as_list, dig, int_or_none, text_of

# What the web client sends; since 2026-07-30 the API answers a bare 403 to requests without them.
API_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/graphql+json, application/json",
    "x-imdb-client-name": "imdb-web-next",
    "x-imdb-user-language": "en-US",
    "Origin": "https://www.imdb.com",
    "Referer": "https://www.imdb.com/",
}


class ApiRefusal(CinegraphError):
    """The API gave nothing usable for this request (the next fetch path is tried)."""


class ApiNotFound(CinegraphError):
    """The API says the thing asked for does not exist (`RESOURCE_NOT_FOUND` or `null`)."""


class ApiForbidden(CinegraphError):
    """The API refuses the thing asked for (`FORBIDDEN`: a private list)."""


@dataclass(frozen=True)
class ApiError:
    message: str
    code: str | None = None
    path: tuple = ()

    def __str__(self) -> str:
        where = ".".join(str(p) for p in self.path)
        return f"{self.message}" + (f" [{self.code}]" if self.code else "") + (f" at {where}" if where else "")


@dataclass
class ApiAnswer:
    data: dict[str, Any]
    errors: list[ApiError] = field(default_factory=list)

    def codes(self) -> set[str]:
        return {e.code for e in self.errors if e.code}

    def summary(self, limit: int = 300) -> str:
        return "; ".join(str(e) for e in self.errors)[:limit]


def payload(operation: str, query: str, variables: dict[str, Any]) -> bytes:
    """The POST body of one GraphQL operation."""
    return json.dumps({"query": query, "operationName": operation, "variables": variables}).encode("utf-8")


def read_answer(body: str | bytes) -> ApiAnswer:
    """The `{data, errors}` envelope. Raises ApiRefusal when the body is not a GraphQL answer at all (an HTML
    error page, truncated JSON, an answer with neither data nor errors)."""
    try:
        envelope = jsontext.loads(body)
    except (ValueError, RecursionError) as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
        raise ApiRefusal(f"IMDb's API answer is not JSON ({detail})") from None
    if not isinstance(envelope, dict) or ("data" not in envelope and "errors" not in envelope):
        raise ApiRefusal("IMDb's API answer is not a GraphQL answer (no data, no errors)")
    errors = []
    for entry in as_list(envelope.get("errors")):
        entry = as_dict(entry)
        code = dig(entry, "extensions", "code")
        errors.append(ApiError(text_of(entry.get("message")) or "unnamed error",
                               code if isinstance(code, str) else None, tuple(as_list(entry.get("path")))))
    if envelope.get("errors") and not errors:
        errors.append(ApiError("unnamed error"))
    return ApiAnswer(as_dict(envelope.get("data")), errors)


def require(answer: ApiAnswer, root: str, what: str) -> dict[str, Any]:
    """The answer's `root` object; ApiNotFound / ApiForbidden when the API says why there is none."""
    value = answer.data.get(root)
    if isinstance(value, dict):
        return value
    codes = answer.codes()
    if "FORBIDDEN" in codes:
        raise ApiForbidden(f"IMDb's API refuses {what} (FORBIDDEN): {answer.summary()}")
    if "RESOURCE_NOT_FOUND" in codes or "NOT_FOUND" in codes or (root in answer.data and not answer.errors):
        raise ApiNotFound(f"IMDb's API knows no {what} ({root}: null)")
    if answer.errors:
        raise ApiRefusal(f"IMDb's API answered {what} with errors: {answer.summary()}")
    raise ApiRefusal(f"IMDb's API answer has no {root}")


# ---------------------------------------------------------------- an event's editions


@dataclass
class EventListing:
    event_id: str | None
    name: str | None
    location: str | None
    editions: list[Edition]


def parse_event_editions(body: str | bytes, event_id: str) -> EventListing:
    """`nominationEvent(id) { name editions }` → the event's name and every edition (with its ee… id)."""
    event = require(read_answer(body), "nominationEvent", f"event {event_id}")
    found = event.get("id")
    return EventListing(found if isinstance(found, str) else None, text_of(event.get("name")),
                        text_of(event.get("location")), listed_editions(event.get("editions")))


# ---------------------------------------------------------------- an edition, whole


@dataclass(frozen=True)
class Continuation:
    """One more answer an edition needs: the next categories of an award, or the next nominations of one
    category (the category after `category_after`, None for an award's first)."""

    kind: str  # categories | nominations
    award_id: str
    after: str
    category_after: str | None = None
    category: str | None = None  # "award / category", for messages

    def variables(self, edition_id: str, categories_first: int, nominations_first: int) -> dict[str, Any]:
        base = {"editionId": edition_id, "nominationsFirst": nominations_first}
        if self.kind == "categories":
            return {**base, "categoriesFirst": categories_first, "categoriesAfter": self.after}
        return {**base, "categoryAfter": self.category_after, "nominationsAfter": self.after}

    @property
    def operation(self) -> str:
        return "EventEditionCategories" if self.kind == "categories" else "EventEditionNominations"


def _connection(owner: Any, key: str) -> dict[str, Any]:
    conn = as_dict(as_dict(owner).get(key))
    conn["edges"] = [e for e in as_list(conn.get("edges")) if isinstance(e, dict)]
    return conn


def _next_cursor(conn: dict[str, Any]) -> str | None:
    cursor = dig(conn, "pageInfo", "endCursor")
    if dig(conn, "pageInfo", "hasNextPage") is True and isinstance(cursor, str) and cursor:
        return cursor
    return None


class EditionAssembly:
    """An edition's first answer, completed by the answers to its continuations (pure: no I/O)."""

    def __init__(self, edition: dict[str, Any]):
        self.edition = edition
        self.awards = [a for a in as_list(edition.get("awards")) if isinstance(a, dict)]
        for award in self.awards:
            award["nominationCategories"] = conns = _connection(award, "nominationCategories")
            for edge in conns["edges"]:
                edge["node"] = node = as_dict(edge.get("node"))
                node["nominations"] = _connection(node, "nominations")
        self.asked: set[Continuation] = set()
        self.failed: list[str] = []  # continuations whose answer could not be used, with why

    @staticmethod
    def _award_name(award: dict[str, Any]) -> str:
        return text_of(award.get("text")) or "Award"

    def pending(self) -> Continuation | None:
        """The next continuation to ask for (None when every connection is complete or stuck)."""
        for award in self.awards:
            award_id = award.get("id")
            if not isinstance(award_id, str):
                continue  # an award without an id cannot be found again in a continuation's answer
            conns = award["nominationCategories"]
            cursor = _next_cursor(conns)
            if cursor:
                wanted = Continuation("categories", award_id, cursor, category=self._award_name(award))
                if wanted not in self.asked:
                    return wanted
            previous = None
            for edge in conns["edges"]:
                cursor = _next_cursor(edge["node"]["nominations"])
                if cursor:
                    label = f"{self._award_name(award)} / {text_of(edge['node'].get('category')) or self._award_name(award)}"
                    wanted = Continuation("nominations", award_id, cursor, previous, label)
                    if wanted not in self.asked:
                        return wanted
                previous = edge.get("cursor") if isinstance(edge.get("cursor"), str) else None
                if previous is None:
                    break  # the categories after this one cannot be addressed
        return None

    def _award(self, award_id: str) -> dict[str, Any] | None:
        return next((a for a in self.awards if a.get("id") == award_id), None)

    def merge(self, step: Continuation, body: str | bytes) -> None:
        """Add a continuation's answer to the edition; a bad answer is remembered, not raised."""
        self.asked.add(step)
        try:
            answer = read_answer(body)
            edition = require(answer, "nominationEventEdition", "the edition")
            theirs = next((a for a in as_list(edition.get("awards")) if as_dict(a).get("id") == step.award_id), None)
            if theirs is None:
                raise ApiRefusal(f"the answer has no award {step.award_id}")
            mine = self._award(step.award_id)
            if step.kind == "categories":
                self._extend(mine["nominationCategories"], _connection(theirs, "nominationCategories"), nested=True)
            else:
                self._merge_nominations(mine, theirs, step)
        except CinegraphError as exc:
            self.failed.append(f"{step.category}: {exc}")

    def _merge_nominations(self, mine: dict, theirs: dict, step: Continuation) -> None:
        edges = _connection(theirs, "nominationCategories")["edges"]
        if not edges:
            raise ApiRefusal("the answer has no category")
        node = as_dict(edges[0].get("node"))
        target = next((e["node"] for e in mine["nominationCategories"]["edges"]
                       if _next_cursor(e["node"]["nominations"]) == step.after), None)
        if target is None or text_of(node.get("category")) != text_of(target.get("category")):
            raise ApiRefusal(f"the answer holds another category ({text_of(node.get('category'))!r})")
        self._extend(target["nominations"], _connection(node, "nominations"), nested=False)

    @staticmethod
    def _extend(mine: dict, theirs: dict, *, nested: bool) -> None:
        if nested:
            for edge in theirs["edges"]:
                edge["node"] = node = as_dict(edge.get("node"))
                node["nominations"] = _connection(node, "nominations")
        mine["edges"].extend(theirs["edges"])
        mine["pageInfo"] = theirs.get("pageInfo")
        if mine.get("total") is None:
            mine["total"] = theirs.get("total")

    def shortfalls(self) -> list[str]:
        """Connections holding fewer entries than their `total`: "award / category: 300 of 700 nominations"."""
        short = []
        for award in self.awards:
            name = self._award_name(award)
            conns = award["nominationCategories"]
            total = int_or_none(conns.get("total"))
            if total is not None and len(conns["edges"]) < total:
                short.append(f"{name}: {len(conns['edges'])} of {total} categories")
            for edge in conns["edges"]:
                noms = edge["node"]["nominations"]
                total = int_or_none(noms.get("total"))
                if total is not None and len(noms["edges"]) < total:
                    category = text_of(edge["node"].get("category")) or name
                    short.append(f"{name} / {category}: {len(noms['edges'])} of {total} nominations")
        return short

    def page(self) -> EventPage:
        """The edition as the page reader sees it; truncation is what the counts say, with both numbers."""
        page = edition_page(self.awards, self.edition, layout="api")
        page.truncated_categories = self.shortfalls()
        return page
