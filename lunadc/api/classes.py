"""``/classes``, ``/classes/{class}`` and ``/properties``."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy import Connection
from starlette.responses import Response

from lunadc.api.deps import CacheDep, NodeDep, NowDep, ViewerDep, connected
from lunadc.api.params import ListRequest, allow, list_request
from lunadc.api.products import PRODUCT_RESPONSES, answer_list
from lunadc.catalog.classes import class_names, product_classes_for, property_types
from lunadc.catalog.search import class_scope
from lunadc.errors import NotFoundError

router = APIRouter(tags=["classes"])


@router.get("/classes", dependencies=[Depends(allow())], response_model=list[str])
def classes() -> Response:
    """The product class names (``bundle``, ``collection``, ``observational``, ...)."""
    return Response(json.dumps(class_names()), media_type="application/json")


@router.get("/classes/{class_name}", responses=PRODUCT_RESPONSES)
@connected
def class_list(
    request: Request,
    class_name: Annotated[str, Path(description="e.g. collection, bundle, observational, any")],
    node: NodeDep,
    conn: Connection,
    viewer: ViewerDep,
    now: NowDep,
    cache: CacheDep,
    listing: Annotated[ListRequest, Depends(list_request)],
) -> Response:
    """Latest products of one class, searched like ``/products``."""
    wanted = product_classes_for(class_name)
    if wanted is None:
        raise NotFoundError(
            f"no product class {class_name[:80]!r}; known: any, {', '.join(class_names())}"
        )
    return answer_list(request, node, conn, viewer, now, listing, class_scope(wanted), cache)


@router.get("/properties", dependencies=[Depends(allow())], response_model=list[dict[str, str]])
@connected
def properties(node: NodeDep, conn: Connection, viewer: ViewerDep, now: NowDep) -> Response:
    """Every property name ``q``, ``fields``, ``sort`` and facets can use, with its type."""
    return Response(json.dumps(property_types(conn, viewer, now)), media_type="application/json")
