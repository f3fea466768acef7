"""Spherical polygons with great-circle edges.

A polygon must fit in an open hemisphere (every image footprint and every polygon around a
pole does); its interior is then the side inside that hemisphere, so the order of the
vertices does not matter (they are stored counter-clockwise). Inside the hemisphere the
gnomonic projection maps great circles to straight lines exactly, so validity (no crossing
edges) and point-in-polygon are planar questions answered with shapely on exact images.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely  # type: ignore[import-untyped, unused-ignore]

from lunadc.search.spatial.arcs import Arc
from lunadc.search.spatial.regions import BoolArray, GeometryError, Shape, _set, check_lonlat
from lunadc.search.spatial.vec import (
    TOL,
    FloatArray,
    Vec,
    angle,
    angle_array,
    cross,
    dot,
    neg,
    norm,
    normalize_lon,
    perpendicular,
    unit,
    xyz,
)

_SAME = 1e-14  # vertices closer than this (radians) are one vertex


_Vertex = tuple[Vec, tuple[float, float]]


def clean_ring(ring: list[_Vertex]) -> list[_Vertex]:
    """Drop repeated vertices (the closing one too) and back-and-forth spikes ``a, b, a``.

    Spikes are what a ring cut at the 180° meridian and run along a pole leaves behind
    (GeoJSON output of polar regions), so such rings read back as the polygon they meant.
    """
    out: list[_Vertex] = []
    for item in ring:
        if out and angle(out[-1][0], item[0]) <= _SAME:
            continue
        out.append(item)
    while len(out) > 1 and angle(out[-1][0], out[0][0]) <= _SAME:
        out.pop()
    changed = True
    while changed and len(out) >= 3:
        changed = False
        k = len(out)
        for i in range(k):
            if angle(out[i - 1][0], out[(i + 1) % k][0]) <= _SAME:
                drop = {i, (i + 1) % k}
                out = [x for j, x in enumerate(out) if j not in drop]
                changed = True
                break
    return out


def hemisphere_centre(vs: list[Vec]) -> Vec:
    """A unit vector strictly less than 90° from every vertex (perceptron search)."""
    sx = sum(v[0] for v in vs)
    sy = sum(v[1] for v in vs)
    sz = sum(v[2] for v in vs)
    w = (sx, sy, sz) if math.sqrt(sx * sx + sy * sy + sz * sz) > 1e-9 else vs[0]
    for _ in range(5000):
        c = unit(w)
        m, worst = min((dot(v, c), v) for v in vs)
        if m > 1e-9:
            return c
        w = (w[0] + worst[0] * norm(w), w[1] + worst[1] * norm(w), w[2] + worst[2] * norm(w))
        if norm(w) < 1e-12:
            break
    raise GeometryError("polygon", "does not fit in a hemisphere")


def triangle_area(a: Vec, b: Vec, c: Vec) -> float:
    """Signed area of a spherical triangle (positive counter-clockwise), Oosterom–Strackee."""
    return 2.0 * math.atan2(dot(a, cross(b, c)), 1.0 + dot(a, b) + dot(b, c) + dot(c, a))


@dataclass(frozen=True)
class Polygon(Shape):
    """Vertices (lon, lat) in degrees joined by great-circle arcs, closed implicitly."""

    vertices: tuple[tuple[float, float], ...]
    _v: tuple[Vec, ...] = field(init=False, repr=False, compare=False)
    _arcs: tuple[Arc, ...] = field(init=False, repr=False, compare=False)
    _c: Vec = field(init=False, repr=False, compare=False)
    _e1: Vec = field(init=False, repr=False, compare=False)
    _e2: Vec = field(init=False, repr=False, compare=False)
    _xy: tuple[tuple[float, float], ...] = field(init=False, repr=False, compare=False)
    _shp: shapely.Polygon = field(init=False, repr=False, compare=False)
    _cap: tuple[Vec, float] = field(init=False, repr=False, compare=False)
    _area: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ring: list[_Vertex] = []
        for lon, lat in self.vertices:
            check_lonlat(lon, lat, "polygon vertex")
            ring.append((xyz(lon, lat), (normalize_lon(lon), lat)))
        ring = clean_ring(ring)
        if len(ring) < 3:
            raise GeometryError("polygon", "needs at least 3 distinct vertices")
        vs = [v for v, _ in ring]
        c = hemisphere_centre(vs)
        e1 = perpendicular(c)
        e2 = cross(c, e1)
        xy = [(dot(v, e1) / dot(v, c), dot(v, e2) / dot(v, c)) for v in vs]
        lr = shapely.LinearRing(xy)
        if not lr.is_ccw:
            ring.reverse()
            vs.reverse()
            xy.reverse()
        shp = shapely.Polygon(xy)
        if not shp.is_valid or shp.area <= 0.0:
            reason = shapely.is_valid_reason(shp)
            if "Self-intersection" in reason or "Ring Self" in reason:
                raise GeometryError("polygon", "edges cross or touch each other")
            raise GeometryError("polygon", "has no area (vertices on one great circle?)")
        shapely.prepare(shp)
        k = len(vs)
        arcs = tuple(Arc.great(vs[i], vs[(i + 1) % k]) for i in range(k))
        area = sum(triangle_area(c, vs[i], vs[(i + 1) % k]) for i in range(k))
        if area <= 0.0:
            raise GeometryError("polygon", "has no area")
        _set(self, "vertices", tuple(ll for _, ll in ring))
        _set(self, "_v", tuple(vs))
        _set(self, "_arcs", arcs)
        _set(self, "_c", c)
        _set(self, "_e1", e1)
        _set(self, "_e2", e2)
        _set(self, "_xy", tuple(xy))
        _set(self, "_shp", shp)
        _set(self, "_area", area)
        r = max(a.max_distance(c) for a in arcs)
        _set(self, "_cap", (c, r))

    @property
    def xyz_vertices(self) -> tuple[Vec, ...]:
        return self._v

    @property
    def boundary(self) -> tuple[Arc, ...]:
        return self._arcs

    @property
    def boundary_points(self) -> tuple[Vec, ...]:
        return (self._v[0],)

    @property
    def outside_points(self) -> tuple[Vec, ...]:
        return (neg(self._c),)

    @property
    def cap(self) -> tuple[Vec, float]:
        return self._cap

    @property
    def area(self) -> float:
        return self._area

    def _planar_inside(self, p: Vec) -> bool:
        d = dot(p, self._c)
        if d <= 0.0:
            return False
        x, y = dot(p, self._e1) / d, dot(p, self._e2) / d
        xy = self._xy
        inside = False
        xj, yj = xy[-1]
        for xi, yi in xy:
            if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
                inside = not inside
            xj, yj = xi, yi
        return inside

    def contains_xyz(self, p: Vec) -> bool:
        c, r = self._cap
        if angle(p, c) > r + TOL:
            return False
        if self._planar_inside(p):
            return True
        return any(a.distance(p) <= TOL for a in self._arcs)

    def contains_array(self, p: FloatArray) -> BoolArray:
        c = np.asarray(self._c)
        d = p @ c
        out = np.zeros(len(p), dtype=bool)
        near = angle_array(self._c, p) <= self._cap[1] + TOL
        m = near & (d > 0.0)
        if m.any():
            q = p[m]
            x = (q @ np.asarray(self._e1)) / d[m]
            y = (q @ np.asarray(self._e2)) / d[m]
            out[m] = shapely.contains_xy(self._shp, x, y)
        rest = near & ~out
        if rest.any():
            out[rest] = self.near_boundary_array(p[rest])
        return out
