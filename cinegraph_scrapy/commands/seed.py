from cinegraph_scrapy.cli import DatabaseCommand
from cinegraph_scrapy.seeding import seed_configs


class Command(DatabaseCommand):
    def short_desc(self):
        return "Seed import configurations from the packaged data file (keeps operator edits)"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--overwrite", action="store_true", help="also reset rows an operator edited")

    def execute(self, args, opts):
        engine = self.database(seed=False)
        report = seed_configs(engine, overwrite=opts.overwrite)
        print(f"created {len(report.created)}, updated {len(report.updated)}, unchanged {report.unchanged}, "
              f"kept operator edits {len(report.kept_edited)}")
        if report.kept_edited:
            print("kept (use --overwrite to reset): " + ", ".join(report.kept_edited))
