"""Which festival organizations exist: the seeded ones plus those registered in the database by
`scrapy discover ev… --slug NAME`, by slug (the key prefix)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from cinegraph_scrapy.configs import organizations as seeded_organizations
from cinegraph_scrapy.db.models import FestivalOrganization
from cinegraph_scrapy.db.sqlkit import insert_ignoring_conflicts
from cinegraph_scrapy.errors import ConfigError
from cinegraph_scrapy.ids import EVENT_ID

SLUG = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)*$")


def known_organizations(engine: Engine) -> dict[str, dict[str, Any]]:
    """slug → {slug, name, abbreviation, event_id}: seeds first, database rows added (and never replacing
    a seeded slug)."""
    orgs = dict(seeded_organizations())
    with Session(engine) as session:
        for row in session.scalars(select(FestivalOrganization)):
            if row.slug not in orgs and row.imdb_event_id:
                orgs[row.slug] = {"slug": row.slug, "name": row.name, "abbreviation": row.abbreviation,
                                  "event_id": row.imdb_event_id}
    return orgs


def check_new_organization(orgs: dict[str, dict[str, Any]], event_id: str, slug: str) -> None:
    """Refuse a malformed event id or slug, or one already used for something else (one line)."""
    if not EVENT_ID.match(event_id):
        raise ConfigError(f"{event_id!r} is not an IMDb event id (ev followed by 7 digits)")
    if not SLUG.match(slug) or len(slug) > 40 or re.search(r"_\d", slug):
        raise ConfigError(f"slug {slug!r} must be lower-case letters and digits in words joined by _ "
                          "(e.g. busan), at most 40 characters")
    for org in orgs.values():
        if org["slug"] == slug and org["event_id"] != event_id:
            raise ConfigError(f"slug {slug!r} is already {org['name']} ({org['event_id']})")
        if org["event_id"] == event_id and org["slug"] != slug:
            raise ConfigError(f"{event_id} is already registered as {org['slug']!r}")


def register_organization(engine: Engine, *, slug: str, name: str, event_id: str) -> dict[str, Any]:
    """Add an organization found by its event id (idempotent)."""
    with engine.begin() as conn:
        insert_ignoring_conflicts(conn, FestivalOrganization, [
            {"slug": slug, "name": name, "abbreviation": None, "imdb_event_id": event_id}])
    return {"slug": slug, "name": name, "abbreviation": None, "event_id": event_id}
