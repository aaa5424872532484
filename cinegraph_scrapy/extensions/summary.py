"""The lines an import ends its log with: one per import (`key: STATUS | pages … | changes +a −g ~c`), one
for many imports failing alike, and the `IMPORT STATUS` line scrapyd's job view and `scrapy jobs` read."""

from __future__ import annotations

from cinegraph_scrapy.redaction import redact

STATUS_RANK = {"success": 0, "announced": 0, "partial": 1, "suspect": 2, "failed": 3, "skipped": 4}


def key_range(keys) -> str:
    """`venice_2024`, or `venice_1990 … venice_2024 (35 imports)` for many."""
    keys = list(keys)
    return keys[0] if len(keys) == 1 else f"{keys[0]} … {keys[-1]} ({len(keys)} imports)" if len(keys) > 3 else ", ".join(keys)


def fetch_summary(ledger) -> str:
    """`served by api 1 (api 412 kB; API requests 2)`: which path served the pages and what each path cost."""
    served = ", ".join(f"{path} {n}" for path, n in sorted(ledger.served_by.items())) or "nothing"
    cost = ", ".join(f"{path} {size / 1024:.0f} kB" for path, size in sorted(ledger.bytes_fetched.items()))
    return f"served by {served} ({cost}; API requests {ledger.graphql_requests})"


def _found(ledger) -> list[str]:
    if ledger.target.is_event:
        parts = [f"nominations {ledger.nominations_stored}/{ledger.nominations_found} stored",
                 f"winners {ledger.winners}"]
        if ledger.people_only:
            parts.append(f"people-only {ledger.people_only}")
        if ledger.unmapped_categories is not None:
            parts.append(f"unmapped categories {ledger.unmapped_categories}")
        return parts
    total = f"/{ledger.expected_total}" if ledger.expected_total is not None else ""
    parts = [f"entries {ledger.entries_seen}{total}"]
    if ledger.notes_unread:
        parts.append(f"notes unread {ledger.notes_unread}")
    return parts


def import_line(key: str, ledger, status: str, error: str | None, stats) -> str:
    pages = f"pages {ledger.pages}" + (f" ({ledger.pages_unchanged} unchanged)" if ledger.pages_unchanged else "")
    parts = [f"{key}: {status.upper()}", pages, f"items {ledger.items_scraped}", *_found(ledger),
             f"films stored {len(ledger.movie_ids)}"]
    if ledger.served_by or ledger.bytes_fetched:
        parts.append(fetch_summary(ledger))
    c = ledger.changes
    parts.append(f"changes +{c.get('added', 0)} −{c.get('gone', 0)} ~{c.get('changed', 0)}")
    if ledger.page_retries:
        parts.append(f"page writes retried {ledger.page_retries}")
    parts.append(f"TMDb enriched {stats.get('tmdb/enriched', 0)}")
    if ledger.items_dropped:
        reasons = ", ".join(f"{k} {v}" for k, v in ledger.drop_reasons.most_common())
        parts.append(f"dropped {ledger.items_dropped} ({reasons})")
    line = " | ".join(parts)
    return f"{line} | {redact(error)}" if error else line


def failed_alike_lines(failed_alike: dict, stats) -> list[str]:
    """35 editions failing for one reason: one summary line, not 35."""
    lines = []
    for error, group in failed_alike.items():
        if len(group) == 1:
            key, ledger = group[0]
            lines.append(import_line(key, ledger, "failed", error, stats))
        else:
            lines.append(f"{key_range(k for k, _ in group)}: FAILED | {redact(error)}")
    return lines


def worst_status(statuses) -> str | None:
    return max(statuses, key=lambda s: STATUS_RANK.get(s, 0), default=None)


def status_line(statuses: dict[str, str]) -> str | None:
    """`IMPORT STATUS: <worst status> <keys> (<count per status>)`: the last line of a job's log."""
    if not statuses:
        return None
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    detail = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    return f"IMPORT STATUS: {worst_status(statuses.values())} {','.join(statuses)} ({detail})"
