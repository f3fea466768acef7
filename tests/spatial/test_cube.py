"""Cubes (``lunadc.search.spatial.cube``) hold their regions, so the R*Tree pre-filter never
loses a footprint that meets the query: at the poles, across 180°, at every size."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lunadc.search.spatial import Box, Circle, Point, intersects
from lunadc.search.spatial.cube import cubes_meet, part_cubes, region_cube
from tests.spatial.oracle import Spec, made, sample_cap
from tests.spatial.strategies import pairs, single

PROPS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _inside(cube: tuple[float, ...], pts: np.ndarray) -> np.ndarray:
    lo, hi = np.array(cube[0::2]), np.array(cube[1::2])
    return ((pts >= lo) & (pts <= hi)).all(axis=1)


@PROPS
@given(single(with_points=True), st.integers(0, 2**32 - 1))
def test_a_region_lies_in_its_cube(item: tuple[Spec, float], seed: int) -> None:
    spec, _ = item
    region = made(spec)
    rng = np.random.default_rng(seed)
    centre, radius = region.cap
    pts = sample_cap(np.array(centre), min(math.pi, radius + 1e-12), 400, rng)
    inside = pts[region.contains_array(pts)]
    assert _inside(region_cube(region), inside).all()
    for cube in part_cubes(region):
        assert all(c_lo <= c_hi for c_lo, c_hi in zip(cube[0::2], cube[1::2], strict=True))


@PROPS
@given(pairs())
def test_regions_that_meet_have_cubes_that_meet(pair: tuple[Spec, Spec, float]) -> None:
    a, b, _s = pair
    footprint, query = made(a), made(b)
    if intersects(footprint, query):
        stored = region_cube(footprint)
        assert any(cubes_meet(stored, q) for q in part_cubes(query)), (a, b)


def test_a_box_cube_is_tight_where_lon_lat_bounds_are_not() -> None:
    # 20° of longitude by 1.5° of latitude near the south pole: a sliver of x/y
    box = Box(west=30.0, south=-89.5, east=50.0, north=-88.0)
    x_lo, x_hi, y_lo, y_hi, _z_lo, z_hi = region_cube(box)
    assert x_lo > 0.0 and y_lo > 0.0 and x_hi < 0.035 and y_hi < 0.027
    assert z_hi < -0.9993
    # a point metres from the pole, and a circle across 180°
    assert region_cube(Point(123.0, -89.99999))[5] < -0.99999
    x_lo, _x_hi, y_lo, y_hi, _z_lo, _z_hi = region_cube(Circle(180.0, 0.0, 0.01))
    assert x_lo >= -1.0 and y_lo < 0.0 < y_hi


def test_cubes_apart_across_the_sphere() -> None:
    assert not cubes_meet(region_cube(Point(0.0, -89.0)), region_cube(Point(180.0, -89.0)))
    assert cubes_meet(
        region_cube(Point(179.9999, 10.0)), region_cube(Circle(-179.9999, 10.0, 0.001))
    )
