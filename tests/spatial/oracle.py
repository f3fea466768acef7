"""Brute-force spherical geometry to check lunadc.search.spatial against, written apart from it.

Regions are given as plain *specs* (tuples), built into lunadc regions with :func:`build`:

* ``("point", lon, lat)``
* ``("circle", lon, lat, radius_deg)``
* ``("box", west, south, east, north)``
* ``("polygon", ((lon, lat), ...))``

The oracle tests membership straight from the definitions (haversine distances, lon/lat
intervals, even-odd ray casting in a gnomonic plane of its own), and samples boundaries
densely (slerp for great circles, parallels and meridians in lon/lat, rotation for
circles). Deciding ``intersects``/``covers`` from samples is only certain when a witness
point is found or when the boundaries stay apart by more than the sampling step, so the
``decide_*`` functions return ``None`` (undecided) in between.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import reject

from lunadc.search.spatial import Box, Circle, GeometryError, Point, Polygon, Region, make_box

Spec = tuple[Any, ...]
Arr = np.ndarray[Any, Any]
MAX_SAMPLES = 50_000  # per boundary piece: finer than this and the oracle gives up


class TooFine(Exception):
    """The boundary cannot be sampled at this step within MAX_SAMPLES points."""


def _count(k: int) -> int:
    if k > MAX_SAMPLES:
        raise TooFine(k)
    return k


def to_xyz(lon: Any, lat: Any) -> Arr:
    lon = np.radians(np.asarray(lon, dtype=float))
    lat = np.radians(np.asarray(lat, dtype=float))
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)


def to_lonlat(p: Arr) -> tuple[Arr, Arr]:
    # atan2, not arcsin(z): near a pole arcsin loses ~1e-7 degrees, more than the footprints
    # of a few metres that the strategies make there.
    lat = np.degrees(np.arctan2(p[:, 2], np.hypot(p[:, 0], p[:, 1])))
    lon = np.degrees(np.arctan2(p[:, 1], p[:, 0]))
    return lon, lat


def build(spec: Spec) -> Region:
    kind = spec[0]
    if kind == "point":
        return Point(spec[1], spec[2])
    if kind == "circle":
        return Circle(spec[1], spec[2], spec[3])
    if kind == "box":
        return make_box(spec[1], spec[2], spec[3], spec[4])
    if kind == "polygon":
        return Polygon(tuple(spec[1]))
    if kind == "union":
        from lunadc.search.spatial import union

        return union([build(s) for s in spec[1]])
    raise ValueError(kind)


def haversine(lon1: float, lat1: float, lon: Arr, lat: Arr) -> Arr:
    p1, p2 = math.radians(lat1), np.radians(lat)
    dp = p2 - p1
    dl = np.radians(lon) - math.radians(lon1)
    a = np.sin(dp / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out: Arr = 2 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return out


def box_width(spec: Spec) -> float:
    _, w, _, e, _ = spec
    width = (e - w) % 360.0
    if width == 0.0 and e != w:
        width = 360.0
    return float(width)


def _gnomonic_basis(c: Arr) -> tuple[Arr, Arr]:
    helper = np.array([0.0, 0.0, 1.0]) if abs(c[2]) < 0.5 else np.array([1.0, 0.0, 0.0])
    e1 = helper - np.dot(helper, c) * c
    e1 /= np.linalg.norm(e1)
    return e1, np.cross(c, e1)


def contains(spec: Spec, p: Arr) -> Arr:
    """Closed membership of unit vectors ``p`` (N, 3), from the definitions."""
    kind = spec[0]
    lon, lat = to_lonlat(p)
    if kind == "union":
        out = np.zeros(len(p), dtype=bool)
        for s in spec[1]:
            out |= contains(s, p)
        return out
    if kind == "point":
        return haversine(spec[1], spec[2], lon, lat) <= 1e-12
    if kind == "circle":
        return haversine(spec[1], spec[2], lon, lat) <= math.radians(spec[3])
    if kind == "box":
        _, w, s, _, n = spec
        width = box_width(spec)
        ok = (lat >= s) & (lat <= n)
        inlon = ((lon - w) % 360.0 <= width) | (width >= 360.0)
        inlon |= ((lat == -90.0) & (s == -90.0)) | ((lat == 90.0) & (n == 90.0))
        return ok & inlon
    if kind == "polygon":
        v = to_xyz(*np.array(spec[1], dtype=float).T)
        c = v.sum(axis=0)
        c /= np.linalg.norm(c)
        assert (v @ c).min() > 0, "oracle polygons must have their vertex mean inside"
        e1, e2 = _gnomonic_basis(c)
        d = p @ c
        front = d > 0
        safe = np.where(front, d, 1.0)
        x, y = (p @ e1) / safe, (p @ e2) / safe
        vx, vy = (v @ e1) / (v @ c), (v @ e2) / (v @ c)
        inside = np.zeros(len(p), dtype=bool)
        k = len(vx)
        for i in range(k):
            xi, yi, xj, yj = vx[i], vy[i], vx[i - 1], vy[i - 1]
            crosses = (yi > y) != (yj > y)
            with np.errstate(divide="ignore", invalid="ignore"):
                xint = (xj - xi) * (y - yi) / (yj - yi) + xi
            inside ^= crosses & (x < xint)
        return inside & front
    raise ValueError(kind)


def _slerp(a: Arr, b: Arr, h: float) -> Arr:
    ang = math.atan2(np.linalg.norm(np.cross(a, b)), float(np.dot(a, b)))
    k = _count(max(2, math.ceil(ang / h) + 1))
    t = np.linspace(0.0, 1.0, k)[:, None]
    if ang < 1e-15:
        return np.repeat(a[None, :], k, axis=0)
    out: Arr = (np.sin((1 - t) * ang) * a + np.sin(t * ang) * b) / math.sin(ang)
    return out


def boundary(spec: Spec, h: float) -> Arr:
    """Points along the boundary, no two consecutive ones more than ``h`` radians apart."""
    kind = spec[0]
    if kind == "union":
        return np.concatenate([boundary(s, h) for s in spec[1]])
    if kind == "point":
        return to_xyz([spec[1]], [spec[2]])
    if kind == "circle":
        c = to_xyz(spec[1], spec[2])
        r = math.radians(spec[3])
        if r >= math.pi:
            return np.zeros((0, 3))
        e1, e2 = _gnomonic_basis(c)
        k = _count(max(16, math.ceil(2 * math.pi * math.sin(r) / h) + 1))
        t = np.linspace(0, 2 * math.pi, k)[:, None]
        out: Arr = math.cos(r) * c + math.sin(r) * (np.cos(t) * e1 + np.sin(t) * e2)
        return out
    if kind == "box":
        _, w, s, _, n = spec
        width = box_width(spec)
        parts = []
        for lat in (s, n):
            if abs(lat) < 90.0:
                dlon = math.degrees(h) / max(math.cos(math.radians(lat)), 1e-12)
                k = _count(max(2, math.ceil(width / dlon) + 1))
                lons = np.linspace(w, w + width, k)
                parts.append(to_xyz(lons, np.full(k, lat)))
        if width < 360.0:
            k = _count(max(2, math.ceil(math.radians(n - s) / h) + 1))
            lats = np.linspace(s, n, k)
            for lon in (w, w + width):
                parts.append(to_xyz(np.full(k, lon), lats))
        return np.concatenate(parts) if parts else np.zeros((0, 3))
    if kind == "polygon":
        v = to_xyz(*np.array(spec[1], dtype=float).T)
        return np.concatenate([_slerp(v[i - 1], v[i], h) for i in range(len(v))])
    raise ValueError(kind)


def min_distance(a: Arr, b: Arr) -> float:
    """Smallest angle between a point of ``a`` and a point of ``b``."""
    if not len(a) or not len(b):
        return math.inf
    best = 4.0
    for i in range(0, len(a), 64):
        chunk = a[i : i + 64]
        d2 = ((chunk[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1)
        best = min(best, float(d2.min()))
    chord = math.sqrt(best)
    return 2 * math.asin(min(1.0, chord / 2))


def decide_intersects(a: Spec, b: Spec, h: float) -> bool | None:
    """``True``/``False`` when the samples settle it, else ``None``."""
    try:
        ba, bb = boundary(a, h), boundary(b, h)
    except TooFine:
        return None
    if contains(b, ba).any() or contains(a, bb).any():
        return True
    return False if min_distance(ba, bb) > 3 * h else None


def decide_covers(a: Spec, b: Spec, h: float) -> bool | None:
    """Does ``a`` cover ``b``?  ``True``/``False`` when the samples settle it."""
    try:
        ba, bb = boundary(a, h), boundary(b, h)
    except TooFine:
        return None
    out = ~contains(a, bb)
    if out.any():
        return False if min_distance(bb[out], ba) > h else None
    if min_distance(ba, bb) <= 3 * h:
        return None
    return not contains(b, ba).any()


def sample_cap(centre: Arr, radius: float, n: int, rng: np.random.Generator) -> Arr:
    """Points uniformly distributed in a spherical cap."""
    z = rng.uniform(math.cos(radius), 1.0, n)
    phi = rng.uniform(0, 2 * math.pi, n)
    s = np.sqrt(np.clip(1 - z * z, 0, 1))
    e1, e2 = _gnomonic_basis(centre)
    out: Arr = (
        z[:, None] * centre + (s * np.cos(phi))[:, None] * e1 + (s * np.sin(phi))[:, None] * e2
    )
    return out


def spec_of(region: Box | Circle | Point | Polygon) -> Spec:
    """The spec of a built region (for hand-made cases)."""
    if isinstance(region, Point):
        return ("point", region.lon, region.lat)
    if isinstance(region, Circle):
        return ("circle", region.lon, region.lat, region.radius)
    if isinstance(region, Box):
        return ("box", region.west, region.south, region.east, region.north)
    return ("polygon", region.vertices)


def made(spec: Spec) -> Region:
    """The region ``spec`` describes, or a hypothesis rejection if it is not a valid one."""
    try:
        return build(spec)
    except GeometryError:
        reject()
