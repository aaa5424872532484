"""`scrapy report [-o report.html]`: import coverage — organizations × years by last import status with
nomination/winner counts, the list imports, and events vs lists side by side. One self-contained HTML
page (no external assets) with -o, the same as terminal tables without."""

from __future__ import annotations

import html
from datetime import datetime, timezone

from cinegraph_scrapy.cli import DatabaseCommand, print_table
from cinegraph_scrapy.quality import Coverage, coverage
from cinegraph_scrapy.runs import as_aware

STATUS_COLOURS = {
    "success": "#2e7d32",
    "partial": "#f9a825",
    "announced": "#78909c",  # IMDb lists the edition, no nominations yet
    "suspect": "#ef6c00",  # the drift guard did not believe the page: nothing written
    "failed": "#c62828",
    "running": "#1565c0",
    "interrupted": "#6a1b9a",
    "never": "#e0e0e0",
}


def _when(value) -> str:
    return as_aware(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _run_link(key: str, cov: Coverage) -> str:
    """The key, linked to its last run's row when it has one (no link to an anchor that does not exist)."""
    e = html.escape
    return f"<a href='#run-{e(key)}'>{e(key)}</a>" if key in cov.last_runs else e(key)


TERMINAL_WIDTH = 120
SHORT = {"success": "ok", "partial": "part", "failed": "FAIL", "suspect": "SUSP", "running": "run",
         "interrupted": "int", "announced": "ann", "never": "-"}


def canonical_rows(cov: Coverage) -> list[list]:
    """Per organization: nominations mapped to a canonical key, nominations, share."""
    names = dict(cov.organizations)
    return [[names.get(slug, slug), mapped, total, f"{100 * mapped / total:.0f}%" if total else ""]
            for slug, (mapped, total) in sorted(cov.canonical.items(), key=lambda kv: names.get(kv[0], kv[0]))]


def _grid_rows(cov: Coverage, years: list[int]) -> list[str]:
    """One <tr> per organization: a cell per year, coloured by status, linked to its last run."""
    e = html.escape
    body = []
    for slug, name in cov.organizations:
        cells = []
        for year in years:
            cell = cov.grid.get((slug, year))
            if cell is None:
                cells.append("<td class='cell s-never' data-status='none'></td>")
                continue
            counts = f"{cell.nominations}&nbsp;/&nbsp;{cell.winners}" if cell.status != "never" else ""
            title = f"{cell.key}: {cell.status}, {cell.nominations} nominations, {cell.winners} winners"
            run = cov.last_runs.get(cell.key)
            if run is not None:
                title += f"; last run {run['run_id']}: {run['status']}" + (f" — {run['error']}" if run["error"] else "")
                counts = f"<a href='#run-{e(cell.key)}'>{counts or e(run['status'])}</a>"
            cells.append(
                f"<td class='cell s-{e(cell.status)}' data-key='{e(cell.key)}' data-status='{e(cell.status)}' "
                f"data-nominations='{cell.nominations}' data-winners='{cell.winners}' title='{e(title)}'>{counts}</td>"
            )
        body.append(f"<tr data-org='{e(slug)}'><th scope='row'>{e(name)}</th>{''.join(cells)}</tr>")
    return body


def render_html(cov: Coverage) -> str:
    e = html.escape
    css = "".join(
        f".s-{name}{{background:{colour};color:{'#000' if name in ('never', 'partial', 'suspect', 'announced') else '#fff'}}}"
        for name, colour in STATUS_COLOURS.items()
    )
    years = sorted(cov.years, reverse=True)  # newest first: what an operator looks at is on screen
    head = "".join(f"<th scope='col'>{y}</th>" for y in years)
    body = _grid_rows(cov, years)
    legend = "".join(f"<span class='cell s-{s}'>{s}</span> " for s in STATUS_COLOURS)
    runs = "".join(
        f"<tr id='run-{e(key)}' data-run='{r['run_id']}'><td>{e(key)}</td><td>{r['run_id']}</td>"
        f"<td class='s-{e(r['status'])}'>{e(r['status'])}</td><td>{r['stored']}</td><td>{_when(r['finished_at'])}</td>"
        f"<td>{e(r['error'] or '')}</td></tr>"
        for key, r in cov.last_runs.items()
    )
    lists = "".join(
        f"<tr data-key='{e(l['key'])}'><td>{_run_link(l['key'], cov)}</td><td>{e(l['name'])}</td>"
        f"<td class='s-{e(l['status'])}'>{e(l['status'])}</td><td>{l['films']}</td><td>{_when(l['last_import_at'])}</td></tr>"
        for l in cov.lists
    )
    side = "".join(
        f"<tr data-list='{e(s['list'])}'><td>{e(s['list'])}</td><td>{e(s['organization'])}</td><td>{s['list_films']}</td>"
        f"<td>{s['editions_imported']}</td><td>{s['event_films']}</td><td>{s['event_winners']}</td><td>{s['in_both']}</td></tr>"
        for s in cov.side_by_side
    )
    canonical = "".join(f"<tr><td>{e(str(name))}</td><td>{mapped}</td><td>{total}</td><td>{share}</td></tr>"
                        for name, mapped, total, share in canonical_rows(cov))
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cinegraph import coverage</title>
<style>
body{{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}}
table{{border-collapse:collapse;margin:1em 0}}
th,td{{border:1px solid #ccc;padding:4px 8px;text-align:left}}
td.cell{{min-width:4em;text-align:center;font-variant-numeric:tabular-nums}}
td a{{color:inherit;text-decoration:underline;font-weight:600}}
th[scope=row]{{white-space:nowrap}}
span.cell{{display:inline-block;padding:2px 8px;margin-right:4px}}
{css}
</style></head><body>
<h1>Import coverage</h1>
<p>Generated {generated}. Cells show nominations&nbsp;/&nbsp;winners of the edition's last import.</p>
<p class="legend">{legend}</p>
<h2>Festival editions</h2>
<table id="grid"><thead><tr><th>Organization</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>
<h2>List imports</h2>
<table id="lists"><thead><tr><th>Key</th><th>Name</th><th>Last status</th><th>Films</th><th>Last import (UTC)</th></tr></thead>
<tbody>{lists}</tbody></table>
<h2>Events vs lists</h2>
<table id="side-by-side"><thead><tr><th>List</th><th>Organization</th><th>Films in list</th><th>Editions imported</th>
<th>Films in events</th><th>Winning films</th><th>In both</th></tr></thead><tbody>{side}</tbody></table>
<h2>Canonical categories</h2>
<table id="canonical"><thead><tr><th>Organization</th><th>Nominations mapped</th><th>Nominations</th><th>Coverage</th>
</tr></thead><tbody>{canonical}</tbody></table>
<h2>Last import runs</h2>
<table id="runs"><thead><tr><th>Key</th><th>Run</th><th>Status</th><th>Items stored</th><th>Finished (UTC)</th>
<th>Error</th></tr></thead><tbody>{runs}</tbody></table>
</body></html>
"""


def print_terminal(cov: Coverage) -> None:
    """The grid, newest years first, as many as fit in 120 columns (the HTML report has them all)."""
    names = {slug: (name if len(name) <= 24 else name[:23] + "…") for slug, name in cov.organizations}
    cells = {key: ("-" if c.status == "never" else f"{SHORT.get(c.status, c.status)} {c.nominations}/{c.winners}")
             for key, c in cov.grid.items()}
    width = max([len(n) for n in names.values()] + [12]) + 2
    years, used = [], width
    for year in sorted(cov.years, reverse=True):
        column = max([4] + [len(cells.get((slug, year), "")) for slug in names]) + 2
        if used + column > TERMINAL_WIDTH:
            break
        years.append(year)
        used += column
    hidden = len(cov.years) - len(years)
    print("Festival editions (status nominations/winners, newest first"
          + (f"; {hidden} older years in `scrapy report -o report.html`)" if hidden else ")"))
    print_table([[names[slug]] + [cells.get((slug, year), "") for year in years] for slug, _ in cov.organizations],
                ["organization"] + [str(y) for y in years])
    print("\nList imports")
    print_table([[l["key"], l["status"], l["films"], _when(l["last_import_at"])] for l in cov.lists],
                ["key", "last status", "films", "last import (UTC)"])
    print("\nEvents vs lists")
    print_table([[s["list"], s["organization"], s["list_films"], s["editions_imported"], s["event_films"],
                  s["event_winners"], s["in_both"]] for s in cov.side_by_side],
                ["list", "organization", "list films", "editions", "event films", "winning films", "in both"])
    print("\nCanonical categories (share of nominations mapped)")
    print_table(canonical_rows(cov), ["organization", "mapped", "nominations", "coverage"])


class Command(DatabaseCommand):
    def syntax(self):
        return "[-o report.html]"

    def short_desc(self):
        return "Import coverage: organizations × years, lists, events vs lists (HTML with -o)"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("-o", "--output", help="write a self-contained HTML page here")

    def execute(self, args, opts):
        cov = coverage(self.database())
        if opts.output:
            with open(opts.output, "w", encoding="utf-8") as fh:
                fh.write(render_html(cov))
            print(f"wrote {opts.output}: {len(cov.organizations)} organizations × {len(cov.years)} years, "
                  f"{len(cov.lists)} lists")
        else:
            print_terminal(cov)
