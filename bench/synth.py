"""Deterministic synthetic IMDb pages in the real shapes: event editions (~150 nominations each, a shared
pool of films so that 200 editions hold ≈8,000 unique films, people on most nominations) and a long list."""

from __future__ import annotations

import random
from dataclasses import dataclass

from cinegraph_scrapy.configs import organizations

from cinegraph_scrapy.parsing.imdb_api import payload
from cinegraph_scrapy.parsing.imdb_graphql import list_variables
from cinegraph_scrapy.queries import load_query
from cinegraph_scrapy.settings import IMDB_API_CATEGORIES_FIRST, IMDB_API_NOMINATIONS_FIRST
from tests.support.api_data import edition_from_next_page
from tests.support.graphql import list_data
from tests.support.imdb_api import ApiData, ImdbApi
from tests.support.pages import Award, Category, Film, Nom, Person, cursor_for, next_event_page, next_list_page

FILM_POOL = 8_000
PEOPLE_POOL = 20_000
LIST_PAGE = 250


@dataclass(frozen=True)
class Edition:
    key: str
    event_id: str
    year: int

    @property
    def path(self) -> str:
        return f"/event/{self.event_id}/{self.year}/1/"


def editions(count: int) -> list[Edition]:
    orgs = sorted(organizations().values(), key=lambda o: o["slug"])
    out = []
    year = 2000
    while len(out) < count:
        for org in orgs:
            if len(out) == count:
                break
            out.append(Edition(f"{org['slug']}_{year}", org["event_id"], year))
        year += 1
    return out


def film(i: int) -> Film:
    return Film(f"tt{9_000_000 + i:07d}", f"Synthetic film {i}", 1950 + i % 75, original_title=f"Original {i}")


def person(i: int) -> Person:
    return Person(f"nm{9_000_000 + i:07d}", f"Person {i}")


def event_page(edition: Edition, nominations: int = 150) -> str:
    rng = random.Random(edition.key)
    awards = []
    made = 0
    a = 0
    while made < nominations:
        categories = []
        for c in range(3):
            noms = []
            for n in range(min(5, nominations - made)):
                kind = rng.random()
                f = film(rng.randrange(FILM_POOL))
                people = [person(rng.randrange(PEOPLE_POOL)) for _ in range(rng.choice((1, 1, 2)))]
                if kind < 0.02:  # a person-only honour
                    noms.append(Nom(won=n == 0, names=people))
                elif kind < 0.45:  # acting / directing: person primary, film secondary
                    noms.append(Nom(won=n == 0, names=people, secondary_titles=[f]))
                elif kind < 0.85:  # picture: film primary, producers secondary
                    noms.append(Nom(won=n == 0, titles=[f], secondary_names=people))
                else:
                    noms.append(Nom(won=n == 0, titles=[f], notes="Shared with another film" if n == 1 else None))
                made += 1
            if noms:
                categories.append(Category(None if c == 0 and a % 3 == 0 else f"Category {a}.{c}", noms))
        awards.append(Award(f"Award {a}", categories))
        a += 1
    return next_event_page(awards, event_name=f"Synthetic {edition.key}", event_id=edition.event_id, year=edition.year)


LIST_ID = "ls024863935"  # the seeded 1001_movies config
LIST_PATH = f"/list/{LIST_ID}/"
GRAPHQL_PATH = "/graphql/"


def edition_id(edition: Edition) -> str:
    return f"ee{(edition.year * 10 + 1) % 10_000_000:07d}"  # what next_event_page names the edition


def api_site(films: int, pages: dict[Edition, str]) -> tuple[str, ImdbApi]:
    """The list's page 1 (the page path) and IMDb's API (the graphql-core stand-in) holding the whole list
    and every edition, in the API's shape."""
    all_films = [film(i) for i in range(films)]
    page1 = next_list_page(all_films[:LIST_PAGE], total=films, has_next=films > LIST_PAGE)
    data = ApiData()
    data.lists[LIST_ID] = list_data(LIST_ID, all_films, "A list")
    for edition, body in pages.items():
        api_edition, _ = edition_from_next_page(body.encode(), edition.event_id)
        data.add_edition(api_edition)
    return page1, ImdbApi(data)


def _post(base: str, operation: str, variables: dict) -> dict:
    return {"method": "POST", "url": base + GRAPHQL_PATH, "body": payload(operation, load_query(operation), variables).decode()}


def list_requests(base: str, films: int) -> list[dict]:
    """The requests the import makes for the list: one API POST per 250 films, each after the last's cursor."""
    return [_post(base, "ListPage", list_variables(LIST_ID, cursor_for(k * LIST_PAGE - 1) if k else None))
            for k in range((films + LIST_PAGE - 1) // LIST_PAGE)]


def event_api_requests(base: str, chosen: list[Edition]) -> list[dict]:
    """The API requests of an import of these editions: each event's editions once, then each edition."""
    requests = [_post(base, "EventEditions", {"eventId": ev}) for ev in dict.fromkeys(e.event_id for e in chosen)]
    return requests + [_post(base, "EventEdition", {"editionId": edition_id(e), "categoriesFirst": IMDB_API_CATEGORIES_FIRST,
                                                    "nominationsFirst": IMDB_API_NOMINATIONS_FIRST}) for e in chosen]
