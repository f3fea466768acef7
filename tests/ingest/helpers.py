"""Helpers for ingest tests: copying real samples and checking that nothing was left behind."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from lunadc.catalog.tables import changes, product_files, products
from lunadc.node import Node
from tests.conftest import SAMPLES


def copy_sample(folder: str, dest: Path) -> Path:
    """A private copy of one real sample folder that a test may corrupt."""
    target = dest / folder
    shutil.copytree(SAMPLES / folder, target)
    return target


def assert_nothing_stored(node: Node) -> None:
    """No product, file row, change event or blob: a rejected ingest leaves no trace."""
    with node.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(products)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(product_files)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(changes)).scalar() == 0
    assert list(node.store.iter_keys()) == []
    tmp = node.store.root / ".tmp"
    assert not tmp.exists() or list(tmp.iterdir()) == []
