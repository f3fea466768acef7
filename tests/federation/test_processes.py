"""Two and three real node processes on loopback: convergence, kill -9 and resume, refusal
of bad bytes and bad signatures, a peer down, restricted products."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, insert, select, update

from lunadc.catalog import federation as fed
from lunadc.catalog.db import begin_write
from lunadc.catalog.products import add_change
from lunadc.catalog.tables import (
    fed_failures,
    fed_replicas,
    product_files,
    product_groups,
    products,
)
from lunadc.federation.identity import Identity
from lunadc.federation.signatures import SignedAuth
from lunadc.federation.sync import run_once
from lunadc.model.times import format_time
from lunadc.node import Node
from lunadc.samples.generate import SampleSet
from tests.federation.conftest import DbFactory
from tests.federation.procs import NodeProc, run_cli, wait_until
from tests.federation.products import document_product

pytestmark = pytest.mark.slow


@pytest.fixture
def procs() -> Iterator[list[NodeProc]]:
    started: list[NodeProc] = []
    try:
        yield started
    finally:
        for proc in started:
            proc.stop()


def _node(procs: list[NodeProc], root: Path, node_id: str, db_url: str = "") -> NodeProc:
    proc = NodeProc(root, node_id, db_url=db_url)
    procs.append(proc)
    return proc


def _replicas(root: Path, peer: str) -> dict[str, int]:
    with Node.open(root) as node, node.engine.connect() as conn:
        rows = conn.execute(
            select(fed_replicas.c.state, func.count())
            .where(fed_replicas.c.peer == peer)
            .group_by(fed_replicas.c.state)
        ).all()
    return {str(k): int(v) for k, v in rows}


def _products(root: Path, home: str | None = None) -> set[str]:
    with Node.open(root) as node, node.engine.connect() as conn:
        query = select(products.c.lidvid)
        if home is not None:
            query = query.where(products.c.home_node == home)
        return set(conn.execute(query).scalars())


def test_two_nodes_converge_peer_down_partial_search(
    tmp_path: Path, samples: SampleSet, procs: list[NodeProc], new_db: DbFactory
) -> None:
    """On SQLite and on PostgreSQL (each node its own catalog)."""
    cn = _node(procs, tmp_path / "cn", "node-cn", new_db())
    ru = _node(procs, tmp_path / "ru", "node-ru", new_db())
    cn.ingest(str(samples.root))
    document_product(
        tmp_path / "ru-data", "urn:ros:rssa:luna25_test:document:doc_a", [("a.dat", 5000)]
    )
    ru.ingest(str(tmp_path / "ru-data"))
    cn.peer_with(ru)
    ru.peer_with(cn)
    ru.add_rule("node-cn")
    cn.start()
    ru.start()
    home = _products(cn.root, "node-cn")
    wait_until(lambda: _replicas(ru.root, "node-cn") == {"complete": len(home)}, 60, "bytes on ru")
    wait_until(lambda: len(_products(cn.root, "node-ru")) == 1, 30, "ru's metadata on cn")

    answer = httpx.get(cn.url + "/federation/query", params={"limit": 1000}, timeout=10).json()
    assert not answer["summary"]["partial"]
    lidvids = [row["lidvid"] for row in answer["data"]]
    assert len(lidvids) == len(set(lidvids))  # replicas and originals merged by LIDVID
    assert "urn:ros:rssa:luna25_test:document:doc_a::1.0" in lidvids

    ru.stop()
    answer = httpx.get(cn.url + "/federation/query", params={"limit": 1000}, timeout=10).json()
    assert answer["summary"]["partial"]
    states = {n["node"]: n["status"] for n in answer["summary"]["nodes"]}
    assert states == {"node-cn": "ok", "node-ru": "down"}
    assert answer["data"]  # the local half is still there
    assert httpx.get(cn.url + "/products", timeout=10).status_code == 200

    # Changes made while the peer was down arrive once it is back.
    document_product(
        tmp_path / "cn-new", "urn:cnsa:clep:change4_test:document:late", [("l.dat", 7000)]
    )
    cn.ingest(str(tmp_path / "cn-new"))
    ru.start()
    wait_until(
        lambda: _replicas(ru.root, "node-cn") == {"complete": len(home) + 1}, 60, "convergence"
    )
    status = httpx.get(cn.url + "/federation/status", timeout=10).json()
    assert status["peers"][0]["reachable"] is True
    assert ru.fsck_ok()


def test_kill9_during_transfer_resumes(tmp_path: Path, procs: list[NodeProc]) -> None:
    big = 64 * 1024 * 1024
    cn = _node(procs, tmp_path / "cn", "node-cn")
    ru = _node(procs, tmp_path / "ru", "node-ru")
    # ru fetches at 16 MB/s at most, so that the kill lands in the middle of big.dat.
    with open(ru.root / "lunadc.toml", "a", encoding="utf-8") as config:
        config.write("\n[federation]\nmax_fetch_mb_s = 16\n")
    document_product(
        tmp_path / "d1",
        "urn:cnsa:clep:change4_t:document:small",
        [(f"s{i}.dat", 70_000 + i) for i in range(30)],
    )
    document_product(tmp_path / "d2", "urn:cnsa:clep:change4_t:document:big", [("big.dat", big)])
    cn.ingest(str(tmp_path / "d1"), str(tmp_path / "d2"))
    cn.peer_with(ru)
    ru.peer_with(cn)
    ru.add_rule("node-cn")
    cn.start()
    ru.start()
    resume = ru.root / "archive" / ".resume"

    def partial() -> int:
        return sum(p.stat().st_size for p in resume.glob("*")) if resume.is_dir() else 0

    wait_until(lambda: partial() >= 12 * 1024 * 1024, 60, "a half-done transfer")
    ru.kill9()
    done_at_kill = partial()
    assert 0 < done_at_kill < big
    ru.start()
    wait_until(lambda: _replicas(ru.root, "node-cn") == {"complete": 2}, 90, "resumed transfer")
    asked = httpx.get(cn.url + "/federation/status", timeout=10).json()["requested_bytes"]
    total = big + sum(70_000 + i for i in range(30))
    # The first request asked for all of big.dat; the one after the restart only for what
    # was not on disk yet (starting over would ask for ``big`` again).
    assert asked["node-ru"] <= total + big - done_at_kill // 2, (asked, total, done_at_kill)
    assert ru.fsck_ok()
    assert partial() == 0


def test_wrong_bytes_and_bad_signatures_are_refused(
    tmp_path: Path, samples: SampleSet, procs: list[NodeProc]
) -> None:
    cn = _node(procs, tmp_path / "cn", "node-cn")
    ru = _node(procs, tmp_path / "ru", "node-ru")
    document_product(
        tmp_path / "d",
        "urn:cnsa:clep:change4_t:document:victim",
        [("v.dat", 300_000), ("w.dat", 2_000_000)],
    )
    cn.ingest(str(tmp_path / "d"))
    cn.peer_with(ru)
    ru.peer_with(cn)
    ru.add_rule("node-cn")
    cn.start()
    # The home's disk rots under one small and one large file: it now serves wrong bytes.
    with Node.open(cn.root) as node, node.engine.connect() as conn:
        keys = (
            conn.execute(select(product_files.c.blob_key).where(product_files.c.role == "data"))
            .scalars()
            .all()
        )
        paths = [node.store.path_of(k) for k in keys]
    originals = [p.read_bytes() for p in paths]
    for p, data in zip(paths, originals, strict=True):
        p.chmod(0o644)
        p.write_bytes(data[:100] + bytes([data[100] ^ 0xFF]) + data[101:])
    with Node.open(ru.root) as node:
        report = run_once(node)
    assert not report.ok and report.peers[0].failures
    with Node.open(ru.root) as node, node.engine.connect() as conn:
        reasons = conn.execute(select(fed_failures.c.path, fed_failures.c.reason)).all()
        held = conn.execute(
            select(func.count())
            .select_from(product_files)
            .where(product_files.c.blob_key.is_not(None), product_files.c.role == "data")
        ).scalar_one()
    assert {path for path, _r in reasons} == {"v.dat", "w.dat"}
    assert all("MD5" in reason or "SHA-256" in reason for _p, reason in reasons)
    assert held == 0  # nothing of the product is served as a replica
    for p, data in zip(paths, originals, strict=True):
        p.write_bytes(data)
    with Node.open(ru.root) as node:
        assert run_once(node).ok
    assert _replicas(ru.root, "node-cn") == {"complete": 1}

    # A stranger's signature is refused; so is a home whose answers we cannot verify.
    stranger = Identity("node-xx", Ed25519PrivateKey.generate())
    reply = httpx.get(cn.url + "/federation/changes", auth=SignedAuth(stranger), timeout=10)
    assert reply.status_code == 401
    assert httpx.get(cn.url + "/federation/changes", timeout=10).status_code == 401
    with Node.open(ru.root) as node, begin_write(node.engine) as conn:
        now = format_time(node.clock())
        fed.remove_peer(conn, "node-cn", now)
        fed.add_peer(
            conn,
            name="node-cn",
            url=cn.url,
            public_key=stranger.public_key,
            key_id=stranger.key_id,
            now=now,
        )
    result = run_cli("sync", root=ru.root, check=False)
    assert result.returncode == 1
    assert "signature" in result.stderr + result.stdout


def test_restricted_product_never_reaches_an_ungranted_peer(
    tmp_path: Path, samples: SampleSet, procs: list[NodeProc]
) -> None:
    cn = _node(procs, tmp_path / "cn", "node-cn")
    ru = _node(procs, tmp_path / "ru", "node-ru")
    eu = _node(procs, tmp_path / "eu", "node-eu")
    document_product(tmp_path / "d", "urn:cnsa:clep:change4_t:document:secret", [("x.dat", 4000)])
    document_product(tmp_path / "e", "urn:cnsa:clep:change4_t:document:open", [("o.dat", 4000)])
    cn.ingest(str(tmp_path / "d"), str(tmp_path / "e"))
    secret = "urn:cnsa:clep:change4_t:document:secret::1.0"
    with Node.open(cn.root) as node, begin_write(node.engine) as conn:
        pid = conn.execute(select(products.c.id).where(products.c.lidvid == secret)).scalar_one()
        conn.execute(update(products).where(products.c.id == pid).values(access="restricted"))
        conn.execute(insert(product_groups).values(product_id=pid, group_name="team"))
        add_change(
            conn,
            "2026-01-01T00:00:00.000000Z",
            "access_changed",
            secret,
            {"access": "restricted", "groups": ["team"], "was": "public"},
        )
    cn.peer_with(ru, "team")
    cn.peer_with(eu)
    for proc in (ru, eu):
        proc.peer_with(cn)
        proc.add_rule("node-cn")
    for proc in (cn, ru, eu):
        proc.start()
    wait_until(lambda: _replicas(ru.root, "node-cn") == {"complete": 2}, 60, "ru's replicas")
    wait_until(lambda: _replicas(eu.root, "node-cn") == {"complete": 1}, 60, "eu's replicas")
    assert secret in _products(ru.root)
    assert secret not in _products(eu.root)
    for table in (fed_replicas, fed_failures):
        with Node.open(eu.root) as node, node.engine.connect() as conn:
            assert secret not in set(conn.execute(select(table.c.lidvid)).scalars())
    with Node.open(eu.root) as node:
        eu_log = json.dumps([str(p) for p in node.store.iter_keys()])
    assert "x.dat" not in eu_log
    # Taking the grant away makes ru drop its copy at the next pass.
    with Node.open(cn.root) as node, begin_write(node.engine) as conn:
        fed.grant(conn, "node-ru", ["team"], revoke=True)
    wait_until(lambda: secret not in _products(ru.root), 30, "ru to drop the secret")
