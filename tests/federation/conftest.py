"""Fixtures: a small sample set ingested on a home node, and an empty peer node, on each
catalog back-end (two PostgreSQL schemas for two nodes)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lunadc.ingest.pipeline import ingest
from lunadc.node import Node, init_node
from lunadc.samples.generate import SampleSet, generate_samples
from tests import conftest as base

DbFactory = Callable[[], str]


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> SampleSet:
    return generate_samples(
        tmp_path_factory.mktemp("fed") / "samples", seed=7, products=6, missions=["change4"]
    )


@pytest.fixture(params=["sqlite", "postgres"])
def new_db(request: pytest.FixtureRequest) -> Iterator[DbFactory]:
    """Makes catalog URLs for as many nodes as a test needs ('' is SQLite in the node)."""
    if request.param == "sqlite":
        yield lambda: ""
        return
    if not base.POSTGRES_OK:
        pytest.skip("PostgreSQL not available (LUNADC_TEST_POSTGRES)")
    admin = create_engine(base._psycopg(base._PG_URL))
    schemas: list[str] = []

    def make() -> str:
        schema = "t_" + secrets.token_hex(6)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        schemas.append(schema)
        url = make_url(base._psycopg(base._PG_URL)).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        return url.render_as_string(hide_password=False)

    try:
        yield make
    finally:
        with admin.begin() as conn:
            for schema in schemas:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def home(tmp_path: Path, samples: SampleSet, new_db: DbFactory) -> Iterator[Node]:
    with init_node(tmp_path / "cn", "node-cn", db_url=new_db()) as node:
        report = ingest(node, [samples.root])
        assert report.ok, report.rejected
        yield node


@pytest.fixture
def other(tmp_path: Path, new_db: DbFactory) -> Iterator[Node]:
    with init_node(tmp_path / "ru", "node-ru", db_url=new_db()) as node:
        yield node
