"""Builders of IMDb pages in the real shapes (../shared/reference/imdb-pages.md): Next.js __NEXT_DATA__,
JSON-LD and legacy HTML lists; Next.js and legacy-widget event editions. Used by tests and the benchmark."""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Film:
    imdb_id: str
    title: str | None
    year: int | None = None
    original_title: str | None = None
    description: str | None = None


def cursor_for(result_index: int) -> str:
    """An endCursor in IMDb's shape: base64 of {"esToken": [], "filter": "<JSON with resultIndex>"}."""
    inner = json.dumps({"constraints": {"explicitContentConstraint": {"explicitContentFilter": "INCLUDE_ADULT"}},
                        "language": "en-US", "resultIndex": result_index}, separators=(",", ":"))
    return base64.b64encode(json.dumps({"esToken": [], "filter": inner}, separators=(",", ":")).encode()).decode()


def _script_json(data: Any) -> str:
    # JSON inside <script>: "</" must not close the tag early (what Next.js does too).
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _document(head: str, body: str) -> str:
    return f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>IMDb</title>{head}</head><body>{body}</body></html>"


def _title(film: Film) -> dict[str, Any]:
    return {
        "id": film.imdb_id,
        "titleText": {"text": film.title} if film.title is not None else None,
        "originalTitleText": {"text": film.original_title or film.title} if (film.original_title or film.title) else None,
        "releaseYear": {"year": film.year, "endYear": None} if film.year else None,
        "titleType": {"id": "movie", "text": "Movie"},
        "ratingsSummary": {"aggregateRating": 7.9, "voteCount": 1234},
        "runtime": {"seconds": 6000},
    }


# ------------------------------------------------------------------ lists


def next_list_page(films: list[Film], *, total: int, has_next: bool, start: int = 1, name: str = "A list") -> str:
    edges = [
        {
            "node": {
                "absolutePosition": start + i,
                "description": {"originalText": {"plainText": f.description}} if f.description else None,
            },
            "listItem": _title(f),
        }
        for i, f in enumerate(films)
    ]
    data = {
        "props": {
            "pageProps": {
                "mainColumnData": {
                    "list": {
                        "id": "ls000000001",
                        "name": {"originalText": name},
                        "titleListItemSearch": {
                            "total": total,
                            "pageInfo": {"hasNextPage": has_next, "hasPreviousPage": start > 1,
                                         "endCursor": cursor_for(start + len(films) - 2), "__typename": "PageInfo"},
                            "edges": edges,
                        },
                    }
                }
            }
        },
        "page": "/list/[lsconst]",
        "buildId": "test",
    }
    body = "".join(
        f'<li class="ipc-metadata-list-summary-item"><a href="/title/{f.imdb_id}/">{html.escape(f.title or "")}</a></li>'
        for f in films[:75]
    )
    return _document(
        "", f'<ul>{body}</ul><script id="__NEXT_DATA__" type="application/json">{_script_json(data)}</script>'
    )


def jsonld_list_page(films: list[Film], *, start: int = 1, name: str = "A list") -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": name,
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": start + i,
                "item": {
                    "@type": "Movie",
                    "url": f"https://www.imdb.com/title/{f.imdb_id}/",
                    "name": f.title,
                    **({"description": f.description} if f.description else {}),
                    **({"datePublished": f"{f.year}-05-01"} if f.year else {}),
                },
            }
            for i, f in enumerate(films)
        ],
    }
    return _document(f'<script type="application/ld+json">{_script_json(data)}</script>', "<h1>List</h1>")


