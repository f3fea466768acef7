"""Place search with a term filter narrows the footprints near the place by an id array
(``lunadc.catalog.narrowing``) before testing the filter one by one: the answers stay
exactly those of the unnarrowed search, restricted products included, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from lunadc.api.app import create_app
from lunadc.catalog import footprints, narrowing
from lunadc.catalog.narrowing import _All, _Any, _Term, keep, matching_ids
from lunadc.node import Node
from lunadc.search.query import parse_query
from tests.spatial.test_http import CASES, names
from tests.spatial.world import HIDDEN, build_world

Client = tuple[TestClient, dict[str, str]]


@pytest.fixture
def world(node: Node, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    # The world has a handful of footprints, not thousands: narrow whenever one is near.
    monkeypatch.setattr(footprints, "NARROW_FROM", 1)
    tokens = build_world(node)
    with TestClient(create_app(node), raise_server_exceptions=False) as client:
        yield client, tokens


def test_shapes_keep_only_what_the_terms_index_answers() -> None:
    def shape(q: str) -> tuple[narrowing.Narrowing, bool] | None:
        return narrowing.narrowing(parse_query(q))

    assert shape('mission eq "LRO"') == (_Term("investigation", "lro"), True)
    # an AND keeps what the index answers; the rest is tested afterwards (not exact)
    assert shape('instrument eq "WAC" and title like "pole"') == (
        _All((_Term("instrument", "wac"),)),
        False,
    )
    assert shape('instrument eq "WAC" and mission eq "LRO"') == (
        _All((_Term("instrument", "wac"), _Term("investigation", "lro"))),
        True,
    )
    assert shape('mission eq "A" or instrument eq "B"') == (
        _Any((_Term("investigation", "a"), _Term("instrument", "b"))),
        True,
    )
    assert shape('(mission eq "A" and title like "x") or instrument eq "B"') == (
        _Any((_All((_Term("investigation", "a"),)), _Term("instrument", "b"))),
        False,
    )
    assert shape('mission eq "A" or title like "x"') is None  # the OR reaches past the index
    assert shape('not (mission eq "A")') is None
    assert shape('title like "x"') is None
    assert shape('mission ne "A"') is None


def test_place_answers_are_unchanged_by_narrowing(world: Client) -> None:
    client, tokens = world
    spatial = [(q, want) for q, want in CASES if want is not None and "=" in q]
    for query, expected in spatial:
        filters = [
            ('mission eq "Spatial Test"', expected),
            ('mission eq "No Such Mission"', set()),
            ('instrument eq "WAC" or instrument eq "HRC"', None),
            ('mission eq "spatial test" and title like "pole"', None),
            ('mission eq "Spatial Test" and instrument eq "WAC"', None),
            ('(mission eq "x" and title like "pole") or instrument eq "LSTK"', None),
        ]
        for q, want in filters:
            for token in (None, tokens["outsider"]):
                got, _ = names(client, f"{query}&q={q}", token)
                if want is None:  # the same as the place alone, filtered here by name
                    alone, _ = names(client, query, token)
                    want = {n for n in alone if _matches(client, n, q)}
                assert got == want, (query, q)
                assert HIDDEN not in got


def _matches(client: TestClient, name: str, q: str) -> bool:
    """Does product ``name`` match ``q`` (asked without any place)?"""
    found, _ = names(client, f"q={q}")
    return name in found


def test_the_hidden_product_stays_hidden_though_its_id_narrows(world: Client) -> None:
    client, tokens = world
    pole = 'circle=0,-89.5,10&target=Moon&q=mission eq "Spatial Test"'
    assert HIDDEN not in names(client, pole)[0]
    assert HIDDEN not in names(client, pole, tokens["outsider"])[0]
    assert HIDDEN in names(client, pole, tokens["g1-member"])[0]


def test_a_term_too_broad_is_left_out(node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    build_world(node)
    with node.engine.connect() as conn:
        every = matching_ids(conn, _Term("investigation", "spatial test"))
        assert every is not None and every.exact
        assert len(every.ids) >= 9 and (np.diff(every.ids) > 0).all()
        wac = matching_ids(conn, _Term("instrument", "wac"))
        assert wac is not None and len(wac.ids) == 1
        monkeypatch.setattr(narrowing, "MAX_IDS", 5)
        assert matching_ids(conn, _Term("investigation", "spatial test")) is None
        both = _All((_Term("investigation", "spatial test"), _Term("instrument", "wac")))
        found = matching_ids(conn, both)
        assert found is not None and list(found.ids) == list(wac.ids)  # the broad one left out
        assert not found.exact  # so the terms are tested again afterwards
        either = _Any((_Term("investigation", "spatial test"), _Term("instrument", "wac")))
        assert matching_ids(conn, either) is None


def test_keep() -> None:
    allowed = np.array([2, 5, 9], dtype=np.int64)
    ids = np.array([9, 1, 5, 10, 2, 3], dtype=np.int64)
    assert keep(ids, allowed).tolist() == [9, 5, 2]
    assert keep(ids, allowed[:0]).tolist() == []
