"""The Alembic migrations create exactly the schema that tables.py declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lunadc.catalog.cubes import is_owned_table
from lunadc.catalog.db import is_current
from lunadc.catalog.tables import metadata
from lunadc.node import Node


def test_migrated_schema_matches_declared_tables(node: Node) -> None:
    assert is_current(node.engine)
    with node.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"include_name": lambda name, kind, _parent: not is_owned_table(name or "")},
        )
        diff = compare_metadata(context, metadata)
    assert diff == []
