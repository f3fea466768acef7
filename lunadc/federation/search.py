"""Federated search: this node and every peer at once, with a deadline.

Each peer is asked with the same search parameters (the PDS Search API list parameters,
forwarded as sent) on behalf of the local user's level only (``anonymous`` or ``partner``,
in a signed header; a user's token never leaves this node). Answers are merged with the
local ones first, duplicates removed by LIDVID (a local replica wins), and every foreign row
passes this node's own ``may_see`` for the local user too. A peer that is down, slow or
refused is reported in the summary and the answer is marked partial: never an error.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from lunadc.catalog import federation as fed
from lunadc.catalog.records import ProductRow
from lunadc.catalog.search import SearchParams, search_products
from lunadc.errors import BadRequestError, LunadcError
from lunadc.federation.identity import Identity, load_identity
from lunadc.federation.peers import ClientPool, describe
from lunadc.federation.settings import federation_settings
from lunadc.model.access import ANONYMOUS, Role, Viewer, may_see
from lunadc.model.times import format_time
from lunadc.node import Node

LEVELS = ("anonymous", "partner")
# Parameters of the local request that are not forwarded: they shape this node's answer
# (``fields`` is applied here) or would turn the peer's search federated in turn.
LOCAL_ONLY = frozenset({"federated", "fields"})

Query = Sequence[tuple[str, str]]


def deadline_of(node: Node) -> float:
    """``[federation] search_deadline_s`` in lunadc.toml (default 3 s)."""
    return federation_settings(node.config).search_deadline_s


def forwarded(query: Query) -> list[tuple[str, str]]:
    return [(k, v) for k, v in query if k not in LOCAL_ONLY]


def peer_viewer(peer: str, level: str) -> Viewer:
    """Who a peer's user is here: a partner scientist or anybody, never more."""
    if level not in LEVELS:
        raise BadRequestError(f"X-Lunadc-Viewer must be one of {', '.join(LEVELS)}")
    return Viewer(peer_node=peer, partner=level == "partner")


def level_of(viewer: Viewer) -> str:
    """What a local user may be on a peer: partner (a user of a federation node) or not."""
    return "partner" if viewer.partner or viewer.sees_everything else "anonymous"


def summary(row: ProductRow) -> dict[str, Any]:
    return {
        "lidvid": row.lidvid,
        "title": row.title,
        "product_class": row.product_class,
        "investigation": row.investigation,
        "instrument": row.instrument,
        "target": row.target,
        "start_date_time": row.start_time,
        "stop_date_time": row.stop_time,
        "home_node": row.home_node,
        "access": row.access,
        "release_at": row.release_at,
    }


def local_answer(
    conn: Connection, viewer: Viewer, now: str, params: SearchParams
) -> dict[str, Any]:
    result = search_products(conn, viewer, now, params)
    return {
        "data": [summary(r) for r in result.products],
        "hits": result.hits,
        "took_ms": result.took_ms,
    }


@dataclass
class NodeStatus:
    node: str
    status: str  # ok | down | timeout | refused
    hits: int = 0
    took_ms: float = 0.0
    error: str | None = None


@dataclass
class FederatedResult:
    data: list[dict[str, Any]] = field(default_factory=list)
    nodes: list[NodeStatus] = field(default_factory=list)

    @property
    def partial(self) -> bool:
        return any(n.status != "ok" for n in self.nodes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "summary": {
                "hits": sum(n.hits for n in self.nodes),
                "returned": len(self.data),
                "partial": self.partial,
                "nodes": [vars(n) for n in self.nodes],
            },
            "data": self.data,
        }


def federated_search(
    node: Node,
    identity: Identity,
    viewer: Viewer,
    params: SearchParams,
    query: Query,
    *,
    deadline_s: float | None = None,
    pool: ClientPool | None = None,
) -> FederatedResult:
    """Search here with ``params`` and every active peer with ``query`` (the same request)."""
    started = time.perf_counter()
    deadline = deadline_of(node) if deadline_s is None else deadline_s
    now = format_time(node.clock())
    with node.engine.connect() as conn:
        peers = fed.list_peers(conn)
    own_pool = pool is None
    clients = pool or ClientPool(identity)
    sent = forwarded(query)
    futures: dict[str, Future[Any]] = {}
    try:
        for p in peers:
            ask = clients.get(p).search
            futures[p.name] = clients.executor.submit(ask, sent, level_of(viewer), deadline)
        with node.engine.connect() as conn:
            local = local_answer(conn, viewer, now, params)
        result = FederatedResult([{**row, "node": node.node_id} for row in local["data"]])
        result.nodes.append(NodeStatus(node.node_id, "ok", local["hits"], local["took_ms"]))
        left = max(0.0, deadline - (time.perf_counter() - started))
        wait(futures.values(), timeout=left)
        seen = {row["lidvid"] for row in result.data}
        for name, future in futures.items():
            result.nodes.append(_merge(name, future, result, seen, viewer, now, started))
        result.data = result.data[: params.limit]
        return result
    finally:
        for future in futures.values():
            future.cancel()  # not started yet (more peers than threads): not needed now
        if own_pool:
            clients.close()


def _merge(
    name: str,
    future: Future[Any],
    result: FederatedResult,
    seen: set[str],
    viewer: Viewer,
    now: str,
    started: float,
) -> NodeStatus:
    took = round((time.perf_counter() - started) * 1000, 1)
    if not future.done():
        return NodeStatus(name, "timeout", took_ms=took, error="no answer before the deadline")
    try:
        answer = future.result()
    except LunadcError as exc:
        reason = describe(exc)
        status = "down" if "unreachable" in reason else "refused"
        return NodeStatus(name, status, took_ms=took, error=reason)
    if not isinstance(answer, dict):
        return NodeStatus(name, "refused", took_ms=took, error="the answer is not an object")
    for row in answer.get("data", []):
        if not isinstance(row, dict) or not isinstance(row.get("lidvid"), str):
            continue
        # The peer filtered already; this node's own rule still has the last word.
        access = row.get("access")
        release_at = row.get("release_at")
        if not isinstance(access, str) or not isinstance(release_at, str | None):
            continue
        if not may_see(viewer, access=access, release_at=release_at, groups=frozenset(), now=now):
            continue
        if row["lidvid"] in seen:
            continue
        seen.add(row["lidvid"])
        result.data.append({**row, "node": name})
    try:
        hits, took_ms = int(answer.get("hits", 0)), float(answer.get("took_ms", 0))
    except (TypeError, ValueError):
        hits, took_ms = 0, 0.0
    return NodeStatus(name, "ok", hits, took_ms)


def search_from_cli(
    root: Path, params: SearchParams, everything: bool, extra: Query = ()
) -> dict[str, Any]:
    """``lunadc search --federated`` against the node at ``root`` and its peers (``extra``:
    further list parameters for the peers, e.g. a place)."""
    viewer = Viewer(name="local", role=Role.ARCHIVIST) if everything else ANONYMOUS
    with Node.open(root) as node:
        identity = load_identity(node.config.root, node.node_id)
        query = [*query_of(params), *extra]
        result = federated_search(node, identity, viewer, params, query)
    return result.as_dict()


def query_of(params: SearchParams) -> list[tuple[str, str]]:
    """The request a peer gets for ``params`` (the list parameters of ``GET /products``)."""
    query = [("limit", str(params.limit))]
    query += [("q", params.q)] if params.q else []
    query += [("keywords", k) for k in params.keywords]
    query += [("sort", s) for s in params.sort]
    return query
