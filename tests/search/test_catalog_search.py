"""Catalog search on SQLite and PostgreSQL: q compiled to SQL, visibility, paging, facets."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Connection

from lunadc.catalog.membership import member_of_ids, members_ids, walk_clause
from lunadc.catalog.search import (
    Scope,
    SearchParams,
    get_visible,
    search_products,
    versions_scope,
)
from lunadc.catalog.search_cache import SearchCache
from lunadc.errors import BadRequestError, QuerySyntaxError
from lunadc.model.access import ANONYMOUS, Role, Viewer
from lunadc.model.identifiers import Vid
from lunadc.node import Node
from tests.search.helpers import BUNDLE, COLL, add, at, label, small_catalog

NOW = "2026-06-01T00:00:00.000000Z"
ARCHIVIST = Viewer(name="a", role=Role.ARCHIVIST)


def lidvids(node: Node, viewer: Viewer = ANONYMOUS, now: str = NOW, **params: object) -> list[str]:
    with node.engine.connect() as conn:
        result = search_products(conn, viewer, now, SearchParams(**params))  # type: ignore[arg-type]
    return [p.lidvid for p in result.products]


@pytest.fixture
def catalog(node: Node) -> Node:
    small_catalog(node)
    return node


def test_lists_latest_visible_versions_in_harvest_order(catalog: Node) -> None:
    assert lidvids(catalog) == [
        f"{BUNDLE}::1.0",
        f"{COLL}::1.0",
        f"{COLL}:p2::1.0",
        f"{COLL}:p1::2.0",
    ]
    everything = lidvids(catalog, ARCHIVIST)
    assert f"{COLL}:secret::1.0" in everything and f"{COLL}:later::1.0" in everything
    # The embargo ends by the clock alone.
    assert f"{COLL}:later::1.0" in lidvids(catalog, now="2030-01-02T00:00:00.000000Z")


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('target eq "moon"', {"b1", "data", "p1"}),
        ('mission eq "TIANWEN-1"', {"p2"}),
        ('target ne "Moon"', {"p2"}),
        ('start_time ge "2021"', {"p2"}),
        ('pds:Time_Coordinates.pds:start_date_time lt "2021-01-01T00:00:00Z"', {"p1"}),
        ('processing_level eq "calibrated"', {"p2"}),
        ('title like "*collection"', {"data"}),
        ('title like "data"', {"data"}),
        ('product_class eq "Product_Bundle"', {"b1"}),
        ("pds:Array.pds:axes eq 2", {"p2"}),
        ("pds:Array.pds:axes gt 1.5", {"p2"}),
        ('(target eq "Moon" and not (product_class eq "Product_Bundle"))', {"data", "p1"}),
        ('lid eq "urn:test:lunadc:b1:data:p1" or lid eq "urn:test:lunadc:b1"', {"b1", "p1"}),
        ('ref_lid_target eq "urn:nasa:pds:context:target:satellite.mars"', {"p2"}),
        ('vid ge "2.0"', {"p1"}),
        ('nosuch:field eq "x"', set()),
        ('lidvid eq "x\' OR 1=1 --"', set()),
    ],
)
def test_q_language(catalog: Node, q: str, expected: set[str]) -> None:
    assert {lv.split("::")[0].rsplit(":", 1)[-1] for lv in lidvids(catalog, q=q)} == expected


def test_q_errors(catalog: Node) -> None:
    with pytest.raises(QuerySyntaxError):
        lidvids(catalog, q="target eq")
    with pytest.raises(BadRequestError):
        lidvids(catalog, q='start_time gt "yesterday"')
    with pytest.raises(BadRequestError):
        lidvids(catalog, q='vid gt "one"')


def test_keywords_search_title_and_description(catalog: Node) -> None:
    assert lidvids(catalog, keywords=("crater",)) == []  # secret and embargoed stay hidden
    # p1's description is on version 1.0, which is not the latest any more.
    assert lidvids(catalog, keywords=("crater rims",)) == []
    assert lidvids(catalog, keywords=("dust",)) == [f"{COLL}:p2::1.0"]
    assert lidvids(catalog, keywords=("DATA", "coll*")) == [f"{COLL}::1.0"]
    assert len(lidvids(catalog, ARCHIVIST, keywords=("crater",))) == 2


def test_search_after_walk_visits_everything_once(catalog: Node) -> None:
    for sort in [(), ("lidvid",), ("title",), ("start_time",), ("vid", "lid")]:
        seen: list[str] = []
        after: tuple[str, ...] = ()
        with catalog.engine.connect() as conn:
            for _ in range(10):
                result = search_products(
                    conn, ARCHIVIST, NOW, SearchParams(limit=2, sort=sort, search_after=after)
                )
                seen += [p.lidvid for p in result.products]
                if not result.products:
                    break
                after = tuple(result.search_after)
                assert result.hits == 6
        assert sorted(seen) == sorted(lidvids(catalog, ARCHIVIST)), sort
        assert len(seen) == 6


def test_search_after_errors(catalog: Node) -> None:
    with pytest.raises(BadRequestError):
        lidvids(catalog, sort=("lidvid",), search_after=("a", "b", "c"))
    with pytest.raises(BadRequestError):
        lidvids(catalog, search_after=(at(1), "urn:no:such::1.0"))
    with pytest.raises(BadRequestError):
        lidvids(catalog, limit=-1)


def test_facets_and_hits_respect_visibility(catalog: Node) -> None:
    with catalog.engine.connect() as conn:
        result = search_products(
            conn,
            ANONYMOUS,
            NOW,
            SearchParams(limit=0, facet_fields=("target", "product_class", "ref_lid_target")),
            cache=SearchCache(),
        )
    assert result.products == [] and result.hits == 4
    target, klass, ref = result.facets
    assert target.counts == {"Moon": 3, "Mars": 1}
    assert klass.counts["Product_Observational"] == 2
    assert sum(ref.counts.values()) == 4


def test_cache_follows_catalog_changes(catalog: Node) -> None:
    cache = SearchCache()
    with catalog.engine.connect() as conn:
        first = search_products(conn, ANONYMOUS, NOW, SearchParams(limit=0), cache=cache)
    add(catalog, label(f"{COLL}:p3"), at=at(8))
    with catalog.engine.connect() as conn:
        second = search_products(conn, ANONYMOUS, NOW, SearchParams(limit=0), cache=cache)
        released = search_products(
            conn, ANONYMOUS, "2031-01-01T00:00:00.000000Z", SearchParams(limit=0), cache=cache
        )
    assert (first.hits, second.hits, released.hits) == (4, 5, 6)


def test_versions_and_single_reads(catalog: Node) -> None:
    with catalog.engine.connect() as conn:
        latest = get_visible(conn, ANONYMOUS, NOW, f"{COLL}:p1", None)
        old = get_visible(conn, ANONYMOUS, NOW, f"{COLL}:p1", Vid(1, 0))
        hidden = get_visible(conn, ANONYMOUS, NOW, f"{COLL}:secret", None)
        versions = search_products(
            conn,
            ANONYMOUS,
            NOW,
            SearchParams(sort=("vid",)),
            scope=versions_scope(f"{COLL}:p1", None),
        )
    assert latest is not None and latest.vid == "2.0"
    assert old is not None and old.vid == "1.0"
    assert hidden is None
    assert [p.vid for p in versions.products] == ["1.0", "2.0"]


def _walk(
    node: Node, lidvid: str, *, down: bool, depth: int, versions: str | None = None
) -> list[str]:
    lid, _sep, vid = lidvid.partition("::")
    with node.engine.connect() as conn:
        row = get_visible(conn, ANONYMOUS, NOW, lid, Vid.parse(vid))
        assert row is not None
        finder = members_ids if down else member_of_ids
        ids = finder(conn, ANONYMOUS, NOW, row, depth)
        key = ("t", lidvid, down, depth, versions)
        scope = Scope(walk_clause(ids, versions), key, latest_only=versions == "latest")
        result = search_products(conn, ANONYMOUS, NOW, SearchParams(sort=("lidvid",)), scope=scope)
    return [p.lidvid for p in result.products]


def test_members_and_member_of(catalog: Node) -> None:
    assert _walk(catalog, f"{BUNDLE}::1.0", down=True, depth=1) == [f"{COLL}::1.0"]
    # The inventory lists p1 1.0 exactly and p2 by LID (its latest version).
    assert _walk(catalog, f"{COLL}::1.0", down=True, depth=1) == [
        f"{COLL}:p1::1.0",
        f"{COLL}:p2::1.0",
    ]
    assert _walk(catalog, f"{BUNDLE}::1.0", down=True, depth=2) == [
        f"{COLL}:p1::1.0",
        f"{COLL}:p2::1.0",
    ]
    assert _walk(catalog, f"{COLL}::1.0", down=True, depth=1, versions="latest") == [
        f"{COLL}:p1::2.0",
        f"{COLL}:p2::1.0",
    ]
    assert _walk(catalog, f"{COLL}:p1::1.0", down=False, depth=1) == [f"{COLL}::1.0"]
    assert _walk(catalog, f"{COLL}:p1::2.0", down=False, depth=1) == []
    assert _walk(catalog, f"{COLL}:p2::1.0", down=False, depth=2) == [f"{BUNDLE}::1.0"]
    with pytest.raises(BadRequestError):
        _walk(catalog, f"{COLL}:p2::1.0", down=True, depth=1)
    with pytest.raises(BadRequestError):
        _walk(catalog, f"{BUNDLE}::1.0", down=False, depth=1)


def test_cache_computes_an_aggregate_once_for_concurrent_askers(catalog: Node) -> None:
    """Single flight: eight threads asking for the same cold count run it once."""
    cache = SearchCache()
    calls: list[int] = []
    started = threading.Event()

    def slow_count() -> int:
        calls.append(1)
        started.set()
        time.sleep(0.3)  # long enough for every other thread to arrive and wait
        return 42

    def ask() -> int:
        with catalog.engine.connect() as conn:
            return cache.get(conn, NOW, ("hits", "q"), slow_count)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _i: ask(), range(8)))
    assert answers == [42] * 8
    assert len(calls) == 1


def test_cache_waiters_compute_themselves_when_the_first_attempt_fails(catalog: Node) -> None:
    cache = SearchCache()
    calls: list[int] = []
    lock = threading.Lock()

    def flaky() -> int:
        with lock:
            calls.append(1)
            first = len(calls) == 1
        time.sleep(0.2)
        if first:
            raise RuntimeError("the first computation fails")
        return 7

    def ask() -> int | str:
        with catalog.engine.connect() as conn:
            try:
                return cache.get(conn, NOW, ("facet", "x"), flaky)
            except RuntimeError as error:
                return str(error)

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _i: ask(), range(4)))
    assert answers.count("the first computation fails") == 1
    assert answers.count(7) == 3
    assert len(calls) == 2  # the failure, then one successful computation for the rest


def test_cache_bounds_the_weight_of_what_it_keeps(catalog: Node) -> None:
    cache = SearchCache(size=10)
    computed: list[str] = []

    def get(conn: Connection, name: str, weight: int = 1) -> None:
        def value() -> str:
            computed.append(name)
            return name

        cache.get(conn, NOW, name, value, weight=lambda _v: weight)

    with catalog.engine.connect() as conn:
        get(conn, "a")
        get(conn, "b")
        get(conn, "heavy", 7)  # 1 + 1 + 7: all kept
        get(conn, "b")  # kept: not computed again, and now the most recently used
        get(conn, "heavy2", 2)  # 11 > 10: the least recently used ("a") goes
        get(conn, "a")  # computed again; "heavy" (least recently used) goes
        get(conn, "heavy")  # computed again
        get(conn, "huge", 11)  # heavier than the whole cache: never kept
        get(conn, "huge", 11)
        get(conn, "b")  # still there
    assert computed == ["a", "b", "heavy", "heavy2", "a", "heavy", "huge", "huge"]
