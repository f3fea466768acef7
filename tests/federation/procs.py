"""Real ``lunadc`` node processes on loopback ports, always cleaned up."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from lunadc.catalog import federation as fed
from lunadc.catalog.db import begin_write
from lunadc.federation.identity import key_id, load_identity
from lunadc.ingest.pipeline import ingest
from lunadc.maintenance.fsck import check_archive
from lunadc.model.times import format_time
from lunadc.node import Node, init_node

PYTHON = sys.executable
START_TIMEOUT_S = 180.0  # generous: a loaded 2-core machine starts Python slowly


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli(*args: str, root: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [PYTHON, "-m", "lunadc", *args, "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )
    if check and result.returncode != 0:
        raise AssertionError(f"lunadc {' '.join(args)}: {result.returncode}\n{result.stderr}")
    return result


class NodeProc:
    """One node: its folder, port and (while running) its server process."""

    def __init__(
        self, root: Path, node_id: str, *, sync_interval: float = 0.5, db_url: str = ""
    ) -> None:
        self.root = root
        self.node_id = node_id
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.sync_interval = sync_interval
        self.proc: subprocess.Popen[bytes] | None = None
        if not (root / "lunadc.toml").exists():
            init_node(root, node_id, db_url=db_url).close()
        self.public_key = load_identity(root, node_id).public_key
        self.log = root / "server.log"

    def start(self) -> None:
        env = {**os.environ, "LUNADC_SYNC_INTERVAL_S": str(self.sync_interval)}
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "lunadc",
                    "serve",
                    "--root",
                    str(self.root),
                    "--port",
                    str(self.port),
                    "--log-level",
                    "warning",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.node_id} died:\n{self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/federation/info", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"{self.node_id} did not start in {START_TIMEOUT_S} s")

    def kill9(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def peer_with(self, other: NodeProc, *grants: str) -> None:
        """Trust ``other`` (in-process: a CLI call costs a Python start-up)."""
        with Node.open(self.root) as node, begin_write(node.engine) as conn:
            fed.add_peer(
                conn,
                name=other.node_id,
                url=other.url,
                public_key=other.public_key,
                key_id=key_id(other.public_key),
                now=format_time(node.clock()),
            )
            fed.grant(conn, other.node_id, grants)

    def add_rule(self, peer: str) -> None:
        with Node.open(self.root) as node, begin_write(node.engine) as conn:
            fed.add_rule(conn, peer=peer, now=format_time(node.clock()))

    def ingest(self, *folders: Path | str) -> None:
        with Node.open(self.root) as node:
            report = ingest(node, [Path(f) for f in folders])
        assert report.ok, report.rejected

    def fsck_ok(self) -> bool:
        with Node.open(self.root) as node:
            return not check_archive(node).problems


def wait_until(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
