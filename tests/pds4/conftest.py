"""Fixtures for the pds4 tests: one schema catalog for the whole session (compiles are cached)."""

from __future__ import annotations

import pytest

from lunadc.pds4.schemas import SchemaCatalog
from tests.pds4.helpers import CATALOG


@pytest.fixture(scope="session")
def catalog() -> SchemaCatalog:
    if not CATALOG.is_dir():
        pytest.skip(f"schema catalog not found at {CATALOG}")
    return SchemaCatalog(CATALOG)
