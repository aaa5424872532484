"""A loopback HTTP server standing in for imdb.com or api.themoviedb.org in tests (the only fakes).

Routes map a path (with its query string, or without it as a fallback) to a Reply, or to a list of
Replies served in turn (the last one repeats). Every hit is counted.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable


@dataclass
class Reply:
    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    reset_after: int | None = None  # send this many body bytes, then drop the connection

    @classmethod
    def json(cls, data: Any, status: int = 200, **kw) -> "Reply":
        return cls(json.dumps(data).encode(), status, {"Content-Type": "application/json;charset=utf-8", **kw.pop("headers", {})}, **kw)

    @classmethod
    def html(cls, text: str, status: int = 200, **kw) -> "Reply":
        return cls(text.encode("utf-8"), status, {"Content-Type": "text/html; charset=utf-8", **kw.pop("headers", {})}, **kw)


Handler = Callable[["Request"], Reply]


@dataclass
class Request:
    path: str
    query: str
    headers: dict[str, str]
    method: str = "GET"
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def full_path(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


class LoopbackSite:
    def __init__(self, latency: float = 0.0):
        self.routes: dict[str, Reply | list[Reply] | Handler] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[Request] = []
        self.latency = latency
        self.fallback: Reply | None = None  # the answer to unrouted paths (None: 404)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -------------------------------------------------------------- routing
    def route(self, path: str, reply: Reply | list[Reply] | Handler) -> None:
        self.routes[path] = reply

    def _answer(self, req: Request) -> Reply:
        with self._lock:
            self.hits[req.full_path] += 1
            self.requests.append(req)
            count = self.hits[req.full_path]
        target = self.routes.get(req.full_path)
        if target is None:
            target = self.routes.get(req.path)
        if target is None:
            return self.fallback or Reply.html("<html><body>Not found</body></html>", 404)
        if isinstance(target, list):
            return target[min(count, len(target)) - 1]
        if callable(target):
            return target(req)
        return target

    # -------------------------------------------------------------- lifecycle
    def start(self) -> "LoopbackSite":
        site = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                self._serve("POST", self.rfile.read(length) if length else b"")

            def do_GET(self):
                self._serve("GET", b"")

            def _serve(self, method: str, body: bytes):
                path, _, query = self.path.partition("?")
                req = Request(path=path, query=query, headers={k.lower(): v for k, v in self.headers.items()},
                              method=method, body=body)
                reply = site._answer(req)
                delay = site.latency + reply.delay
                if delay:
                    time.sleep(delay)
                body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
                try:
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if reply.reset_after is not None:
                        self.wfile.write(body[: reply.reset_after])
                        self.wfile.flush()
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128

        self._server = Server(("127.0.0.1", 0), H)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
