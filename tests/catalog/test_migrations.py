"""The Alembic migrations create exactly the schema that tables.py declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lunadc.catalog.db import is_current
from lunadc.catalog.tables import metadata
from lunadc.node import Node


def test_migrated_schema_matches_declared_tables(node: Node) -> None:
    assert is_current(node.engine)
    with node.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
