from cinegraph_scrapy.cli import DatabaseCommand
from cinegraph_scrapy.db.engine import current_revision, safe_url, resolve_database_url


class Command(DatabaseCommand):
    def short_desc(self):
        return "Bring the database schema up to date (Alembic migrations shipped in the package)"

    def execute(self, args, opts):
        engine = self.database(seed=False)
        print(f"schema of {safe_url(resolve_database_url(self.settings))} is at revision {current_revision(engine)}")