def legacy_list_page(films: list[Film], *, total: int, has_next: bool, start: int = 1) -> str:
    items = []
    for i, f in enumerate(films):
        note = f'<div class="list-description"><p>{html.escape(f.description)}</p></div>' if f.description else ""
        items.append(
            '<div class="lister-item mode-detail"><div class="lister-item-content">'
            f'<h3 class="lister-item-header"><span class="lister-item-index unbold text-primary">{start + i}.</span>'
            f'<a href="/title/{f.imdb_id}/?ref_=ttls_li_tt">{html.escape(f.title or "")}</a>'
            f'<span class="lister-item-year text-muted unbold">(I) ({f.year or ""})</span></h3>'
            f'<p class="text-muted text-small">Drama</p>{note}</div></div>'
        )
    end = start + len(films) - 1
    nav = '<a class="flat-button lister-page-next next-page" href="?page=2">Next »</a>' if has_next else ""
    return _document(
        "",
        f'<h1 class="header">A list</h1><div class="desc lister-total-num-results">{start}-{end} of {total:,} titles.</div>'
        f'<div class="lister-list">{"".join(items)}</div>{nav}',
    )


# ------------------------------------------------------------------ events


@dataclass
class Person:
    imdb_id: str
    name: str


@dataclass
class Nom:
    won: bool = False
    titles: list[Film] = field(default_factory=list)  # awardTitles (primary films)
    secondary_titles: list[Film] = field(default_factory=list)  # films of acting categories
    names: list[Person] = field(default_factory=list)  # awardNames (primary people)
    secondary_names: list[Person] = field(default_factory=list)  # e.g. producers
    notes: str | None = None


@dataclass
class Category:
    name: str | None  # None → the award name is the category
    nominations: list[Nom]
    has_next: bool = False


@dataclass
class Award:
    name: str
    categories: list[Category]


def _event_title(film: Film, *, primary: bool) -> dict:
    """A title on a real event page: no releaseYear; only primary titles carry titleType."""
    title = {
        "id": film.imdb_id,
        "titleText": {"text": film.title, "__typename": "TitleText"} if film.title is not None else None,
        "originalTitleText": {"text": film.original_title or film.title, "__typename": "TitleText"},
        "__typename": "Title",
    }
    if primary:
        title["titleType"] = {"id": getattr(film, "title_type", None) or "movie", "__typename": "TitleType"}
    return {"title": title, "__typename": "AwardTitle"}


def _entity_names(people: list[Person]) -> list[dict] | None:
    names = [{"name": {"id": p.imdb_id, "nameText": {"text": p.name, "__typename": "NameText"}, "__typename": "Name"},
              "note": None, "__typename": "AwardName"} for p in people]
    return names or None  # IMDb sends null, never [], for an empty list


def _awarded_entities(nom: "Nom") -> dict:
    """`__typename` decides the keys: AwardedTitles has awardTitles + secondaryAwardNames, AwardedNames has
    awardNames + secondaryAwardTitles; both have secondaryAwardCompanies; the other keys are absent."""
    if nom.names:
        return {"awardNames": _entity_names(nom.names),
                "secondaryAwardTitles": [_event_title(f, primary=False) for f in nom.secondary_titles] or None,
                "secondaryAwardCompanies": None, "__typename": "AwardedNames"}
    return {"awardTitles": [_event_title(f, primary=True) for f in nom.titles] or None,
            "secondaryAwardNames": _entity_names(nom.secondary_names),
            "secondaryAwardCompanies": None, "__typename": "AwardedTitles"}


