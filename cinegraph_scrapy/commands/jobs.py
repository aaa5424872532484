"""`scrapy jobs [--targets a,b]`: the scrapyd jobs (pending, running, finished) of every `[deploy:*]` node,
joined with their import runs by job id — key, node, job id, state, import status, counts, error — so
that a failed import is visible even though scrapyd shows every finished job alike."""

from __future__ import annotations

import textwrap

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from cinegraph_scrapy.cli import DatabaseCommand, print_table
from cinegraph_scrapy.db.models import ImportRun, MovieList
from cinegraph_scrapy.errors import CinegraphError
from cinegraph_scrapy.scrapyd_nodes import JOB_SEPARATOR, deploy_targets
from cinegraph_scrapy.redaction import redact

STATES = ("pending", "running", "finished")


ERROR_WIDTH = 60


def wrapped(row: list) -> list[list]:
    """A row whose last cell (the error, whole) is wrapped over as many lines as it needs."""
    lines = textwrap.wrap(str(row[-1]), ERROR_WIDTH, break_long_words=True, break_on_hyphens=False) or [""]
    return [row[:-1] + [lines[0]]] + [[""] * (len(row) - 1) + [line] for line in lines[1:]]


class Command(DatabaseCommand):
    default_settings = {"LOG_ENABLED": False}

    def syntax(self):
        return "[--targets a,b]"

    def short_desc(self):
        return "List the scrapyd jobs of every node with their imports' status, counts and error"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--targets", help="comma-separated deploy targets (default: every [deploy:*])")

    def execute(self, args, opts):
        engine = self.database()
        nodes = deploy_targets([t.strip() for t in opts.targets.split(",")] if opts.targets else None)
        jobs: list[tuple[str, str, dict]] = []
        for node in nodes:
            try:
                answer = node.call("GET", "listjobs.json", params={"project": node.project})
            except (requests.RequestException, ValueError, CinegraphError) as exc:
                node.error = redact(str(exc).splitlines()[0])
                continue
            for state in STATES:
                jobs.extend((node.name, state, job) for job in answer.get(state, []))
        if all(node.error for node in nodes):
            raise CinegraphError("; ".join(node.error for node in nodes))
        ids = [job["id"] for _, _, job in jobs]
        runs: dict[str, list[tuple[str, ImportRun]]] = {}
        if ids:
            with Session(engine) as session:
                for key, run in session.execute(select(MovieList.source_key, ImportRun)
                                                .join(ImportRun, ImportRun.list_id == MovieList.id)
                                                .where(ImportRun.job_id.in_(ids)).order_by(ImportRun.id)):
                    runs.setdefault(run.job_id, []).append((key, run))
        rows = []
        for node_name, state, job in jobs:
            found = runs.get(job["id"])
            if not found:
                key = job["id"].split(JOB_SEPARATOR)[0] if JOB_SEPARATOR in job["id"] else ""
                rows.append([key, node_name, job["id"], state, "no import run" if state == "finished" else "",
                             "", "", ""])
                continue
            for key, run in found:
                changes = (run.stats or {}).get("changes") or {}
                counts = f"pages {run.pages}, stored {run.items_stored}, dropped {run.items_dropped}"
                delta = (f"+{changes.get('added', 0)} −{changes.get('gone', 0)} ~{changes.get('changed', 0)}"
                         if changes else "")
                rows.extend(wrapped([key, node_name, job["id"], state, run.status, counts, delta, run.error or ""]))
        print_table(rows, ["key", "node", "job id", "state", "import status", "counts", "changes", "error"])
        for node in nodes:
            if node.error:
                print(f"{node.name}: unreachable — {node.error}")
