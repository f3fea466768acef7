"""Alembic environment: runs against the engine lunadc hands over (never a URL in a file)."""

from __future__ import annotations

from alembic import context

from lunadc.catalog.cubes import is_owned_table
from lunadc.catalog.tables import metadata

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        # SQLite's R*Tree and its shadow tables are made by hand in 0006, not declared
        include_name=lambda name, _kind, _parent: not is_owned_table(name or ""),
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