def next_event_page(awards: list[Award], *, event_name: str, event_id: str, year: int, instance: int = 1,
                    editions: list[tuple[int, int]] | None = None) -> str:
    """An edition page in the current layout; `editions` are (year, instance) for historyEventEditions
    (default: the previous year and this one)."""
    award_nodes = []
    for a_index, award in enumerate(awards):
        cat_edges = []
        for category in award.categories:
            nom_edges = [
                {
                    "node": {
                        "isWinner": nom.won,
                        "notes": {"plainText": nom.notes, "__typename": "Markdown"} if nom.notes else None,
                        "forEpisodes": None,
                        "awardedEntities": _awarded_entities(nom),
                        "__typename": "Nomination",
                    },
                    "__typename": "NominationEdge",
                }
                for nom in category.nominations
            ]
            cat_edges.append(
                {
                    "node": {
                        "category": {"text": category.name, "__typename": "AwardCategory"} if category.name is not None else None,
                        "nominations": {
                            "pageInfo": {"hasNextPage": category.has_next, "endCursor": "x" if category.has_next else None,
                                         "__typename": "PageInfo"},
                            "edges": nom_edges,
                            "__typename": "NominationConnection",
                        },
                        "__typename": "NominationCategory",
                    },
                    "__typename": "NominationCategoryEdge",
                }
            )
        award_nodes.append({"text": award.name, "id": f"aw{a_index:07d}", "nominationCategories": {
            "edges": cat_edges, "__typename": "NominationCategoryConnection"}, "__typename": "EventEditionAward"})
    listed = editions if editions is not None else [(year - 1, 1), (year, instance)]
    history = [{"year": y, "id": f"ee{(y * 10 + i) % 10_000_000:07d}", "instanceWithinYear": i,
                "__typename": "NominationEventEdition"} for y, i in sorted(listed, reverse=True)]
    data = {
        "props": {
            "pageProps": {
                "eventName": event_name,
                "editionInfo": {
                    "year": year,
                    "id": f"ee{(year * 10 + instance) % 10_000_000:07d}",
                    "instanceWithinYear": instance,
                    "dateRange": {"startDate": {"dateComponents": {"day": 28, "month": 8, "year": year,
                                                                   "__typename": "DateComponents"},
                                                "__typename": "DisplayableDate"},
                                  "__typename": "DisplayableDateRange"},
                    "event": {"name": {"text": event_name, "__typename": "NominationEventName"},
                              "location": {"text": "Somewhere", "__typename": "DisplayableLocation"},
                              "__typename": "NominationEvent"},
                    "__typename": "NominationEventEdition",
                },
                "edition": {"awards": award_nodes, "__typename": "EventEdition"},
                "historyEventEditions": history,
            }
        },
        "page": "/event/[evconst]/[year]/[instance]",
    }
    return _document("", f'<h1>{html.escape(event_name)}</h1><script id="__NEXT_DATA__" type="application/json">{_script_json(data)}</script>')


def legacy_event_page(awards: list[Award], *, event_name: str, year: int, event_id: str | None = None,
                      instance: int = 1) -> str:
    def nominee(f: Film | Person) -> dict:
        if isinstance(f, Film):
            return {"const": f.imdb_id, "name": f.title, "originalName": f.original_title, "note": None, "imageUrl": None}
        return {"const": f.imdb_id, "name": f.name, "note": None, "imageUrl": None}

    model = {
        "nomineesWidgetModel": {
            "title": event_name,
            "refMarker": "ev_nom",
            "eventEditionSummary": {
                "awards": [
                    {
                        "awardName": award.name,
                        "trivia": [],
                        "categories": [
                            {
                                "categoryName": category.name,  # null when the award is the category
                                "nominations": [
                                    {
                                        "isWinner": nom.won,
                                        "notes": nom.notes,
                                        "awardNominationId": f"an{a_index:03d}{c_index:03d}{i:04d}",
                                        "primaryNominees": [nominee(x) for x in nom.titles + nom.names],
                                        "secondaryNominees": [nominee(x) for x in nom.secondary_titles + nom.secondary_names],
                                        "songNames": [],
                                        "episodeNames": [],
                                    }
                                    for i, nom in enumerate(category.nominations)
                                ],
                            }
                            for c_index, category in enumerate(award.categories)
                        ],
                    }
                    for a_index, award in enumerate(awards)
                ],
                "eventEditionId": f"ee{(year * 10 + instance) % 10_000_000:07d}",
                "eventId": event_id,
                "occurrence": instance,
                "eventName": event_name,
                "year": year,
            },
        }
    }
    script = f"IMDbReactWidgets.NomineesWidget.push(['center-3-react',{json.dumps(model, ensure_ascii=False)}]);"
    return _document("", f'<h1>{html.escape(event_name)}</h1><div id="center-3-react"></div><script>{script}</script>')
