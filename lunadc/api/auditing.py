"""Recording downloads in the audit trail: who fetched what, when, and from where."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from lunadc.api.security import client_of
from lunadc.catalog import audit
from lunadc.catalog.db import begin_write
from lunadc.model.access import Viewer
from lunadc.node import Node


def actor_of(viewer: Viewer) -> str | None:
    if viewer.peer_node is not None:
        return f"peer:{viewer.peer_node}"
    return viewer.name


def record_download(
    node: Node,
    viewer: Viewer,
    request: Request,
    *,
    lidvid: str,
    target: str,
    now: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """One audit row per download, written before the first byte is sent."""
    with begin_write(node.engine) as conn:
        audit.record(
            conn,
            at=now,
            actor=actor_of(viewer),
            action="download",
            lidvid=lidvid,
            target=target,
            client=client_of(request),
            detail=detail,
        )
