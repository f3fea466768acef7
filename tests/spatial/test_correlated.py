"""``footprints.correlated`` rewrites ``products.id IN (SELECT …)`` filters as correlated
``EXISTS`` probes: the same rows for every kind of q filter, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lunadc.catalog.footprints import correlated
from lunadc.catalog.search import LATEST, SearchParams, filter_clause
from lunadc.catalog.tables import products
from lunadc.model.access import ANONYMOUS, Viewer
from lunadc.node import Node
from tests.spatial.world import build_world

NOW = "2026-12-01T00:00:00.000Z"
QUERIES = [
    'instrument eq "PCAM"',
    'instrument ne "PCAM"',
    'instrument eq "PCAM" or instrument eq "LROC"',
    'not (instrument eq "PCAM")',
    '(instrument eq "PCAM" or target eq "Mars") and title like "*"',
    'instrument like "P*"',
]


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("viewer", [ANONYMOUS, Viewer(name="g1-member", groups=frozenset({"g1"}))])
def test_same_rows_as_the_filter_itself(node: Node, q: str, viewer: Viewer) -> None:
    build_world(node)
    with node.engine.connect() as conn:
        where = filter_clause(conn.dialect.name, viewer, NOW, SearchParams(q=q), LATEST)
        rewritten = correlated(where)
        plain = set(conn.execute(select(products.c.id).where(where)).scalars())
        probed = set(conn.execute(select(products.c.id).where(rewritten)).scalars())
    assert probed == plain


def test_term_filters_become_probes(sqlite_node: Node) -> None:
    with sqlite_node.engine.connect() as conn:
        where = filter_clause("sqlite", ANONYMOUS, NOW, SearchParams(q='instrument eq "X"'), LATEST)
        before = str(select(products.c.id).where(where).compile(conn))
        after = str(select(products.c.id).where(correlated(where)).compile(conn))
    assert "products.id IN (SELECT" in before
    assert "products.id IN (SELECT" not in after
    assert "EXISTS (SELECT" in after
