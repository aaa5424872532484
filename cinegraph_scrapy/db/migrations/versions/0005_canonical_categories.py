"""canonical categories: festival_categories.canonical_key / canonical_source, festival_nominations.canonical_key
(the key of its category in its ceremony's year), category_rules (operator rules); what is already stored
is mapped with the packaged rules

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("festival_categories") as batch:
        batch.add_column(sa.Column("canonical_key", sa.String(length=50), nullable=True))
        batch.add_column(sa.Column("canonical_source", sa.String(length=20), nullable=True))
    with op.batch_alter_table("festival_nominations") as batch:
        batch.add_column(sa.Column("canonical_key", sa.String(length=50), nullable=True))
        batch.create_index("ix_festival_nominations_canonical_key", ["canonical_key"])
    op.create_table(
        "category_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("award_pattern", sa.Text(), nullable=False),
        sa.Column("category_pattern", sa.Text(), nullable=True),
        sa.Column("year_from", sa.Integer(), nullable=True),
        sa.Column("year_to", sa.Integer(), nullable=True),
        sa.Column("canonical_key", sa.String(length=50), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["festival_organizations.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_category_rules_organization_id", "category_rules", ["organization_id"])
    # Map what is already stored (packaged rules; there are no operator rules yet).
    from cinegraph_scrapy.canonical.mapping import remap

    remap(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_category_rules_organization_id", table_name="category_rules")
    op.drop_table("category_rules")
    with op.batch_alter_table("festival_nominations") as batch:
        batch.drop_index("ix_festival_nominations_canonical_key")
        batch.drop_column("canonical_key")
    with op.batch_alter_table("festival_categories") as batch:
        batch.drop_column("canonical_source")
        batch.drop_column("canonical_key")
