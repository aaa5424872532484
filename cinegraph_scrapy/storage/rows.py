"""Pure row mapping for the storage pipeline: a page's items → the rows its SQL writes (films, people,
nominations, people links, TMDb columns) and the entries the change log compares. No database here.

For the change log an event page holds one nomination per nominee of a category (`nominee_key`); when the
page lists it more than once, it won if any of its rows won (`page_nominations`)."""

from __future__ import annotations

from typing import Any

from cinegraph_scrapy.db import changes as diff
from cinegraph_scrapy.items import NominationRow


def films(items) -> list[dict[str, Any]]:
    return [
        {"imdb_id": i.imdb_id, "title": i.title, "original_title": i.original_title, "year": i.year,
         "title_type": getattr(i, "title_type", None)}
        for i in items
        if i.imdb_id
    ]


def people(items) -> dict[str, str | None]:
    """Every person of the page once (nm id → the first name given)."""
    people: dict[str, str | None] = {}
    for item in items:
        for person in item.people:
            imdb_id = person.get("imdb_id")
            if imdb_id and (people.get(imdb_id) is None):
                people[imdb_id] = person.get("name")
    return people


def people_tmdb(items) -> dict[str, int | None]:
    found: dict[str, int | None] = {}
    for item in items:
        found.update(getattr(item, "people_tmdb", None) or {})
    return found


def tmdb_rows(items) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for item in items:
        if item.imdb_id and isinstance(item.tmdb, dict) and item.tmdb.get("columns"):
            rows[item.imdb_id] = {"imdb_id": item.imdb_id, **item.tmdb["columns"]}
    return list(rows.values())


def page_nominations(items: list[NominationRow], categories: dict) -> dict[tuple[int, str], dict[str, Any]]:
    """One entry per nominee of a category (merged as items.same_nominee says): what the change log compares."""
    page: dict[tuple[int, str], dict[str, Any]] = {}
    for item in items:
        key = (categories[(item.award_name, item.category)], item.nominee_key)
        if key in page:
            page[key]["won"] = page[key]["won"] or item.won
            continue
        page[key] = {"won": item.won, "notes": item.notes, "people": diff.page_people(item.people),
                     "imdb_id": item.imdb_id, "award": item.award_name, "category": item.category,
                     "nominee": None if item.imdb_id else ", ".join(p.get("name") or "?" for p in item.people)}
    return page


def links(items: list[NominationRow], categories: dict) -> list[tuple[int, str, str, str, int]]:
    """(category id, nominee key, person imdb id, role, position) of every person named on the page."""
    links = []
    for item in items:
        category_id = categories[(item.award_name, item.category)]
        for position, person in enumerate(item.people):
            if person.get("imdb_id"):
                links.append((category_id, item.nominee_key, person["imdb_id"], person.get("role") or "primary",
                              position))
    return links


def nomination_rows(items: list[NominationRow], categories: dict, ceremony_id: int) -> list[dict[str, Any]]:
    return [{"ceremony_id": ceremony_id, "category_id": categories[(i.award_name, i.category)], "film": i.imdb_id,
             "nominee_key": i.nominee_key, "award_name": i.award_name, "won": i.won, "notes": i.notes,
             "nominee_type": i.nominee_type, "imdb_nomination_id": i.imdb_nomination_id,
             "details": i.details or None} for i in items]


def list_entries(items, movie_ids: dict[str, int]) -> list[dict[str, Any]]:
    """A list page's canonical_sources rows (the film's id, its position, notes and award facts)."""
    return [{"movie_id": movie_ids[i.imdb_id], "position": i.position, "notes": i.notes, "award_name": i.award_name,
             "award_year": i.award_year, "award_won": i.award_won} for i in items]
