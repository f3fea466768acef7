"""Versions: a higher VID is a new version and becomes latest; the change feed records it."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from lunadc.catalog import products as catalog
from lunadc.catalog.tables import changes
from lunadc.ingest.pipeline import ingest
from lunadc.node import Node
from tests.ingest.helpers import copy_sample

LID = "urn:nasa:pds:bundle:collection:times_table"


def _version(folder: Path, vid: str) -> Path:
    label = folder / "times_table.xml"
    text = label.read_text(encoding="utf-8")
    label.write_text(
        text.replace("<version_id>1.0</version_id>", f"<version_id>{vid}</version_id>", 1),
        encoding="utf-8",
    )
    return label


def test_higher_version_becomes_latest_and_older_stays(node: Node, tmp_path: Path) -> None:
    v1 = copy_sample("times_table_delimited", tmp_path / "v1")
    v10 = _version(copy_sample("times_table_delimited", tmp_path / "v10"), "1.10")
    v2 = _version(copy_sample("times_table_delimited", tmp_path / "v2"), "1.2")
    assert ingest(node, [v1]).ingested == [f"{LID}::1.0"]
    assert ingest(node, [v10]).ingested == [f"{LID}::1.10"]
    # An older version arriving late is registered but does not take "latest" away.
    assert ingest(node, [v2]).ingested == [f"{LID}::1.2"]
    with node.engine.connect() as conn:
        latest = catalog.get_product(conn, LID, None)
        assert latest is not None and latest.vid == "1.10" and latest.is_latest
        flags = {
            vid: catalog.find_lidvid(conn, f"{LID}::{vid}").is_latest  # type: ignore[union-attr]
            for vid in ("1.0", "1.2", "1.10")
        }
        assert flags == {"1.0": False, "1.2": False, "1.10": True}
        events = conn.execute(select(changes).order_by(changes.c.seq)).mappings().all()
    kinds = [(e["kind"], e["lidvid"]) for e in events]
    assert kinds == [
        ("added", f"{LID}::1.0"),
        ("superseded", f"{LID}::1.0"),
        ("added", f"{LID}::1.10"),
        ("added", f"{LID}::1.2"),
    ]
    assert json.loads(events[1]["payload"]) == {"by": f"{LID}::1.10"}
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
