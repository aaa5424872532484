"""`scrapy migrate_lists [--apply]`: event configs for the editions that award-tracking lists mention."""

from cinegraph_scrapy.cli import DatabaseCommand, print_table
from cinegraph_scrapy.quality import apply_plan, migration_plan


class Command(DatabaseCommand):
    def short_desc(self):
        return "Create imdb_event configs for the festival years award-tracking lists mention (dry run by default)"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--apply", action="store_true", help="write the configs (default: only show them)")

    def execute(self, args, opts):
        engine = self.database()
        plan, unresolved = migration_plan(engine)
        created = apply_plan(engine, plan) if opts.apply else []
        rows = [[p.list_key, p.organization, p.year, p.key,
                 "exists" if p.exists else ("created" if p.key in created else "would create")] for p in plan]
        print_table(rows, ["list", "organization", "year", "event config", "action"])
        for key in unresolved:
            print(f"{key}: no festival organization found (set metadata.organization)")
        new = sum(1 for p in plan if not p.exists)
        if opts.apply:
            print(f"{len(created)} created, {len(plan) - len(created)} already present")
        else:
            print(f"dry run: {new} would be created, {len(plan) - new} already present (use --apply to write)")
