"""Scenes the end-to-end tests share: loopback IMDb sites serving an edition or a list, crawls started as real
processes, and the checks of what a real capture stores."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from tests.conftest import FAST, ROOT, scrapy
from tests.support.api_data import next_data_edition
from tests.support.events import venice_awards
from tests.support.graphql import GraphqlList, list_data
from tests.support.imdb_api import ApiData, ImdbApi
from tests.support.pages import Film, next_event_page, next_list_page
from tests.support.real import LIST_1001_PAGE1, OSCARS_2024, real_page
from tests.support.server import Reply


def serve_venice(imdb, year=2024):
    imdb.route(f"/event/ev0000681/{year}/1/", Reply.html(next_event_page(
        venice_awards(), event_name="Venice Film Festival", event_id="ev0000681", year=year)))


FILMS = [Film(f"tt{2000000 + i:07d}", f"Film “{i}”", 1950 + i % 60, description=f"note {i}") for i in range(260)]


def serve_two_pages(imdb, graphql, list_id="ls024863935", films=FILMS):
    """The list page with the first 250 films; the rest through the GraphQL stand-in, as on IMDb."""
    imdb.route(f"/list/{list_id}/", Reply.html(next_list_page(films[:250], total=len(films), has_next=True)))
    graphql.route("/", GraphqlList(list_id, films))


def sites(imdb, graphql) -> dict:
    return {"IMDB_BASE_URL": imdb.url, "IMDB_GRAPHQL_URL": graphql.url + "/"}


def start_crawl(key, db_url, imdb_url, extra_settings=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TMDB_", "DATABASE_URL"))}
    env.update(DATABASE_URL=db_url, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "scrapy", "crawl", "imdb_event", "-a", f"key={key}", "-s", f"IMDB_BASE_URL={imdb_url}",
           "-s", f"IMDB_GRAPHQL_URL={imdb_url}/no-graphql-here/"]
    for k, v in {**FAST, "IMPORT_HEARTBEAT_SECONDS": "0.5", **(extra_settings or {})}.items():
        cmd += ["-s", f"{k}={v}"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


BEST_PICTURE = "Best Motion Picture of the Year"


BEST_ACTRESS = "Best Performance by an Actress in a Leading Role"


def nomination_people(db, category: str, film: str, won: bool = True):
    rows = db.rows("""SELECT n.nominee_type, m.title, m.title_type, p.name, np.role
                      FROM festival_nominations n JOIN festival_categories c ON c.id = n.category_id
                      LEFT JOIN movies m ON m.id = n.movie_id
                      JOIN festival_nomination_people np ON np.nomination_id = n.id JOIN people p ON p.id = np.person_id
                      WHERE c.name = :c AND m.title = :f AND n.won = :w ORDER BY np.position""", c=category, f=film, w=won)
    return rows


def check_oscars_2024(db):
    assert db.scalar("SELECT count(*) FROM festival_nominations") == 130
    assert db.scalar("SELECT count(*) FROM people") == 225
    assert db.scalar("SELECT count(DISTINCT imdb_id) FROM people") == 225
    assert nomination_people(db, BEST_ACTRESS, "Poor Things") == [("person", "Poor Things", "movie", "Emma Stone", "primary")]
    picture = nomination_people(db, BEST_PICTURE, "Oppenheimer")
    assert picture[0] == ("title", "Oppenheimer", "movie", "Emma Thomas", "secondary")
    assert {r[4] for r in picture} == {"secondary"} and len(picture) == 3
    assert [tuple(map(str, r)) for r in db.rows("SELECT date, location FROM festival_ceremonies")] == [
        ("2024-03-10", "Los Angeles, California, USA")]
    shorts = db.rows("""SELECT DISTINCT m.title_type FROM festival_nominations n JOIN festival_categories c
                        ON c.id = n.category_id JOIN movies m ON m.id = n.movie_id
                        WHERE c.name IN ('Best Animated Short Film', 'Best Live Action Short Film',
                                         'Best Documentary Short Film')""")
    assert shorts == [("short",)]
    assert db.scalar("SELECT count(*) FROM festival_categories WHERE imdb_award_id = 'aw0000016'") == 23
    assert db.scalar("SELECT count(*) FROM festival_categories WHERE imdb_award_id IS NULL") == 0
    assert db.scalar("SELECT count(*) FROM festival_nominations WHERE nominee_type = 'person' AND movie_id IS NULL") == 10


WAF = Reply(b"", 202, {"x-amzn-waf-action": "challenge"})


NO_BROWSER = {"CHROMIUM_PATH": "/nonexistent/chromium"}


def waf_everywhere(imdb):
    """Every HTML page not routed answers the AWS WAF challenge (HTTP 202, empty body), as imdb.com does
    since 2026-03."""
    imdb.fallback = WAF


def oscars_api(**options) -> ImdbApi:
    data = ApiData()
    edition, history = next_data_edition(OSCARS_2024, "ev0000003")
    data.add_edition(edition)
    data.events["ev0000003"]["editions"] = history
    return ImdbApi(data, **options)


def crawl(pg_url, imdb, graphql, *args, **settings):
    return scrapy("crawl", *args, db_url=pg_url, settings={
        "IMDB_BASE_URL": imdb.url, "IMDB_GRAPHQL_URL": graphql.url + "/", **NO_BROWSER, **settings})


def list_1001(graphql, **options) -> ImdbApi:
    """The real list's first 250 items (from its page's __NEXT_DATA__) and 1,010 more in the same shape."""
    from cinegraph_scrapy.parsing import parse_list_page
    page = parse_list_page(real_page(LIST_1001_PAGE1))
    films = [Film(e.imdb_id, e.title, e.year, e.original_title, e.notes) for e in page.entries]
    films += [Film(f"tt9{i:07d}", f"Film {i}", 1950 + i % 70, description=f"note {i}" if i % 2 else None)
              for i in range(1010)]
    data = ApiData()
    data.lists["ls024863935"] = list_data("ls024863935", films, page.name, "The 1001 films, all editions")
    api = ImdbApi(data, **options)
    graphql.route("/", api)
    return api
