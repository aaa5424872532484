"""`scrapy schedule`: one scrapyd job per configuration, over one or several scrapyd nodes.

Configs: `--keys a,b`, `--org venice --years 1990-2024`, `--all-active`, optionally `--type`. Nodes: every
`[deploy:NAME]` target of scrapy.cfg (or `--targets a,b`). Each job goes to the node with the fewest
pending + running jobs. A key already pending or running on any node (job ids are `KEY--…`), or running
in the database with a fresh heartbeat, is skipped and reported.
"""

from __future__ import annotations

import sys
import uuid
from datetime import timedelta

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from cinegraph_scrapy.cli import DatabaseCommand, print_table
from cinegraph_scrapy.configs import keys_for, load_configs
from cinegraph_scrapy.db.models import MovieList
from cinegraph_scrapy.errors import CinegraphError, ConfigError
from cinegraph_scrapy.runs import running_keys
from cinegraph_scrapy.scrapyd_nodes import JOB_SEPARATOR, deploy_targets
from cinegraph_scrapy.redaction import redact

SPIDER_FOR = {"imdb_event": "imdb_event", "imdb": "imdb_list"}


class Command(DatabaseCommand):
    default_settings = {"LOG_ENABLED": False}

    def syntax(self):
        return "[--keys a,b | --org ORG --years 1990-2024 | --all-active] [--type T] [--targets a,b]"

    def short_desc(self):
        return "Schedule imports as scrapyd jobs across the deploy targets (unique per key)"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--keys", help="comma-separated config keys")
        parser.add_argument("--org", help="organization prefix, e.g. venice (with --years)")
        parser.add_argument("--years", help="e.g. 1990-2024 or 2019,2021")
        parser.add_argument("--all-active", action="store_true", help="every active configuration")
        parser.add_argument("--type", dest="source_type", choices=["imdb_event", "imdb"])
        parser.add_argument("--targets", help="comma-separated deploy targets (default: every [deploy:*])")
        parser.add_argument("--job-setting", action="append", default=[], metavar="NAME=VALUE",
                            help="a Scrapy setting for the jobs (repeatable)")
        parser.add_argument("--dry-run", action="store_true", help="show the plan, schedule nothing")

    def _configs(self, engine, opts) -> list[tuple[str, str]]:
        imdb_base = self.settings.get("IMDB_BASE_URL")
        if opts.all_active:
            with Session(engine) as session:
                stmt = select(MovieList.source_key).where(MovieList.active.is_(True)).order_by(MovieList.source_key)
                if opts.source_type:
                    stmt = stmt.where(MovieList.source_type == opts.source_type)
                keys = list(session.scalars(stmt))
        else:
            from cinegraph_scrapy.organizations import known_organizations

            orgs = known_organizations(engine)
            keys = keys_for(keys=opts.keys, org=opts.org, years=opts.years, orgs=orgs)
            if not keys:
                raise ConfigError("nothing to schedule: give --keys, --org with --years, or --all-active")
        targets = load_configs(engine, keys, imdb_base_url=imdb_base, force=not opts.all_active,
                               create=not opts.dry_run, orgs=None if opts.all_active else orgs)
        return [(t.source_key, t.source_type) for t in targets
                if not opts.source_type or t.source_type == opts.source_type]

    def execute(self, args, opts):
        engine = self.database()
        configs = self._configs(engine, opts)
        nodes = deploy_targets([t.strip() for t in opts.targets.split(",")] if opts.targets else None)
        for node in nodes:
            try:
                jobs = node.call("GET", "listjobs.json", params={"project": node.project})
                active = jobs.get("pending", []) + jobs.get("running", [])
                node.load = len(active)
                node.busy_keys = {j["id"].split(JOB_SEPARATOR)[0] for j in active if JOB_SEPARATOR in j.get("id", "")}
            except (requests.RequestException, ValueError, CinegraphError) as exc:
                node.error = redact(str(exc).splitlines()[0])
        reachable = [n for n in nodes if n.error is None]
        if not reachable:
            raise CinegraphError("no scrapyd node reachable: " + "; ".join(f"{n.name}: {n.error}" for n in nodes))
        stale = timedelta(seconds=self.settings.getfloat("IMPORT_LOCK_STALE_SECONDS"))
        in_db = running_keys(engine, stale)
        settings = [s for s in opts.job_setting if "=" in s]
        rows, scheduled = [], 0
        for key, source_type in configs:
            busy_on = [n.name for n in nodes if key in n.busy_keys]
            if busy_on:
                rows.append([key, busy_on[0], "", "skipped: already pending or running on scrapyd"])
                continue
            if key in in_db:
                rows.append([key, "", "", "skipped: running (database heartbeat)"])
                continue
            node = min(reachable, key=lambda n: n.load)
            job_id = f"{key}{JOB_SEPARATOR}{uuid.uuid4().hex[:12]}"
            if opts.dry_run:
                rows.append([key, node.name, "", "would schedule"])
                node.load += 1
                continue
            try:
                node.call("POST", "schedule.json", data=[("project", node.project), ("spider", SPIDER_FOR[source_type]),
                                                         ("key", key), ("jobid", job_id)]
                          + [("setting", s) for s in settings])
            except (requests.RequestException, ValueError, CinegraphError) as exc:
                rows.append([key, node.name, "", f"failed: {redact(str(exc).splitlines()[0])}"])
                continue
            node.load += 1
            node.busy_keys.add(key)
            scheduled += 1
            rows.append([key, node.name, job_id, "scheduled"])
        print_table(rows, ["key", "node", "job id", "result"])
        for node in nodes:
            if node.error:
                print(f"node {node.name} ({node.url}) not used: {node.error}", file=sys.stderr)
        print(f"{scheduled} scheduled, {len(rows) - scheduled} not scheduled")
