"""A TMDb v3 stand-in on a LoopbackSite: /find/{imdb_id} and /movie/{id} in TMDb's shapes, with switches
for 429 + Retry-After, 500-then-200, 401 and films TMDb does not know."""

from __future__ import annotations

import threading
from collections import Counter

from tests.support.server import LoopbackSite, Reply, Request


def tmdb_id_for(imdb_id: str) -> int:
    return int(imdb_id[2:]) + 100_000


class TmdbStandIn:
    def __init__(self, site: LoopbackSite, *, api_key: str | None = None, token: str | None = None):
        self.site = site
        self.api_key, self.token = api_key, token
        self.unknown: set[str] = set()  # imdb ids (tt… or nm…) TMDb does not know
        self.tv: dict[str, int] = {}  # imdb id → TMDb TV id: /find answers tv_results, /tv/{id} the show
        self.throttle_first = 0  # answer 429 (Retry-After: 1) to this many requests first
        self.fail_first = 0  # answer 500 to this many requests first
        self.reject_all = False  # 401 for everything
        self.counts: Counter[str] = Counter()
        self.auth_seen: list[str] = []
        self._lock = threading.Lock()
        self._install()

    def _install(self):
        """Every /3/find/… and /3/movie/… path is answered by _handle."""
        outer = self

        class Routes(dict):
            def get(self, key, default=None):
                return outer._handle if key.startswith(("/3/find/", "/3/movie/", "/3/tv/")) else default

        self.site.routes = Routes()

    @property
    def base(self) -> str:
        return f"{self.site.url}/3"

    @property
    def requests(self) -> int:
        return sum(self.counts.values())

    def _authorized(self, req: Request) -> bool:
        if self.reject_all:
            return False
        if self.token and req.headers.get("authorization") == f"Bearer {self.token}":
            return True
        return bool(self.api_key) and f"api_key={self.api_key}" in req.query

    def _handle(self, req: Request) -> Reply:
        kind = req.path.split("/")[2]  # find | movie | tv
        with self._lock:
            self.counts[kind] += 1
            self.auth_seen.append(req.headers.get("authorization", "") + "|" + req.query)
            if self.throttle_first > 0:
                self.throttle_first -= 1
                return Reply.json({"success": False, "status_code": 25, "status_message": "Too many requests"}, 429,
                                  headers={"Retry-After": "1"})
            if self.fail_first > 0:
                self.fail_first -= 1
                return Reply.json({"success": False, "status_code": 11, "status_message": "Internal error"}, 500)
        if not self._authorized(req):
            return Reply.json({"success": False, "status_code": 7,
                               "status_message": "Invalid API key: You must be granted a valid key."}, 401)
        if kind == "find" and req.path.rsplit("/", 1)[1].startswith("nm"):
            nm = req.path.rsplit("/", 1)[1]
            people = [] if nm in self.unknown else [{"adult": False, "gender": 0, "id": int(nm[2:]) + 500_000,
                                                     "known_for_department": "Acting", "name": f"TMDb {nm}",
                                                     "popularity": 3.1, "profile_path": None, "known_for": []}]
            return Reply.json({"movie_results": [], "person_results": people, "tv_results": [],
                               "tv_episode_results": [], "tv_season_results": []})
        if kind == "find" and req.path.rsplit("/", 1)[1] in self.tv:
            imdb_id = req.path.rsplit("/", 1)[1]
            show = {"adult": False, "backdrop_path": None, "genre_ids": [18], "id": self.tv[imdb_id],
                    "origin_country": ["US"], "original_language": "en", "original_name": f"Original {imdb_id}",
                    "overview": "…", "poster_path": None, "popularity": 40.2, "first_air_date": "2023-04-06",
                    "name": f"TMDb TV {imdb_id}", "vote_average": 8.1, "vote_count": 900}
            return Reply.json({"movie_results": [], "person_results": [], "tv_results": [show],
                               "tv_episode_results": [], "tv_season_results": []})
        if kind == "tv":
            tv_id = int(req.path.rsplit("/", 1)[1])
            imdb_id = next((k for k, v in self.tv.items() if v == tv_id), None)
            if imdb_id is None:
                return Reply.json({"success": False, "status_code": 34, "status_message": "not found"}, 404)
            return Reply.json({
                "id": tv_id, "name": f"TMDb TV {imdb_id}", "original_name": f"Original {imdb_id}",
                "first_air_date": "2023-04-06", "episode_run_time": [55], "overview": "…",
                "genres": [{"id": 18, "name": "Drama"}], "poster_path": "/tv.jpg", "popularity": 40.2,
                "vote_average": 8.1, "vote_count": 900, "number_of_seasons": 2, "status": "Returning Series",
                "credits": {"cast": [], "crew": []}, "external_ids": {"imdb_id": imdb_id, "tvdb_id": 1}})
        if kind == "find":
            imdb_id = req.path.rsplit("/", 1)[1]
            results = [] if imdb_id in self.unknown else [{
                "adult": False, "backdrop_path": "/b.jpg", "genre_ids": [18], "id": tmdb_id_for(imdb_id),
                "original_language": "en", "original_title": f"Original {imdb_id}", "overview": "…",
                "poster_path": f"/{imdb_id}.jpg", "popularity": 12.5, "release_date": "1994-09-23",
                "title": f"TMDb {imdb_id}", "video": False, "vote_average": 8.7, "vote_count": 27000}]
            return Reply.json({"movie_results": results, "person_results": [], "tv_results": [],
                               "tv_episode_results": [], "tv_season_results": []})
        movie_id = int(req.path.rsplit("/", 1)[1])
        imdb_id = f"tt{movie_id - 100_000:07d}"
        return Reply.json({
            "id": movie_id, "imdb_id": imdb_id, "title": f"TMDb {imdb_id}", "original_title": f"Original {imdb_id}",
            "release_date": "1994-09-23", "runtime": 142, "overview": "Two imprisoned men bond…", "tagline": "",
            "genres": [{"id": 18, "name": "Drama"}, {"id": 80, "name": "Crime"}], "poster_path": f"/{imdb_id}.jpg",
            "backdrop_path": "/b.jpg", "popularity": 12.5, "vote_average": 8.7, "vote_count": 27000,
            "status": "Released", "original_language": "en", "production_countries": [],
            "credits": {"cast": [{"id": 504, "name": "Tim Robbins"}], "crew": []},
            "external_ids": {"imdb_id": imdb_id}, "release_dates": {"results": []}})
