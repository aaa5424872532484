"""The rows an event edition parses to, whichever layout or API answer it came from: Film, Person,
Nomination, Edition, EventPage, and the helpers every reader shares (one nomination's primary and
secondary nominees merged the same way in every layout)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cinegraph_scrapy.items import NominationRow
from cinegraph_scrapy.parsing.text import as_list, text_of

PRIMARY, SECONDARY = "primary", "secondary"

NOMINEE_TITLE, NOMINEE_PERSON = "title", "person"


@dataclass
class Film:
    imdb_id: str
    title: str | None = None
    original_title: str | None = None
    year: int | None = None
    title_type: str | None = None  # titleType.id; only primary titles of event pages carry it


@dataclass
class Person:
    imdb_id: str | None
    name: str | None
    role: str = PRIMARY  # primary: the nominee; secondary: named with a nominated title

    def as_dict(self) -> dict[str, str | None]:
        return {"imdb_id": self.imdb_id, "name": self.name, "role": self.role}


@dataclass
class Nomination:
    award_name: str
    category: str
    won: bool
    notes: str | None = None
    films: list[Film] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    nominee_type: str = NOMINEE_TITLE  # title: the nominee is the film; person: the nominee is the person
    award_id: str | None = None  # aw…
    imdb_nomination_id: str | None = None  # an… (legacy pages)
    # songs, characters, episodes, companies: only the keys the page has
    details: dict[str, list] = field(default_factory=dict)


def film_rows(nominations: list[Nomination]) -> list[NominationRow]:
    """The rows an edition's nominations store: one per nominated film, or one with no film for a
    person-only honour. IMDb's nomination id (unique in a ceremony) goes on a nomination's first film; the
    others name it in their details (`nomination_of`)."""
    rows: list[NominationRow] = []
    for nomination in nominations:
        common = dict(award_name=nomination.award_name, category=nomination.category, won=nomination.won,
                      notes=nomination.notes, people=[p.as_dict() for p in nomination.people],
                      nominee_type=nomination.nominee_type, award_id=nomination.award_id)
        if not nomination.films:
            rows.append(NominationRow(imdb_id=None, imdb_nomination_id=nomination.imdb_nomination_id,
                                      details=nomination.details or None, **common))
        for index, film in enumerate(nomination.films):
            details = dict(nomination.details)
            if index and nomination.imdb_nomination_id:
                details["nomination_of"] = nomination.imdb_nomination_id
            rows.append(NominationRow(
                imdb_id=film.imdb_id, title=film.title, original_title=film.original_title, year=film.year,
                title_type=film.title_type, details=details or None,
                imdb_nomination_id=None if index else nomination.imdb_nomination_id, **common))
    return rows


@dataclass(frozen=True, order=True)
class Edition:
    """One edition of an event, as `historyEventEditions` lists it."""

    year: int
    instance: int = 1
    edition_id: str | None = None


@dataclass
class EventPage:
    layout: str  # api | next_data | legacy_widget | legacy_html
    event_name: str | None = None
    year: int | None = None
    instance: int | None = None
    edition_id: str | None = None
    event_id: str | None = None  # ev…, when the page names it (legacy widget)
    date: date | None = None
    location: str | None = None
    # Every edition of the event (Next.js pages list them all on each edition page).
    editions: list[Edition] = field(default_factory=list)
    nominations: list[Nomination] = field(default_factory=list)
    # "award / category" of categories whose nominations continue on another page (hasNextPage).
    truncated_categories: list[str] = field(default_factory=list)
    award_count: int = 0

    @property
    def winners(self) -> int:
        return sum(1 for n in self.nominations if n.won)



def company_of(entry) -> dict[str, str | None] | None:
    """`secondaryAwardCompanies[]` ({company: {id, companyText}}) or a legacy nominee with a co… const."""
    if not isinstance(entry, dict):
        return None
    company = entry.get("company") if isinstance(entry.get("company"), dict) else entry
    company_id = company.get("id") or company.get("const")
    name = text_of(company.get("companyText")) or text_of(company.get("name")) or text_of(company.get("text"))
    if not (isinstance(company_id, str) and company_id.startswith("co")) and not name:
        return None
    return {"id": company_id if isinstance(company_id, str) else None, "name": name}


def texts_of(value) -> list[str]:
    """songNames / characterNames / episodeNames: a list of strings (or of text-ish objects), or null."""
    return [t for t in (text_of(v) for v in as_list(value)) if t]


def merge_films(films: list[Film | None]) -> list[Film]:
    seen: dict[str, Film] = {}
    for film in films:
        if film is not None and film.imdb_id not in seen:
            seen[film.imdb_id] = film
    return list(seen.values())


def merge_people(people: list[Person | None]) -> list[Person]:
    """One entry per person and role, in page order (a person can be nominee and named with a film)."""
    seen: dict[tuple[str, str], Person] = {}
    for person in people:
        if person is None:
            continue
        key = (person.imdb_id or f"name:{person.name}", person.role)
        if key not in seen:
            seen[key] = person
    return list(seen.values())


def nomination_row(award_name: str, category: str, nom: dict, films, people, *, nominee_type: str,
                award_id: str | None = None, details: dict | None = None) -> Nomination:
    """Both JSON layouts share isWinner / notes and the primary + secondary nominee merge."""
    nomination_id = nom.get("awardNominationId") or nom.get("id")  # legacy page | API
    return Nomination(
        award_name=award_name,
        category=category,
        won=nom.get("isWinner") is True,
        notes=text_of(nom.get("notes")),
        films=merge_films(films),
        people=merge_people(people),
        nominee_type=nominee_type,
        award_id=award_id,
        imdb_nomination_id=nomination_id if isinstance(nomination_id, str) and nomination_id.startswith("an") else None,
        details={k: v for k, v in (details or {}).items() if v},
    )
