"""`scrapy compare LIST_KEY EVENT_KEY [EVENT_KEY…] [--json]`: a list import against event imports."""

import json

from cinegraph_scrapy.cli import DatabaseCommand, print_table
from cinegraph_scrapy.errors import ConfigError
from cinegraph_scrapy.quality import compare


class Command(DatabaseCommand):
    def syntax(self):
        return "LIST_KEY EVENT_KEY [EVENT_KEY ...] [--json]"

    def short_desc(self):
        return "Compare the films of a list import with those of event imports (imported data only)"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def execute(self, args, opts):
        if len(args) < 2:
            raise ConfigError("usage: scrapy compare LIST_KEY EVENT_KEY [EVENT_KEY ...]")
        from cinegraph_scrapy.organizations import known_organizations

        engine = self.database()
        result = compare(engine, args[0], args[1:], known_organizations(engine))
        if opts.json:
            print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False, default=str))
            return
        if result.not_imported:
            print(f"never imported (left out): {', '.join(result.not_imported)}")
        print(f"{result.list_key}: {result.list_films} films | {', '.join(result.event_keys)}: "
              f"{result.event_films} films | in both {len(result.in_both)} | only in list "
              f"{len(result.only_in_list)} | only in events {len(result.only_in_events)}")
        sections = [
            ("In both", result.in_both, ["imdb_id", "title", "position", "event_wins"]),
            ("Only in the list", result.only_in_list, ["imdb_id", "title", "position", "list_notes"]),
            ("Only in the events", result.only_in_events, ["imdb_id", "title", "won"]),
            ("Event winners the list lacks", result.winners_missing_from_list, ["imdb_id", "title", "won"]),
            ("List notes that disagree with the events", result.disagreements,
             ["imdb_id", "title", "list_says", "events_say"]),
        ]
        for title, rows, columns in sections:
            print(f"\n{title} ({len(rows)})")
            if rows:
                print_table([[", ".join(r[c]) if isinstance(r[c], list) else r[c] for c in columns] for r in rows],
                            columns)
