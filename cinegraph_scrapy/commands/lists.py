from sqlalchemy import select
from sqlalchemy.orm import Session

from cinegraph_scrapy.cli import DatabaseCommand, print_table
from cinegraph_scrapy.db.models import MovieList
from cinegraph_scrapy.runs import as_aware


class Command(DatabaseCommand):
    def short_desc(self):
        return "Show import configurations and their last import"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--type", dest="source_type", choices=["imdb", "imdb_event"])
        parser.add_argument("--imported", action="store_true", help="only configs imported at least once")

    def execute(self, args, opts):
        engine = self.database()
        stmt = select(MovieList).order_by(MovieList.source_type, MovieList.source_key)
        if opts.source_type:
            stmt = stmt.where(MovieList.source_type == opts.source_type)
        if opts.imported:
            stmt = stmt.where(MovieList.last_import_at.is_not(None))
        with Session(engine) as session:
            rows = [
                [
                    r.source_key,
                    r.source_type,
                    r.source_id,
                    "yes" if r.active else "no",
                    r.last_import_status or "never",
                    as_aware(r.last_import_at).strftime("%Y-%m-%d %H:%M:%S") if r.last_import_at else "",
                    r.last_movie_count if r.last_movie_count is not None else "",
                ]
                for r in session.scalars(stmt)
            ]
        print_table(rows, ["key", "type", "source id", "active", "last status", "last import (UTC)", "last count"])
