"""The bulk refine (``lunadc.search.spatial.refine``) never contradicts the exact predicate,
and decides the plain cases itself (an always-"ask" refine would be correct but useless)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Column, Float, Integer, MetaData, Table, create_engine, insert, select

from lunadc.catalog.footprints import bounds_clause
from lunadc.search.spatial import (
    Box,
    Circle,
    MultiRegion,
    Point,
    Polygon,
    Region,
    intersects,
)
from lunadc.search.spatial.refine import ASK, NO, YES, decide
from lunadc.search.spatial.serial import bounds, region_to_json
from tests.spatial.oracle import Spec, made
from tests.spatial.strategies import pairs

PROPS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def verdicts(query: Region, footprints: list[Region]) -> list[int]:
    texts = [region_to_json(f) for f in footprints]
    box = np.array([bounds(f) for f in footprints], dtype=np.float64).reshape(-1, 4)
    with_bounds = [int(v) for v in decide(query, texts, box)]
    without = [int(v) for v in decide(query, texts)]
    for a, b in zip(with_bounds, without, strict=True):
        assert ASK in (a, b) or a == b
    return with_bounds


def check(query: Region, footprints: list[Region]) -> list[int]:
    got = verdicts(query, footprints)
    for f, v in zip(footprints, got, strict=True):
        if v != ASK:
            assert (v == YES) == intersects(f, query), (region_to_json(f), region_to_json(query))
    return got


@PROPS
@given(pairs())
def test_never_contradicts_the_exact_predicate(pair: tuple[Spec, Spec, float]) -> None:
    a, b, _s = pair
    footprint, query = made(a), made(b)
    check(query, [footprint])
    check(footprint, [query])


def test_a_batch_of_mixed_kinds_keeps_its_order() -> None:
    query = Circle(0.0, -89.5, 0.3)
    footprints: list[Region] = [
        Point(0.0, -89.5),  # the centre: yes
        Point(180.0, -89.5),  # 1° away across the pole: no
        Box(west=-10.0, south=-90.0, east=10.0, north=-89.7),  # holds the pole: yes
        Box(west=170.0, south=-60.0, east=-170.0, north=-50.0),  # far, across 180°: no
        MultiRegion((Point(0.0, -89.5), Point(1.0, 1.0))),  # several parts: asked
        Polygon(((0.0, -89.0), (120.0, -89.0), (240.0, -89.0))),  # round the pole: yes
        Polygon(((0.0, -80.0), (2.0, -80.0), (1.0, -81.0))),  # 9° away: no
        Box(west=0.0, south=-90.0, east=360.0, north=-89.75),  # a polar cap: yes
    ]
    got = check(query, footprints)
    assert got == [YES, NO, YES, NO, ASK, YES, NO, YES]


def test_touching_footprints_are_asked_or_found() -> None:
    # a box whose corner is the query polygon's vertex, a point on a circle's edge:
    # the exact test must see them (touching counts), whoever decides
    poly = Polygon(((10.0, 10.0), (11.0, 10.0), (10.5, 11.0)))
    box = Box(west=9.0, south=9.0, east=10.0, north=10.0)
    circle = Circle(0.0, 0.0, 1.0)
    on_edge = Point(1.0, 0.0)
    assert check(poly, [box])[0] in (YES, ASK)
    assert check(circle, [on_edge])[0] in (YES, ASK)
    assert intersects(box, poly) and intersects(on_edge, circle)


def test_plain_cases_are_decided_in_bulk() -> None:
    rng = np.random.default_rng(7)
    query = Polygon(((0.0, -88.0), (90.0, -88.0), (180.0, -88.0), (270.0, -88.0)))
    footprints: list[Region] = []
    for lon, lat in zip(rng.uniform(-180, 180, 300), rng.uniform(-90, -84, 300), strict=True):
        half = 0.05 / max(math.cos(math.radians(lat)), 0.05)
        footprints.append(Box(west=lon - half, south=lat - 0.05, east=lon + half, north=lat))
        footprints.append(Point(lon, lat))
    got = check(query, footprints)
    assert got.count(ASK) <= len(got) // 50
    assert got.count(YES) > 50 and got.count(NO) > 50


BOXES = Table(
    "boxes",
    MetaData(),
    Column("id", Integer, primary_key=True),
    *(Column(name, Float) for name in ("west", "south", "east", "north")),
)


@PROPS
@given(pairs())
def test_bounds_clause_never_drops_a_footprint_that_meets(pair: tuple[Spec, Spec, float]) -> None:
    a, b, _s = pair
    footprint, query = made(a), made(b)
    engine = create_engine("sqlite://")
    BOXES.metadata.create_all(engine)
    with engine.begin() as conn:
        west, south, east, north = bounds(footprint)
        conn.execute(insert(BOXES).values(id=1, west=west, south=south, east=east, north=north))
        kept = conn.execute(select(BOXES.c.id).where(bounds_clause(query, BOXES))).all()
    if not kept:
        assert not intersects(footprint, query), (a, b)


def test_bounds_clause_drops_far_footprints() -> None:
    engine = create_engine("sqlite://")
    BOXES.metadata.create_all(engine)
    query = Box(west=170.0, south=-89.5, east=-170.0, north=-88.0)
    rows = [
        (1, 175.0, -89.0, 176.0, -88.9),
        (2, 0.0, -89.0, 1.0, -88.9),
        (3, 10.0, 40.0, 11.0, 41.0),
    ]
    with engine.begin() as conn:
        conn.execute(
            insert(BOXES),
            [dict(zip(("id", "west", "south", "east", "north"), r, strict=True)) for r in rows],
        )
        kept = set(conn.execute(select(BOXES.c.id).where(bounds_clause(query, BOXES))).scalars())
    assert kept == {1}


def test_points_a_few_centimetres_from_the_pole_meet() -> None:
    # drawn by a CI run: the query's latitude taken as asin(z) was 1e-8 rad off this near
    # the pole (z is within a few ulps of -1), so the bounds said "apart" for one point
    here = Point(0.0, -89.9999982095069)
    there = Point(-5.684341886080802e-14, -89.9999982095069)
    assert intersects(here, there)
    assert check(here, [there])[0] in (YES, ASK)
    assert check(there, [here])[0] in (YES, ASK)


def test_bounds_inside_a_query_box_or_circle_answer_yes_unread() -> None:
    from lunadc.search.spatial.refine import bounds_inside

    query_box = Box(west=170.0, south=-89.5, east=-170.0, north=-88.0)  # across 180°
    query_circle = Circle(0.0, -89.5, 0.3)
    footprints: list[Region] = [
        Box(west=175.0, south=-89.0, east=176.0, north=-88.9),  # inside the box
        Box(west=179.5, south=-89.0, east=-179.5, north=-88.9),  # inside, across 180°
        Box(west=165.0, south=-89.0, east=176.0, north=-88.9),  # reaches out of it
        Point(0.2, -89.5),  # inside the circle
        Point(0.0, -89.1),  # outside the circle, 0.4° from its centre
    ]
    box = np.array([bounds(f) for f in footprints], dtype=np.float64)
    assert bounds_inside(query_box, box).tolist() == [True, True, False, False, False]
    assert bounds_inside(query_circle, box).tolist() == [False, False, False, True, False]
    for query in (query_box, query_circle):
        inside = bounds_inside(query, box)
        for f, yes in zip(footprints, inside.tolist(), strict=True):
            assert not yes or intersects(f, query)
        # and decide() answers them without reading their text
        texts = [
            "not json" if yes else region_to_json(f)
            for f, yes in zip(footprints, inside.tolist(), strict=True)
        ]
        assert [
            v
            for v, yes in zip(decide(query, texts, box).tolist(), inside.tolist(), strict=True)
            if yes
        ] == [YES] * int(inside.sum())
