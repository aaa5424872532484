"""Bundled pages for `scrapy demo`, in IMDb's real shapes: an event edition in the current Next.js layout
(`event_2024.html`), a legacy `NomineesWidget` edition (`event_2019_legacy.html`), and a 310-film list:
its first page (250 items, an endCursor) and IMDb's API answers for its two slices (the import asks the API first). They describe a made-up
"Cinegraph Demo Festival" (`ev9999999`, key prefix `demo`) and list `ls900000001`, so that a demo never
touches the configurations of real festivals or lists.

`DemoSite` serves them on 127.0.0.1 from a thread of the demo's own process, as IMDb and its GraphQL API
would: GET the pages, POST the GraphQL query."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

EVENT_ID = "ev9999999"
SLUG = "demo"
NAME = "Cinegraph Demo Festival"
LIST_ID = "ls900000001"
GRAPHQL_PATH = "/graphql/"

PAGES = {
    f"/event/{EVENT_ID}/2024/1/": "event_2024.html",
    f"/event/{EVENT_ID}/2019/1/": "event_2019_legacy.html",
    f"/list/{LIST_ID}/": "list_page1.html",
}
# resultIndex of the cursor → IMDb's API answer (None: the list's first slice, which the import asks first)
GRAPHQL_ANSWERS = {None: "graphql_first.json", 249: "graphql_after_249.json"}


def _read(name: str) -> bytes:
    return (resources.files("cinegraph_scrapy.demo") / name).read_bytes()


def _result_index(cursor: str) -> int | None:
    import base64

    try:
        outer = json.loads(base64.b64decode(cursor + "=" * (-len(cursor) % 4)))
        return int(json.loads(outer["filter"])["resultIndex"])
    except (ValueError, KeyError, TypeError):
        return None


class DemoSite:
    def __init__(self):
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> "DemoSite":
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                name = PAGES.get(self.path)
                if name is None:
                    self._send(404, b"<html><body>Not found</body></html>", "text/html")
                else:
                    self._send(200, _read(name), "text/html; charset=utf-8")

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    variables = json.loads(self.rfile.read(length) or b"{}").get("variables") or {}
                except ValueError:
                    variables = {}
                after = variables.get("after")
                name = GRAPHQL_ANSWERS.get(_result_index(after) if after else None, None if after else "graphql_first.json")
                if self.path != GRAPHQL_PATH or variables.get("id") != LIST_ID or name is None:
                    self._send(200, b'{"data": {"list": null}}', "application/json")
                else:
                    self._send(200, _read(name), "application/json")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
