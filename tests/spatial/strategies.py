"""Hypothesis strategies for regions, concentrated where geometry goes wrong.

Places are drawn near the poles (and exactly on them), on and near the 180° meridian (in
both -180..180 and 0..360 forms), and anywhere; sizes are log-uniform from metres to tens
of degrees. Regions come as oracle specs (see :mod:`tests.spatial.oracle`).
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from tests.spatial.oracle import Spec, to_lonlat, to_xyz

MIN_SCALE = 1e-6  # radians: ≈ 1.7 m on the Moon
MAX_SCALE = 0.6  # radians: ≈ 34°


def unit_float(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def centres(draw: st.DrawFn) -> tuple[float, float]:
    kind = draw(st.sampled_from(["pole", "pole", "pole_exact", "antimeridian", "anywhere"]))
    sign = draw(st.sampled_from([-1.0, 1.0]))
    if kind == "pole":
        return draw(unit_float(-180, 360)), sign * (90.0 - draw(unit_float(0.0, 5.0)))
    if kind == "pole_exact":
        return draw(unit_float(-180, 180)), sign * 90.0
    if kind == "antimeridian":
        lon = draw(st.sampled_from([180.0, -180.0])) + draw(unit_float(-3.0, 3.0))
        lon = lon + 360.0 if lon < -180.0 else lon
        return lon, draw(unit_float(-85.0, 85.0))
    z = draw(unit_float(-1.0, 1.0))
    return draw(unit_float(-180, 180)), math.degrees(math.asin(z))


scales = st.floats(math.log10(MIN_SCALE), math.log10(MAX_SCALE)).map(lambda e: 10.0**e)


def offset(lon: float, lat: float, dist: float, az: float) -> tuple[float, float]:
    """The point ``dist`` radians from (lon, lat) in direction ``az`` (radians from north)."""
    c = to_xyz(lon, lat)
    north = np.array([0.0, 0.0, 1.0]) - c[2] * c
    if np.linalg.norm(north) < 1e-12:  # at a pole: any direction will do
        north = np.array([1.0, 0.0, 0.0])
    north /= np.linalg.norm(north)
    east = np.cross(north, c)
    d = math.cos(az) * north + math.sin(az) * east
    p = math.cos(dist) * c + math.sin(dist) * d
    lo, la = to_lonlat(p[None, :])
    return float(lo[0]), float(np.clip(la[0], -90.0, 90.0))


@st.composite
def near(draw: st.DrawFn, lon: float, lat: float, reach: float) -> tuple[float, float]:
    d = reach * draw(unit_float(0.0, 1.0))
    az = draw(unit_float(0.0, 2 * math.pi))
    return offset(lon, lat, d, az)


@st.composite
def circles(draw: st.DrawFn, lon: float, lat: float, s: float) -> Spec:
    clon, clat = draw(near(lon, lat, 1.5 * s))
    return ("circle", clon, clat, math.degrees(s * draw(unit_float(0.2, 2.0))))


@st.composite
def boxes(draw: st.DrawFn, lon: float, lat: float, s: float) -> Spec:
    clon, clat = draw(near(lon, lat, 1.5 * s))
    hh = math.degrees(s * draw(unit_float(0.1, 1.5)))
    south, north = max(-90.0, clat - hh), min(90.0, clat + hh)
    if draw(st.booleans()) and south < -85.0:
        south = -90.0
    if draw(st.booleans()) and north > 85.0:
        north = 90.0
    if south >= north:
        north = min(90.0, south + 1e-6)
        south = north - 1e-6
    coslat = max(math.cos(math.radians(clat)), 1e-9)
    width = math.degrees(s * draw(unit_float(0.2, 3.0))) / coslat
    if width >= 360.0 or (coslat < 3 * s and draw(st.booleans())):
        return ("box", clon - 180.0, south, clon + 180.0, north)
    west, east = clon - width / 2, clon + width / 2
    if draw(st.integers(0, 3)) == 0:  # an edge on a base-cell boundary (cdshealpix lost cells)
        west = round(west / 45.0) * 45.0
    form = draw(st.sampled_from(["180", "360"]))
    if form == "180":
        west, east = ((west + 180.0) % 360.0) - 180.0, ((east + 180.0) % 360.0) - 180.0
    else:
        west, east = west % 360.0, east % 360.0
    return ("box", west, south, east, north)


@st.composite
def polygons(draw: st.DrawFn, lon: float, lat: float, s: float) -> Spec:
    clon, clat = draw(near(lon, lat, 1.5 * s))
    k = draw(st.integers(3, 8))
    gaps = [draw(unit_float(0.3, 1.0)) for _ in range(k)]
    total = sum(gaps)
    angles = np.cumsum([g / total * 2 * math.pi for g in gaps])
    if max(gaps) / total > 0.45:  # keep the centre inside: no gap of half a turn
        angles = np.linspace(0, 2 * math.pi, k, endpoint=False) + angles[0]
    radii = [min(1.3, s * draw(unit_float(0.4, 2.0))) for _ in range(k)]
    verts = tuple(offset(clon, clat, r, float(a)) for r, a in zip(radii, angles, strict=True))
    if draw(st.booleans()):
        verts = verts[::-1]
    return ("polygon", verts)


@st.composite
def points(draw: st.DrawFn, lon: float, lat: float, s: float) -> Spec:
    plon, plat = draw(near(lon, lat, 2.0 * s))
    return ("point", plon, plat)


@st.composite
def region_specs(
    draw: st.DrawFn, lon: float, lat: float, s: float, with_points: bool = True
) -> Spec:
    kinds = [circles, boxes, polygons] + ([points] if with_points else [])
    kind = draw(st.sampled_from(kinds))
    return draw(kind(lon, lat, s))


@st.composite
def pairs(draw: st.DrawFn, with_points: bool = True) -> tuple[Spec, Spec, float]:
    """Two regions near one place, at scales within a factor 10 of each other."""
    lon, lat = draw(centres())
    s = draw(scales)
    s2 = s * 10.0 ** draw(unit_float(-1.0, 1.0))
    s2 = min(max(s2, MIN_SCALE), MAX_SCALE)
    a = draw(region_specs(lon, lat, s, with_points))
    b = draw(region_specs(lon, lat, s2, with_points))
    return a, b, min(s, s2)


@st.composite
def single(draw: st.DrawFn, with_points: bool = False) -> tuple[Spec, float]:
    lon, lat = draw(centres())
    s = draw(scales)
    return draw(region_specs(lon, lat, s, with_points)), s
