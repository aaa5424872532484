"""The schema: typed SQLAlchemy 2 models. Alembic migrations in db/migrations mirror this module."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from cinegraph_scrapy.db.types import LenientJson

# JSONB on PostgreSQL, JSON (text) elsewhere.
JsonType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    pass


class MovieList(Base):
    """One import configuration: an IMDb list or one IMDb event edition."""

    __tablename__ = "movie_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(Text)
    source_type: Mapped[str] = mapped_column(String(20))  # imdb | imdb_event
    source_url: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str] = mapped_column(String(20))  # ls… | ev…
    category: Mapped[str | None] = mapped_column(String(50))
    tracks_awards: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Lenient: a hand-edited SQLite row whose metadata is not JSON is reported, not a crash.
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", LenientJson, default=dict)
    # Seeded rows remember what the seed wrote so that re-seeding can tell operator edits apart.
    seed_hash: Mapped[str | None] = mapped_column(String(64))
    last_import_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_import_status: Mapped[str | None] = mapped_column(String(20))
    last_movie_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Movie(Base):
    """A title (film, short, TV series…: `title_type` is IMDb's titleType.id). TMDb ids are unique per
    media type: a TV id and a movie id can be the same number."""

    __tablename__ = "movies"
    __table_args__ = (UniqueConstraint("tmdb_media_type", "tmdb_id", name="uq_movies_tmdb_media_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    imdb_id: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    original_title: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    title_type: Mapped[str | None] = mapped_column(String(20))
    tmdb_id: Mapped[int | None] = mapped_column(Integer)
    tmdb_media_type: Mapped[str | None] = mapped_column(String(10))  # movie | tv
    tmdb_status: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending")
    tmdb_fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    tmdb_title: Mapped[str | None] = mapped_column(Text)
    tmdb_original_title: Mapped[str | None] = mapped_column(Text)
    release_date: Mapped[date | None] = mapped_column(Date)
    runtime: Mapped[int | None] = mapped_column(Integer)
    overview: Mapped[str | None] = mapped_column(Text)
    poster_path: Mapped[str | None] = mapped_column(Text)
    popularity: Mapped[float | None] = mapped_column(Float)
    vote_average: Mapped[float | None] = mapped_column(Float)
    vote_count: Mapped[int | None] = mapped_column(Integer)
    genres: Mapped[list[str] | None] = mapped_column(JsonType)
    tmdb_data: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CanonicalSource(Base):
    """A film's place on a list, with the list author's note (and awards parsed from it)."""

    __tablename__ = "canonical_sources"
    __table_args__ = (UniqueConstraint("movie_id", "list_id", name="uq_canonical_sources_movie_list"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    movie_id: Mapped[int] = mapped_column(ForeignKey("movies.id", ondelete="CASCADE"))
    list_id: Mapped[int] = mapped_column(ForeignKey("movie_lists.id", ondelete="CASCADE"), index=True)
    position: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    award_name: Mapped[str | None] = mapped_column(Text)
    award_year: Mapped[int | None] = mapped_column(Integer)
    award_won: Mapped[bool | None] = mapped_column(Boolean)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ImportRun(Base):
    """One row per imported configuration per crawl."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("movie_lists.id", ondelete="CASCADE"), index=True)
    spider: Mapped[str] = mapped_column(String(50))
    job_id: Mapped[str | None] = mapped_column(String(100))
    pid: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))  # running|success|partial|failed|interrupted
    pages: Mapped[int] = mapped_column(Integer, default=0)
    items_scraped: Mapped[int] = mapped_column(Integer, default=0)
    items_stored: Mapped[int] = mapped_column(Integer, default=0)
    items_dropped: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    stats: Mapped[dict[str, Any] | None] = mapped_column(JsonType)


class ImportChange(Base):
    """What one import changed against what was stored before: a nomination or list entry `added`, `gone`
    (stored before, no longer on the page) or `changed` (`fields`: name → [old, new])."""

    __tablename__ = "import_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id", ondelete="CASCADE"), index=True)
    change: Mapped[str] = mapped_column(String(10))  # added | gone | changed
    imdb_id: Mapped[str | None] = mapped_column(String(20))  # the title; NULL for a person-only nomination
    award: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(Text)
    nominee: Mapped[str | None] = mapped_column(Text)  # the people, for a person-only nomination
    position: Mapped[int | None] = mapped_column(Integer)  # lists
    fields: Mapped[dict[str, Any] | None] = mapped_column(JsonType)


