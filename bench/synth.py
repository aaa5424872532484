"""Deterministic synthetic IMDb pages in the real shapes: event editions (~150 nominations each, a shared
pool of films so that 200 editions hold ≈8,000 unique films, people on most nominations) and a long list."""

from __future__ import annotations

import random
from dataclasses import dataclass

from cinegraph_scrapy.configs import organizations
from cinegraph_scrapy.parsing.imdb_graphql import list_items_payload
from tests.support.graphql import GraphqlList
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


def list_site(films: int) -> tuple[str, GraphqlList]:
    """The list as IMDb serves it: page 1 (the first 250 films, with its endCursor) and the GraphQL
    stand-in answering the continuation."""
    all_films = [film(i) for i in range(films)]
    page1 = next_list_page(all_films[:LIST_PAGE], total=films, has_next=films > LIST_PAGE)
    return page1, GraphqlList(LIST_ID, all_films)


def list_requests(base: str, films: int) -> list[dict]:
    """The requests the import makes for the list: page 1, then one GraphQL POST per further 250 films."""
    requests = [{"method": "GET", "url": base + LIST_PATH}]
    for k in range(1, (films + LIST_PAGE - 1) // LIST_PAGE):
        requests.append({"method": "POST", "url": base + GRAPHQL_PATH,
                         "body": list_items_payload(LIST_ID, cursor_for(k * LIST_PAGE - 1)).decode()})
    return requests
