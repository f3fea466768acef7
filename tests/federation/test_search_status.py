"""Federated search, status and the signed surface, in one process (ASGI transport); a peer
that is down is a real closed loopback port."""

from __future__ import annotations

import json
from collections.abc import Mapping

import httpx
from fastapi.testclient import TestClient

from lunadc.catalog.db import begin_write
from lunadc.catalog.federation import PeerRow
from lunadc.federation.identity import load_identity
from lunadc.federation.peers import ClientPool, default_client
from lunadc.federation.signatures import SignedAuth
from lunadc.federation.sync import run_once
from lunadc.node import Node
from tests.federation.helpers import add_rule, app_for, factory, peer, url_of
from tests.federation.procs import free_port


def _pool_for(app: object, node: Node, apps: Mapping[str, object]) -> None:
    """Let ``app`` reach the in-process apps; any other peer over real sockets."""

    def make(row: PeerRow) -> httpx.Client:
        if row.name in apps:
            return TestClient(apps[row.name], base_url=row.url)  # type: ignore[arg-type]
        return default_client(row)

    identity = load_identity(node.config.root, node.node_id)
    app.state.federation.clients = ClientPool(identity, make)  # type: ignore[attr-defined]


def test_federated_search_merges_dedupes_and_survives_a_down_peer(
    home: Node, other: Node, tmp_path: object
) -> None:
    peer(home, other)
    peer(other, home)
    apps = {"node-cn": app_for(home), "node-ru": app_for(other)}
    add_rule(other, "node-cn")
    assert run_once(other, factory=factory(apps)).ok
    _pool_for(apps["node-ru"], other, apps)
    client = TestClient(apps["node-ru"], base_url=url_of(other))

    answer = client.get("/products", params={"federated": "true", "limit": 500}).json()
    summary = answer["summary"]
    assert not summary["partial"]
    assert {n["node"]: n["status"] for n in summary["nodes"]} == {
        "node-ru": "ok",
        "node-cn": "ok",
    }
    lidvids = [row["lidvid"] for row in answer["data"]]
    assert lidvids and len(lidvids) == len(set(lidvids))
    # Everything is replicated here: every row is the local replica, none the peer's.
    assert {row["node"] for row in answer["data"]} == {"node-ru"}
    assert {row["home_node"] for row in answer["data"]} == {"node-cn"}

    # A search parameter travels to the peer: a query that matches nothing anywhere.
    none = client.get(
        "/products", params={"federated": "true", "q": 'title eq "no such title"'}
    ).json()
    assert none["data"] == [] and not none["summary"]["partial"]

    # A third peer that is down: partial, the others still answer.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from lunadc.catalog import federation as fed
    from lunadc.federation.identity import Identity
    from lunadc.model.times import format_time

    ghost = Identity("node-down", Ed25519PrivateKey.generate())
    with begin_write(other.engine) as conn:
        fed.add_peer(
            conn,
            name="node-down",
            url=f"http://127.0.0.1:{free_port()}",
            public_key=ghost.public_key,
            key_id=ghost.key_id,
            now=format_time(other.clock()),
        )
    answer = client.get("/federation/query", params={"limit": 500}).json()
    states = {n["node"]: n["status"] for n in answer["summary"]["nodes"]}
    assert states == {"node-ru": "ok", "node-cn": "ok", "node-down": "down"}
    assert answer["summary"]["partial"] and len(answer["data"]) == len(lidvids)

    # Bad input is a 400 problem, not a partial answer.
    bad = client.get("/products", params={"federated": "true", "limit": "x"})
    assert bad.status_code == 400


