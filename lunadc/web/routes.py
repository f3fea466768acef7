"""Wiring: ``include_web(app, node)`` adds the UI pages, its JSON views and static assets."""

from __future__ import annotations

from fastapi import FastAPI

from lunadc.node import Node
from lunadc.web import fedview, pages, staticfiles, uiapi


def include_web(app: FastAPI, node: Node) -> None:
    """Serve the browser UI from ``app`` (which must hold ``node`` in ``app.state.node``)."""
    if getattr(app.state, "node", None) is None:
        app.state.node = node
    app.include_router(uiapi.router)
    app.include_router(fedview.router)
    app.include_router(staticfiles.router)
    app.include_router(pages.router)
