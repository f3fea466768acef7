"""kill -9 a real ``lunadc ingest`` at many moments: the catalog never holds a broken product.

After every kill, opening the node (which cleans half-written leftovers) must give a catalog
in which every registered product has all its files present with the right checksums, and
no temporary file remains. A final uninterrupted run then completes the ingest.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lunadc.catalog import products as catalog
from lunadc.maintenance.fsck import check_archive
from lunadc.node import Node, init_node
from lunadc.samples.generate import generate_samples

KILLS = 22
PRODUCTS = 200
EARLY_KILLS = 6
# Small batches, so that the kills land between many catalog commits (the default batch is
# bigger than this whole ingest). The crash guarantee does not depend on the batch size.
SMALL_BATCHES = "\n[ingest]\nbatch_products = 16\n"


def _new_node(root: Path, node_id: str) -> None:
    init_node(root, node_id).close()
    with open(root / "lunadc.toml", "a", encoding="utf-8") as config:
        config.write(SMALL_BATCHES)


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux /proc), e.g. an ingest's label-check workers."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _registered(root: Path) -> int:
    """Products registered so far, read beside the running ingest (WAL lets readers in)."""
    try:
        with sqlite3.connect(f"file:{root / 'catalog.sqlite'}?mode=ro", uri=True) as db:
            return int(db.execute("SELECT count(*) FROM products").fetchone()[0])
    except sqlite3.Error:
        return 0


def _wait_for(process: subprocess.Popen[bytes], root: Path, products: int, limit: float) -> None:
    """Return once ``products`` are registered, the ingest ended, or ``limit`` seconds passed."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and process.poll() is None:
        if _registered(root) >= products:
            return
        time.sleep(0.02)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


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
    data = generate_samples(tmp_path / "data", seed=7, products=PRODUCTS).root
    # One empty node, copied for each run (creating the catalog each time costs more).
    template = tmp_path / "template"
    _new_node(template, "node-crash")
    # How long start-up (nothing to ingest) and a whole run take here, to spread the kills
    # over the part of the run that does the work.
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copytree(template, tmp_path / "startup")
    started = time.monotonic()
    assert _start_ingest(tmp_path / "startup", empty).wait(timeout=300) == 0
    startup = time.monotonic() - started
    probe_root = tmp_path / "probe"
    shutil.copytree(template, probe_root)
    started = time.monotonic()
    assert _start_ingest(probe_root, data).wait(timeout=300) == 0
    duration = time.monotonic() - started

    moments = []
    orphans: list[int] = []
    for i in range(KILLS):
        root = tmp_path / f"node-{i}"
        shutil.copytree(template, root)
        process = _start_ingest(root, data)
        if i < EARLY_KILLS:
            # Before anything is registered: start-up, label checks, the first staging.
            begin = min(0.8 * startup, 0.5 * duration)
            _wait_for(process, root, 1, begin + (duration - begin) * i / (2 * EARLY_KILLS))
        else:
            # After a given share of the products is registered, at once or a moment later
            # (while the next batch is being staged or committed).
            share = (i - EARLY_KILLS + 1) / (KILLS - EARLY_KILLS + 1)
            _wait_for(process, root, int(share * PRODUCTS), duration)
            time.sleep((i % 3) * 0.05)
        if process.poll() is None:
            helpers = _children(process.pid) if sys.platform == "linux" else []
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            orphans.extend(helpers)
        process.wait(timeout=300)
        moments.append(_assert_consistent(root))
    # The kills landed at different stages: from nothing registered to a partial catalog.
    assert moments[0] < moments[-2] and len(set(moments)) >= 5, moments

    # A killed node resumes: the next run completes the same catalog as an unbroken run.
    # Worker processes of a killed ingest notice it and end by themselves.
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in orphans) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert [pid for pid in orphans if _alive(pid)] == []
    final = _start_ingest(root, data)
    assert final.wait(timeout=300) == 0
    with Node.open(root) as node, Node.open(probe_root) as probe:
        with node.engine.connect() as conn, probe.engine.connect() as probe_conn:
            assert catalog.counts(conn)["products"] == catalog.counts(probe_conn)["products"]
        assert check_archive(node).problems == []
