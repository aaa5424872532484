"""`scrapy categories ORG [--unmapped] [--json]`: each raw award / category of an organization with its first
and last year, nominations, canonical key and the source of the rule that gave it.
`scrapy categories map ORG --award A [--category C] KEY [--years A-B]` and `scrapy categories unmap ORG --award A
[--category C] [--years A-B]`: operator rules (they win over the packaged ones), applied to the stored rows at once."""

from __future__ import annotations

import json

from sqlalchemy import delete, insert

from cinegraph_scrapy.canonical.mapping import literal, remap, rule_book
from cinegraph_scrapy.canonical.queries import category_listing, organization
from cinegraph_scrapy.canonical.rules import RuleError, check_key, parse_years
from cinegraph_scrapy.cli import DatabaseCommand, print_table
from cinegraph_scrapy.db.models import CategoryRule
from cinegraph_scrapy.errors import ConfigError


class Command(DatabaseCommand):
    def syntax(self):
        return "ORG [--unmapped] [--json] | map ORG --award A [--category C] KEY [--years A-B] | unmap ORG --award A [--category C]"

    def short_desc(self):
        return "Show an organization's categories with their canonical keys; map or unmap one"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--unmapped", action="store_true", help="only the categories no rule maps")
        parser.add_argument("--json", action="store_true", help="only a JSON list")
        parser.add_argument("--award", help="map/unmap: the award's name as IMDb gives it")
        parser.add_argument("--category", help="map/unmap: the category's name (omit for a single-category award)")
        parser.add_argument("--years", help="map/unmap: YEAR, YEAR-YEAR, YEAR- or -YEAR (default: every year)")

    def execute(self, args, opts):
        if args and args[0] in ("map", "unmap"):
            return self._change(args[0], args[1:], opts)
        if len(args) != 1:
            raise ConfigError("give one organization (e.g. `scrapy categories oscars`), or `map` / `unmap`")
        engine = self.database()
        with engine.connect() as conn:
            listing = category_listing(conn, args[0], unmapped_only=opts.unmapped)
        if opts.json:
            print(json.dumps(listing, ensure_ascii=False))
            return
        print_table([[e["award"], e["category"], f"{e['first_year']}-{e['last_year']}", e["nominations"],
                      e["canonical"] or "-", e["source"] or ""] for e in listing],
                    ["award", "category", "years", "nominations", "canonical", "source"])

    def _change(self, action: str, args: list[str], opts) -> None:
        wanted = 2 if action == "map" else 1
        if len(args) != wanted or not opts.award:
            raise ConfigError(f"usage: scrapy categories {action} ORG --award A [--category C]"
                              + (" KEY" if action == "map" else "") + " [--years A-B]")
        try:
            low, high = parse_years(opts.years)
            key = check_key(args[1]) if action == "map" else None
        except RuleError as exc:
            raise ConfigError(str(exc)) from None
        award = literal(opts.award)
        category = literal(opts.category) if opts.category and opts.category.strip().lower() != opts.award.strip().lower() else None
        engine = self.database()
        with engine.begin() as conn:
            organization_id, slug = organization(conn, args[0])
            same = (CategoryRule.organization_id == organization_id, CategoryRule.award_pattern == award,
                    CategoryRule.category_pattern.is_(None) if category is None else CategoryRule.category_pattern == category,
                    CategoryRule.year_from.is_(None) if low is None else CategoryRule.year_from == low,
                    CategoryRule.year_to.is_(None) if high is None else CategoryRule.year_to == high)
            conn.execute(delete(CategoryRule).where(*same))
            if action == "unmap":
                still = rule_book(conn, organization_id, slug).match(opts.award, opts.category or opts.award, low or high)
                if still is not None and still.key is not None:  # a packaged rule maps it: say "not canonical"
                    action = "unmap (over the packaged rule)"
            if action != "unmap":
                conn.execute(insert(CategoryRule).values(
                    organization_id=organization_id, award_pattern=award, category_pattern=category,
                    year_from=low, year_to=high, canonical_key=key))
            report = remap(conn, [organization_id])
        target = f"{opts.award} / {opts.category or opts.award}" + (f" [{opts.years}]" if opts.years else "")
        print(f"{slug}: {target} → {key or 'not canonical'}; {report.mapped} of {report.nominations} nominations "
              f"now mapped, {len(report.unmapped)} category names unmapped")
