"""Bare Scrapy, same items: a minimal spider with default settings (at the project's log level) that
fetches the same pages and yields, per nominated film or list entry, a dict with exactly the fields of the
project's feed records (items.feed_record: NominationRow / ListEntry with their page's key), no pipelines. Run with
`scrapy runspider`."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # run by path with `scrapy runspider`
from bare import NEXT, BareSpider  # noqa: E402  (its start(): the same requests)


def _text(value):
    return value.get("text") if isinstance(value, dict) else value


class BareItemsSpider(BareSpider):
    name = "bare_items"

    def parse(self, response):
        if response.body.startswith(b"{"):
            edges = json.loads(response.body)["data"]["list"]["titleListItemSearch"]["edges"]
            yield from self._list_items(edges, "title", 2)
            return
        props = json.loads(NEXT.search(response.body).group(1))["props"]["pageProps"]
        if "edition" not in props:
            yield from self._list_items(props["mainColumnData"]["list"]["titleListItemSearch"]["edges"], "listItem", 1)
            return
        info = props["editionInfo"]
        for award in props["edition"]["awards"]:
            for cat in award["nominationCategories"]["edges"]:
                node = cat["node"]
                category = _text(node["category"]) or award["text"]
                for nom in node["nominations"]["edges"]:
                    n = nom["node"]
                    e = n["awardedEntities"]
                    person = e.get("__typename") == "AwardedNames"
                    people = [{"imdb_id": p["name"]["id"], "name": p["name"]["nameText"]["text"], "role": "primary"}
                              for p in e.get("awardNames") or []]
                    people += [{"imdb_id": p["name"]["id"], "name": p["name"]["nameText"]["text"], "role": "secondary"}
                               for p in e.get("secondaryAwardNames") or []]
                    titles = [t["title"] for t in (e.get("awardTitles") or []) + (e.get("secondaryAwardTitles") or [])]
                    for t in titles or [None]:
                        yield {
                            "source_key": "bare", "page": 1, "event_id": "ev0000000", "edition_year": info["year"],
                            "edition_instance": info["instanceWithinYear"], "award_name": award["text"],
                            "category": category, "won": n["isWinner"], "imdb_id": t and t["id"],
                            "title": t and _text(t["titleText"]), "original_title": t and _text(t["originalTitleText"]),
                            "year": None, "notes": (n["notes"] or {}).get("plainText"), "people": people,
                            "nominee_type": "person" if person else "title",
                            "title_type": t and (t.get("titleType") or {}).get("id"), "award_id": award.get("id"),
                            "imdb_nomination_id": None, "details": None, "tmdb": None,
                        }

    @staticmethod
    def _list_items(edges, key, page):
        for edge in edges:
            t, node = edge[key], edge["node"]
            yield {"source_key": "bare", "page": page, "imdb_id": t["id"], "title": _text(t["titleText"]),
                   "original_title": _text(t["originalTitleText"]), "year": (t.get("releaseYear") or {}).get("year"),
                   "position": node["absolutePosition"], "notes": ((node.get("description") or {}).get("originalText")
                                                                   or {}).get("plainText"),
                   "title_type": (t.get("titleType") or {}).get("id"), "award_name": None, "award_year": None,
                   "award_won": None, "tmdb": None}
