"""Reads of the stored canonical keys, for `scrapy categories`, `scrapy winners` and the report: plain queries
on festival_nominations.canonical_key (nothing is computed per query but the display of a rule's source)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, select

from cinegraph_scrapy.canonical.mapping import rule_book
from cinegraph_scrapy.canonical.rules import vocabulary
from cinegraph_scrapy.db.models import (CategoryRule, FestivalCategory, FestivalCeremony, FestivalNomination,
                                        FestivalNominationPerson, FestivalOrganization, Movie, Person)
from cinegraph_scrapy.errors import ConfigError

N, C, CE, O = FestivalNomination, FestivalCategory, FestivalCeremony, FestivalOrganization


def organization(conn: Connection, slug: str) -> tuple[int, str]:
    row = conn.execute(select(O.id, O.slug).where(O.slug == slug)).first()
    if row is None:
        known = ", ".join(conn.execute(select(O.slug).order_by(O.slug)).scalars())
        raise ConfigError(f"unknown organization {slug!r} (known: {known})")
    return row[0], row[1]


def known_keys(conn: Connection) -> set[str]:
    """The vocabulary, the keys operators mapped to, and any key stored."""
    stored = conn.execute(select(N.canonical_key).where(N.canonical_key.is_not(None)).distinct()).scalars()
    operator = conn.execute(select(CategoryRule.canonical_key).where(CategoryRule.canonical_key.is_not(None))
                            .distinct()).scalars()
    return set(vocabulary()) | set(stored) | set(operator)


def check_known_key(conn: Connection, key: str) -> None:
    if key not in known_keys(conn):
        raise ConfigError(f"unknown canonical key {key!r} (vocabulary: {', '.join(sorted(vocabulary()))}; "
                          "or map a category to a key of your own with `scrapy categories map`)")


def category_listing(conn: Connection, slug: str, *, unmapped_only: bool = False) -> list[dict[str, Any]]:
    """Each raw award / category, split where its key changes with the years: first and last year,
    nominations, canonical key and the source of the rule that gave it."""
    organization_id, slug = organization(conn, slug)
    book = rule_book(conn, organization_id, slug)
    stmt = (select(C.award_name, C.name, N.canonical_key, func.min(CE.year), func.max(CE.year), func.count(N.id))
            .join(N, N.category_id == C.id).join(CE, CE.id == N.ceremony_id)
            .where(C.organization_id == organization_id)
            .group_by(C.id, C.award_name, C.name, N.canonical_key)
            .order_by(func.min(CE.year), C.award_name, C.name))
    listing = []
    for award, category, key, first, last, count in conn.execute(stmt):
        if unmapped_only and key is not None:
            continue
        rule = book.match(award, category, first)
        listing.append({"award": award, "category": category, "first_year": first, "last_year": last,
                        "nominations": count, "canonical": key, "source": rule.source if rule else None})
    return listing


@dataclass(frozen=True)
class Years:
    first: int | None = None
    last: int | None = None


def winners(conn: Connection, slug: str | None, key: str, years: Years = Years()) -> list[dict[str, Any]]:
    """One entry per winning film (imdb_id None for a person-only honour), by organization and edition."""
    stmt = (select(N.id, O.slug, CE.year, CE.instance, C.award_name, C.name, Movie.imdb_id, Movie.title)
            .join(CE, CE.id == N.ceremony_id).join(C, C.id == N.category_id).join(O, O.id == CE.organization_id)
            .outerjoin(Movie, Movie.id == N.movie_id)
            .where(N.won.is_(True), N.canonical_key == key)
            .order_by(O.slug, CE.year, CE.instance, C.award_name, C.name, N.id))
    if slug is not None:
        stmt = stmt.where(O.slug == slug)
    if years.first is not None:
        stmt = stmt.where(CE.year >= years.first)
    if years.last is not None:
        stmt = stmt.where(CE.year <= years.last)
    rows = conn.execute(stmt).all()
    people = _people(conn, [row[0] for row in rows])
    return [{"organization": org, "year": year, "instance": instance, "award": award, "category": category,
             "imdb_id": imdb_id, "title": title, "people": people.get(nomination_id, [])}
            for nomination_id, org, year, instance, award, category, imdb_id, title in rows]


def _people(conn: Connection, nomination_ids: list[int]) -> dict[int, list[dict[str, str | None]]]:
    found: dict[int, list[dict[str, str | None]]] = {}
    for start in range(0, len(nomination_ids), 1000):
        chunk = nomination_ids[start:start + 1000]
        stmt = (select(FestivalNominationPerson.nomination_id, Person.imdb_id, Person.name)
                .join(Person, Person.id == FestivalNominationPerson.person_id)
                .where(FestivalNominationPerson.nomination_id.in_(chunk))
                .order_by(FestivalNominationPerson.nomination_id, FestivalNominationPerson.position))
        for nomination_id, imdb_id, name in conn.execute(stmt):
            found.setdefault(nomination_id, []).append({"imdb_id": imdb_id, "name": name})
    return found


def coverage_by_organization(conn: Connection) -> dict[str, tuple[int, int]]:
    """Organization slug → (nominations with a canonical key, nominations)."""
    stmt = (select(O.slug, func.count(N.canonical_key), func.count(N.id))
            .join(CE, CE.organization_id == O.id).join(N, and_(N.ceremony_id == CE.id))
            .group_by(O.slug))
    return {slug: (mapped, total) for slug, mapped, total in conn.execute(stmt)}
