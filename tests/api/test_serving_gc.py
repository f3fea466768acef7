"""A serving process collects garbage rarely: start-up objects frozen, thresholds raised."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from lunadc.api.serving import GC_THRESHOLDS, ROOT_ENV, worker_app
from lunadc.node import init_node


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_a_worker_app_tunes_the_collector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restored_gc: None
) -> None:
    with init_node(tmp_path / "node", "node-gc"):
        pass
    monkeypatch.setenv(ROOT_ENV, str(tmp_path / "node"))
    gc.unfreeze()
    app = worker_app()
    assert gc.get_threshold() == GC_THRESHOLDS
    assert gc.get_freeze_count() > 10_000  # the libraries and the app, out of the collector's way
    with TestClient(app) as client:  # runs the app's life span, which closes its node
        assert client.get("/health").status_code == 200
