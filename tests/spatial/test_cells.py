"""The HEALPix pre-filter never loses a true match: coverings are conservative everywhere
(poles, 180°, metres to tens of degrees), and the SQL form of the overlap test agrees."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lunadc.search.spatial import (
    Cell,
    cell_query,
    cells_for_region,
    cells_overlap,
    intersects,
)
from lunadc.search.spatial.cells import (
    MAX_DEPTH,
    QUERY_MAX_CELLS,
    STORED_MAX_CELLS,
    stored_cells,
)
from lunadc.search.spatial.vec import xyz
from tests.spatial.oracle import Spec, made, sample_cap, to_lonlat
from tests.spatial.oracle import contains as oracle_contains
from tests.spatial.strategies import pairs, single

PROPS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def finest_cells(p: np.ndarray) -> list[int]:
    """Order-29 nested index of each unit vector, by cdshealpix itself."""
    import astropy.units as u
    import cdshealpix.nested as chp
    from astropy.coordinates import Latitude, Longitude

    lon, lat = to_lonlat(p)
    ipix = chp.lonlat_to_healpix(
        Longitude(lon * u.deg), Latitude(np.clip(lat, -90, 90) * u.deg), MAX_DEPTH
    )
    return [int(i) for i in ipix]


@PROPS
@given(single(with_points=True), st.integers(0, 2**32 - 1))
def test_every_point_of_a_region_lies_in_its_covering(item: tuple[Spec, float], seed: int) -> None:
    spec, _s = item
    region = made(spec)
    cells = cells_for_region(region)
    searched = cells_for_region(region, max_cells=QUERY_MAX_CELLS)  # what a search asks
    stored = stored_cells(region)  # the looser covering registration stores
    assert 1 <= len(cells) <= 24 and 1 <= len(stored) <= max(STORED_MAX_CELLS, 12)
    rng = np.random.default_rng(seed)
    centre, radius = region.cap
    pts = sample_cap(np.array(centre), min(math.pi, radius * 1.01 + 1e-12), 400, rng)
    pts = np.concatenate([pts, np.array([centre])])
    inside = pts[oracle_contains(spec, pts) | region.contains_array(pts)]
    for covering in (cells, searched, stored):
        ranges = [(c.lo, c.hi) for c in covering]
        for idx in finest_cells(inside) if len(inside) else []:
            assert any(lo <= idx < hi for lo, hi in ranges), (spec, idx)


@PROPS
@given(pairs())
def test_intersecting_regions_have_overlapping_cells(pair: tuple[Spec, Spec, float]) -> None:
    a, b, _ = pair
    ra, rb = made(a), made(b)
    ca, cb = stored_cells(ra), cells_for_region(rb)  # stored vs query covering
    if intersects(ra, rb):
        assert cells_overlap(ca, cb), (a, b)
    # The SQL form (range scans + ancestor look-ups) decides the same overlap.
    q = cell_query(cb)
    assert any(q.matches(c.lo, c.hi) for c in ca) == cells_overlap(ca, cb)


def test_cell_ranges_nest() -> None:
    parent = Cell(3, 17)
    child = Cell(5, 17 * 16 + 5)
    assert parent.lo <= child.lo < child.hi <= parent.hi
    assert Cell.from_uniq(child.uniq) == child
    assert cells_overlap([parent], [child]) and not cells_overlap([Cell(3, 18)], [child])


def test_a_full_longitude_box_metres_round_the_pole_does_not_abort() -> None:
    """cdshealpix aborted the whole process (a Rust panic) on this zone at order 26."""
    from lunadc.search.spatial.place import parse_place

    place = parse_place(
        target="Moon",
        point=None,
        circle=None,
        bbox="-180,89.99999427042205,180,90",
        polygon=None,
        intersects=None,
        start=None,
        stop=None,
    )
    assert place.region is not None
    cells = cells_for_region(place.region)
    pole = finest_cells(np.array([[0.0, 0.0, 1.0]]))[0]
    assert any(c.lo <= pole < c.hi for c in cells)


@pytest.mark.parametrize(
    ("box", "inside"),
    [
        # cdshealpix's zone search lost these cells (a stretch near the southern edge of a
        # thin polar box; the middle of a zone whose east edge is on 90°).
        (
            ("box", -144.60364027119147, 89.93375175493595, 30.0120812450358, 89.99104753444904),
            (354.08946548, 89.93618167),
        ),
        (("box", 19.29, 81.74350131962683, 90.0, 85.59952091943542), (69.0552056, 82.33398575)),
        (("box", 0.0, 81.74350131962683, 90.0, 85.59952091943542), (73.22842942, 82.62705758)),
        (
            ("box", 90.0, -44.55240971851982, 107.87184328109342, 44.55240971851982),
            (102.70063873, -4.46545883),
        ),
    ],
)
def test_boxes_cdshealpix_got_wrong_are_covered(box: Spec, inside: tuple[float, float]) -> None:
    region = made(box)
    lon, lat = inside
    assert region.contains(lon, lat)
    (idx,) = finest_cells(np.array([xyz(lon, lat)]))
    for depth in (None, 8, 12, 16):
        cells = cells_for_region(region, depth=depth)
        assert any(c.lo <= idx < c.hi for c in cells), depth


def test_stored_cells_of_a_point_at_the_pole_hold_it() -> None:
    # the cone search's latitude once came from asin(z), ~1e-8 rad off this near a pole
    for lat in (-89.9999982095069, -89.99999999, 89.9999999):
        point = xyz(12.5, lat)
        region = made(("point", 12.5, lat))
        [finest] = finest_cells(np.array([point]))
        assert any(c.lo <= finest < c.hi for c in stored_cells(region)), lat
