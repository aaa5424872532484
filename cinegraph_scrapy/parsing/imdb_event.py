"""IMDb event edition pages (/event/ev…/YEAR/INSTANCE/) → EventPage.

Layouts: Next.js __NEXT_DATA__ (edition.awards[]), the legacy `IMDbReactWidgets.NomineesWidget.push`
JSON, and the legacy `event-widgets__*` HTML.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

from parsel import Selector

from cinegraph_scrapy.parsing.blocks import NoDataError
from cinegraph_scrapy.parsing.nextdata import as_bytes, next_data
from cinegraph_scrapy.parsing.text import as_dict, as_list, dig, int_or_none, nm_id, text_of, tt_id, year_of


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


def parse_event_page(body: str | bytes, *, require_nominations: bool = True) -> EventPage:
    """Parse an event edition page.

    Raises NoDataError when the page carries no event structure we know, or when it does but yields no
    nomination at all (a page that parses to nothing is an error, not an empty success). Discovery reads
    the editions of pages that have none yet (`require_nominations=False`).
    """
    raw = as_bytes(body)
    data = next_data(raw)
    page: EventPage | None = None
    if data is not None:
        page = _from_next_data(data)
    if page is None:
        page = _from_widget(raw)
    if page is None:
        page = _from_html(raw)
    if page is None:
        raise NoDataError("no event data found (no __NEXT_DATA__ edition, no NomineesWidget JSON, no award HTML)")
    if not page.nominations and require_nominations:
        raise NoDataError(
            f"the event page has the {page.layout} structure but 0 nominations "
            f"({page.award_count} award blocks)"
        )
    return page


# ---------------------------------------------------------------- Next.js


def _editions(value) -> list[Edition]:
    found: dict[tuple[int, int], Edition] = {}
    for entry in as_list(value):
        if not isinstance(entry, dict):
            continue
        year = int_or_none(entry.get("year")) if not isinstance(entry.get("year"), str) else None
        instance = entry.get("instanceWithinYear")
        instance = instance if isinstance(instance, int) and not isinstance(instance, bool) else 1
        if year is None or not 1800 <= year <= 2200 or not 1 <= instance <= 99:
            continue
        edition_id = entry.get("id") if isinstance(entry.get("id"), str) else None
        found.setdefault((year, instance), Edition(year, instance, edition_id))
    return sorted(found.values())


def _date(components) -> date | None:
    if not isinstance(components, dict):
        return None
    parts = [components.get(k) for k in ("year", "month", "day")]
    if not all(isinstance(p, int) and not isinstance(p, bool) for p in parts):
        return None
    try:
        return date(*parts)
    except ValueError:
        return None


def _film(title: dict | None) -> Film | None:
    if not isinstance(title, dict):
        return None
    imdb_id = tt_id(title.get("id"))
    if imdb_id is None:
        return None
    type_id = dig(title, "titleType", "id")
    return Film(
        imdb_id=imdb_id,
        title=text_of(title.get("titleText")),
        original_title=text_of(title.get("originalTitleText")),
        year=year_of(title.get("releaseYear")) or year_of(title.get("releaseDate")),
        title_type=type_id if isinstance(type_id, str) and type_id else None,
    )


def _person(name: dict | None, role: str) -> Person | None:
    if not isinstance(name, dict):
        return None
    person = Person(imdb_id=nm_id(name.get("id")), name=text_of(name.get("nameText")), role=role)
    return person if person.imdb_id or person.name else None


def _company(entry) -> dict[str, str | None] | None:
    """`secondaryAwardCompanies[]` ({company: {id, companyText}}) or a legacy nominee with a co… const."""
    if not isinstance(entry, dict):
        return None
    company = entry.get("company") if isinstance(entry.get("company"), dict) else entry
    company_id = company.get("id") or company.get("const")
    name = text_of(company.get("companyText")) or text_of(company.get("name")) or text_of(company.get("text"))
    if not (isinstance(company_id, str) and company_id.startswith("co")) and not name:
        return None
    return {"id": company_id if isinstance(company_id, str) else None, "name": name}


def _texts(value) -> list[str]:
    """songNames / characterNames / episodeNames: a list of strings (or of text-ish objects), or null."""
    return [t for t in (text_of(v) for v in as_list(value)) if t]


def _merge_films(films: list[Film | None]) -> list[Film]:
    seen: dict[str, Film] = {}
    for film in films:
        if film is not None and film.imdb_id not in seen:
            seen[film.imdb_id] = film
    return list(seen.values())


def _merge_people(people: list[Person | None]) -> list[Person]:
    """One entry per person and role, in page order (a person can be nominee and named with a film)."""
    seen: dict[tuple[str, str], Person] = {}
    for person in people:
        if person is None:
            continue
        key = (person.imdb_id or f"name:{person.name}", person.role)
        if key not in seen:
            seen[key] = person
    return list(seen.values())


def _nomination(award_name: str, category: str, nom: dict, films, people, *, nominee_type: str,
                award_id: str | None = None, details: dict | None = None) -> Nomination:
    """Both JSON layouts share isWinner / notes and the primary + secondary nominee merge."""
    nomination_id = nom.get("awardNominationId") or nom.get("id")  # legacy page | API
    return Nomination(
        award_name=award_name,
        category=category,
        won=nom.get("isWinner") is True,
        notes=text_of(nom.get("notes")),
        films=_merge_films(films),
        people=_merge_people(people),
        nominee_type=nominee_type,
        award_id=award_id,
        imdb_nomination_id=nomination_id if isinstance(nomination_id, str) and nomination_id.startswith("an") else None,
        details={k: v for k, v in (details or {}).items() if v},
    )


def _from_next_data(data: dict) -> EventPage | None:
    props = dig(data, "props", "pageProps")
    if not isinstance(props, dict):
        return None
    edition = props.get("edition")
    info = props.get("editionInfo")
    if not isinstance(edition, dict) and not isinstance(info, dict):
        return None
    awards = dig(edition, "awards")
    if not isinstance(awards, list):
        if not isinstance(edition, dict):
            return None
        awards = []
    return edition_page(awards, info, layout="next_data", event_name=text_of(props.get("eventName")),
                        editions=_editions(props.get("historyEventEditions")))


def edition_page(awards: list, info, *, layout: str, event_name: str | None = None,
                 editions: list[Edition] | None = None) -> EventPage:
    """An edition in the shapes of IMDb's API (`NominationEventEdition`): the Next.js page embeds the API's
    answer, so the page and the API (`layout="api"`) go through this one reader and give the same rows."""
    event_id = dig(info, "event", "id")
    page = EventPage(
        layout=layout,
        event_name=event_name or text_of(dig(info, "event", "name")),
        year=int_or_none(dig(info, "year")),
        instance=int_or_none(dig(info, "instanceWithinYear")),
        edition_id=dig(info, "id") if isinstance(dig(info, "id"), str) else None,
        event_id=event_id if isinstance(event_id, str) and event_id else None,
        date=_date(dig(info, "dateRange", "startDate", "dateComponents")),
        location=text_of(dig(info, "event", "location")),
        editions=editions or [],
        award_count=len(awards),
    )
    for award in awards:
        if isinstance(award, dict):
            _read_award(page, award)
    return page


def _read_award(page: EventPage, award: dict) -> None:
    award_name = text_of(award.get("text")) or text_of(award.get("name")) or "Award"
    award_id = award.get("id") if isinstance(award.get("id"), str) and award.get("id") else None
    for cat_edge in as_list(dig(award, "nominationCategories", "edges")):
        node = dig(cat_edge, "node")
        if not isinstance(node, dict):
            continue
        category = text_of(node.get("category")) or award_name
        nominations = as_dict(node.get("nominations"))
        if dig(nominations, "pageInfo", "hasNextPage") is True:
            page.truncated_categories.append(f"{award_name} / {category}")
        for nom_edge in as_list(nominations.get("edges")):
            nom = dig(nom_edge, "node")
            if isinstance(nom, dict):
                page.nominations.append(_api_nomination(award_name, category, nom, award_id))


def _episode_names(value) -> list[str]:
    """forEpisodes: [Title] (its titleText), or text-ish values."""
    if not isinstance(value, list):
        text = text_of(value)
        return [text] if text else []
    names = [text_of(v.get("titleText")) if isinstance(v, dict) and "titleText" in v else text_of(v) for v in value]
    return [n for n in names if n]


def _api_nomination(award_name: str, category: str, nom: dict, award_id: str | None) -> Nomination:
    entities = as_dict(nom.get("awardedEntities"))
    films = [_film(dig(t, "title")) for t in as_list(entities.get("awardTitles"))]
    films += [_film(dig(t, "title")) for t in as_list(entities.get("secondaryAwardTitles"))]
    people = [_person(dig(n, "name"), PRIMARY) for n in as_list(entities.get("awardNames"))]
    people += [_person(dig(n, "name"), SECONDARY) for n in as_list(entities.get("secondaryAwardNames"))]
    # __typename decides who the nominee is; without it, nominated names mean a person.
    typename = entities.get("__typename")
    person_nominee = typename == "AwardedNames" or (typename != "AwardedTitles" and bool(
        entities.get("awardNames")) and not entities.get("awardTitles"))
    companies = [c for c in (_company(e) for e in as_list(entities.get("awardCompanies"))
                             + as_list(entities.get("secondaryAwardCompanies"))) if c]
    return _nomination(
        award_name, category, nom, films, people,
        nominee_type=NOMINEE_PERSON if person_nominee else NOMINEE_TITLE, award_id=award_id,
        details={"songs": _texts(nom.get("forSongTitles")), "companies": companies,
                 "episodes": _episode_names(nom.get("forEpisodes"))})


# ---------------------------------------------------------------- legacy widget JSON

_WIDGET = re.compile(rb"IMDbReactWidgets\.NomineesWidget\.push\(\s*\[")


def _widget_payload(raw: bytes) -> dict | None:
    m = _WIDGET.search(raw)
    if m is None:
        return None
    text = raw[m.end() : m.end() + 20_000_000].decode("utf-8", "replace")
    decoder = json.JSONDecoder()
    # The array is ['center-3-react', {…}]: skip the first element, decode the object.
    brace = text.find("{")
    if brace < 0:
        raise NoDataError("NomineesWidget.push(…) has no JSON object")
    try:
        obj, _ = decoder.raw_decode(text, brace)
    except ValueError as exc:
        raise NoDataError(f"NomineesWidget JSON is not valid ({exc.msg}): truncated or changed page") from None
    except RecursionError:
        raise NoDataError("NomineesWidget JSON is nested too deeply to be an IMDb page (hostile or broken page)") from None
    return obj if isinstance(obj, dict) else None


def _legacy_category(name) -> str | None:
    text = text_of(name)
    if text is None or text.strip() in ("", "None"):
        return None
    return text


def _from_widget(raw: bytes) -> EventPage | None:
    payload = _widget_payload(raw)
    if payload is None:
        return None
    summary = as_dict(dig(payload, "nomineesWidgetModel", "eventEditionSummary"))
    awards = as_list(summary.get("awards"))
    page = EventPage(
        layout="legacy_widget",
        event_name=text_of(dig(payload, "nomineesWidgetModel", "title")) or text_of(summary.get("eventName")),
        year=int_or_none(summary.get("year")),
        instance=int_or_none(summary.get("occurrence")) or int_or_none(summary.get("instanceWithinYear")),
        edition_id=next((summary[k] for k in ("eventEditionId", "editionId") if isinstance(summary.get(k), str)), None),
        event_id=summary.get("eventId") if isinstance(summary.get("eventId"), str) else None,
        award_count=len(awards),
    )
    for award in awards:
        if not isinstance(award, dict):
            continue
        award_name = text_of(award.get("awardName")) or "Award"
        for cat in as_list(award.get("categories")):
            if not isinstance(cat, dict):
                continue
            category = _legacy_category(cat.get("categoryName")) or award_name
            for nom in as_list(cat.get("nominations")):
                if not isinstance(nom, dict):
                    continue
                films: list[Film | None] = []
                people: list[Person | None] = []
                companies: list[dict] = []
                primary_kinds: list[str] = []
                for role, group in ((PRIMARY, nom.get("primaryNominees")), (SECONDARY, nom.get("secondaryNominees"))):
                    for nominee in as_list(group):
                        if not isinstance(nominee, dict):
                            continue
                        const = nominee.get("const")
                        if tt_id(const):
                            films.append(Film(imdb_id=tt_id(const), title=text_of(nominee.get("name")),
                                              original_title=text_of(nominee.get("originalName")),
                                              year=year_of(nominee.get("year"))))
                            kind = NOMINEE_TITLE
                        elif isinstance(const, str) and const.startswith("co"):
                            company = _company(nominee)
                            if company:
                                companies.append(company)
                            kind = "company"
                        elif nm_id(const) or nominee.get("name"):
                            people.append(Person(imdb_id=nm_id(const), name=text_of(nominee.get("name")), role=role))
                            kind = NOMINEE_PERSON
                        else:
                            continue
                        if role == PRIMARY:
                            primary_kinds.append(kind)
                first = next((k for k in primary_kinds if k != "company"), None)
                if first is None:  # no primary nominee (or only companies): a film named means a title
                    first = NOMINEE_TITLE if films or not people else NOMINEE_PERSON
                if first == NOMINEE_TITLE:  # people listed beside a nominated title are secondary
                    for person in people:
                        if person is not None:
                            person.role = SECONDARY
                page.nominations.append(_nomination(
                    award_name, category, nom, films, people, nominee_type=first,
                    details={"songs": _texts(nom.get("songNames")), "characters": _texts(nom.get("characterNames")),
                             "episodes": _texts(nom.get("episodeNames")), "companies": companies}))
    return page


# ---------------------------------------------------------------- legacy HTML


def _from_html(raw: bytes) -> EventPage | None:
    if b"event-widgets__award" not in raw:
        return None
    sel = Selector(text=raw.decode("utf-8", "replace"))
    awards = sel.css(".event-widgets__award")
    page = EventPage(layout="legacy_html", award_count=len(awards))
    page.event_name = " ".join(sel.css("h1 ::text").getall()).strip() or None
    for award in awards:
        award_name = " ".join(award.css(".event-widgets__award-name ::text").getall()).strip() or "Award"
        categories = award.css(".event-widgets__award-category")
        for cat in categories or [award]:
            category = _legacy_category(
                " ".join(cat.css(".event-widgets__award-category-name ::text").getall()).strip()
            ) or award_name
            for nom in cat.css(".event-widgets__award-nomination"):
                films: list[Film | None] = []
                people: list[Person | None] = []
                for link in nom.css(".event-widgets__nominee-name a[href], a.event-widgets__nominee-name[href]"):
                    href = link.attrib.get("href", "")
                    name = " ".join(link.css("::text").getall()).strip() or None
                    if tt_id(href):
                        films.append(Film(imdb_id=tt_id(href), title=name))
                    elif nm_id(href):
                        people.append(Person(imdb_id=nm_id(href), name=name))
                notes = " ".join(nom.css(".event-widgets__nomination-notes ::text").getall()).strip() or None
                if films:  # the HTML does not say who the nominee is: with a film, it is the film
                    for person in people:
                        if person is not None:
                            person.role = SECONDARY
                page.nominations.append(
                    Nomination(
                        award_name=award_name,
                        category=category,
                        won=bool(nom.css(".event-widgets__winner-badge")),
                        notes=notes,
                        films=_merge_films(films),
                        people=_merge_people(people),
                        nominee_type=NOMINEE_TITLE if films else NOMINEE_PERSON,
                    )
                )
    return page


# ---------------------------------------------------------------- which edition answered

_EDITION_PATH = re.compile(
    r"^/(?:(?P<locale>[a-z]{2}(?:-[a-z]{2})?)/)?event/(?P<event>ev\d{7})/?(?:(?P<year>\d{4})/?(?:(?P<instance>\d+)/?)?)?",
    re.I,
)


@dataclass(frozen=True)
class EditionUrl:
    event_id: str
    year: int | None
    instance: int | None
    locale: str | None


def edition_from_url(url: str) -> EditionUrl | None:
    """`…/event/ev0000681/2024/1/` (or `/fr/event/…`) → its parts; None for any other path."""
    from urllib.parse import urlsplit

    m = _EDITION_PATH.match(urlsplit(url).path or "/")
    if m is None:
        return None
    return EditionUrl(m.group("event"), int(m.group("year")) if m.group("year") else None,
                      int(m.group("instance")) if m.group("instance") else None,
                      m.group("locale").lower() if m.group("locale") else None)


def _edition_name(year, instance) -> str:
    return f"{year}" if not instance or instance == 1 else f"{year} (instance {instance})"


def edition_mismatch(event_id: str, year: int, instance: int, page: EventPage, final_url: str) -> str | None:
    """Why this page is not the edition asked for (naming both editions), or None when it is.

    The page's own `editionInfo` (or the legacy `year`/`occurrence`/`eventId`) and the final URL after
    redirects are both checked; a locale path (`/fr/event/…`) is refused too, since titles and category
    names would not be the pinned English ones."""
    asked = f"the {_edition_name(year, instance)} edition of {event_id}"
    url = edition_from_url(final_url)
    if url is not None:
        if url.locale:
            return f"IMDb answered {asked} with a locale path (/{url.locale}/…: {final_url}); titles would not be English"
        if url.event_id.lower() != event_id.lower():
            return f"IMDb answered {asked} with event {url.event_id} ({final_url})"
        if url.year is not None and (url.year != year or (url.instance or 1) != instance):
            return (f"IMDb answered {asked} with the {_edition_name(url.year, url.instance)} edition "
                    f"(redirected to {final_url})")
    if page.event_id and page.event_id.lower() != event_id.lower():
        return f"IMDb answered {asked} with a page of event {page.event_id}"
    if page.year is not None and (page.year != year or (page.instance is not None and page.instance != instance)):
        return (f"IMDb answered {asked} with the {_edition_name(page.year, page.instance)} edition "
                f"(the page's editionInfo{' ' + page.edition_id if page.edition_id else ''})")
    return None
