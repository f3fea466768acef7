"""SQLite's R*Tree of footprint cubes stays in step with the footprints: written with them,
gone with them (a product's removal cascades), and made for existing ones by migration 0006."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from lunadc.catalog.cubes import body_code
from lunadc.catalog.db import _alembic_config, begin_write, upgrade
from lunadc.node import Node
from tests.spatial.world import LID, build_world


def _cubes(node: Node) -> dict[int, tuple[float, ...]]:
    with node.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM footprint_cubes ORDER BY id")).all()
    return {int(r[0]): tuple(r[1:]) for r in rows}


def _footprint_ids(node: Node) -> set[int]:
    with node.engine.connect() as conn:
        return set(conn.execute(text("SELECT product_id FROM footprints")).scalars())


def test_cubes_follow_footprints(sqlite_node: Node) -> None:
    node = sqlite_node
    build_world(node)
    cubes = _cubes(node)
    assert set(cubes) == _footprint_ids(node) and len(cubes) >= 9
    with node.engine.connect() as conn:
        moon = conn.execute(
            text("SELECT product_id FROM footprints WHERE body = 'Moon' LIMIT 1")
        ).scalar_one()
    assert cubes[moon][6:] == (body_code("Moon"), body_code("Moon") + 0.5)
    with begin_write(node.engine) as conn:
        gone = conn.execute(
            text("SELECT id FROM products WHERE lid = :lid"), {"lid": f"{LID}:ce4_lander"}
        ).scalar_one()
        conn.execute(text("DELETE FROM products WHERE id = :id"), {"id": gone})
    after = _cubes(node)
    assert gone not in after and set(after) == _footprint_ids(node)


def test_migration_makes_cubes_for_existing_footprints(sqlite_node: Node) -> None:
    node = sqlite_node
    build_world(node)
    before = _cubes(node)
    command.downgrade(_alembic_config(node.engine), "0005")
    with node.engine.connect() as conn:
        assert not conn.execute(
            text("SELECT name FROM sqlite_master WHERE name = 'footprint_cubes'")
        ).all()
    upgrade(node.engine)
    assert _cubes(node) == before
