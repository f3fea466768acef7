"""The node's HTTP application: ``create_app(node)`` assembles the routers."""

from __future__ import annotations

from fastapi import FastAPI

from lunadc import __version__
from lunadc.access.ratelimit import FailureLimiter
from lunadc.api import archive, classes, coverage, files, health, problems, products
from lunadc.api.security import install_security
from lunadc.api.sharedstate import SharedFailureLimiter, SharedNonces, SharedStateFile
from lunadc.catalog.search_cache import SearchCache
from lunadc.federation.http import include_federation
from lunadc.node import Node
from lunadc.web import include_web

DESCRIPTION = """A lunadc node: the PDS Search API 1.x (products, classes, properties, members
walks, q language, search-after paging, facets, keyword search), file downloads with Range
support and archives of bundles and collections. Errors are ``application/problem+json``."""


def create_app(
    node: Node,
    *,
    cache: SearchCache | None = None,
    shared: SharedStateFile | None = None,
    sync_loop: bool = True,
) -> FastAPI:
    """The FastAPI app serving ``node`` (which the caller opens and closes).

    ``shared``: the state file the worker processes of one server share (nonces of signed
    peer requests, failed sign-ins); without it that state lives in this process.
    ``sync_loop``: whether this app runs the background sync with peers (one worker does).
    """
    app = FastAPI(
        title=f"lunadc node {node.node_id}",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.node = node
    app.state.search_cache = cache if cache is not None else SearchCache()
    problems.install(app)
    limiter = SharedFailureLimiter(shared) if shared is not None else FailureLimiter()
    install_security(app, cors_origins=cors_origins(node), limiter=limiter)
    for module in (health, products, classes, files, archive, coverage):
        app.include_router(module.router)
    # Peering, change feed, replication and federated search; the sync loop runs with
    # the app's lifespan every ``sync_interval_s`` (lunadc.toml; 0 turns it off).
    include_federation(
        app,
        node,
        sync_loop=sync_loop,
        nonces=SharedNonces(shared) if shared is not None else None,
    )
    # The browser UI last, so that no page route can shadow an API route.
    include_web(app, node)
    return app


def cors_origins(node: Node) -> tuple[str, ...]:
    """CORS is off unless the operator lists origins (``[http] cors_origins`` in lunadc.toml)."""
    http = node.config.extra.get("http", {})
    origins = http.get("cors_origins", []) if isinstance(http, dict) else []
    return tuple(str(o) for o in origins)
