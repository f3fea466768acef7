"""kill -9 a real ``lunadc ingest`` at many moments: the catalog never holds a broken product.

After every kill, opening the node (which cleans half-written leftovers) must give a catalog
in which every registered product has all its files present with the right checksums, and
no temporary file remains. A final uninterrupted run then completes the ingest.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lunadc.catalog import products as catalog
from lunadc.maintenance.fsck import check_archive
from lunadc.node import Node, init_node
from lunadc.samples.generate import generate_samples

KILLS = 24


def _start_ingest(root: Path, data: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "lunadc", "ingest", str(data), "--root", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _assert_consistent(root: Path) -> int:
    with Node.open(root) as node:
        result = check_archive(node)
        assert result.problems == [], result.problems
        tmp = node.store.root / ".tmp"
        assert list(tmp.iterdir()) == []
        with node.engine.connect() as conn:
            return catalog.counts(conn)["products"]


@pytest.mark.slow
def test_kill_at_many_moments_never_leaves_a_broken_product(tmp_path: Path) -> None:
    data = generate_samples(tmp_path / "data", seed=7, products=300).root
    # How long a whole run takes here, to spread the kills over it.
    probe_root = tmp_path / "probe"
    init_node(probe_root, "node-probe").close()
    started = time.monotonic()
    assert _start_ingest(probe_root, data).wait(timeout=300) == 0
    duration = time.monotonic() - started

    moments = []
    for i in range(KILLS):
        root = tmp_path / f"node-{i}"
        init_node(root, "node-crash").close()
        process = _start_ingest(root, data)
        # Moments spread from process start-up to the end of a full run.
        delay = duration * (0.1 + 0.9 * i / KILLS)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        moments.append(_assert_consistent(root))
    # The kills landed at different stages: from nothing registered to a partial catalog.
    assert moments[0] < moments[-2] and len(set(moments)) >= 5, moments

    # A killed node resumes: the next run completes the same catalog as an unbroken run.
    final = _start_ingest(root, data)
    assert final.wait(timeout=300) == 0
    with Node.open(root) as node, Node.open(probe_root) as probe:
        with node.engine.connect() as conn, probe.engine.connect() as probe_conn:
            assert catalog.counts(conn)["products"] == catalog.counts(probe_conn)["products"]
        assert check_archive(node).problems == []
