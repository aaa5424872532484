"""Canonical keys stored on the rows: every nomination gets the key of its category in its ceremony's year,
every category the key it has in all its years (or none when that changes with the year). Run after each
import for the organizations it touched, when an operator maps or unmaps, and by the migration that
introduced the columns; so a question ("every top_prize winner") is a plain query on stored rows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Connection, bindparam, func, or_, select, update

from cinegraph_scrapy.canonical.rules import OPERATOR, Rule, RuleBook
from cinegraph_scrapy.db.models import (CategoryRule, FestivalCategory, FestivalCeremony, FestivalNomination,
                                        FestivalOrganization)

BY_YEAR = "by year"


@dataclass
class MapReport:
    categories: int = 0
    nominations: int = 0
    mapped: int = 0  # nominations with a key
    unmapped: set[tuple[str, str]] = field(default_factory=set)  # (award, category) names no rule maps
    # (organization slug, year) → the names no rule maps in that year's nominations
    unmapped_by_year: dict[tuple[str, int], set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))

    @property
    def coverage(self) -> float | None:
        return self.mapped / self.nominations if self.nominations else None


def operator_rules(conn: Connection, organization_id: int) -> list[Rule]:
    """The operator's rules of an organization, newest first (a later `map` wins over an earlier one)."""
    rows = conn.execute(select(CategoryRule.award_pattern, CategoryRule.category_pattern, CategoryRule.canonical_key,
               CategoryRule.year_from, CategoryRule.year_to)
        .where(CategoryRule.organization_id == organization_id).order_by(CategoryRule.id.desc()))
    return [Rule(award, category, key, low, high, OPERATOR) for award, category, key, low, high in rows]


def rule_book(conn: Connection, organization_id: int, slug: str) -> RuleBook:
    return RuleBook.for_organization(slug, operator_rules(conn, organization_id))


def literal(name: str) -> str:
    """An operator's name as a pattern that matches that name only (names hold parentheses and dots)."""
    return re.escape(name.strip())


def _organizations(conn: Connection, organization_ids: list[int] | None) -> list[tuple[int, str]]:
    stmt = select(FestivalOrganization.id, FestivalOrganization.slug).order_by(FestivalOrganization.id)
    if organization_ids is not None:
        stmt = stmt.where(FestivalOrganization.id.in_(sorted(set(organization_ids))))
    return [tuple(row) for row in conn.execute(stmt)]


def _category_years(conn: Connection, organization_id: int):
    """(category id, award, name, year, nominations) for every category and year it appears in."""
    nominations = FestivalNomination.__table__
    ceremonies = FestivalCeremony.__table__
    categories = FestivalCategory.__table__
    joined = categories.outerjoin(nominations, nominations.c.category_id == categories.c.id).outerjoin(
        ceremonies, ceremonies.c.id == nominations.c.ceremony_id)
    stmt = (select(categories.c.id, categories.c.award_name, categories.c.name, ceremonies.c.year,
                   func.count(nominations.c.id))
            .select_from(joined).where(categories.c.organization_id == organization_id)
            .group_by(categories.c.id, categories.c.award_name, categories.c.name, ceremonies.c.year)
            .order_by(categories.c.id, ceremonies.c.year))
    return conn.execute(stmt).all()


def remap(conn: Connection, organization_ids: list[int] | None = None) -> MapReport:
    """Store the canonical keys of these organizations' categories and nominations (all when None)."""
    report = MapReport()
    for organization_id, slug in _organizations(conn, organization_ids):
        _remap_organization(conn, organization_id, slug, rule_book(conn, organization_id, slug), report)
    return report


def _remap_organization(conn: Connection, organization_id: int, slug: str, book: RuleBook,
                        report: MapReport) -> None:
    per_category: dict[int, list[tuple[int | None, Rule | None]]] = defaultdict(list)
    year_keys = []
    for category_id, award, name, year, count in _category_years(conn, organization_id):
        rule = book.match(award, name, year)
        per_category[category_id].append((year, rule))
        report.nominations += count
        if rule is not None and rule.key is not None:
            report.mapped += count
        elif count:
            report.unmapped.add((award, name))
            report.unmapped_by_year[(slug, year)].add((award, name))
        if year is not None:
            year_keys.append({"b_category": category_id, "b_year": year, "b_key": rule.key if rule else None})
    report.categories += len(per_category)
    category_rows = []
    for category_id, seen in per_category.items():
        keys = {rule.key if rule else None for _, rule in seen}
        sources = {rule.source for _, rule in seen if rule is not None and rule.key is not None}
        if len(keys) == 1:
            key = next(iter(keys))
            source = next(iter(sources)) if key is not None and len(sources) == 1 else (None if key is None else "mixed")
        else:
            key, source = None, BY_YEAR
        category_rows.append({"b_id": category_id, "b_key": key, "b_source": source})
    _write(conn, organization_id, category_rows, year_keys)


def _write(conn: Connection, organization_id: int, category_rows: list[dict], year_keys: list[dict]) -> None:
    categories = FestivalCategory.__table__
    nominations = FestivalNomination.__table__
    ceremonies = FestivalCeremony.__table__
    # Only rows whose key changes are written (and locked): an import of an organization whose categories
    # are all mapped already costs two reads, not a rewrite of its whole history.
    if category_rows:
        conn.execute(update(categories).where(
            categories.c.id == bindparam("b_id"),
            or_(categories.c.canonical_key.is_distinct_from(bindparam("b_key")),
                categories.c.canonical_source.is_distinct_from(bindparam("b_source"))))
            .values(canonical_key=bindparam("b_key"), canonical_source=bindparam("b_source")), category_rows)
    if year_keys:
        in_year = select(ceremonies.c.id).where(ceremonies.c.organization_id == organization_id,
                                                ceremonies.c.year == bindparam("b_year"))
        conn.execute(update(nominations).where(nominations.c.category_id == bindparam("b_category"),
                                               nominations.c.ceremony_id.in_(in_year),
                                               nominations.c.canonical_key.is_distinct_from(bindparam("b_key")))
                     .values(canonical_key=bindparam("b_key")), year_keys)


def map_imported(engine, slugs: set[str]) -> MapReport:
    """After an import: map the categories of the organizations it wrote (one transaction)."""
    with engine.begin() as conn:
        ids = [row[0] for row in conn.execute(select(FestivalOrganization.id)
                                              .where(FestivalOrganization.slug.in_(sorted(slugs))))]
        return remap(conn, ids) if ids else MapReport()
