"""page_fingerprints: what the last successful write of each edition or list page stored, so that a
re-import of an unchanged page writes nothing but last_seen_at and the run bookkeeping

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "page_fingerprints",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["list_id"], ["movie_lists.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("list_id", "page"),
    )


def downgrade() -> None:
    op.drop_table("page_fingerprints")
