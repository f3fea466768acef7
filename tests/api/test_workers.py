"""``lunadc serve --workers N``: what the worker processes share.

A signed peer request replayed to another worker is still a replay; failed sign-ins count
across workers; exactly one worker holds the sync lock. The process test runs a real
two-worker server on a loopback port.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lunadc.api.sharedstate import (
    SharedFailureLimiter,
    SharedNonces,
    SharedStateFile,
    state_path,
)
from lunadc.errors import AuthenticationError
from lunadc.federation.identity import load_identity
from lunadc.federation.signatures import SignedAuth
from lunadc.node import Node, init_node
from tests.api.conftest import _free_port
from tests.federation.helpers import peer


def test_a_nonce_is_used_once_across_workers(tmp_path: Path) -> None:
    path = state_path(tmp_path)
    first, second = SharedNonces(SharedStateFile(path)), SharedNonces(SharedStateFile(path))
    first.add("n-1", expires=1_000, now=500)
    with pytest.raises(AuthenticationError, match="replayed"):
        second.add("n-1", expires=1_000, now=501)
    second.add("n-2", expires=1_000, now=501)
    # Once its signature has expired, a nonce is forgotten (the signature check refuses it).
    first.add("n-1", expires=3_000, now=2_000)


def test_the_replay_window_is_bounded(tmp_path: Path) -> None:
    nonces = SharedNonces(SharedStateFile(state_path(tmp_path)), capacity=2)
    nonces.add("a", expires=100, now=0)
    nonces.add("b", expires=100, now=0)
    with pytest.raises(AuthenticationError, match="too many"):
        nonces.add("c", expires=100, now=0)
    nonces.add("c", expires=300, now=200)  # a and b expired meanwhile


def test_failed_sign_ins_add_up_across_workers(tmp_path: Path) -> None:
    now = [1_000.0]
    path = state_path(tmp_path)
    workers = [
        SharedFailureLimiter(
            SharedStateFile(path), max_failures=3, window_s=60, clock=lambda: now[0]
        )
        for _ in range(2)
    ]
    workers[0].failed("10.0.0.1")
    workers[1].failed("10.0.0.1")
    assert workers[0].blocked_for("10.0.0.1") == 0
    workers[1].failed("10.0.0.1")
    assert workers[0].blocked_for("10.0.0.1") == pytest.approx(60)
    assert workers[1].blocked_for("10.0.0.2") == 0  # another client is not affected
    now[0] += 61
    assert workers[0].blocked_for("10.0.0.1") == 0


@pytest.fixture
def two_worker_server(tmp_path: Path) -> Iterator[tuple[str, Node, Node]]:
    """Node ``home`` served by two worker processes, trusting peer node ``other``."""
    home_root, other_root = tmp_path / "home", tmp_path / "other"
    with init_node(other_root, "node-other") as other, init_node(home_root, "node-home") as home:
        peer(home, other)
        port = _free_port()
        proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "lunadc", "serve", "--root", str(home_root)),
                *("--port", str(port), "--workers", "2", "--log-level", "warning"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "LUNADC_BASE_URL": ""},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            up = False
            while not up and proc.poll() is None and time.monotonic() < deadline:
                try:
                    up = httpx.get(base + "/health", timeout=1).status_code == 200
                except httpx.HTTPError:
                    time.sleep(0.2)
            if not up:
                err = proc.stderr.read().decode()[-2000:] if proc.poll() is not None else ""
                pytest.fail(f"lunadc serve --workers 2 did not answer {err}")
            yield base, home, other
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_two_workers_refuse_a_replay_whichever_worker_gets_it(
    two_worker_server: tuple[str, Node, Node],
) -> None:
    base, _home, other = two_worker_server
    auth = SignedAuth(load_identity(other.config.root, other.node_id))
    with httpx.Client() as builder:
        request = builder.build_request("POST", base + "/federation/visible", json={"lidvids": []})
    signed = next(auth.sync_auth_flow(request))
    answers = []
    for _ in range(6):  # a fresh connection each time: the kernel spreads them over workers
        with httpx.Client(timeout=10) as client:
            answers.append(client.send(signed).status_code)
    assert answers == [200] + [401] * 5


def test_exactly_one_worker_holds_the_sync_lock(two_worker_server: tuple[str, Node, Node]) -> None:
    _base, home, _other = two_worker_server
    with (home.config.root / "run" / "sync-loop.lock").open("ab") as handle:
        with pytest.raises(BlockingIOError):
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_failed_sign_ins_are_limited_across_workers(
    two_worker_server: tuple[str, Node, Node],
) -> None:
    base, _home, _other = two_worker_server
    statuses = []
    for _ in range(12):  # the limit is 10 failures a minute per client, over all workers
        with httpx.Client(timeout=10) as client:
            statuses.append(
                client.get(base + "/products", headers={"Authorization": "Bearer nope"}).status_code
            )
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
