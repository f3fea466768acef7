"""Replication between two nodes on loopback, against an rsync daemon in the same run.

(a) many small files, (b) a few large ones: ``lunadc`` pulls them from a real home-node
process (signed requests, batches, Range, MD5 + SHA-256 verified, fsynced blobs) and rsync
copies the same files from an ``rsync --daemon`` on 127.0.0.1; both timings include a final
``sync`` so that neither is flattered by dirty pages. Then: sync of N metadata events, and
what federated search over two nodes adds to the slower node's own time.

    python bench/replicate.py [--small-files 2000] [--small-kib 256] [--large-files 4]
                              [--large-mib 512] [--events 100000] [--queries 50]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import hashing_limits, write_results
from lunadc.catalog import federation as fed
from lunadc.catalog.db import begin_write
from lunadc.catalog.records import NewProduct, StoredFile
from lunadc.catalog.register import register_batch
from lunadc.federation.identity import key_id, load_identity
from lunadc.federation.labels import LabelJob, LabelReader
from lunadc.federation.peers import PeerClient
from lunadc.federation.sync import run_once
from lunadc.ingest.pipeline import ingest
from lunadc.model.times import canonical_time, format_time
from lunadc.node import Node, init_node
from lunadc.pds4.extract import extract_label
from lunadc.pds4.safe_xml import parse_xml
from tests.federation.procs import NodeProc, free_port
from tests.federation.products import document_product

FILES_PER_PRODUCT = 100


def _peer(a: Node, b_root: Path, b_id: str, url: str, rule: bool) -> None:
    public = load_identity(b_root, b_id).public_key
    with begin_write(a.engine) as conn:
        now = format_time(a.clock())
        fed.add_peer(conn, name=b_id, url=url, public_key=public, key_id=key_id(public), now=now)
        if rule:
            fed.add_rule(conn, peer=b_id, now=now)


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) that process ``pid`` has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def _rsync(src: Path, dest: Path, work: Path) -> tuple[float, float]:
    """Seconds of the copy, and CPU seconds of the rsync client and daemon together."""
    cpu_before = _children_cpu()
    port = free_port()
    conf = work / "rsyncd.conf"
    conf.write_text(
        f"pid file = {work / 'rsyncd.pid'}\nuse chroot = no\n[src]\n  path = {src}\n"
        "  read only = yes\n"
    )
    daemon = subprocess.Popen(
        [
            "rsync",
            "--daemon",
            "--no-detach",
            f"--config={conf}",
            f"--port={port}",
            "--address=127.0.0.1",
        ]
    )
    try:
        time.sleep(0.5)
        started = time.perf_counter()
        subprocess.run(["rsync", "-a", f"rsync://127.0.0.1:{port}/src/", f"{dest}/"], check=True)
        os.sync()
        seconds = time.perf_counter() - started
    finally:
        daemon.terminate()
        daemon.wait(10)
    # The daemon forks a process per connection: all waited for, all counted here (the
    # daemon's idle second before the copy costs next to nothing).
    return seconds, _children_cpu() - cpu_before


def _replicate(cn: NodeProc, ru_root: Path) -> tuple[float, int, float]:
    """Seconds, bytes moved, and CPU seconds of the receiver and the home node together."""
    assert cn.proc is not None
    with Node.open(ru_root) as node:
        cpu_before = _own_cpu() + _process_cpu(cn.proc.pid)
        started = time.perf_counter()
        report = run_once(node)
        os.sync()
        seconds = time.perf_counter() - started
        cpu = _own_cpu() + _process_cpu(cn.proc.pid) - cpu_before
    peer = report.peers[0]
    assert peer.error is None and not peer.failures, peer
    return seconds, peer.bytes, cpu


def _register_products(node: Node, src: Path, count: int) -> None:
    """``count`` real products at ``node``, registered as ingest registers them.

    Ingest checks every label against its schemas (milliseconds each, the ingest helper's
    figure, not this one's), which would make 100,000 products take many minutes to set up.
    Here each label is written as a blob, read with the same reader a peer uses, and
    registered with ``register_batch``: the catalog, its search fields and the ``added``
    events in the change feed are exactly what ingest leaves.
    """
    template = document_product(src / "t", "urn:cnsa:clep:bench:document:tpl", [("d.dat", 64)])
    text = template.read_text()
    data = (src / "t" / "d.dat").read_bytes()
    store = node.store
    (data_blob,) = [store.stage(io.BytesIO(data))]
    (data_key,) = store.commit_all([data_blob])
    now = format_time(node.clock())
    limit = node.config.max_label_bytes
    tree = parse_xml(text.encode(), source="tpl", max_bytes=limit)
    vid = extract_label(tree, source="tpl")[0].vid
    lid = "urn:cnsa:clep:bench:document:p"
    with LabelReader() as reader:
        for start in range(0, count, 5000):
            raws = [
                text.replace(":tpl", f":p{i:06d}").encode()
                for i in range(start, min(count, start + 5000))
            ]
            blobs = [store.stage(io.BytesIO(raw)) for raw in raws]
            keys = store.commit_all(blobs)
            jobs = [
                LabelJob(
                    store.path_of(k),
                    f"{lid}{start + n:06d}::{vid}",
                    f"p{start + n:06d}",
                    limit,
                    raw,
                )
                for n, (k, raw) in enumerate(zip(keys, raws, strict=True))
            ]
            news = []
            for job, blob, key, (label, problem) in zip(
                jobs, blobs, keys, reader.read(jobs), strict=True
            ):
                assert label is not None, problem
                (entry,) = label.data_files
                files = (
                    StoredFile(
                        f"{job.source}.xml",
                        "label",
                        blob.digests.size,
                        blob.digests.md5,
                        blob.digests.sha256,
                        key,
                        mime_type="application/xml",
                    ),
                    StoredFile(
                        entry.path,
                        "data",
                        data_blob.digests.size,
                        data_blob.digests.md5,
                        data_blob.digests.sha256,
                        data_key,
                        creation_time=canonical_time(entry.creation_date_time),
                        records=entry.records,
                    ),
                )
                news.append(
                    NewProduct(
                        label=label,
                        label_sha256=blob.digests.sha256,
                        files=files,
                        members=(),
                        home_node=node.node_id,
                        ingested_at=now,
                        inherit_access=True,
                    )
                )
            with begin_write(node.engine) as conn:
                register_batch(conn, news)


def _events(work: Path, count: int) -> dict[str, float]:
    """A home with ``count`` products (one label + one shared small file each)."""
    home = NodeProc(work / "ev-cn", "node-cn", sync_interval=0)
    with Node.open(home.root) as node:
        started = time.perf_counter()
        _register_products(node, work / "ev-src", count)
        print(f"  registered {count} products at home in {time.perf_counter() - started:.1f} s")
    ru_root = work / "ev-ru"
    init_node(ru_root, "node-ru").close()
    with Node.open(home.root) as node:
        _peer(node, ru_root, "node-ru", "http://127.0.0.1:1", rule=False)
    with Node.open(ru_root) as node:
        _peer(node, home.root, "node-cn", home.url, rule=False)
    home.start()
    try:
        with Node.open(ru_root) as node:
            started = time.perf_counter()
            report = run_once(node)
            seconds = time.perf_counter() - started
        assert report.peers[0].added == count, report.peers[0]
    finally:
        home.stop()
    return {"events": count, "seconds": seconds, "events_per_s": count / seconds}


def _search_timings(
    cn: NodeProc, ru: NodeProc, queries: int
) -> tuple[dict[str, float], tuple[str, str, str]]:
    """p50 of: each node's own answer to a peer search (``/federation/search``, signed, the
    same summaries a federated search merges) and the federated search on cn over both."""
    params: list[tuple[str, str | int | float | bool | None]] = [
        ("limit", "100"),
        ("keywords", "document"),
    ]
    words = [(k, str(v)) for k, v in params]
    with Node.open(cn.root) as a, Node.open(ru.root) as b:
        with a.engine.connect() as conn:
            (to_ru,) = fed.list_peers(conn)
        with b.engine.connect() as conn:
            (to_cn,) = fed.list_peers(conn)
        cn_id = load_identity(cn.root, "node-cn")
        ru_id = load_identity(ru.root, "node-ru")
    timings: dict[str, list[float]] = {"cn": [], "ru": [], "fed": [], "cn_products": []}
    with (
        PeerClient(to_cn, ru_id) as ask_cn,
        PeerClient(to_ru, cn_id) as ask_ru,
        httpx.Client(timeout=30) as client,
    ):
        calls: dict[str, Callable[[], object]] = {
            "cn": lambda: ask_cn.search(words, "anonymous", 30),
            "ru": lambda: ask_ru.search(words, "anonymous", 30),
            "fed": lambda: (
                client.get(cn.url + "/federation/query", params=params).raise_for_status().json()
            ),
            "cn_products": lambda: (
                client.get(cn.url + "/products", params=params).raise_for_status().json()
            ),
        }
        for _ in range(queries):
            for key, call in calls.items():
                started = time.perf_counter()
                call()
                timings[key].append((time.perf_counter() - started) * 1000)
    med = {k: statistics.median(v) for k, v in timings.items()}
    slower = max(med["cn"], med["ru"])
    row = (
        "federated search over 2 nodes, p50",
        f"{med['fed']:.1f} ms",
        f"adds {med['fed'] - slower:.1f} ms to the slower node's own answer "
        f"({slower:.1f} ms, signed peer search); aim ≤ 20",
    )
    return med, row


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small-files", type=int, default=2000)
    parser.add_argument("--small-kib", type=int, default=256)
    parser.add_argument("--large-files", type=int, default=4)
    parser.add_argument("--large-mib", type=int, default=512)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lunadc-bench-", dir=args.workdir))
    figures: dict[str, object] = {"load_average_at_start": os.getloadavg()}
    table: list[tuple[str, str, str]] = []
    # The ceiling of a verified copy on this machine: every byte goes through MD5 and
    # SHA-256 (rsync checks with a much cheaper checksum), on the cores the bench shares.
    limits = hashing_limits(128)
    figures["hashing"] = limits
    table.append(
        (
            "hashing, one stream (MD5 ∥ SHA-256)",
            f"{limits['md5_and_sha256_mb_s']:.0f} MB/s",
            f"MD5 {limits['md5_mb_s']:.0f}, SHA-256 {limits['sha256_mb_s']:.0f} MB/s; "
            f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}",
        )
    )
    cn = NodeProc(work / "cn", "node-cn", sync_interval=0)
    ru_root = work / "ru"
    init_node(ru_root, "node-ru").close()
    try:
        with Node.open(cn.root) as node:
            _peer(node, ru_root, "node-ru", "http://127.0.0.1:1", rule=False)
        with Node.open(ru_root) as node:
            _peer(node, cn.root, "node-cn", cn.url, rule=True)
        cn.start()
        for name, files, size in (
            ("small", args.small_files, args.small_kib * 1024),
            ("large", args.large_files, args.large_mib * 1024 * 1024),
        ):
            src = work / f"src-{name}"
            per = FILES_PER_PRODUCT if name == "small" else 1
            for start in range(0, files, per):
                names = [(f"f{i:05d}.dat", size) for i in range(start, min(files, start + per))]
                document_product(
                    src / f"p{start:05d}",
                    f"urn:cnsa:clep:bench:document:{name}{start:05d}",
                    names,
                    seed=start + (0 if name == "small" else 10**6),
                )
            with Node.open(cn.root) as node:
                ingest(node, [src])
            os.sync()
            ours, moved, our_cpu = _replicate(cn, ru_root)
            assert moved == files * size, (moved, files * size)  # every byte verified here
            theirs, their_cpu = _rsync(src, work / f"rsync-{name}", work)
            mb = files * size / 1e6
            figures[name] = {
                "files": files,
                "bytes": files * size,
                "lunadc_s": ours,
                "rsync_s": theirs,
                "ratio": theirs / ours,
                "bytes_moved": moved,
                "lunadc_cpu_s": our_cpu,
                "rsync_cpu_s": their_cpu,
            }
            # CPU seconds of both sides say what each copy costs, whatever else ran meanwhile.
            table.append(
                (
                    f"{name}: {files} × {size // 1024} KiB, lunadc",
                    f"{mb / ours:.0f} MB/s ({ours:.2f} s)",
                    f"verified MD5+SHA-256, fsynced; CPU {our_cpu:.2f} s (receiver + home)",
                )
            )
            table.append(
                (
                    f"{name}: rsync daemon",
                    f"{mb / theirs:.0f} MB/s ({theirs:.2f} s)",
                    f"lunadc/rsync = {theirs / ours:.2f} (aim ≥ 0.8); "
                    f"CPU {their_cpu:.2f} s (client + daemon)",
                )
            )
            print(table[-2], table[-1], flush=True)
        # Federated search: the receiver serves too now.
        ru = NodeProc(ru_root, "node-ru", sync_interval=0)
        ru.start()
        with Node.open(cn.root) as node, begin_write(node.engine) as conn:
            fed.remove_peer(conn, "node-ru", format_time(node.clock()))
        with Node.open(cn.root) as node:
            _peer(node, ru_root, "node-ru", ru.url, rule=False)
        try:
            figures["federated_search_ms"], row = _search_timings(cn, ru, args.queries)
            table.append(row)
        finally:
            ru.stop()
    finally:
        cn.stop()
    events = _events(work, args.events)
    figures["metadata_events"] = events
    table.append(
        (
            f"sync of {args.events} metadata events",
            f"{events['seconds']:.1f} s",
            f"{events['events_per_s']:.0f} events/s (aim: 100,000 in < 60 s)",
        )
    )
    write_results("replicate", figures, table)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
