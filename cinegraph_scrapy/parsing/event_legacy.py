"""Legacy IMDb edition layouts (pre-Next.js, still in archives and caches): the
`IMDbReactWidgets.NomineesWidget.push` JSON and the `event-widgets__*` HTML → EventPage."""

from __future__ import annotations

import json
import re

from parsel import Selector

from cinegraph_scrapy.parsing.blocks import NoDataError
from cinegraph_scrapy.parsing.event_rows import (
    NOMINEE_PERSON, NOMINEE_TITLE, PRIMARY, SECONDARY, EventPage, Film, Nomination, Person, company_of,
    merge_films, merge_people, nomination_row, texts_of)
from cinegraph_scrapy.parsing.text import as_dict, as_list, dig, int_or_none, nm_id, text_of, tt_id, year_of


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


def from_widget(raw: bytes) -> EventPage | None:
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
                if isinstance(nom, dict):
                    page.nominations.append(_widget_nomination(award_name, category, nom))
    return page


def _widget_nomination(award_name: str, category: str, nom: dict) -> Nomination:
    """One widget nomination: its primary and secondary nominees (titles, people, companies by their const);
    the first primary nominee that is not a company says who the nominee is."""
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
                                  original_title=text_of(nominee.get("originalName")), year=year_of(nominee.get("year"))))
                kind = NOMINEE_TITLE
            elif isinstance(const, str) and const.startswith("co"):
                company = company_of(nominee)
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
    return nomination_row(award_name, category, nom, films, people, nominee_type=first,
                          details={"songs": texts_of(nom.get("songNames")),
                                   "characters": texts_of(nom.get("characterNames")),
                                   "episodes": texts_of(nom.get("episodeNames")), "companies": companies})


# ---------------------------------------------------------------- legacy HTML


def from_html(raw: bytes) -> EventPage | None:
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
                        films=merge_films(films),
                        people=merge_people(people),
                        nominee_type=NOMINEE_TITLE if films else NOMINEE_PERSON,
                    )
                )
    return page
