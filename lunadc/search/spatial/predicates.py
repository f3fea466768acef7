"""Exact predicates between regions on the sphere.

* ``intersects(a, b)`` — the regions share at least one point (touching counts).
* ``contains(region, point)`` — the point lies in the region (boundary included).
* ``covers(a, b)`` — every point of ``b`` lies in ``a`` (``a`` may be a union whose parts
  only cover ``b`` together, e.g. a footprint given as two boxes either side of 180°).

All are exact up to floating point with a boundary tolerance of
:data:`~lunadc.search.spatial.vec.TOL` radians: great-circle edges for polygons, parallels
(small circles) for box edges, geodesic distance for circles, with no lon/lat
approximation, so they hold at the poles and across 180°.

How: circles and points reduce to exact distances (a circle meets a region iff the
distance from its centre to the region is at most its radius); two boxes reduce to
interval tests (with the poles handled); otherwise two closed regions meet iff their
boundaries cross or a point of one boundary lies in the other, and ``b ⊆ a`` iff every
piece of ``∂b`` cut at the crossings with ``∂a`` lies in ``a`` and no piece of the
complement of ``a`` lies in ``b``.
"""

from __future__ import annotations

import itertools
import math

from lunadc.search.spatial.arcs import arcs_touch, split_params
from lunadc.search.spatial.regions import Box, Circle, Point, Region, Shape
from lunadc.search.spatial.vec import HALF_PI, TOL, TWO_PI, Vec, angle, xyz

_DELTA = 1e-9  # offset (radians) used to look just outside a part when checking for holes


def _point(p: Point | tuple[float, float] | Vec) -> Vec:
    if isinstance(p, Point):
        return p.xyz
    if len(p) == 2:
        return xyz(p[0], p[1])
    return (p[0], p[1], p[2])


def contains(region: Region, point: Point | tuple[float, float]) -> bool:
    """``point`` (a :class:`Point` or ``(lon, lat)`` in degrees) lies in ``region``."""
    return region.contains_xyz(_point(point))


def distance(region: Region, point: Point | tuple[float, float]) -> float:
    """Geodesic distance in radians from ``point`` to ``region`` (0 inside)."""
    return region.distance_xyz(_point(point))


def _caps_apart(a: Shape, b: Shape) -> bool:
    (ca, ra), (cb, rb) = a.cap, b.cap
    return angle(ca, cb) > ra + rb + TOL


def intersects(a: Region, b: Region) -> bool:
    """The two regions have at least one point in common."""
    return any(_shape_intersects(x, y) for x in a.parts for y in b.parts)


def _shape_intersects(a: Shape, b: Shape) -> bool:
    if a.is_sphere or b.is_sphere:
        return True
    if _caps_apart(a, b):
        return False
    if isinstance(a, Point):
        return b.contains_xyz(a.xyz)
    if isinstance(b, Point):
        return a.contains_xyz(b.xyz)
    if isinstance(a, Circle):
        return b.distance_xyz(a.center) <= a.radius_rad + TOL
    if isinstance(b, Circle):
        return a.distance_xyz(b.center) <= b.radius_rad + TOL
    if isinstance(a, Box) and isinstance(b, Box):
        return _boxes_intersect(a, b)
    if any(b.contains_xyz(q) for q in a.boundary_points):
        return True
    if any(a.contains_xyz(q) for q in b.boundary_points):
        return True
    return any(arcs_touch(x, y) for x in a.boundary for y in b.boundary)


def _lon_gap(w1: float, width1: float, w2: float, width2: float) -> float:
    """Smallest longitude gap (radians) between two intervals on the circle; 0 if they meet."""
    d12 = (w2 - w1) % TWO_PI
    d21 = (w1 - w2) % TWO_PI
    if d12 <= width1 or d21 <= width2:
        return 0.0
    return min(d12 - width1, d21 - width2)


def _boxes_intersect(a: Box, b: Box) -> bool:
    lo, hi = max(a._s, b._s), min(a._n, b._n)
    if lo > hi + TOL:
        return False
    if a.is_full or b.is_full:
        return True
    if (a.south == -90.0 and b.south == -90.0) or (a.north == 90.0 and b.north == 90.0):
        return True
    gap = _lon_gap(a._w, a._width, b._w, b._width)
    if gap == 0.0:
        return True
    poleward = max(abs(lo), abs(hi))
    return gap < HALF_PI and math.sin(gap) * math.cos(min(poleward, HALF_PI)) <= TOL


def _box_covers_box(a: Box, b: Box) -> bool:
    if b._s < a._s - TOL or b._n > a._n + TOL:
        return False
    if a.is_full:
        return True
    if b.is_full:
        return False
    off = (b._w - a._w) % TWO_PI
    equatorward = 0.0 if b._s <= 0.0 <= b._n else min(abs(b._s), abs(b._n))
    tol_lon = TOL / max(math.cos(equatorward), 1e-300)
    if off > TWO_PI - tol_lon:
        off -= TWO_PI
    return off + b._width <= a._width + tol_lon


def covers(a: Region, b: Region) -> bool:
    """Every point of ``b`` lies in ``a`` (the union of ``a``'s parts)."""
    if len(b.parts) > 1:
        return all(covers(a, p) for p in b.parts)
    bs = b.parts[0]
    aparts = [p for p in a.parts if not _caps_apart(p, bs)]
    if not aparts:
        return False
    if any(_shape_covers(p, bs) for p in aparts):
        return True
    if len(aparts) == 1 or isinstance(bs, Point):
        return False
    return _union_covers(aparts, bs)


def _shape_covers(a: Shape, b: Shape) -> bool:
    if a.is_sphere:
        return True
    if b.is_sphere:
        return False
    if isinstance(b, Point):
        return a.contains_xyz(b.xyz)
    if isinstance(a, Point):
        return False
    if isinstance(a, Circle):
        return b.max_distance_xyz(a.center) <= a.radius_rad + TOL
    if isinstance(a, Box) and isinstance(b, Box):
        return _box_covers_box(a, b)
    if not all(a.contains_xyz(q) for q in b.boundary_points):
        return False
    if not _boundary_within(b, [a]):
        return False
    return not any(b.contains_xyz(q) for q in a.outside_points)


def _boundary_within(b: Shape, parts: list[Shape]) -> bool:
    """Every point of ``b``'s boundary lies in one of ``parts``."""
    cut = [arc for p in parts for arc in p.boundary]
    for arc in b.boundary:
        ts = split_params(arc, cut)
        probes = ts + [(t0 + t1) / 2 for t0, t1 in itertools.pairwise(ts)]
        for t in probes:
            q = arc.point(t)
            if not any(p.contains_xyz(q) for p in parts):
                return False
    return True


def _union_covers(parts: list[Shape], b: Shape) -> bool:
    if not _boundary_within(b, parts):
        return False
    # a hole of the union inside b is bounded by pieces of the parts' boundaries: look just
    # outside every piece of every part's boundary that lies in b
    for i, p in enumerate(parts):
        others = parts[:i] + parts[i + 1 :]
        cut = [arc for o in others for arc in o.boundary] + list(b.boundary)
        for arc in p.boundary:
            ts = split_params(arc, cut)
            for t0, t1 in itertools.pairwise(ts):
                q = arc.offset_point((t0 + t1) / 2, _DELTA)
                if not b.contains_xyz(q) or p.contains_xyz(q):
                    continue
                if not any(o.contains_xyz(q) for o in others):
                    return False
    return True
