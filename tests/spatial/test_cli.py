"""``lunadc search`` with place options and ``lunadc coverage``, on the local catalog and
against a real ``lunadc serve`` process (``--url``)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from lunadc.cli.app import _register_commands, app
from lunadc.node import init_node
from tests.spatial.world import LID, build_world


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


def lunadc(*args: str) -> Run:
    """The ``lunadc`` command in this process (the server it may talk to is a real one)."""
    _register_commands()
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spatial-cli") / "node"
    with init_node(path, "node-spatial") as node:
        build_world(node)
    return path


def test_search_with_place_options(root: Path) -> None:
    out = lunadc(
        "search",
        "--root",
        str(root),
        "--target",
        "Moon",
        "--bbox",
        "170,-50,-170,-40",
        "--format",
        "json",
    )
    assert out.returncode == 0, out.stderr
    ids = {p["id"] for p in json.loads(out.stdout)["data"]}
    assert ids == {f"{LID}:{n}::1.0" for n in ("ce4_lander", "ce4_rover", "lro_vk_box")}
    timed = lunadc(
        "search",
        "--root",
        str(root),
        "--start",
        "2027-01-01",
        "--format",
        "csv",
        "--fields",
        "lidvid",
    )
    assert timed.stdout.splitlines() == ["lidvid", f"{LID}:lstk_pole_frame::1.0"]
    bad = lunadc("search", "--root", str(root), "--circle", "0,-89.5,10")
    assert bad.returncode != 0 and "target" in bad.stderr and "Traceback" not in bad.stderr


def test_coverage_command(root: Path, tmp_path: Path) -> None:
    moc, geo = tmp_path / "covered.moc", tmp_path / "parts.geojson"
    out = lunadc(
        "coverage",
        "--root",
        str(root),
        "--circle",
        "0,-89.5,10",
        "--moc",
        str(moc),
        "--geojson",
        str(geo),
    )
    assert out.returncode == 0, out.stderr
    assert "100.00% of 314.1" in out.stdout and "3 product(s)" in out.stdout
    assert "WAC" in out.stdout and "SECRETCAM" not in out.stdout
    assert "/" in moc.read_text()  # ASCII MOC: order/cells
    parts = json.loads(geo.read_text())
    assert [f["properties"]["part"] for f in parts["features"]] == ["covered", "uncovered"]
    everything = lunadc(
        "coverage", "--root", str(root), "--circle", "0,-89.5,10", "--all", "--format", "json"
    )
    assert json.loads(everything.stdout)["products"] == 4  # the archivist sees the secret one
    fine = lunadc(
        "coverage",
        "--root",
        str(root),
        "--circle",
        "0,-89.5,10",
        "--max-resolution",
        "2",
        "--format",
        "json",
    )
    body = json.loads(fine.stdout)
    assert body["products"] == 1 and 0.5 < body["fraction"] < 1.0
    for bad in (["--polygon", "0,0,1,1"], ["--bbox", "1,2,3"], []):
        r = lunadc("coverage", "--root", str(root), *bad)
        assert r.returncode != 0 and r.stderr.strip() and "Traceback" not in r.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(root: Path) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "lunadc", "serve", "--root", str(root), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "LUNADC_BASE_URL": ""},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        for _ in range(600):  # bounded in count and in time
            if proc.poll() is not None or time.monotonic() > deadline:
                break
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_remote_search_and_coverage(served: str) -> None:
    out = lunadc(
        "search", "--url", served, "--target", "Moon", "--point", "43.5,-72.2", "--format", "json"
    )
    assert out.returncode == 0, out.stderr
    assert [p["id"] for p in json.loads(out.stdout)["data"]] == [f"{LID}:luna25_lander::1.0"]
    cov = lunadc("coverage", "--url", served, "--circle", "0,-89.5,10", "--format", "json")
    assert cov.returncode == 0, cov.stderr
    assert json.loads(cov.stdout)["products"] == 3
    bad = lunadc("coverage", "--url", served, "--circle", "0,-95,10")
    assert bad.returncode != 0 and "latitude" in bad.stderr
