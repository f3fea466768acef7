"""Stored footprints read back as the same region, and their bounding boxes bound them."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lunadc.search.spatial import union
from lunadc.search.spatial.serial import bounds, region_from_json, region_to_json
from tests.spatial.oracle import Spec, made, sample_cap, to_lonlat
from tests.spatial.strategies import pairs, single

PROPS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@PROPS
@given(pairs(), st.integers(0, 2**32 - 1))
def test_round_trip_is_exact(pair: tuple[Spec, Spec, float], seed: int) -> None:
    a, b, _ = pair
    region = union([made(a), made(b)])
    text = region_to_json(region)
    back = region_from_json(text)
    assert region_to_json(back) == text
    rng = np.random.default_rng(seed)
    centre, radius = region.cap
    pts = sample_cap(np.array(centre), min(math.pi, 2 * radius + 1e-9), 200, rng)
    assert (region.contains_array(pts) == back.contains_array(pts)).all()


def _in_bounds(b: tuple[float, float, float, float], lon: float, lat: float) -> bool:
    west, south, east, north = b
    if not south - 1e-9 <= lat <= north + 1e-9:
        return False
    width = (east - west) % 360.0 or 360.0
    return (lon - west) % 360.0 <= width + 1e-9 or abs(lat) >= 90.0 - 1e-9


@PROPS
@given(single(with_points=True), st.integers(0, 2**32 - 1))
@example((("circle", -166.626744140462, -89.99998389103106, 1.432394487827058e-05), 1e-06), 153520)
def test_bounds_hold_the_region(item: tuple[Spec, float], seed: int) -> None:
    spec, _ = item
    region = made(spec)
    b = bounds(region)
    rng = np.random.default_rng(seed)
    centre, radius = region.cap
    pts = sample_cap(np.array(centre), min(math.pi, radius + 1e-12), 300, rng)
    inside = pts[region.contains_array(pts)]
    lon, lat = to_lonlat(inside)
    assert all(_in_bounds(b, float(x), float(y)) for x, y in zip(lon, lat, strict=True))
