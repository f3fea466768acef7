"""``make demo`` in its non-interactive mode: two real nodes set up, peered, synced,
searched, checked for convergence, stopped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _two_free_ports() -> int:
    """A port P with P+1 free too (a bounded number of tries)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
        return port
    raise AssertionError("no two consecutive free ports")


def test_demo_once_sets_up_two_converged_nodes_and_stops(tmp_path: Path) -> None:
    port = _two_free_ports()
    result = subprocess.run(
        [sys.executable, "-m", "lunadc.demo", "--base", str(tmp_path), "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "LUNADC_DEMO_EXIT": "1", "COLUMNS": "200"},
        cwd=tmp_path,  # nothing outside the base folder (and the venv) is needed
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "both nodes converged" in result.stdout
    assert f"http://127.0.0.1:{port}/" in result.stdout
    for node_id in ("node-cn", "node-ru"):
        assert (tmp_path / "demo-node" / node_id / "lunadc.toml").is_file()
    # Both servers are gone: nothing listens on their ports any more.
    for p in (port, port + 1):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", p), timeout=5).close()
