"""`python -m bench [--quick] [--latency-ms 0,20]`: end-to-end import throughput against the floor.

Runs the real crawls (same spiders, pipelines and settings a user runs; politeness off with Scrapy's own
settings) against loopback IMDb and TMDb stand-ins in a separate process, on a fresh PostgreSQL database
that it creates and drops, and prints wall time, pages/s, nominations/s, CPU ms per page, peak RSS, TMDb
requests per unique film and on a re-run; the floor (fetch + json.loads + COPY, one transaction per page,
no Scrapy, no ORM; a list's GraphQL pages fetched one after the other, each with the endCursor of the
answer before it, as any client has to) and bare Scrapy (a minimal spider, no pipelines; minimal items, the project's fields
one item per row, and the project's fields one item per page) on the same pages; and the ratios.
Interpreter start-up is excluded from all three (each is timed from its own start of work).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serve import API_KEY  # noqa: E402
from bench.synth import GRAPHQL_PATH, editions, event_api_requests, list_requests  # noqa: E402
from cinegraph_scrapy import settings as project_settings  # noqa: E402
from cinegraph_scrapy.parsing.imdb_api import API_HEADERS  # noqa: E402

PG_ADMIN = os.environ.get("CINEGRAPH_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
NO_POLITENESS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
                 "CONCURRENT_REQUESTS": "32",
                 "LOG_LEVEL": "INFO"}
NEXT = re.compile(rb'<script id="__NEXT_DATA__" type="application/json">(.*?)</script>', re.S)


def sa_url(db: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{db}"


def dsn(db: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{db}"


class Databases:
    """A migrated, seeded template and fresh copies of it for each measured run."""

    def __init__(self):
        self.admin = psycopg.connect(PG_ADMIN, autocommit=True)
        tag = uuid.uuid4().hex[:8]
        self.template, self.current = f"cg_bench_tmpl_{tag}", f"cg_bench_{tag}"
        self.admin.execute(f'CREATE DATABASE "{self.template}"')
        from cinegraph_scrapy.seeding import seed_configs
        from cinegraph_scrapy.db.engine import get_engine, upgrade_schema

        engine = get_engine(sa_url(self.template))
        upgrade_schema(engine)
        seed_configs(engine)
        engine.dispose()

    def fresh(self) -> str:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{self.current}" WITH (FORCE)')
        self.admin.execute(f'CREATE DATABASE "{self.current}" TEMPLATE "{self.template}"')
        return self.current

    def drop(self):
        for name in (self.current, self.template):
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.close()


class Server:
    def __init__(self, n_editions: int, list_films: int, latency_ms: float):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", "--editions", str(n_editions), "--list-films", str(list_films),
             "--latency-ms", str(latency_ms)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.url, self.tmdb_url = self.proc.stdout.readline().split()

    def stats(self) -> dict:
        return json.loads(urllib.request.urlopen(f"{self.url}/__stats").read())

    def reset(self) -> None:
        urllib.request.urlopen(f"{self.url}/__reset").read()

    def stop(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(10)


def probe_run(cmd: list[str], env: dict, cwd: Path) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = fh.name
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("TMDB_", "DATABASE_URL"))}
    full_env.update(env, BENCH_PROBE_OUT=out, PYTHONPATH=str(ROOT))
    proc = subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True)
    if proc.returncode != 0 or not os.path.getsize(out):
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"benchmark run failed: {' '.join(cmd[:6])}")
    result = json.loads(Path(out).read_text())
    os.unlink(out)
    return result


def import_run(spider: str, args: list[str], db: str, server: Server, tmdb: bool,
               expect_unchanged: int | None = None, api: bool = False) -> dict:
    """An import; events through their pages unless `api` (the rows measured before the API path existed)."""
    settings = {**NO_POLITENESS, "IMDB_API_ENABLED": str(api or spider != "imdb_event"), "IMDB_BASE_URL": server.url, "IMDB_GRAPHQL_URL": server.url + GRAPHQL_PATH,
                "TMDB_ENABLED": str(tmdb),
                "TMDB_API_BASE": f"{server.tmdb_url}/3", "TMDB_MAX_RPS": "0", "TMDB_CONCURRENCY": "16",
                "EXTENSIONS": json.dumps({**project_settings.EXTENSIONS, "bench.probe.Probe": 900})}
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, *args]
    for k, v in settings.items():
        cmd += ["-s", f"{k}={v}"]
    env = {"DATABASE_URL": sa_url(db)}
    if tmdb:
        env["TMDB_API_KEY"] = API_KEY
    result = probe_run(cmd, env, ROOT)
    if result["status"] != "success":
        raise SystemExit(f"the {spider} import ended {result['status']}")
    if expect_unchanged is not None and result.get("pages_unchanged") != expect_unchanged:
        raise SystemExit(f"the {spider} re-import found {result.get('pages_unchanged')} unchanged pages, "
                         f"expected {expect_unchanged}")
    return result


def as_requests(urls: list) -> list[dict]:
    return [u if isinstance(u, dict) else {"method": "GET", "url": u} for u in urls]


def bare_run(urls: list, workdir: Path, spider: str = "bare.py") -> dict:
    url_file = workdir / "urls.jsonl"
    url_file.write_text("\n".join(json.dumps(r) for r in as_requests(urls)))
    cmd = [sys.executable, "-m", "scrapy", "runspider", str(ROOT / "bench" / spider),
           "-s", "LOG_LEVEL=INFO", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
           "-s", "EXTENSIONS=" + json.dumps({"bench.probe.Probe": 900})]
    return probe_run(cmd, {"BENCH_URLS": str(url_file)}, workdir)


def _fetch(req: dict) -> tuple[str, bytes]:
    body = req["body"].encode() if req.get("body") else None
    request = urllib.request.Request(req["url"], data=body, method=req["method"],
                                     headers=API_HEADERS if body else {})
    with urllib.request.urlopen(request) as response:
        return req["url"], response.read()


def _cursor_chain(requests: list[dict]):
    """A list's pages as any client has to fetch them: each GraphQL request carries the endCursor of the
    answer before it, so it cannot be sent before that answer has arrived (and been read). Fetched on a
    thread of its own, one page ahead of the pages being written."""
    pages: queue.Queue = queue.Queue(maxsize=2)

    def walk():
        try:
            follow()
        except BaseException as exc:  # handed to the reader, which raises it
            pages.put(exc)
        pages.put(None)

    def follow():
        req = requests[0]
        while req is not None:
            url, body = _fetch(req)
            graphql = body.startswith(b"{")
            data = json.loads(body)["data"]["list"] if graphql else \
                json.loads(NEXT.search(body).group(1))["props"]["pageProps"]["mainColumnData"]["list"]
            info = data["titleListItemSearch"]["pageInfo"]
            req = None
            if info["hasNextPage"]:
                payload = json.loads(requests[1]["body"])
                payload["variables"]["after"] = info["endCursor"]
                req = {"method": "POST", "url": requests[1]["url"], "body": json.dumps(payload)}
            pages.put((url, graphql, data))

    threading.Thread(target=walk, daemon=True).start()
    while (page := pages.get()) is not None:
        if isinstance(page, BaseException):
            raise page
        yield page


def floor_run(urls: list, db: str) -> dict:
    """Fetch (16 threads; a list's cursor chain one page after the other, as it must), json.loads, COPY
    the same rows, one transaction per page. No Scrapy, no ORM."""
    conn = psycopg.connect(dsn(db))
    conn.execute("DROP TABLE IF EXISTS floor_movies, floor_rows")
    conn.execute("CREATE TABLE floor_movies (imdb_id text, title text, original_title text, year int)")
    conn.execute("CREATE TABLE floor_rows (page text, award text, category text, imdb_id text, won bool, "
                 "people jsonb, notes text, position int)")
    conn.commit()
    requests = as_requests(urls)
    chain = any(r["method"] == "POST" for r in requests)

    def pages(pool):
        if chain:
            yield from _cursor_chain(requests)
            return
        for url, body in pool.map(_fetch, requests):
            props = json.loads(NEXT.search(body).group(1))["props"]["pageProps"]
            yield url, False, props

    t0, cpu0 = time.perf_counter(), time.process_time()
    pages_written = rows_written = 0
    with ThreadPoolExecutor(16) as pool:
        for url, graphql, props in pages(pool):
            movies, rows = {}, []
            if graphql:
                for edge in props["titleListItemSearch"]["edges"]:
                    t = edge["title"]
                    movies[t["id"]] = (t["id"], t["titleText"]["text"], t["originalTitleText"]["text"],
                                       (t["releaseYear"] or {}).get("year"))
                    rows.append((url, None, None, t["id"], None, None, None, edge["node"]["absolutePosition"]))
            elif "edition" in props:
                for award in props["edition"]["awards"]:
                    for cat in award["nominationCategories"]["edges"]:
                        node = cat["node"]
                        category = (node["category"] or {}).get("text") or award["text"]
                        for nom in node["nominations"]["edges"]:
                            n, e = nom["node"], nom["node"]["awardedEntities"]
                            people = json.dumps([{"imdb_id": p["name"]["id"], "name": p["name"]["nameText"]["text"]}
                                                 for p in (e.get("awardNames") or []) + (e.get("secondaryAwardNames") or [])])
                            titles = [t["title"] for t in (e.get("awardTitles") or []) + (e.get("secondaryAwardTitles") or [])]
                            for t in titles or [None]:
                                if t:
                                    movies[t["id"]] = (t["id"], t["titleText"]["text"], t["originalTitleText"]["text"],
                                                       (t.get("releaseYear") or {}).get("year"))
                                rows.append((url, award["text"], category, t and t["id"], n["isWinner"], people,
                                             (n["notes"] or {}).get("plainText"), None))
            else:  # a list's first page
                for edge in props["titleListItemSearch"]["edges"]:
                    t = edge["listItem"]
                    movies[t["id"]] = (t["id"], t["titleText"]["text"], t["originalTitleText"]["text"],
                                       (t["releaseYear"] or {}).get("year"))
                    rows.append((url, None, None, t["id"], None, None, None, edge["node"]["absolutePosition"]))
            with conn.transaction(), conn.cursor() as cur:
                with cur.copy("COPY floor_movies FROM STDIN") as copy:
                    for row in movies.values():
                        copy.write_row(row)
                with cur.copy("COPY floor_rows FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            pages_written += 1
            rows_written += len(rows)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    conn.close()
    return {"wall": wall, "cpu": cpu, "responses": pages_written, "items": rows_written, "maxrss_mb": None}


def fetch_costs(server_url: str, eds) -> str:
    """Bytes and requests per edition on each path: the same edition fetched as its page and through the API."""
    page_bytes = sum(len(_fetch({"method": "GET", "url": server_url + e.path})[1]) for e in eds)
    api = event_api_requests(server_url, eds)
    api_bytes = sum(len(_fetch(r)[1]) for r in api)
    n = len(eds)
    return (f"  per edition: page path 1 request, {page_bytes / n / 1024:.1f} kB; API path {len(api) / n:.2f} requests, "
            f"{api_bytes / n / 1024:.1f} kB ({api_bytes / page_bytes:.2f} of the page's bytes)")


def fmt_row(name: str, r: dict, pages: int, noms: int | None) -> str:
    rate = f"{noms / r['wall']:>9.0f}" if noms else f"{'':>9}"
    rss = f"{r['maxrss_mb']:>8.0f}" if r.get("maxrss_mb") else f"{'':>8}"
    return (f"  {name:<36}{r['wall']:>8.2f}{pages / r['wall']:>9.1f}{rate}{1000 * r['cpu'] / pages:>10.1f}{rss}")


HEADER = f"  {'':<36}{'wall s':>8}{'pages/s':>9}{'noms/s':>9}{'CPU ms/pg':>10}{'RSS MB':>8}"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds: 6 editions, a 500-film list, 0 ms")
    parser.add_argument("--latency-ms", default=None, help="comma-separated server latencies (default 0,20)")
    parser.add_argument("--editions", type=int, default=None)
    parser.add_argument("--list-films", type=int, default=None)
    parser.add_argument("--skip-tmdb", action="store_true", help="leave out the TMDb-on runs")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs of each TMDb-off measurement, interleaved; the median is shown (default 3, quick 1)")
    args = parser.parse_args()
    n_editions = args.editions or (6 if args.quick else 200)
    list_films = args.list_films or (500 if args.quick else 10_000)
    latencies = [float(x) for x in (args.latency_ms or ("0" if args.quick else "0,20")).split(",")]
    repeat = max(1, args.repeat or (1 if args.quick else 3))
    eds = editions(n_editions)
    keys = ",".join(e.key for e in eds)
    list_pages = len(list_requests("", list_films))

    dbs = Databases()
    workdir = Path(tempfile.mkdtemp(prefix="cg-bench-"))
    print(f"cinegraph-scrapy benchmark: {n_editions} event editions, a {list_films:,}-film list "
          f"({list_pages} pages), PostgreSQL, TMDb stand-in; latencies {', '.join(f'{l:g} ms' for l in latencies)}; "
          f"TMDb-off figures are the median of {repeat} interleaved run(s)")
    summary: dict[float, dict] = {}
    try:
        for latency in latencies:
            server = Server(n_editions, list_films, latency)
            try:
                res: dict[str, dict] = {}
                runs: dict[str, list[dict]] = {k: [] for k in
                                               ("event", "list", "event_unchanged", "list_unchanged", "event_floor",
                                                "list_floor", "event_bare", "list_bare", "event_bare_items",
                                                "list_bare_items", "event_bare_pages", "list_bare_pages",
                                                "event_api", "event_api_bare")}
                for _ in range(repeat):  # interleaved, so that drift of the machine hits all of them alike
                    runs["event"].append(import_run("imdb_event", ["-a", f"keys={keys}"], dbs.fresh(), server, tmdb=False))
                    with psycopg.connect(dsn(dbs.current)) as c:
                        nominations = c.execute("SELECT count(*) FROM festival_nominations").fetchone()[0]
                    runs["list"].append(import_run("imdb_list", ["-a", "key=1001_movies"], dbs.current, server, tmdb=False))
                    # the same pages again: nothing changed since, so nothing but last_seen_at is written
                    runs["event_unchanged"].append(import_run("imdb_event", ["-a", f"keys={keys}"], dbs.current, server,
                                                              tmdb=False, expect_unchanged=n_editions))
                    runs["list_unchanged"].append(import_run("imdb_list", ["-a", "key=1001_movies"], dbs.current, server,
                                                             tmdb=False, expect_unchanged=list_pages))
                    runs["event_api"].append(import_run("imdb_event", ["-a", f"keys={keys}"], dbs.fresh(), server,
                                                        tmdb=False, api=True))
                    runs["event_api_bare"].append(bare_run(event_api_requests(server.url, eds), workdir))
                    runs["event_floor"].append(floor_run([server.url + e.path for e in eds], dbs.fresh()))
                    runs["list_floor"].append(floor_run(list_requests(server.url, list_films), dbs.current))
                    runs["event_bare"].append(bare_run([server.url + e.path for e in eds], workdir))
                    runs["list_bare"].append(bare_run(list_requests(server.url, list_films), workdir))
                    runs["event_bare_items"].append(bare_run([server.url + e.path for e in eds], workdir, "bare_items.py"))
                    runs["list_bare_items"].append(bare_run(list_requests(server.url, list_films), workdir,
                                                            "bare_items.py"))
                    runs["event_bare_pages"].append(bare_run([server.url + e.path for e in eds], workdir, "bare_pages.py"))
                    runs["list_bare_pages"].append(bare_run(list_requests(server.url, list_films), workdir,
                                                            "bare_pages.py"))
                for name, results in runs.items():
                    res[name] = sorted(results, key=lambda r: r["wall"])[len(results) // 2]
                if latency == latencies[0] and not args.skip_tmdb:
                    server.reset()
                    res["tmdb_first"] = import_run("imdb_event", ["-a", f"keys={keys}"], dbs.fresh(), server, tmdb=True)
                    first_requests = server.stats()["tmdb"]
                    with psycopg.connect(dsn(dbs.current)) as c:
                        films = c.execute("SELECT count(*) FROM movies").fetchone()[0]
                        enriched = c.execute("SELECT count(*) FROM movies WHERE tmdb_status='enriched'").fetchone()[0]
                    server.reset()
                    res["tmdb_rerun"] = import_run("imdb_event", ["-a", f"keys={keys}"], dbs.current, server, tmdb=True)
                    rerun_requests = server.stats()["tmdb"]
                    res["tmdb_counts"] = {"first": first_requests, "films": films, "enriched": enriched,
                                          "rerun": rerun_requests}
                costs = fetch_costs(server.url, eds)
            finally:
                server.stop()
            summary[latency] = res
            ev_pages, l_pages = n_editions, list_pages
            print(f"\nlatency {latency:g} ms — {nominations:,} nominations stored")
            print(HEADER)
            print(fmt_row("event import (TMDb off)", res["event"], ev_pages, nominations))
            print(fmt_row("event import via API (TMDb off)", res["event_api"], ev_pages, nominations))
            print(fmt_row("event bare Scrapy (API requests)", res["event_api_bare"], ev_pages, nominations))
            print(fmt_row("event re-import, pages unchanged", res["event_unchanged"], ev_pages, nominations))
            print(fmt_row("event floor (fetch+json.loads+COPY)", res["event_floor"], ev_pages, nominations))
            print(fmt_row("event bare Scrapy (minimal items)", res["event_bare"], ev_pages, nominations))
            print(fmt_row("event bare Scrapy (project's fields)", res["event_bare_items"], ev_pages, nominations))
            print(fmt_row("event bare Scrapy (fields, item/page)", res["event_bare_pages"], ev_pages, nominations))
            print(fmt_row("list import (TMDb off)", res["list"], l_pages, None))
            print(fmt_row("list re-import, pages unchanged", res["list_unchanged"], l_pages, None))
            print(fmt_row("list floor", res["list_floor"], l_pages, None))
            print(fmt_row("list bare Scrapy (minimal items)", res["list_bare"], l_pages, None))
            print(fmt_row("list bare Scrapy (project's fields)", res["list_bare_items"], l_pages, None))
            print(fmt_row("list bare Scrapy (fields, item/page)", res["list_bare_pages"], l_pages, None))
            if "tmdb_first" in res:
                print(fmt_row("event import (TMDb on, first run)", res["tmdb_first"], ev_pages, nominations))
                print(fmt_row("event import (TMDb on, re-run)", res["tmdb_rerun"], ev_pages, nominations))
            ev, bare = res["event"]["wall"], res["event_bare_items"]["wall"]
            print(f"  ratio event import / floor: {ev / res['event_floor']['wall']:.2f}   "
                  f"import / bare Scrapy (same items): {ev / bare:.2f}   "
                  f"unchanged re-import / bare Scrapy (same items): {res['event_unchanged']['wall'] / bare:.2f}   "
                  f"bare Scrapy (same items) / floor: {bare / res['event_floor']['wall']:.2f}")
            print(f"  ratio event import / bare Scrapy (one item per page): {ev / res['event_bare_pages']['wall']:.2f}   "
                  f"unchanged re-import / bare Scrapy (one item per page): "
                  f"{res['event_unchanged']['wall'] / res['event_bare_pages']['wall']:.2f}")
            print(f"  ratio event API import / bare Scrapy (same API requests, minimal items): "
                  f"{res['event_api']['wall'] / res['event_api_bare']['wall']:.2f}   "
                  f"API import / page import: {res['event_api']['wall'] / ev:.2f}")
            print(costs)
            lw, lbare = res["list"]["wall"], res["list_bare_items"]["wall"]
            print(f"  ratio list import / floor: {lw / res['list_floor']['wall']:.2f}   "
                  f"import / bare Scrapy (same items): {lw / lbare:.2f}   "
                  f"unchanged re-import / bare Scrapy (same items): {res['list_unchanged']['wall'] / lbare:.2f}")
            print(f"  ratio list import / bare Scrapy (one item per page): {lw / res['list_bare_pages']['wall']:.2f}   "
                  f"unchanged re-import / bare Scrapy (one item per page): "
                  f"{res['list_unchanged']['wall'] / res['list_bare_pages']['wall']:.2f}")
            if "tmdb_counts" in res:
                t = res["tmdb_counts"]
                print(f"  TMDb requests per unique film (first run): {t['first'] / max(t['films'], 1):.2f} "
                      f"({t['first']:,} requests, {t['films']:,} films, {t['enriched']:,} enriched); "
                      f"TMDb requests on re-run: {t['rerun']}")
            peak = max(r.get("maxrss_mb") or 0 for k, r in res.items() if isinstance(r, dict) and k in
                       ("event", "list", "event_unchanged", "list_unchanged", "tmdb_first", "tmdb_rerun"))
            print(f"  peak RSS of an import process: {peak:.0f} MB")
        if len(latencies) > 1:
            base = summary[latencies[0]]["event"]["wall"]
            for latency in latencies[1:]:
                slower = summary[latency]["event"]["wall"] / base - 1
                print(f"\nevent import at {latency:g} ms vs {latencies[0]:g} ms: {100 * slower:+.0f}% wall time")
    finally:
        dbs.drop()


if __name__ == "__main__":
    main()