def test_peer_rows_pass_the_local_policy_and_partner_level(home: Node, other: Node) -> None:
    """A peer's partner product reaches a partner user only; anonymous users never see it."""
    from sqlalchemy import select, update

    from lunadc.catalog.tables import products

    with begin_write(home.engine) as conn:
        lidvid = conn.execute(select(products.c.lidvid).limit(1)).scalar_one()
        conn.execute(update(products).where(products.c.lidvid == lidvid).values(access="partner"))
    peer(home, other)
    peer(other, home)
    apps = {"node-cn": app_for(home), "node-ru": app_for(other)}
    _pool_for(apps["node-ru"], other, apps)
    client = TestClient(apps["node-ru"], base_url=url_of(other))
    anonymous = client.get("/products", params={"federated": "true", "limit": 500}).json()
    assert lidvid not in {row["lidvid"] for row in anonymous["data"]}
    assert anonymous["data"]  # the public rest is there
    # As a peer on behalf of a partner user, the home shows it.
    auth = SignedAuth(load_identity(other.config.root, other.node_id))
    home_client = TestClient(apps["node-cn"], base_url=url_of(home))
    as_partner = home_client.get(
        "/federation/search",
        params={"limit": 500},
        headers={"X-Lunadc-Viewer": "partner"},
        auth=auth,
    ).json()
    assert lidvid in {row["lidvid"] for row in as_partner["data"]}
    refused = home_client.get("/federation/search", headers={"X-Lunadc-Viewer": "admin"}, auth=auth)
    assert refused.status_code == 400


def test_signed_surface_refuses_tampering_replays_and_removed_peers(
    home: Node, other: Node
) -> None:
    peer(home, other)
    app = app_for(home)
    client = TestClient(app, base_url=url_of(home))
    auth = SignedAuth(load_identity(other.config.root, other.node_id))
    ok = client.post("/federation/visible", json={"lidvids": []}, auth=auth)
    assert ok.status_code == 200 and ok.headers["signature-input"].startswith("lunadc=")

    request = client.build_request("POST", "/federation/visible", content=b'{"lidvids": []}')
    signed = next(auth.sync_auth_flow(request))
    assert client.send(signed).status_code == 200
    assert client.send(signed).status_code == 401  # the same nonce again: a replay
    tampered = next(
        auth.sync_auth_flow(
            client.build_request("POST", "/federation/visible", content=b'{"lidvids": []}')
        )
    )
    tampered_request = httpx.Request(
        "POST", tampered.url, headers=tampered.headers, content=b'{"lidvids": ["x"]}'
    )
    reply = client.send(tampered_request)
    assert reply.status_code == 401
    assert "Content-Digest" in reply.json()["detail"] + json.dumps(reply.json())

    from lunadc.catalog import federation as fed

    with begin_write(home.engine) as conn:
        fed.remove_peer(conn, "node-ru", "2026-01-01T00:00:00.000000Z")
    gone = client.get("/federation/changes", auth=auth)
    assert gone.status_code == 401


def test_info_status_and_cli(home: Node, other: Node) -> None:
    from typer.testing import CliRunner

    from lunadc.cli.app import _register_commands, app

    peer(home, other)
    peer(other, home)
    apps = {"node-cn": app_for(home), "node-ru": app_for(other)}
    client = TestClient(apps["node-ru"], base_url=url_of(other))
    info = client.get("/federation/info").json()
    assert info["node_id"] == "node-ru" and info["public_key"].startswith("ed25519:")
    assert {"name", "api_version", "contact"} <= set(info)
    assert run_once(other, factory=factory(apps)).ok
    status = client.get("/federation/status").json()
    (cn,) = status["peers"]
    assert cn["name"] == "node-cn" and cn["last_seq"] > 0 and cn["lag_events"] == 0
    # No sharing rule: metadata only (products of only a label and inventories are whole).
    assert set(cn["replicas"]) <= {"metadata", "complete"} and cn["replicas"]["metadata"] > 0
    assert cn["lag_seconds"] is not None and cn["queue"] == 0

    _register_commands()
    runner = CliRunner()
    root = str(other.config.root)
    shown = runner.invoke(app, ["node", "show", "--root", root])
    assert shown.exit_code == 0 and info["public_key"] in shown.output.replace("\n", "")
    assert "SHA256:" in shown.output
    bad = runner.invoke(
        app, ["peer", "add", "node-xx", "http://x", "--key", "nope", "--root", root]
    )
    assert bad.exit_code != 0
    rule = runner.invoke(
        app, ["rule", "add", "--from", "node-cn", "--access", "secret", "--root", root]
    )
    assert rule.exit_code != 0 and "secret" in rule.output
    listed = runner.invoke(app, ["peer", "list", "--json", "--root", root])
    assert json.loads(listed.output)[0]["name"] == "node-cn"
