"""A node holding the real PDS4 samples (one folder restricted), shared by the API tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from lunadc.api.app import create_app
from lunadc.catalog.access import AccessSetting
from lunadc.ingest.pipeline import ingest
from lunadc.node import Node, init_node
from tests.conftest import SAMPLES

HIDDEN_FOLDER = "spice_pck_bennu"
HIDDEN_LIDVID = (
    "urn:nasa:pds:orex.altimetry:data_derived_altimetry_global_models:bennu_pck_od090.tpc::1.0"
)
BUNDLE = "urn:nasa:pds:clps_to_2ab_pll.pitms::1.0"
COLLECTION = "urn:nasa:pds:clps_to_2ab_pll.pitms:data_raw::1.0"
BASIC = "urn:nasa:pds:clps_to_2ab_pll.pitms:data_raw:pitms_raw_aux::1.0"


@pytest.fixture(scope="session")
def samples_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("api") / "node"
    with init_node(root, "node-api") as node:
        public = [p for p in sorted(SAMPLES.iterdir()) if p.is_dir() and p.name != HIDDEN_FOLDER]
        ingest(node, public)
        ingest(node, [SAMPLES / HIDDEN_FOLDER], access=AccessSetting("restricted"))
    return root


@pytest.fixture(scope="session")
def api_node(samples_root: Path) -> Iterator[Node]:
    with Node.open(samples_root) as node:
        yield node


@pytest.fixture(scope="session")
def client(api_node: Node) -> Iterator[TestClient]:
    with TestClient(create_app(api_node), raise_server_exceptions=False) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def served(samples_root: Path) -> Iterator[str]:
    """A real ``lunadc serve`` process on a free loopback port; yields its base URL."""
    port = _free_port()
    env = {**os.environ, "LUNADC_BASE_URL": ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lunadc", "serve", "--root", str(samples_root), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        for _ in range(300):  # bounded in count and in time
            if proc.poll() is not None or time.monotonic() > deadline:
                break
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("lunadc serve did not answer")
        if proc.poll() is not None:
            pytest.fail(
                f"lunadc serve exited: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}"
            )
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
