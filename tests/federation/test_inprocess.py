"""Peering, feed, sync and replication between two nodes in one process (ASGI transport)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select

from lunadc.catalog.tables import fed_replicas, product_files, products
from lunadc.federation.sync import run_once
from lunadc.node import Node
from tests.federation.helpers import add_rule, app_for, factory, peer


def _count(node: Node, *where: ColumnElement[bool]) -> int:
    with node.engine.connect() as conn:
        return int(
            conn.execute(select(func.count()).select_from(products).where(*where)).scalar_one()
        )


def test_metadata_then_bytes_converge(home: Node, other: Node) -> None:
    peer(home, other)
    peer(other, home)
    apps = {"node-cn": app_for(home), "node-ru": app_for(other)}
    report = run_once(other, factory=factory(apps))
    assert report.ok, report
    total = _count(home)
    assert _count(other, products.c.home_node == "node-cn") == total
    with other.engine.connect() as conn:
        missing = conn.execute(
            select(func.count())
            .select_from(product_files)
            .where(product_files.c.blob_key.is_(None))
        ).scalar_one()
    assert missing > 0  # metadata only: no rule yet
    add_rule(other, "node-cn")
    report = run_once(other, factory=factory(apps))
    assert report.ok, report
    with other.engine.connect() as conn:
        missing = conn.execute(
            select(func.count())
            .select_from(product_files)
            .where(product_files.c.blob_key.is_(None))
        ).scalar_one()
        states: dict[str, int] = dict(
            conn.execute(
                select(fed_replicas.c.state, func.count()).group_by(fed_replicas.c.state)
            ).all()
        )
    assert missing == 0
    assert states == {"complete": total}
    # A second pass has nothing to do.
    again = run_once(other, factory=factory(apps)).peers[0]
    assert again.events == 0 and again.files == 0


def _restrict(node: Node, lidvid: str, was: str = "public") -> None:
    from lunadc.catalog.db import begin_write
    from lunadc.catalog.products import add_change
    from lunadc.catalog.tables import product_groups

    with begin_write(node.engine) as conn:
        pid = conn.execute(select(products.c.id).where(products.c.lidvid == lidvid)).scalar_one()
        conn.execute(products.update().where(products.c.id == pid).values(access="restricted"))
        conn.execute(product_groups.insert().values(product_id=pid, group_name="team"))
        add_change(
            conn,
            "2026-01-01T00:00:00.000000Z",
            "access_changed",
            lidvid,
            {"access": "restricted", "groups": ["team"], "was": was},
        )


def test_re_restricted_product_leaves_the_replica_and_the_feed(home: Node, other: Node) -> None:
    from fastapi.testclient import TestClient

    from lunadc.federation.identity import load_identity
    from lunadc.federation.peers import file_url
    from lunadc.federation.signatures import SignedAuth

    peer(home, other)
    peer(other, home)
    apps = {"node-cn": app_for(home), "node-ru": app_for(other)}
    add_rule(other, "node-cn")
    assert run_once(other, factory=factory(apps)).ok
    with home.engine.connect() as conn:
        lidvid, path = conn.execute(
            select(products.c.lidvid, product_files.c.path)
            .join(product_files, product_files.c.product_id == products.c.id)
            .where(product_files.c.role == "data")
            .limit(1)
        ).one()
    _restrict(home, lidvid)
    report = run_once(other, factory=factory(apps)).peers[0]
    assert report.removed == 1
    with other.engine.connect() as conn:
        assert (
            conn.execute(select(products.c.id).where(products.c.lidvid == lidvid)).first() is None
        )
    # The home refuses the bytes too: to the peer the product does not exist.
    client = TestClient(apps["node-cn"], base_url="http://node-cn.test")
    auth = SignedAuth(load_identity(other.config.root, other.node_id))
    assert client.get(file_url(lidvid, path), auth=auth).status_code == 404
    feed = client.get("/federation/changes", params={"after": 0, "limit": 2000}, auth=auth).json()
    shown = {e["lidvid"] for e in feed["events"] if e["kind"] != "revoked"}
    assert lidvid not in shown


def test_a_metadata_only_replica_is_honest_about_its_bytes(home: Node, other: Node) -> None:
    """Files not replicated here are a clear 404 naming the home node, never a 500; fsck
    does not count them as lost."""
    from fastapi.testclient import TestClient

    from lunadc.maintenance.fsck import check_archive
    from tests.federation.helpers import url_of

    peer(home, other)
    peer(other, home)
    apps = {"node-cn": app_for(home), "node-ru": app_for(other)}
    assert run_once(other, factory=factory(apps)).ok
    with other.engine.connect() as conn:
        lidvid, path = conn.execute(
            select(products.c.lidvid, product_files.c.path)
            .join(product_files, product_files.c.product_id == products.c.id)
            .where(product_files.c.blob_key.is_(None))
            .limit(1)
        ).one()
    client = TestClient(apps["node-ru"], base_url=url_of(other))
    reply = client.get(f"/files/{lidvid}/{path}")
    assert reply.status_code == 404 and "node-cn" in reply.text
    archive = client.get(f"/products/{lidvid}/archive")
    assert archive.status_code == 404 and "node-cn" in archive.text
    assert client.get(f"/products/{lidvid}").status_code == 200  # the metadata is here
    assert check_archive(other).problems == []


def test_batch_stream_states_its_length_and_hides_what_the_peer_may_not_see(
    home: Node, other: Node
) -> None:
    import json

    from fastapi.testclient import TestClient

    from lunadc.federation.identity import load_identity
    from lunadc.federation.signatures import SignedAuth

    peer(home, other)
    with home.engine.connect() as conn:
        rows = conn.execute(
            select(products.c.lidvid, product_files.c.path, product_files.c.blob_key)
            .join(product_files, product_files.c.product_id == products.c.id)
            .where(product_files.c.role == "data")
            .order_by(products.c.lidvid, product_files.c.path)
        ).all()
    hidden = rows[0].lidvid
    shown = [r for r in rows if r.lidvid != hidden][:3]
    _restrict(home, hidden)
    client = TestClient(app_for(home), base_url="http://node-cn.test")
    auth = SignedAuth(load_identity(other.config.root, other.node_id))
    asked = [rows[0], *shown]
    reply = client.post(
        "/federation/batch",
        json={"files": [{"lidvid": r.lidvid, "path": r.path} for r in asked]},
        auth=auth,
    )
    assert reply.status_code == 200
    # Sent with its length, not in chunks: exactly the header lines and the bytes.
    assert int(reply.headers["content-length"]) == len(reply.content)
    assert "transfer-encoding" not in reply.headers
    body = reply.content
    for row in asked:
        line, body = body.split(b"\n", 1)
        head = json.loads(line)
        assert (head["lidvid"], head["path"]) == (row.lidvid, row.path)
        if row.lidvid == hidden:
            assert head["missing"] and head["size"] == 0
            continue
        assert body[: head["size"]] == home.store.path_of(row.blob_key).read_bytes()
        body = body[head["size"] :]
    assert body == b""
