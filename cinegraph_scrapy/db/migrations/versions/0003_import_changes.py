"""import_changes: what each import changed against what was stored before

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=10), nullable=False),
        sa.Column("imdb_id", sa.String(length=20), nullable=True),
        sa.Column("award", sa.Text(), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("nominee", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("fields", JSON_TYPE, nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["import_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_import_changes_run_id", "import_changes", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_import_changes_run_id", "import_changes")
    op.drop_table("import_changes")
