"""JSON and image views only the UI needs: who am I, a product's quicklook and access,
node and federation status.

Each asks the same viewer dependency and visibility check as the PDS API; a product the
viewer may not see is a 404, exactly as on ``/products``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response

from lunadc.catalog.records import ProductRow
from lunadc.catalog.replicas import replica_state
from lunadc.catalog.search import get_visible
from lunadc.errors import InvalidIdentifierError
from lunadc.model.access import Viewer
from lunadc.model.identifiers import parse_identifier
from lunadc.model.times import format_time
from lunadc.node import Node
from lunadc.processing.quicklook import quicklook_for
from lunadc.web.opstatus import node_status
from lunadc.web.viewer import AdminDep, ViewerDep

router = APIRouter(prefix="/ui/api", include_in_schema=False)


def _node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


@router.get("/whoami")
def whoami(viewer: ViewerDep) -> dict[str, Any]:
    """The signed-in user as the node sees them (the sign-in page checks a token with it)."""
    return {
        "name": viewer.name,
        "role": viewer.role.value,
        "partner": viewer.partner,
        "groups": sorted(viewer.groups),
        "anonymous": viewer.is_anonymous,
    }


def _visible(node: Node, viewer: Viewer, identifier: str) -> ProductRow:
    """The product the viewer may see, else 404 (as ``/products/{id}`` answers)."""
    try:
        lid, vid = parse_identifier(identifier)
    except InvalidIdentifierError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    with node.engine.connect() as conn:
        row = get_visible(conn, viewer, format_time(node.clock()), lid, vid)
    if row is None:
        raise HTTPException(status_code=404, detail="no such product")
    return row


@router.get("/product-info/{identifier}")
def product_info(request: Request, identifier: str, viewer: ViewerDep) -> dict[str, Any]:
    """What the product page shows beside the PDS API's fields: access and where it lives."""
    node = _node(request)
    row = _visible(node, viewer, identifier)
    with node.engine.connect() as conn:
        replica = replica_state(conn, row.lidvid)
    return {
        "lidvid": row.lidvid,
        "access": row.access,
        "release_at": row.release_at,
        "home_node": row.home_node,
        "this_node": node.node_id,
        # This node's copy of a product homed elsewhere, and how far its replication got.
        "replica_state": replica.state if replica is not None else None,
    }


@router.get("/quicklook/{identifier}")
def quicklook(request: Request, identifier: str, viewer: ViewerDep) -> Response:
    node = _node(request)
    row = _visible(node, viewer, identifier)
    png = quicklook_for(node, row)
    if png is None:
        raise HTTPException(status_code=404, detail="this product has nothing to draw")
    return Response(
        png,
        media_type="image/png",
        headers={"Cache-Control": "private, max-age=86400", "Vary": "Authorization"},
    )


@router.get("/node-status")
def status(request: Request, _admin: AdminDep) -> dict[str, Any]:
    return node_status(_node(request))
