"""GeoJSON out is what a map draws: longitudes within [-180, 180] (split at 180°), valid
polygons around the poles, and the same inside/outside as the region away from its edge."""

from __future__ import annotations

import math

import numpy as np
import shapely
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from lunadc.search.spatial import region_geojson
from tests.spatial.oracle import Spec, TooFine, boundary, made, sample_cap, to_lonlat
from tests.spatial.strategies import single

PROPS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _distances(pts: np.ndarray, edge: np.ndarray) -> np.ndarray:
    """Angle from each point to the nearest edge sample (chunked, vectorised)."""
    best = np.full(len(pts), 4.0)
    for i in range(0, len(edge), 2048):
        chunk = edge[i : i + 2048]
        d2 = ((pts[:, None, :] - chunk[None, :, :]) ** 2).sum(axis=-1).min(axis=1)
        best = np.minimum(best, d2)
    return 2 * np.arcsin(np.minimum(1.0, np.sqrt(best) / 2))


@PROPS
@given(single(), st.integers(0, 2**32 - 1))
def test_geojson_matches_the_region_on_a_plate_carree_map(
    item: tuple[Spec, float], seed: int
) -> None:
    spec, s = item
    region = made(spec)
    geometry = region_geojson(region, max_step_deg=0.05)
    shape = shapely.geometry.shape(geometry)
    assert shape.is_valid, shapely.is_valid_reason(shape)
    lon_lat = np.array(shapely.get_coordinates(shape))
    assert (lon_lat[:, 0] >= -180.0).all() and (lon_lat[:, 0] <= 180.0).all()
    assert (np.abs(lon_lat[:, 1]) <= 90.0).all()
    if shape.area == 0.0:
        return  # a degenerate box drawn as a line
    rng = np.random.default_rng(seed)
    centre, radius = region.cap
    pts = sample_cap(np.array(centre), min(math.pi, 1.5 * radius + 1e-9), 300, rng)
    # Away from the edge by more than the drawing's error (0.05° steps; chords of arcs).
    try:
        edge = boundary(spec, s / 100)
    except TooFine:  # the oracle cannot sample this boundary finely enough
        reject()
    margin = max(s / 20, 1e-9)
    far = _distances(pts, edge) > margin
    lon, lat = to_lonlat(pts[far])
    drawn = shapely.intersects_xy(shape, lon, lat)
    # a point exactly on ±180 may fall on the seam of a split polygon: both sides count
    seam = shapely.intersects_xy(shape, np.where(lon > 0, lon - 360.0, lon + 360.0), lat)
    inside = region.contains_array(pts[far])
    assert ((drawn | seam) == inside).all(), spec
