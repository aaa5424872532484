"""Bare Scrapy: a minimal spider with default settings that fetches the same pages and yields the same
items (one per nominated film), with no pipelines. Run with `scrapy runspider` outside the project."""

import json
import os
import re

import scrapy

GRAPHQL_HEADERS = {"Content-Type": "application/json", "Accept": "application/graphql+json, application/json",
                   "x-imdb-client-name": "imdb-web-next", "x-imdb-user-language": "en-US",
                   "Origin": "https://www.imdb.com", "Referer": "https://www.imdb.com/"}
NEXT = re.compile(rb'<script id="__NEXT_DATA__" type="application/json">(.*?)</script>', re.S)


class BareSpider(scrapy.Spider):
    name = "bare"

    async def start(self):
        for line in open(os.environ["BENCH_URLS"]).read().splitlines():
            req = json.loads(line)
            if req["method"] == "POST":
                yield scrapy.Request(req["url"], method="POST", body=req["body"], headers=GRAPHQL_HEADERS)
            else:
                yield scrapy.Request(req["url"])

    def parse(self, response):
        if response.body.startswith(b"{"):  # IMDb's API: a list slice, an event's editions or an edition
            data = json.loads(response.body)["data"]
            if "list" in data:
                for edge in data["list"]["titleListItemSearch"]["edges"]:
                    t = edge["title"]
                    yield {"imdb_id": t["id"], "title": t["titleText"]["text"], "position": edge["node"]["absolutePosition"]}
                return
            if "nominationEventEdition" not in data:
                return
            props = {"edition": data["nominationEventEdition"]}
        else:
            props = json.loads(NEXT.search(response.body).group(1))["props"]["pageProps"]
        if "edition" in props:
            for award in props["edition"]["awards"]:
                for cat in award["nominationCategories"]["edges"]:
                    node = cat["node"]
                    category = (node["category"] or {}).get("text") or award["text"]
                    for nom in node["nominations"]["edges"]:
                        n = nom["node"]
                        e = n["awardedEntities"]
                        titles = [t["title"] for t in (e.get("awardTitles") or []) + (e.get("secondaryAwardTitles") or [])]
                        people = [{"imdb_id": p["name"]["id"], "name": p["name"]["nameText"]["text"]}
                                  for p in (e.get("awardNames") or []) + (e.get("secondaryAwardNames") or [])]
                        for t in titles or [None]:
                            yield {"award_name": award["text"], "category": category, "won": n["isWinner"],
                                   "imdb_id": t and t["id"], "title": t and t["titleText"]["text"], "people": people}
        else:
            for edge in props["mainColumnData"]["list"]["titleListItemSearch"]["edges"]:
                t = edge["listItem"]
                yield {"imdb_id": t["id"], "title": t["titleText"]["text"], "position": edge["node"]["absolutePosition"]}
