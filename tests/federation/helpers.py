"""Nodes, peering and in-process apps for the federation tests."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lunadc.api.app import create_app
from lunadc.catalog import federation as fed
from lunadc.catalog.db import begin_write
from lunadc.catalog.federation import PeerRow
from lunadc.federation.http import include_federation
from lunadc.federation.identity import key_id, load_identity
from lunadc.model.times import format_time
from lunadc.node import Node


def app_for(node: Node) -> FastAPI:
    app = create_app(node)
    include_federation(app, node, sync_loop=False)
    return app


def url_of(node: Node) -> str:
    return f"http://{node.node_id}.test"


def peer(a: Node, b: Node, *, url: str | None = None, grants: tuple[str, ...] = ()) -> None:
    """Make ``a`` trust ``b``."""
    identity = load_identity(b.config.root, b.node_id)
    with begin_write(a.engine) as conn:
        fed.add_peer(
            conn,
            name=b.node_id,
            url=url or url_of(b),
            public_key=identity.public_key,
            key_id=key_id(identity.public_key),
            now=format_time(a.clock()),
        )
        fed.grant(conn, b.node_id, grants)


def factory(apps: dict[str, FastAPI]) -> Callable[[PeerRow], httpx.Client]:
    def make(row: PeerRow) -> httpx.Client:
        return TestClient(apps[row.name], base_url=row.url)

    return make


def add_rule(node: Node, peer_name: str, **kwargs: object) -> None:
    with begin_write(node.engine) as conn:
        fed.add_rule(conn, peer=peer_name, now=format_time(node.clock()), **kwargs)  # type: ignore[arg-type]
