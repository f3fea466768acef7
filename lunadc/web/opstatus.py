"""What the operator's node-status page shows: catalog size, storage used, ingest history."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from lunadc.catalog.opstatus import recent_ingest_runs
from lunadc.catalog.products import counts
from lunadc.node import Node

HISTORY = 20


def node_status(node: Node) -> dict[str, Any]:
    with node.engine.connect() as conn:
        catalog = counts(conn)
        history = [asdict(run) for run in recent_ingest_runs(conn, HISTORY)]
    return {
        "node_id": node.node_id,
        "name": node.config.name,
        "catalog": catalog,
        "storage": {"used_bytes": node.store.used_bytes(), "location": "local"},
        "ingest_history": history,
    }
