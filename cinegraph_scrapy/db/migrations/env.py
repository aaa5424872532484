"""Alembic environment: the connection is handed in by cinegraph_scrapy.db.schema (no alembic.ini)."""

from alembic import context

from cinegraph_scrapy.db.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
