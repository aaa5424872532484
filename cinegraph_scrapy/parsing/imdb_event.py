"""IMDb event editions → EventPage: the page (`/event/ev…/YEAR/INSTANCE/`) in any layout, and the reader of
IMDb's `NominationEventEdition` shape that the Next.js page embeds and the API answers.

Layouts: Next.js __NEXT_DATA__ (edition.awards[]) here; the legacy `NomineesWidget` JSON and
`event-widgets__*` HTML in event_legacy.py. Rows: event_rows.py; which edition answered: edition_check.py.
"""

from __future__ import annotations

from datetime import date

from cinegraph_scrapy.parsing.blocks import NoDataError
from cinegraph_scrapy.parsing.event_legacy import from_html, from_widget
from cinegraph_scrapy.parsing.event_rows import (  # noqa: F401  (the names callers know from here)
    NOMINEE_PERSON, NOMINEE_TITLE, PRIMARY, SECONDARY, Edition, EventPage, Film, Nomination, Person, company_of,
    nomination_row, texts_of)
from cinegraph_scrapy.parsing.nextdata import as_bytes, next_data
from cinegraph_scrapy.parsing.text import as_dict, as_list, dig, int_or_none, nm_id, text_of, tt_id, year_of


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
        page = from_widget(raw)
    if page is None:
        page = from_html(raw)
    if page is None:
        raise NoDataError("no event data found (no __NEXT_DATA__ edition, no NomineesWidget JSON, no award HTML)")
    if not page.nominations and require_nominations:
        raise NoDataError(
            f"the event page has the {page.layout} structure but 0 nominations "
            f"({page.award_count} award blocks)"
        )
    return page


# ---------------------------------------------------------------- Next.js


def listed_editions(value) -> list[Edition]:
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
                        editions=listed_editions(props.get("historyEventEditions")))


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
    companies = [c for c in (company_of(e) for e in as_list(entities.get("awardCompanies"))
                             + as_list(entities.get("secondaryAwardCompanies"))) if c]
    return nomination_row(
        award_name, category, nom, films, people,
        nominee_type=NOMINEE_PERSON if person_nominee else NOMINEE_TITLE, award_id=award_id,
        details={"songs": texts_of(nom.get("forSongTitles")), "companies": companies,
                 "episodes": _episode_names(nom.get("forEpisodes"))})