class PageFingerprint(Base):
    """A digest of the parsed rows the last successful write of a config's page stored: a re-import of
    the same content writes nothing but `last_seen_at` and the run bookkeeping."""

    __tablename__ = "page_fingerprints"

    list_id: Mapped[int] = mapped_column(ForeignKey("movie_lists.id", ondelete="CASCADE"), primary_key=True)
    page: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ImportLock(Base):
    """One running import per key (SQLite; PostgreSQL uses advisory locks plus this row for reporting)."""

    __tablename__ = "import_locks"

    source_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    run_id: Mapped[int | None] = mapped_column(Integer)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FestivalOrganization(Base):
    __tablename__ = "festival_organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(50), unique=True)  # the key prefix: venice, oscars…
    name: Mapped[str] = mapped_column(Text)
    abbreviation: Mapped[str | None] = mapped_column(String(20))
    imdb_event_id: Mapped[str | None] = mapped_column(String(20), unique=True)


class Person(Base):
    """A person named on an event page (nm…), once, whatever the roles."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    imdb_id: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    tmdb_person_id: Mapped[int | None] = mapped_column(Integer)
    tmdb_checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # TMDB_PEOPLE lookups
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FestivalNominationPerson(Base):
    """A person on a nomination: `primary` is the nominee (acting, directing), `secondary` is named with a
    nominated title (the producers of Best Picture); `position` is the order on the page."""

    __tablename__ = "festival_nomination_people"
    __table_args__ = (UniqueConstraint("nomination_id", "person_id", "role", name="uq_festival_nomination_people"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("festival_nominations.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer)


class FestivalCeremony(Base):
    __tablename__ = "festival_ceremonies"
    __table_args__ = (
        UniqueConstraint("organization_id", "year", "instance", name="uq_festival_ceremonies_edition"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("festival_organizations.id", ondelete="CASCADE"))
    list_id: Mapped[int | None] = mapped_column(ForeignKey("movie_lists.id", ondelete="SET NULL"))
    year: Mapped[int] = mapped_column(Integer)
    instance: Mapped[int] = mapped_column(Integer, default=1)
    name: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    imdb_edition_id: Mapped[str | None] = mapped_column(String(40))
    date: Mapped[date | None] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(Text)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FestivalCategory(Base):
    __tablename__ = "festival_categories"
    __table_args__ = (
        UniqueConstraint("organization_id", "award_name", "name", name="uq_festival_categories_award_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("festival_organizations.id", ondelete="CASCADE"))
    award_name: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    imdb_award_id: Mapped[str | None] = mapped_column(String(20))  # aw…
    # The canonical key (canonical/rules.py) when it is the same in every year the category appears, and
    # where it came from: packaged | operator; NULL: unmapped, or "by year" when the key changes with the year.
    canonical_key: Mapped[str | None] = mapped_column(String(50))
    canonical_source: Mapped[str | None] = mapped_column(String(20))


class FestivalNomination(Base):
    __tablename__ = "festival_nominations"
    __table_args__ = (
        UniqueConstraint("ceremony_id", "category_id", "nominee_key", name="uq_festival_nominations_natural"),
        UniqueConstraint("ceremony_id", "imdb_nomination_id", name="uq_festival_nominations_imdb_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ceremony_id: Mapped[int] = mapped_column(ForeignKey("festival_ceremonies.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("festival_categories.id", ondelete="CASCADE"), index=True)
    movie_id: Mapped[int | None] = mapped_column(ForeignKey("movies.id", ondelete="SET NULL"), index=True)
    # film id + sorted person ids: the natural key, so that NULL films still deduplicate.
    nominee_key: Mapped[str] = mapped_column(Text)
    award_name: Mapped[str] = mapped_column(Text)
    won: Mapped[bool] = mapped_column(Boolean, default=False)
    nominee_type: Mapped[str | None] = mapped_column(String(10))  # title | person
    imdb_nomination_id: Mapped[str | None] = mapped_column(String(20))  # an… (legacy pages)
    # What else the page says: songs, characters, episodes, companies (only keys the page has).
    details: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    notes: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The canonical key of its category in its ceremony's year (a category's meaning can change with the
    # years: Cannes' "Grand Prize of the Festival" is the top prize until 1954, the second prize since).
    canonical_key: Mapped[str | None] = mapped_column(String(50), index=True)


class CategoryRule(Base):
    """An operator's canonical-category rule (`scrapy categories map|unmap`): tried before the packaged
    rules of its organization, newest first. Patterns are regular expressions (the command escapes names);
    a NULL category matches a single-category award; a NULL key means "not canonical"."""

    __tablename__ = "category_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("festival_organizations.id", ondelete="CASCADE"),
                                                 index=True)
    award_pattern: Mapped[str] = mapped_column(Text)
    category_pattern: Mapped[str | None] = mapped_column(Text)
    year_from: Mapped[int | None] = mapped_column(Integer)
    year_to: Mapped[int | None] = mapped_column(Integer)
    canonical_key: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
