"""``make demo``: two peered nodes on localhost, ``node-cn`` (the Chang'e-like sample
missions) on http://127.0.0.1:8700/ and ``node-ru`` (the Luna-like ones) on :8701, each a
real ``lunadc serve`` process; both synced, example searches printed; Ctrl-C stops both.

``--once`` (or ``LUNADC_DEMO_EXIT=1``) does everything, checks that the two nodes converged,
and stops: for CI and tests. Everything lives under ``demo-node/`` and ``demo-data/`` of the
current folder (git-ignored, removed by ``make clean``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from lunadc.catalog import federation as fed
from lunadc.catalog.db import begin_write
from lunadc.federation.identity import key_id, load_identity
from lunadc.federation.sync import SyncReport, run_once
from lunadc.ingest.pipeline import ingest
from lunadc.model.times import format_time
from lunadc.node import Node, init_node
from lunadc.samples.generate import generate_samples
from lunadc.samples.missions import MISSIONS

console = Console()
HOMES = {"node-cn": "cn", "node-ru": "ru"}
FIRST_PORT = 8700
START_TIMEOUT_S = 60.0
PRODUCTS_PER_NODE = 40


def _prepare(base: Path, ports: dict[str, int]) -> dict[str, tuple[Path, str]]:
    """Create both nodes with their home missions ingested; peer them both ways."""
    made: dict[str, tuple[Path, str]] = {}
    for node_id, home in HOMES.items():
        root = base / "demo-node" / node_id
        missions = [key for key, where in MISSIONS.items() if where == home]
        samples = generate_samples(
            base / "demo-data" / home, seed=42, products=PRODUCTS_PER_NODE, missions=missions
        )
        url = f"http://127.0.0.1:{ports[node_id]}"
        with init_node(root, node_id, name=f"lunadc demo {node_id}") as node:
            report = ingest(node, [samples.root])
            console.print(
                f"{node_id}: {len(report.ingested)} products of {', '.join(missions)} ingested,"
                f" {len(report.rejected)} rejected",
                highlight=False,
            )
        made[node_id] = (root, url)
    for me, (root, _url) in made.items():
        with Node.open(root) as node, begin_write(node.engine) as conn:
            for other, (other_root, url) in made.items():
                if other == me:
                    continue
                public = load_identity(other_root, other).public_key
                now = format_time(node.clock())
                fed.add_peer(
                    conn, name=other, url=url, public_key=public, key_id=key_id(public), now=now
                )
                # Replicate the bytes of everything public or partner the other node has.
                fed.add_rule(conn, peer=other, now=now, access=("public", "partner"))
    return made


def _start(root: Path, url: str) -> subprocess.Popen[bytes]:
    port = url.rsplit(":", 1)[1]
    env = {**os.environ, "LUNADC_SYNC_INTERVAL_S": "10"}
    with open(root / "server.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "lunadc", "serve", "--root", str(root), "--port", port],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the node in {root} stopped; see {root / 'server.log'}")
        try:
            if httpx.get(url + "/federation/info", timeout=1, trust_env=False).is_success:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    proc.wait(5)
    raise SystemExit(f"the node in {root} did not answer within {START_TIMEOUT_S:.0f} s")


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    for proc in procs:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _sync(made: dict[str, tuple[Path, str]]) -> bool:
    ok = True
    for node_id, (root, _url) in made.items():
        with Node.open(root) as node:
            report: SyncReport = run_once(node)
        for p in report.peers:
            ok = ok and p.ok
            console.print(
                f"{node_id} <- {p.peer}: {p.added} products registered, {p.completed} "
                f"replicas with {p.files} files ({p.bytes / 1e6:.1f} MB)"
                + (f" [red]{p.error}[/]" if p.error else ""),
                highlight=False,
            )
    return ok


def _examples(cn: str, ru: str) -> bool:
    """Run a few searches against the live nodes; False if the two did not converge."""
    searches: list[tuple[str, str, dict[str, str]]] = [
        ("all products on node-cn (its own and node-ru's)", cn, {"limit": "0"}),
        ("all products on node-ru", ru, {"limit": "0"}),
        ("node-ru's products, asked on node-cn", cn, {"q": 'node_name eq "node-ru"'}),
        ("federated keyword search from node-ru", ru, {"keywords": "image", "federated": "true"}),
    ]
    hits: list[int] = []
    for title, base, params in searches:
        url = f"{base}/products"
        try:
            answer: dict[str, Any] = httpx.get(
                url, params={"limit": "3", **params}, timeout=30, trust_env=False
            ).json()
        except (httpx.HTTPError, ValueError) as exc:
            console.print(f"[red]{title}: {exc}[/]")
            return False
        summary = answer.get("summary", {})
        hits.append(int(summary.get("hits", 0)))
        console.print(f"[bold]{title}[/]: {summary.get('hits')} hits", highlight=False)
        console.print(f"  curl '{httpx.URL(url, params=params)}'", highlight=False, markup=False)
        for row in answer.get("data", [])[:3]:
            lidvid = row.get("lidvid") or row.get("id")
            where = row.get("node") or ""
            console.print(f"    {lidvid} {where}", highlight=False, markup=False)
    return hits[0] == hits[1] > 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="Set up, check, stop (for CI).")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("LUNADC_DEMO_PORT", FIRST_PORT))
    )
    parser.add_argument("--base", type=Path, default=Path("."))
    args = parser.parse_args(argv)
    once = args.once or os.environ.get("LUNADC_DEMO_EXIT") == "1"
    base: Path = args.base
    for folder in ("demo-node", "demo-data"):
        shutil.rmtree(base / folder, ignore_errors=True)
    console.rule("[bold]lunadc federation demo")
    ports = {"node-cn": args.port, "node-ru": args.port + 1}
    made = _prepare(base, ports)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for root, url in made.values():
            procs.append(_start(root, url))
        synced = _sync(made)
        cn, ru = made["node-cn"][1], made["node-ru"][1]
        console.rule("[bold]example searches")
        converged = _examples(cn, ru)
        console.rule("[bold]running")
        console.print(f"node-cn: {cn}/  (web UI; API docs at {cn}/docs)", highlight=False)
        console.print(f"node-ru: {ru}/  (web UI; API docs at {ru}/docs)", highlight=False)
        for line in (
            f"curl '{cn}/federation/status'",
            f"curl '{cn}/federation/info'",
            f".venv/bin/lunadc status --root {made['node-ru'][0]}",
            f".venv/bin/lunadc search --federated --keywords image --root {made['node-cn'][0]}",
        ):
            console.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)
        if once:
            good = synced and converged
            console.print("demo: both nodes converged" if good else "[red]demo: NOT converged[/]")
            return 0 if good else 1
        console.print("Ctrl-C stops both nodes.")
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        console.print("[red]a node stopped by itself; see demo-node/*/server.log[/]")
        return 1
    except KeyboardInterrupt:
        console.print("stopping both nodes ...")
        return 0
    finally:
        _stop(procs)


if __name__ == "__main__":
    sys.exit(main())
