"""scrapyd's web UI with the imports in its job view: `webroot = cinegraph_scrapy.scrapyd_web.Root` in the
project's scrapyd.conf. scrapyd shows every finished job alike; this keeps scrapyd's pages (home, logs,
items, the JSON API) and adds to each row of `/jobs` the import status of that job's runs (by job id, as
`scrapy jobs` does), their counts and the first line of the error, coloured by status.

The database is the one scrapyd's jobs use (DATABASE_URL in scrapyd's environment); when it cannot be read
the columns say so and scrapyd's own page still renders.
"""

from __future__ import annotations

import html
import logging
from textwrap import indent

from scrapyd.website import Jobs
from scrapyd.website import Root as ScrapydRoot
from sqlalchemy import select
from sqlalchemy.orm import Session

from cinegraph_scrapy.db.engine import open_database, resolve_database_url
from cinegraph_scrapy.db.models import ImportRun, MovieList
from cinegraph_scrapy.redaction import error_line, redact

logger = logging.getLogger(__name__)

IMPORT_COLUMNS = ("Import", "Counts", "Error")
RANK = {"success": 0, "announced": 0, "running": 1, "partial": 2, "suspect": 3, "interrupted": 3, "failed": 4}
CSS = ("td.import-success{background:#2e7d32;color:#fff} td.import-announced{background:#78909c;color:#000}"
       "td.import-partial{background:#f9a825;color:#000} td.import-suspect{background:#ef6c00;color:#000}"
       "td.import-failed,td.import-interrupted{background:#c62828;color:#fff} td.import-running{background:#1565c0;"
       "color:#fff} td.import-none{color:#666}")


def job_imports(job_ids: list[str]) -> dict[str, dict[str, str]]:
    """Job id → {status (the worst of its runs), counts, error (first line)}."""
    if not job_ids:
        return {}
    engine = open_database(resolve_database_url(), migrate=False)
    runs: dict[str, list[tuple[str, ImportRun]]] = {}
    with Session(engine) as session:
        for key, run in session.execute(select(MovieList.source_key, ImportRun)
                                        .join(ImportRun, ImportRun.list_id == MovieList.id)
                                        .where(ImportRun.job_id.in_(job_ids)).order_by(ImportRun.id)):
            runs.setdefault(run.job_id, []).append((key, run))
    found = {}
    for job_id, entries in runs.items():
        status = max((run.status for _, run in entries), key=lambda s: RANK.get(s, 1))
        errors = [f"{key}: {run.error.splitlines()[0]}" for key, run in entries if run.error]
        counts = ", ".join(f"{key}: pages {run.pages}, stored {run.items_stored}" for key, run in entries[:3])
        found[job_id] = {"status": status, "counts": counts + (" …" if len(entries) > 3 else ""),
                         "error": redact(errors[0]) if errors else ""}
    return found


class ImportJobs(Jobs):
    """scrapyd's job view, each row with its import's status, counts and error."""

    def __init__(self, root):
        super().__init__(root)
        self.headers.extend(IMPORT_COLUMNS)
        self.imports: dict[str, dict[str, str]] = {}
        self.unavailable: str | None = None

    def prepare_row(self, row):
        job = html.unescape(str(row.get("Job") or ""))
        found = self.imports.get(job)
        if self.unavailable:
            row.update({"Import": "", "Counts": "", "Error": html.escape(self.unavailable)})
        elif found is None:
            row.update({"Import": "", "Counts": "", "Error": ""})
        else:
            row.update({"Import": html.escape(found["status"]), "Counts": html.escape(found["counts"]),
                        "Error": html.escape(found["error"])})
        status = html.escape(found["status"] if found and not self.unavailable else "none")
        tds = []
        for header in self.headers:
            value = "" if row.get(header) is None else row[header]
            attrs = f' class="import-{status}" data-import="{status}"' if header == "Import" else ""
            tds.append(f"<td{attrs}>{value}</td>")
        return "<tr>\n" + indent("\n".join(tds), "    ") + "\n</tr>"

    def _job_ids(self) -> list[str]:
        ids = [message["_job"] for queue in self.root.poller.queues.values() for message in queue.list()]
        ids += [process.job for process in self.root.launcher.processes.values()]
        return ids + [job.job for job in self.root.launcher.finished]

    def render_GET(self, txrequest):
        try:
            self.imports, self.unavailable = job_imports(self._job_ids()), None
        except Exception as exc:  # the job view must render even when the database cannot be read
            self.imports, self.unavailable = {}, f"database unavailable: {error_line(exc)}"
            logger.warning("scrapyd job view: %s", self.unavailable)
        content = super().render_GET(txrequest)
        content = content.replace(b"</style>", CSS.encode() + b"\n</style>", 1)
        txrequest.setHeader("Content-Length", str(len(content)))
        return content


class Root(ScrapydRoot):
    """scrapyd's web root with the import-aware job view at /jobs."""

    def __init__(self, config, app):
        super().__init__(config, app)
        self.putChild(b"jobs", ImportJobs(self))
