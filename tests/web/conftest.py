"""Fixtures of the web UI tests: a node with real and generated samples, an in-process app,
and (for the browser tests) a real ``lunadc serve`` process with Debian's Chromium."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lunadc.access import admin
from lunadc.api.app import create_app
from lunadc.catalog.access import AccessSetting
from lunadc.ingest.pipeline import Ingestor
from lunadc.model.access import Role
from lunadc.node import Node, init_node
from lunadc.samples.generate import generate_samples
from tests import conftest as base
from tests.conftest import REPO, SAMPLES

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
PARTNER_MISSION = "luna26_orbiter"  # ingested with access=partner
SERVER_START_S = 30.0


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: end-to-end test in headless Chromium")


@dataclass(frozen=True)
class Tokens:
    partner: str
    admin: str
    reader: str


def build_node(root: Path, samples: Path, node_id: str = "node-cn", db_url: str = "") -> Tokens:
    """A node with the real samples and generated missions (one of them partner-only)."""
    with init_node(root, node_id, db_url=db_url) as node:
        public = [SAMPLES, *(p for p in samples.iterdir() if p.name != PARTNER_MISSION)]
        Ingestor(node).run(public)
        Ingestor(node, access=AccessSetting("partner")).run([samples / PARTNER_MISSION])
        return make_tokens(node)


def make_tokens(node: Node) -> Tokens:
    """Users alice (partner), root (admin), bob (reader) and a token each."""
    admin.add_user(node, "alice", Role.READER, partner=True)
    admin.add_user(node, "root", Role.ADMIN, partner=False)
    admin.add_user(node, "bob", Role.READER, partner=False)
    return Tokens(
        partner=admin.create_token(node, "alice", None).token,
        admin=admin.create_token(node, "root", None).token,
        reader=admin.create_token(node, "bob", None).token,
    )


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated") / "missions"
    generate_samples(out, products=40)
    return out


@pytest.fixture(scope="module")
def backend() -> str:
    """The catalog back-end of the module's node; a test module may override it with params."""
    return "sqlite"


@pytest.fixture(scope="module")
def web_db(backend: str) -> Iterator[str]:
    """The node's catalog URL: '' (SQLite in the node) or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        yield ""
        return
    if not base.POSTGRES_OK:
        pytest.skip("PostgreSQL not available (LUNADC_TEST_POSTGRES)")
    schema = "t_" + secrets.token_hex(6)
    admin = create_engine(base._psycopg(base._PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(base._psycopg(base._PG_URL)).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="module")
def web_root(
    tmp_path_factory: pytest.TempPathFactory, generated: Path, web_db: str
) -> tuple[Path, Tokens]:
    root = tmp_path_factory.mktemp("webnode") / "node"
    return root, build_node(root, generated, db_url=web_db)


@pytest.fixture(scope="module")
def web_node(web_root: tuple[Path, Tokens]) -> Iterator[Node]:
    with Node.open(web_root[0]) as node:
        yield node


@pytest.fixture(scope="module")
def web_app(web_node: Node) -> FastAPI:
    return create_app(web_node)


@pytest.fixture(scope="module")
def client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app) as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    root: Path
    process: subprocess.Popen[bytes]
    tokens: Tokens


def start_server(root: Path, tokens: Tokens, log: Path) -> Server:
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "lunadc", "serve", "--root", str(root)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port), "--log-level", "warning"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"lunadc serve exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=1.0).status_code < 500:
                return Server(url, root, process, tokens)
        except httpx.HTTPError:
            time.sleep(0.2)
    stop_server(process)
    raise RuntimeError(f"lunadc serve did not answer within {SERVER_START_S} s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(
    web_root: tuple[Path, Tokens], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    root, tokens = web_root
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    srv = start_server(root, tokens, log)
    try:
        yield srv
    finally:
        stop_server(srv.process)


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A persistent Chromium context in a new user-data-dir (never a downloaded browser)."""
    if not CHROMIUM.exists():
        message = "\n!!! /usr/bin/chromium is missing: browser tests SKIPPED (make browser) !!!\n"
        sys.stderr.write(message)
        pytest.skip(message.strip())
    playwright_api = pytest.importorskip("playwright.sync_api")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    user_data = tmp_path_factory.mktemp("chromium-profile")
    with playwright_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(user_data),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1440, "height": 960},
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(user_data, ignore_errors=True)
