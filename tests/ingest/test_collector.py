"""The garbage collector's thresholds during an ingest run: raised, never lowered, restored."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from lunadc.ingest.collector import RUN_THRESHOLDS, rare_collections


@pytest.fixture(autouse=True)
def _keep_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_thresholds_are_raised_within_and_restored_after() -> None:
    gc.set_threshold(700, 10, 10)
    with rare_collections():
        assert gc.get_threshold() == RUN_THRESHOLDS
    assert gc.get_threshold() == (700, 10, 10)


def test_a_process_that_collects_more_rarely_keeps_its_own() -> None:
    gc.set_threshold(50_000, 5, 1_000)
    with rare_collections():
        assert gc.get_threshold() == (50_000, RUN_THRESHOLDS[1], 1_000)
    assert gc.get_threshold() == (50_000, 5, 1_000)


def test_nested_runs_restore_once_the_last_one_ends() -> None:
    gc.set_threshold(700, 10, 10)
    with rare_collections():
        with rare_collections():
            pass
        assert gc.get_threshold() == RUN_THRESHOLDS
    assert gc.get_threshold() == (700, 10, 10)


def test_restored_after_an_error() -> None:
    gc.set_threshold(700, 10, 10)
    with pytest.raises(RuntimeError), rare_collections():
        raise RuntimeError("stop")
    assert gc.get_threshold() == (700, 10, 10)
