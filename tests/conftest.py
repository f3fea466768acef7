"""Shared fixtures: real SQLite and PostgreSQL catalogs, nodes in temporary folders."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lunadc.node import Node, init_node

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = SHARED / "samples" / "pds4"

_PG_URL = os.environ.get("LUNADC_TEST_POSTGRES", "")
_pg_problem: str | None = None


def _postgres_available() -> bool:
    global _pg_problem
    if not _PG_URL:
        _pg_problem = "LUNADC_TEST_POSTGRES is not set"
        return False
    try:
        engine = create_engine(_psycopg(_PG_URL))
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception as exc:  # any failure to connect means: skip, loudly
        _pg_problem = f"cannot connect to {_PG_URL}: {exc.__class__.__name__}: {exc}"
        return False


def _psycopg(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


POSTGRES_OK = _postgres_available()


def pytest_report_header() -> str:
    if POSTGRES_OK:
        return f"PostgreSQL catalog tests: ON ({_PG_URL})"
    return f"PostgreSQL catalog tests: SKIPPED ({_pg_problem})"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not POSTGRES_OK:
        terminalreporter.write_sep(
            "!", "PostgreSQL catalog tests were SKIPPED", red=True, bold=True
        )
        terminalreporter.write_line(f"  reason: {_pg_problem}", red=True)
        terminalreporter.write_line(
            "  set LUNADC_TEST_POSTGRES=postgresql://USER@HOST:PORT/DB to run them", red=True
        )


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    if not POSTGRES_OK:
        pytest.skip(f"PostgreSQL not available: {_pg_problem}")
    schema = "t_" + secrets.token_hex(6)
    admin = create_engine(_psycopg(_PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    parsed = make_url(_psycopg(_PG_URL)).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield parsed.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Both catalog back-ends: an empty string means the default SQLite file in the node."""
    if request.param == "sqlite":
        return ""
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def node(tmp_path: Path, db_url: str) -> Iterator[Node]:
    """A fresh node on each catalog back-end."""
    with init_node(tmp_path / "node", "node-test", db_url=db_url) as created:
        yield created


@pytest.fixture
def sqlite_node(tmp_path: Path) -> Iterator[Node]:
    """A fresh node on SQLite only (for tests that are not about the back-end)."""
    with init_node(tmp_path / "node", "node-test") as created:
        yield created
