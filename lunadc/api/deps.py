"""FastAPI dependencies: the node, the viewer (who is asking), the clock, a DB connection.

``get_viewer`` is THE place that decides who a request speaks for (see ``security``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection

from lunadc.api.security import viewer_for_request
from lunadc.catalog.search_cache import SearchCache
from lunadc.model.access import Viewer
from lunadc.model.times import format_time
from lunadc.node import Node


async def get_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


async def get_cache(request: Request) -> SearchCache:
    cache: SearchCache = request.app.state.search_cache
    return cache


async def get_viewer(request: Request) -> Viewer:
    """Who the request speaks for: a Bearer token's user, or anonymous without one.

    Cached on the request, so that several dependencies asking cost one authentication.
    """
    cached = getattr(request.state, "viewer", None)
    if isinstance(cached, Viewer):
        return cached
    viewer = await viewer_for_request(request)
    request.state.viewer = viewer
    return viewer


async def get_now(node: Annotated[Node, Depends(get_node)]) -> str:
    """The request's moment in the stored time format (visibility depends on it)."""
    return format_time(node.clock())


# Cheap, I/O-free dependencies are ``async`` so they run inline on the event loop instead of
# costing a thread hop each; the connection is sync (it may wait on the pool).
def get_conn(node: Annotated[Node, Depends(get_node)]) -> Iterator[Connection]:
    with node.engine.connect() as conn:
        yield conn


NodeDep = Annotated[Node, Depends(get_node)]
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
NowDep = Annotated[str, Depends(get_now)]
ConnDep = Annotated[Connection, Depends(get_conn)]
CacheDep = Annotated[SearchCache, Depends(get_cache)]
