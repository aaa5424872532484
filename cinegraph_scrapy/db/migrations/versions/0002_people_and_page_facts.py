"""people and their roles, nominee kinds, title types and TV, ceremony dates, IMDb ids

Adds `people` and `festival_nomination_people`, carries every person of the old
`festival_nominations.people` JSON into them (role `primary` for a nomination without a film, `secondary`
beside a film, as the old rows could not tell; a re-import sets the page's real roles), then drops that
column. Adds nominee_type / imdb_nomination_id / details to nominations, date / location to ceremonies,
imdb_award_id to categories, title_type / tmdb_media_type to movies, and makes TMDb ids unique per media
type (a TV id and a movie id can be the same number).

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}  # names SQLite's unnamed constraints for batch mode


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("imdb_id", sa.String(length=20), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("tmdb_person_id", sa.Integer(), nullable=True),
        sa.Column("tmdb_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("imdb_id", name="uq_people_imdb_id"),
    )
    op.create_table(
        "festival_nomination_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["nomination_id"], ["festival_nominations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("nomination_id", "person_id", "role", name="uq_festival_nomination_people"),
    )
    op.create_index("ix_festival_nomination_people_person_id", "festival_nomination_people", ["person_id"])

    with op.batch_alter_table("festival_ceremonies") as batch:
        batch.add_column(sa.Column("date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("location", sa.Text(), nullable=True))
    with op.batch_alter_table("festival_categories") as batch:
        batch.add_column(sa.Column("imdb_award_id", sa.String(length=20), nullable=True))

    with op.batch_alter_table("movies", naming_convention=NAMING) as batch:
        batch.add_column(sa.Column("title_type", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("tmdb_media_type", sa.String(length=10), nullable=True))
        batch.drop_constraint("movies_tmdb_id_key" if bind.dialect.name == "postgresql" else "uq_movies_tmdb_id",
                              type_="unique")
        batch.create_unique_constraint("uq_movies_tmdb_media_id", ["tmdb_media_type", "tmdb_id"])
    op.execute("UPDATE movies SET tmdb_media_type = 'movie' WHERE tmdb_id IS NOT NULL")

    with op.batch_alter_table("festival_nominations") as batch:
        batch.add_column(sa.Column("nominee_type", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("imdb_nomination_id", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("details", JSON_TYPE, nullable=True))
        batch.create_unique_constraint("uq_festival_nominations_imdb_id", ["ceremony_id", "imdb_nomination_id"])
    op.execute("UPDATE festival_nominations SET nominee_type = CASE WHEN movie_id IS NULL THEN 'person' ELSE 'title' END")

    _carry_people(bind)

    with op.batch_alter_table("festival_nominations") as batch:
        batch.drop_column("people")


def _carry_people(bind) -> None:
    """Old `people` JSON → people rows + festival_nomination_people links; people without an nm id go to
    the nomination's details (`people_without_id`) so that nothing is lost."""
    rows = bind.execute(sa.text("SELECT id, movie_id, people FROM festival_nominations")).all()
    people: dict[str, str | None] = {}
    links: list[dict] = []
    unlinked: list[dict] = []
    for nomination_id, movie_id, raw in rows:
        value = json.loads(raw) if isinstance(raw, str) else raw
        entries = value if isinstance(value, list) else []
        role = "primary" if movie_id is None else "secondary"
        seen: set[str] = set()
        nameless = []
        for position, person in enumerate(entries):
            if not isinstance(person, dict):
                continue
            imdb_id = person.get("imdb_id")
            if not isinstance(imdb_id, str) or not imdb_id.startswith("nm"):
                if person.get("name"):
                    nameless.append({"name": person.get("name")})
                continue
            if imdb_id not in people or (people[imdb_id] is None and person.get("name")):
                people[imdb_id] = person.get("name")
            if imdb_id in seen:
                continue
            seen.add(imdb_id)
            links.append({"nomination_id": nomination_id, "imdb_id": imdb_id, "role": role, "position": position})
        if nameless:
            unlinked.append({"id": nomination_id, "details": {"people_without_id": nameless}})
    people_table = sa.table("people", sa.column("imdb_id", sa.String), sa.column("name", sa.Text))
    if people:
        op.bulk_insert(people_table, [{"imdb_id": k, "name": v} for k, v in sorted(people.items())])
    ids = dict(bind.execute(sa.text("SELECT imdb_id, id FROM people")).all())
    link_table = sa.table("festival_nomination_people", sa.column("nomination_id", sa.Integer),
                          sa.column("person_id", sa.Integer), sa.column("role", sa.String),
                          sa.column("position", sa.Integer))
    if links:
        op.bulk_insert(link_table, [{"nomination_id": l["nomination_id"], "person_id": ids[l["imdb_id"]],
                                     "role": l["role"], "position": l["position"]} for l in links])
    nominations = sa.table("festival_nominations", sa.column("id", sa.Integer), sa.column("details", JSON_TYPE))
    for row in unlinked:
        bind.execute(nominations.update().where(nominations.c.id == row["id"]).values(details=row["details"]))


def downgrade() -> None:
    raise NotImplementedError("0002 carries data forward only; restore a backup to go back")
