"""`scrapy audit [ORG…] [--json]`: per edition and list, the figures an operator checks and flags for what looks
wrong (suspect or failed last run, no winners on a past edition, far below the organization's median, person
nominations naming nobody, never imported). `--json` prints only a JSON list."""

from __future__ import annotations

import json

from cinegraph_scrapy.audit import audit
from cinegraph_scrapy.cli import DatabaseCommand, print_table
from cinegraph_scrapy.errors import ConfigError
from cinegraph_scrapy.organizations import known_organizations


class Command(DatabaseCommand):
    def syntax(self):
        return "[ORG …] [--json] [--flagged]"

    def short_desc(self):
        return "Check every edition and list: figures and flags (suspect, failed, no winners, below median…)"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--json", action="store_true", help="only a JSON list")
        parser.add_argument("--flagged", action="store_true", help="only entries with a flag")

    def execute(self, args, opts):
        engine = self.database()
        unknown = sorted(set(args) - set(known_organizations(engine)))
        if unknown:
            raise ConfigError(f"unknown organization {unknown[0]!r} (known: {', '.join(sorted(known_organizations(engine)))})")
        with engine.connect() as conn:
            entries = audit(conn, list(args) or None)
        if opts.flagged:
            entries = [e for e in entries if e["flags"]]
        if opts.json:
            print(json.dumps(entries, ensure_ascii=False))
            return
        rows = []
        for e in entries:
            if e["organization"] is None:
                figures = f"{e['entries']} entries"
            else:
                coverage = "" if e["canonical_coverage"] is None else f", canonical {100 * e['canonical_coverage']:.0f}%"
                figures = (f"{e['nominations']} noms, {e['winners']} wins, {e['categories']} cats, "
                           f"{e['person_nominations_with_people']}/{e['person_nominations']} person{coverage}")
            rows.append([e["key"], e["last_status"], figures, ", ".join(e["flags"])])
        print_table(rows, ["key", "last status", "figures", "flags"])
