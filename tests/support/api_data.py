"""The real captures of tests/real/ in the shape IMDb's GraphQL API answers, for the stand-in (imdb_api.py).

- A Next.js edition page embeds the API's own answer: its `edition.awards` become the edition's awards,
  its `editionInfo` the edition, its `historyEventEditions` the event's editions. The page asks for no
  nomination ids; the API's `Nomination.id` is non-null, so each gets a stand-in `an9…` id.
- A legacy widget edition: each primary title nominee makes `AwardedTitles` (people named with it
  `secondaryAwardNames`), a primary person `AwardedNames` (titles named with them `secondaryAwardTitles`),
  only companies `AwardedCompanies`; `songNames` are `forSongTitles`; the award gets a stand-in `aw9…` id
  (the widget names none).
"""

from __future__ import annotations

import json
import re

from tests.support.real import REAL, real_page

_NEXT = re.compile(rb'<script id="__NEXT_DATA__"[^>]*>(.*?)</script>', re.S)


def markdown(text: str | None) -> dict | None:
    return {"plainText": text, "__typename": "Markdown"} if text else None


def name_of(nominee: dict) -> dict:
    return {"id": nominee["const"], "nameText": {"text": nominee.get("name")}, "__typename": "Name"}


def title_of(nominee: dict, *, primary: bool) -> dict:
    """A title as the API gives it; the widget knows no title type (null), nor a release year."""
    title = {"id": nominee["const"], "titleText": {"text": nominee.get("name")} if nominee.get("name") else None,
             "originalTitleText": {"text": nominee["originalName"]} if nominee.get("originalName") else None,
             "__typename": "Title"}
    if primary:
        title["titleType"] = None
    return title


def next_data_edition(page_name: str, event_id: str) -> tuple[dict, list[dict]]:
    """(edition in the API's shape, the event's editions) from a real Next.js edition page."""
    return edition_from_next_page(real_page(page_name), event_id)


def edition_from_next_page(body: bytes, event_id: str) -> tuple[dict, list[dict]]:
    """(edition in the API's shape, the event's editions) from a Next.js edition page's bytes."""
    props = json.loads(_NEXT.search(body).group(1))["props"]["pageProps"]
    info = props["editionInfo"]
    serial = 0
    awards = []
    for award in props["edition"]["awards"]:
        categories = []
        for edge in award["nominationCategories"]["edges"]:
            node = edge["node"]
            nominations = []
            for nom_edge in node["nominations"]["edges"]:
                serial += 1
                nominations.append({**nom_edge["node"], "id": f"an9{info['year']}{serial:04d}"})
            categories.append({"category": node["category"], "nominations": nominations})
        awards.append({"id": award["id"], "text": award["text"], "categories": categories})
    edition = {"id": info["id"], "year": info["year"], "instanceWithinYear": info["instanceWithinYear"],
               "dateRange": info["dateRange"], "awards": awards,
               "event": {"id": event_id, **info["event"]}}
    history = [{"id": e["id"], "year": e["year"], "instanceWithinYear": e["instanceWithinYear"]}
               for e in props["historyEventEditions"]]
    return edition, history


def _legacy_entities(nom: dict) -> dict:
    kinds = {"tt": [], "nm": [], "co": []}
    secondary = {"tt": [], "nm": [], "co": []}
    for group, target in (("primaryNominees", kinds), ("secondaryNominees", secondary)):
        for nominee in nom.get(group) or []:
            target.setdefault(nominee["const"][:2], []).append(nominee)

    def companies(entries):
        return [{"company": {"id": c["const"], "companyText": {"text": c.get("name")}}, "note": markdown(c.get("note"))}
                for c in entries] or None

    if kinds["nm"] and not kinds["tt"]:
        return {"__typename": "AwardedNames",
                "awardNames": [{"name": name_of(p), "note": markdown(p.get("note"))} for p in kinds["nm"]],
                "secondaryAwardTitles": [{"title": title_of(t, primary=False), "note": markdown(t.get("note"))}
                                         for t in secondary["tt"]] or None,
                "secondaryAwardCompanies": companies(secondary["co"])}
    if kinds["co"] and not kinds["tt"]:
        return {"__typename": "AwardedCompanies", "awardCompanies": companies(kinds["co"])}
    return {"__typename": "AwardedTitles",
            "awardTitles": [{"title": title_of(t, primary=True), "note": markdown(t.get("note"))} for t in kinds["tt"]],
            "secondaryAwardNames": [{"name": name_of(p), "note": markdown(p.get("note"))}
                                    for p in secondary["nm"]] or None,
            "secondaryAwardCompanies": companies(secondary["co"])}


