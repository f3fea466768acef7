"""Boundary points of many stored footprints at once: boxes and great-circle polygons.

Coverage draws every footprint that meets a landing circle (some 1,500 near the south pole in
the 1M benchmark). Drawn one at a time, each costs a dozen small numpy calls, ~0.2 ms, more
than the maths; here all the edges of all the footprints are sampled in one pass. The points
are the ones :class:`~lunadc.search.spatial.coverage.CoverageContext` draws for a region's
edges (``_short_count``): an edge of sweep ``s`` and length ``l`` gets
``max(ceil(l / step), ceil(128 s / π), 1)`` chords of equal parameter steps; a footprint with
an edge needing more than :data:`SHORT_CHORDS` chords is left to the general drawing.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lunadc.search.spatial.vec import FloatArray, xyz_array

SHORT_CHORDS = 1024  # an arc drawn in no more chords than this is drawn whole
IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


def chord_counts(sweep: FloatArray, length: FloatArray, step: float | FloatArray) -> IntArray:
    """Chords per arc (see the module doc)."""
    k: IntArray = np.maximum(
        np.maximum(np.ceil(length / step), np.ceil(sweep * 128 / math.pi)), 1.0
    ).astype(np.int64)
    return k


def spread(sweep: FloatArray, k: IntArray) -> tuple[FloatArray, IntArray]:
    """Per-chord start parameters of arcs split into ``k`` chords, and each's arc index."""
    arc = np.repeat(np.arange(len(k)), k)
    first = np.repeat(np.cumsum(k) - k, k)
    ts: FloatArray = (np.arange(int(k.sum())) - first) * (sweep / k)[arc]
    return ts, arc


def polygon_points(lonlat: FloatArray, step: float) -> tuple[FloatArray, IntArray, BoolArray]:
    """Rings of great-circle polygons of ``m`` vertices each (``lonlat``: (n, m, 2) degrees).

    Returns the points (P, 3) of every drawable polygon's ring in order, each point's polygon
    index, and which polygons were drawn (not: fewer than 3 vertices, a degenerate edge, an
    edge too long to draw whole)."""
    n, m = lonlat.shape[0], lonlat.shape[1]
    if n == 0 or m < 3:
        return np.empty((0, 3)), np.empty(0, dtype=np.int64), np.zeros(n, dtype=bool)
    a = xyz_array(lonlat[..., 0], lonlat[..., 1])
    b = np.roll(a, -1, axis=1)
    c = np.cross(a, b)
    norm = np.sqrt(np.einsum("nij,nij->ni", c, c))
    ok = norm.min(axis=1) >= 1e-15
    safe = np.where(norm > 0.0, norm, 1.0)
    sweep = np.arctan2(norm, np.einsum("nij,nij->ni", a, b))
    v = np.cross(c / safe[..., None], a)
    k = chord_counts(sweep, sweep, step)
    ok &= k.max(axis=1) <= SHORT_CHORDS
    ts, arc = spread(sweep[ok].ravel(), k[ok].ravel())
    a_ok, v_ok = a[ok].reshape(-1, 3), v[ok].reshape(-1, 3)
    pts: FloatArray = np.cos(ts)[:, None] * a_ok[arc] + np.sin(ts)[:, None] * v_ok[arc]
    owner: IntArray = np.flatnonzero(ok)[arc // m]
    return pts, owner, ok


def box_points(
    boxes: FloatArray, step: float, step_great: float
) -> tuple[FloatArray, IntArray, BoolArray]:
    """Rings of boxes (``boxes``: (n, 4) west, south, east, north degrees) in ``Box``
    boundary order: the south parallel eastward (unless at the pole), the east meridian
    northward, the north parallel westward (unless at the pole), the west meridian
    southward. Parallels are sampled at ``step``, meridians at ``step_great``. Returns as
    :func:`polygon_points` (not drawn: empty or full-width boxes, an edge too long)."""
    n = len(boxes)
    if n == 0:
        return np.empty((0, 3)), np.empty(0, dtype=np.int64), np.zeros(0, dtype=bool)
    west, south, east, north = (boxes[:, i] for i in range(4))
    width = np.mod(east - west, 360.0)
    width = np.where((width == 0.0) & (east != west), 360.0, width)
    ok = (width > 0.0) & (width < 360.0) & (south < north)
    lon_w = np.fmod(west + 180.0, 360.0)
    lon_w = np.where(lon_w < 0.0, lon_w + 360.0, lon_w) - 180.0  # vec.normalize_lon
    w, wd = np.radians(lon_w), np.radians(width)
    s, t = np.radians(south), np.radians(north)
    ones, zeros = np.ones(n), np.zeros(n)
    # pieces (n, 4): start lon, lon step sign, start lat, lat step sign, sweep, length
    lon0 = np.stack([w, w + wd, w + wd, w], axis=1)
    dlon = np.stack([ones, zeros, -ones, zeros], axis=1)
    lat0 = np.stack([s, s, t, t], axis=1)
    dlat = np.stack([zeros, ones, zeros, -ones], axis=1)
    sweep = np.stack([wd, t - s, wd, t - s], axis=1)
    length = np.stack([wd * np.cos(s), t - s, wd * np.cos(t), t - s], axis=1)
    steps = np.array([step, step_great, step, step_great])
    has = np.stack([south > -90.0, ones > 0, north < 90.0, ones > 0], axis=1)
    k = chord_counts(sweep, length, steps[None, :])
    ok &= np.where(has, k, 0).max(axis=1) <= SHORT_CHORDS
    ok &= has.sum(axis=1) >= 3  # a lune from pole to pole: two meridians, no area to draw
    has &= ok[:, None]
    ts, arc = spread(sweep[has], k[has])
    lon = lon0[has][arc] + dlon[has][arc] * ts
    lat = lat0[has][arc] + dlat[has][arc] * ts
    pts = xyz_array(np.degrees(lon), np.degrees(lat))
    owner: IntArray = np.nonzero(has)[0][arc]
    return pts, owner, ok
