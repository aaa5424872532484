"""The benchmark's loopback IMDb + TMDb, in a process of its own (so that serving does not share a GIL
with what is measured). Prints its port; `/__stats` gives request counts, `/__reset` clears them."""

from __future__ import annotations

import argparse
import sys

from bench.synth import GRAPHQL_PATH, LIST_PATH, api_site, editions, event_page
from tests.support.server import LoopbackSite, Reply
from tests.support.tmdb import TmdbStandIn

API_KEY = "bench-key-not-secret"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--editions", type=int, required=True)
    parser.add_argument("--list-films", type=int, required=True)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    site = LoopbackSite(latency=args.latency_ms / 1000.0)
    tmdb_site = LoopbackSite(latency=args.latency_ms / 1000.0)  # its own port, as api.themoviedb.org is its own host
    tmdb = TmdbStandIn(tmdb_site, api_key=API_KEY)
    pages = {e: event_page(e) for e in editions(args.editions)}
    routes = {e.path: Reply.html(body) for e, body in pages.items()}
    page1, graphql = api_site(args.list_films, pages)
    routes.update({LIST_PATH: Reply.html(page1), GRAPHQL_PATH: graphql})

    def stats(_req):
        return Reply.json({"tmdb": tmdb.requests, "imdb": sum(v for k, v in site.hits.items() if not k.startswith("/__"))})

    def reset(_req):
        site.hits.clear()
        tmdb.counts.clear()
        return Reply.json({"ok": True})

    class Routes(dict):
        def get(self, key, default=None):
            if key == "/__stats":
                return stats
            if key == "/__reset":
                return reset
            return routes.get(key, default)

    site.routes = Routes()
    site.start()
    tmdb_site.start()
    print(site.url, tmdb_site.url, flush=True)
    sys.stdin.read()  # run until the parent closes our stdin
    site.stop()
    tmdb_site.stop()


if __name__ == "__main__":
    main()
