"""The scrapyd nodes of this project: every `[deploy:NAME]` target of scrapy.cfg, with its credentials
(scrapyd-client's own config reading), and a small JSON API client. Used by `scrapy schedule` and
`scrapy jobs`. Job ids are `KEY--…` so that a key's jobs can be recognised on every node."""

from __future__ import annotations

from dataclasses import dataclass, field

import requests
from scrapyd_client.utils import get_auth, get_config

from cinegraph_scrapy.errors import CinegraphError, ConfigError
from cinegraph_scrapy.redaction import register_secret

JOB_SEPARATOR = "--"


@dataclass
class Node:
    name: str
    url: str
    project: str
    auth: object = None
    load: int = 0
    busy_keys: set[str] = field(default_factory=set)
    error: str | None = None

    def call(self, method: str, endpoint: str, **kwargs):
        try:
            response = requests.request(method, f"{self.url}/{endpoint}", auth=self.auth, timeout=15, **kwargs)
        except requests.ConnectionError:
            raise CinegraphError(f"scrapyd node {self.name} ({self.url}) is not running or not reachable: start it "
                                 "with `scrapy scrapyd` (SCRAPYD_USERNAME and SCRAPYD_PASSWORD set) or fix its url "
                                 "in scrapy.cfg") from None
        except requests.Timeout:
            raise CinegraphError(f"scrapyd node {self.name} ({self.url}) did not answer within 15 s") from None
        if response.status_code == 401:
            raise CinegraphError(f"scrapyd node {self.name} ({self.url}) is up but refused the credentials (HTTP 401): "
                                 "set SCRAPYD_USERNAME and SCRAPYD_PASSWORD to the node's")
        response.raise_for_status()
        data = response.json()
        if data.get("status") != "ok":
            raise CinegraphError(f"scrapyd node {self.name}: {data.get('message') or data}")
        return data


def deploy_targets(names: list[str] | None) -> list[Node]:
    cfg = get_config()
    base = dict(cfg.items("deploy")) if cfg.has_section("deploy") else {}
    targets: dict[str, dict] = {}
    for section in cfg.sections():
        if section.startswith("deploy:"):
            targets[section[len("deploy:"):]] = {**base, **dict(cfg.items(section))}
    if not targets and "url" in base:
        targets["default"] = base
    if names:
        unknown = [n for n in names if n not in targets]
        if unknown:
            raise ConfigError(f"unknown deploy target {unknown[0]!r} (scrapy.cfg has: {', '.join(sorted(targets))})")
        targets = {n: targets[n] for n in names}
    nodes = []
    seen_urls = set()
    for name, t in targets.items():
        url = t["url"].rstrip("/")
        if url in seen_urls:
            continue
        seen_urls.add(url)
        username, password = t.get("username") or "", t.get("password") or ""
        if username.startswith("$"):  # an unset environment variable: no auth
            username, password = "", ""
        register_secret(password)
        nodes.append(Node(name=name, url=url, project=t.get("project") or "cinegraph_scrapy",
                          auth=get_auth(url, username, password)))
    if not nodes:
        raise ConfigError("no scrapyd node: add a [deploy:NAME] target with a url to scrapy.cfg")
    return nodes


