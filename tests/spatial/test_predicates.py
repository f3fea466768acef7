"""The exact predicates against brute force, on random regions at the poles, on the 180°
meridian, from metres to tens of degrees."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from lunadc.search.spatial import (
    Box,
    MultiRegion,
    Polygon,
    covers,
    distance,
    intersects,
)
from tests.spatial.oracle import (
    Spec,
    TooFine,
    boundary,
    decide_covers,
    decide_intersects,
    made,
    min_distance,
    sample_cap,
    to_lonlat,
    to_xyz,
)
from tests.spatial.oracle import contains as oracle_contains
from tests.spatial.strategies import pairs, single

PROPS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@PROPS
@given(pairs())
def test_intersects_agrees_with_brute_force(pair: tuple[Spec, Spec, float]) -> None:
    a, b, s = pair
    ra, rb = made(a), made(b)
    got = intersects(ra, rb)
    assert got == intersects(rb, ra)
    expected = decide_intersects(a, b, s / 60)
    if expected is not None:
        assert got == expected, (a, b)


@PROPS
@given(pairs())
def test_covers_agrees_with_brute_force(pair: tuple[Spec, Spec, float]) -> None:
    a, b, s = pair
    ra, rb = made(a), made(b)
    got = covers(ra, rb)
    expected = decide_covers(a, b, s / 60)
    if expected is not None:
        assert got == expected, (a, b)
    if got:
        assert intersects(ra, rb)


@PROPS
@given(single(with_points=True), st.integers(0, 2**32 - 1))
def test_contains_agrees_with_definition(item: tuple[Spec, float], seed: int) -> None:
    spec, s = item
    region = made(spec)
    rng = np.random.default_rng(seed)
    centre, radius = region.cap
    near = sample_cap(np.array(centre), min(math.pi, 2 * radius + 3 * s), 300, rng)
    anywhere = sample_cap(np.array([0.0, 0.0, 1.0]), math.pi, 50, rng)
    pts = np.concatenate([near, anywhere, to_xyz([0.0, 0.0], [90.0, -90.0])])
    h = s / 200
    try:
        edge = boundary(spec, h)
    except TooFine:
        reject()
    far = np.array([min_distance(p[None, :], edge) > 2 * h for p in pts])
    expected = oracle_contains(spec, pts)
    got = region.contains_array(pts)
    one_by_one = np.array([region.contains_xyz(tuple(p)) for p in pts])
    assert (got == one_by_one).all()
    assert (got[far] == expected[far]).all(), pts[far][got[far] != expected[far]]
    # every boundary point belongs to the (closed) region, poles and 180° included
    assert region.contains_array(edge).all()
    # distance is 0 exactly inside, positive outside
    for p, inside in zip(pts[:40], got[:40], strict=True):
        d = distance(region, tuple(to_lonlat(p[None, :])[i][0] for i in range(2)))
        assert (d == 0.0) == bool(inside) or d < 1e-9


@PROPS
@given(single())
def test_polygon_vertex_order_does_not_matter(item: tuple[Spec, float]) -> None:
    spec, _ = item
    if spec[0] != "polygon":
        return
    p = made(spec)
    q = made(("polygon", tuple(reversed(spec[1]))))
    assert isinstance(p, Polygon) and isinstance(q, Polygon)
    assert math.isclose(p.area, q.area, rel_tol=1e-9)
    assert covers(p, q) and covers(q, p)


@PROPS
@given(pairs(with_points=False), st.floats(0.05, 0.95))
def test_a_box_cut_in_two_covers_what_the_box_covers(
    pair: tuple[Spec, Spec, float], cut: float
) -> None:
    """Union coverage: two boxes sharing a meridian behave as the box they tile."""
    a, b, _ = pair
    whole = made(("box", a[1] if a[0] == "box" else 0.0, -90.0, 0.0, 90.0) if a[0] != "box" else a)
    if not isinstance(whole, Box) or whole.is_full:
        return
    rb = made(b)
    split = whole.west + cut * whole.width
    left = Box(west=whole.west, south=whole.south, east=split, north=whole.north)
    right = Box(west=split, south=whole.south, east=whole.east, north=whole.north)
    union = MultiRegion((left, right))
    assert covers(union, rb) == covers(whole, rb)
    assert intersects(union, rb) == intersects(whole, rb)