def legacy_edition(file_name: str, location: str | None = None) -> dict:
    """A legacy widget capture (tests/real/*.json) as the API's edition."""
    summary = json.loads(real_page_json(file_name))["nomineesWidgetModel"]["eventEditionSummary"]
    awards = []
    for index, award in enumerate(summary["awards"]):
        categories = []
        for cat in award["categories"]:
            name = cat.get("categoryName")
            nominations = [{
                "id": nom["awardNominationId"], "isWinner": nom.get("isWinner"), "notes": markdown(nom.get("notes")),
                "forEpisodes": None,
                "forSongTitles": [{"id": f"sg{i}", "text": s} for i, s in enumerate(nom.get("songNames") or [])] or None,
                "awardedEntities": _legacy_entities(nom),
            } for nom in cat["nominations"]]
            categories.append({"category": {"text": name} if name and name != "None" else None,
                               "nominations": nominations})
        awards.append({"id": f"aw9{summary['year']}{index:03d}", "text": award["awardName"], "categories": categories})
    return {"id": summary["eventEditionId"], "year": summary["year"], "instanceWithinYear": summary["occurrence"],
            "dateRange": None, "awards": awards,
            "event": {"id": summary["eventId"], "name": {"text": summary["eventName"]},
                      "location": {"text": location} if location else None}}


def real_page_json(file_name: str) -> bytes:
    return (REAL / file_name).read_bytes()


AWARD_NAMES = REAL / "award_names"


def award_names(slug: str) -> dict:
    """IMDb's award / category names of an organization per edition ("YEAR/INSTANCE"), with each category's
    nominee count and winning title ids (tests/real/award_names/, from Kometa-Team/IMDb-Awards)."""
    return json.loads((AWARD_NAMES / f"{slug}.json").read_text())


def names_edition(slug: str, edition: str, edition_id: str) -> dict:
    """One edition of `award_names(slug)` as the API's edition: its real award and category names (a category
    named as its award is a single-category award: `category: null`), its winning titles, and stand-in titles
    for the other nominees."""
    data = award_names(slug)
    year, instance = (int(part) for part in edition.split("/"))
    awards: dict[str, list] = {}
    serial = iter(range(1, 1_000_000))
    for index, (award, category, nominees, winners) in enumerate(data["editions"][edition]):
        nominations = [_names_nomination(f"an7{year}{next(serial):05d}", tt, True) for tt in winners]
        nominations += [_names_nomination(f"an7{year}{next(serial):05d}", f"tt8{year}{index:03d}{n}", False)
                        for n in range(max(nominees - len(winners), 0))]
        if not nominations:
            continue
        awards.setdefault(award, []).append({"category": None if category == award else {"text": category},
                                             "nominations": nominations})
    return {"id": edition_id, "year": year, "instanceWithinYear": instance, "dateRange": None,
            "event": {"id": data["event_id"], "name": {"text": slug}, "location": None},
            "awards": [{"id": f"aw7{index:06d}", "text": award, "categories": categories}
                       for index, (award, categories) in enumerate(awards.items())]}


def _names_nomination(nomination_id: str, title_id: str, won: bool) -> dict:
    return {"id": nomination_id, "isWinner": won, "notes": None, "forEpisodes": None,
            "forSongTitles": None,
            "awardedEntities": {"__typename": "AwardedTitles", "secondaryAwardNames": None,
                                "secondaryAwardCompanies": None,
                                "awardTitles": [{"note": None, "title": {"id": title_id, "titleText": {"text": f"Title {title_id}"},
                                                                          "originalTitleText": None, "titleType": {"id": "movie"}}}]}}
