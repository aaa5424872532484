"""`scrapy winners ORG|all KEY [--years A-B] [--json]`: the winners of a canonical key (top_prize, director,
actress…, or an operator's own key) per edition, from the stored keys (`--json`: only a JSON list of
{organization, year, instance, award, category, imdb_id, title, people: [{imdb_id, name}]}, one object per
winning film, imdb_id null for a person-only honour)."""

from __future__ import annotations

import json

from cinegraph_scrapy.canonical.queries import Years, check_known_key, organization, winners
from cinegraph_scrapy.canonical.rules import RuleError, parse_years
from cinegraph_scrapy.cli import DatabaseCommand, print_table
from cinegraph_scrapy.errors import ConfigError


class Command(DatabaseCommand):
    def syntax(self):
        return "ORG|all KEY [--years A-B] [--json]"

    def short_desc(self):
        return "Show the winners of a canonical category (e.g. oscars top_prize) per edition"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--years", help="YEAR, YEAR-YEAR, YEAR- or -YEAR")
        parser.add_argument("--json", action="store_true", help="only a JSON list")

    def execute(self, args, opts):
        if len(args) != 2:
            raise ConfigError("give an organization (or all) and a canonical key, e.g. `scrapy winners oscars top_prize`")
        try:
            years = Years(*parse_years(opts.years))
        except RuleError as exc:
            raise ConfigError(str(exc)) from None
        engine = self.database()
        with engine.connect() as conn:
            slug = None if args[0] == "all" else organization(conn, args[0])[1]
            check_known_key(conn, args[1])
            found = winners(conn, slug, args[1], years)
        if opts.json:
            print(json.dumps(found, ensure_ascii=False))
            return
        print_table([[w["organization"], w["year"] if w["instance"] == 1 else f"{w['year']}/{w['instance']}",
                      f"{w['award']} / {w['category']}", w["title"] or "", w["imdb_id"] or "",
                      ", ".join(p["name"] or p["imdb_id"] or "?" for p in w["people"][:4])
                      + (" …" if len(w["people"]) > 4 else "")] for w in found],
                    ["organization", "year", "award / category", "title", "imdb id", "people"])
