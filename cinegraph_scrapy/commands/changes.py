"""`scrapy changes KEY [--run ID] [--json]`: what the last import of KEY (or run ID) changed against what
was stored before — nominations or list entries added, gone from the page, and changed (old → new)."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from cinegraph_scrapy.cli import DatabaseCommand, print_table
from cinegraph_scrapy.configs import nearest_keys
from cinegraph_scrapy.db.models import ImportChange, ImportRun, MovieList
from cinegraph_scrapy.errors import ConfigError, NothingImported


class Command(DatabaseCommand):
    def syntax(self):
        return "KEY [--run ID] [--json]"

    def short_desc(self):
        return "Show what the last import of a configuration changed (added, gone, changed)"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--run", type=int, help="an import_runs id of that key (default: its last run)")
        parser.add_argument("--json", action="store_true", help="one JSON object")

    def execute(self, args, opts):
        if len(args) != 1:
            raise ConfigError("give one configuration key (e.g. `scrapy changes venice_2024`)")
        key = args[0]
        engine = self.database()
        with Session(engine) as session:
            config = session.scalars(select(MovieList).where(MovieList.source_key == key)).first()
            if config is None:
                near = nearest_keys(session, key)
                raise ConfigError(f"unknown config key {key!r}" + (f"; nearest: {', '.join(near)}" if near else ""))
            runs = select(ImportRun).where(ImportRun.list_id == config.id)
            run = (session.scalars(runs.where(ImportRun.id == opts.run)).first() if opts.run is not None
                   else session.scalars(runs.order_by(ImportRun.id.desc()).limit(1)).first())
            if run is None:
                raise (ConfigError if opts.run is not None else NothingImported)(f"{key!r} has no import run {opts.run}" if opts.run is not None
                                  else f"{key!r} was never imported")
            rows = list(session.scalars(select(ImportChange).where(ImportChange.run_id == run.id)
                                        .order_by(ImportChange.id)))
        report = {"key": key, "run_id": run.id, "added": [], "gone": [], "changed": []}
        for row in rows:
            entry = {"imdb_id": row.imdb_id}
            if config.source_type == "imdb_event":
                entry.update(award=row.award, category=row.category)
                if row.nominee:
                    entry["nominee"] = row.nominee
            else:
                entry["position"] = row.position
            if row.change == "changed":
                entry["fields"] = {name: {"old": values[0], "new": values[1]} for name, values in (row.fields or {}).items()}
            report[row.change].append(entry)
        if opts.json:
            print(json.dumps(report, ensure_ascii=False))
            return
        print(f"{key} run {run.id} ({run.status}, {run.started_at:%Y-%m-%d %H:%M} UTC): "
              f"+{len(report['added'])} −{len(report['gone'])} ~{len(report['changed'])}")
        table = []
        for change in ("added", "gone", "changed"):
            for entry in report[change]:
                where = (f"{entry.get('award')} / {entry.get('category')}" if config.source_type == "imdb_event"
                         else f"#{entry.get('position')}")
                fields = "; ".join(f"{k}: {v['old']!r} → {v['new']!r}" for k, v in entry.get("fields", {}).items())
                table.append([change, entry["imdb_id"] or entry.get("nominee") or "", where, fields])
        if table:
            print_table(table, ["change", "imdb id", "where", "fields"])
