"""Project signals (Scrapy's signal machinery): how the spiders, the pipelines and the import extension tell
each other what happened, so that each piece of state has one owner.

The import extension (extensions/import_runs.py) owns the run accounting (one RunLedger per import), the key
locks and the `import_runs` rows; the storage pipeline owns page writing (its threads, connections and the
PageWriter's caches); the spiders own their requests. Nobody reads another's state: they send these.

From the spiders:
- `imports_added(targets, options, spider_name, job)`: start importing these configurations (at the start of
  a crawl, and for editions discovery finds while it runs). The extension locks the keys and opens the runs;
  its handler returns {key: why it was refused} for keys another crawl is importing.
- `import_noted(key, facts)`: what a spider learnt about an import (pages and rows parsed, nominations found,
  winners, entries seen, the fetch path that served a page and its bytes…): `RunLedger.note(**facts)`.
- `page_failed(key, reason)`: a page of the import could not be fetched or parsed.
- `discovery_failed(slug, reason)`: an organization's editions could not be discovered.
- `editions_found(org, editions)` and `organization_found(slug, name, event_id)`: what a page or an API answer
  revealed; the configurations extension (extensions/configurations.py) writes the missing configurations
  and organizations and answers with what it wrote (`recorded`).

From the import extension:
- `imports_started(imports, options)`: the runs are open ({key: StartedImport}); their pages may be stored.
- `import_lock_lost(key, reason)`: another crawl holds the key now: store nothing more of it.

From the pipelines:
- `rows_dropped(key, reason, count)`: rows a stage took off a page.
- `page_stored(key, page, rows, result)`: a page's transaction committed (storage.pages.PageResult).
- `page_not_stored(key, page, error)`: a page's rows were not stored (an error; the crawl goes on).
- `page_suspect(key, page, reason)`: the drift guard did not believe a page: nothing more of the import is
  written.
- `page_write_retried(key, kind)`: a page transaction is tried again (deadlock, lost connection…).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

imports_added = object()
import_noted = object()
page_failed = object()
discovery_failed = object()
editions_found = object()
organization_found = object()
imports_started = object()
import_lock_lost = object()
rows_dropped = object()
page_stored = object()
page_not_stored = object()
page_suspect = object()
page_write_retried = object()


@dataclass(frozen=True)
class ImportOptions:
    """What the operator asked of every import of a crawl."""
    full_write: bool = False  # `-a full=1`: write every page even when its content is unchanged
    accept_drift: bool = False  # `-a accept=1`: write a page the drift guard does not believe


@dataclass(frozen=True)
class StartedImport:
    target: Any  # configs.ImportTarget
    run_id: int | None


def recorded(responses, what: str):
    """What the configurations extension answered to editions_found / organization_found: its result, or the
    error its write raised, raised here."""
    for _receiver, response in responses:
        if hasattr(response, "error") and hasattr(response, "value"):
            if response.error is not None:
                raise response.error
            return response.value
    raise RuntimeError(f"nothing recorded {what}: the configurations extension is not enabled")


def refusals(responses) -> dict[str, str]:
    """The refused keys the handlers of `imports_added` returned (send_catch_log's responses)."""
    refused: dict[str, str] = {}
    for _receiver, response in responses:
        if isinstance(response, dict):
            refused.update(response)
    return refused
