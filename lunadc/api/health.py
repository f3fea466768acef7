"""``/health``: the node answers and its catalog can be read."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import Response

from lunadc.api.deps import NodeDep
from lunadc.api.params import allow

router = APIRouter(tags=["health"])


@router.get("/health", dependencies=[Depends(allow())], response_model=dict[str, str])
def health(node: NodeDep) -> Response:
    """200 when the catalog answers, 503 when it does not (a real check, not just "up")."""
    try:  # the connection is opened here, not by ``connected``: failing to open is a 503
        with node.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        ok = True
    except SQLAlchemyError:
        ok = False
    body = {"status": "ok" if ok else "catalog unavailable", "node": node.node_id}
    return Response(json.dumps(body), status_code=200 if ok else 503, media_type="application/json")
