"""The operator's federation view: every peer with lag, queue, failures and their reasons.

``/federation/status`` shows details to archivists and a summary to anyone; the UI's page
is an operator page, so its view asks for the admin role like the node-status view.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from lunadc.federation import status
from lunadc.node import Node
from lunadc.web.viewer import AdminDep

router = APIRouter(prefix="/ui/api", include_in_schema=False)


@router.get("/federation-status")
def federation_status(request: Request, _admin: AdminDep) -> dict[str, Any]:
    node: Node = request.app.state.node
    federation = getattr(request.app.state, "federation", None)
    identity = federation.identity if federation is not None else None
    report = status.collect(node, probe=True, identity=identity)
    return report.as_dict(details=True)
