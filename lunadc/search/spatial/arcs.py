"""Arcs of circles on the unit sphere: the boundary pieces of every region.

A circle is given by its pole ``n`` (a unit vector) and its angular radius ``r`` (π/2 for a
great circle; a parallel at latitude φ has pole +z and radius 90° − φ). An arc runs
counter-clockwise about ``n`` (seen from outside the sphere) for ``sweep`` radians from
its start point; the side of ``n`` is on its left. Regions keep their boundary arcs
oriented so that the region lies on the left.

Everything is computed from angles (``atan2`` of cross and dot products, haversines), not
from plane offsets, so it stays accurate for circles of a few metres and at the poles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lunadc.search.spatial.vec import (
    TOL,
    TWO_PI,
    FloatArray,
    Vec,
    angle,
    comb,
    cross,
    dot,
    hav,
    perpendicular,
    toward,
    unit,
)


@dataclass(frozen=True, slots=True)
class Arc:
    n: Vec  # pole of the circle
    r: float  # angular radius of the circle, in (0, π)
    u: Vec  # unit vector ⟂ n towards the start point
    v: Vec  # n × u: the direction of travel at the start
    sweep: float  # in (0, 2π]; 2π is the full circle

    @staticmethod
    def circle(n: Vec, r: float) -> Arc:
        u = perpendicular(n)
        return Arc(n, r, u, cross(n, u), TWO_PI)

    @staticmethod
    def from_start(n: Vec, r: float, start: Vec, sweep: float) -> Arc:
        """The arc of circle (n, r) beginning at (the point of the circle nearest) ``start``."""
        w = comb(1.0, start, -dot(start, n), n)
        u = unit(w)
        return Arc(n, r, u, cross(n, u), sweep)

    @staticmethod
    def great(a: Vec, b: Vec) -> Arc:
        """The minor great-circle arc from ``a`` to ``b`` (not antipodal)."""
        n = unit(cross(a, b))
        return Arc(n, math.pi / 2, a, cross(n, a), angle(a, b))

    @property
    def is_full(self) -> bool:
        return self.sweep >= TWO_PI

    def point(self, t: float) -> Vec:
        cr, sr = math.cos(self.r), math.sin(self.r)
        ct, st = math.cos(t), math.sin(t)
        n, u, v = self.n, self.u, self.v
        return (
            cr * n[0] + sr * (ct * u[0] + st * v[0]),
            cr * n[1] + sr * (ct * u[1] + st * v[1]),
            cr * n[2] + sr * (ct * u[2] + st * v[2]),
        )

    @property
    def start(self) -> Vec:
        return self.point(0.0)

    @property
    def end(self) -> Vec:
        return self.point(self.sweep)

    def param(self, x: Vec) -> float:
        """Angle in [0, 2π) of ``x`` about the pole, measured from the start."""
        t = math.atan2(dot(x, self.v), dot(x, self.u))
        return t + TWO_PI if t < 0.0 else t

    def length(self) -> float:
        return self.sweep * math.sin(self.r)

    def _t_tol(self, tol: float) -> float:
        s = math.sin(self.r)
        return math.pi if s * math.pi <= tol else tol / s

    def on(self, x: Vec, tol: float = TOL) -> bool:
        """``x`` lies on the arc (within ``tol`` radians)."""
        if abs(angle(self.n, x) - self.r) > tol:
            return False
        if self.is_full:
            return True
        t, tt = self.param(x), self._t_tol(tol)
        return t <= self.sweep + tt or t >= TWO_PI - tt

    def closest_param(self, x: Vec) -> float:
        xu, xv = dot(x, self.u), dot(x, self.v)
        if xu == 0.0 and xv == 0.0:
            return 0.0
        t = math.atan2(xv, xu)
        if t < 0.0:
            t += TWO_PI
        if t <= self.sweep:
            return t
        # outside the arc: the nearer end in angle about the pole is the nearer in space
        return 0.0 if TWO_PI - t < t - self.sweep else self.sweep

    def farthest_param(self, x: Vec) -> float:
        xu, xv = dot(x, self.u), dot(x, self.v)
        if xu == 0.0 and xv == 0.0:
            return 0.0
        t = math.atan2(-xv, -xu)
        if t < 0.0:
            t += TWO_PI
        if t <= self.sweep:
            return t
        return 0.0 if TWO_PI - t < t - self.sweep else self.sweep

    def distance(self, x: Vec) -> float:
        return angle(x, self.point(self.closest_param(x)))

    def max_distance(self, x: Vec) -> float:
        return angle(x, self.point(self.farthest_param(x)))

    def params(self, max_step: float) -> FloatArray:
        """Parameters from 0 to ``sweep`` spaced so that points are at most ``max_step`` apart."""
        chord = self.sweep * math.sin(self.r)
        k = max(1, math.ceil(chord / max_step), math.ceil(self.sweep / (TWO_PI / 64)))
        return np.linspace(0.0, self.sweep, k + 1)

    def points(self, ts: FloatArray) -> FloatArray:
        cr, sr = math.cos(self.r), math.sin(self.r)
        n, u, v = (np.asarray(a, dtype=np.float64) for a in (self.n, self.u, self.v))
        ct, st = np.cos(ts)[:, None], np.sin(ts)[:, None]
        out: FloatArray = cr * n + sr * (ct * u + st * v)
        return out

    def distance_array(self, p: FloatArray) -> FloatArray:
        """Angular distance from each row of ``p`` to the arc."""
        u, v = np.asarray(self.u, dtype=np.float64), np.asarray(self.v, dtype=np.float64)
        t = np.mod(np.arctan2(p @ v, p @ u), TWO_PI)
        if not self.is_full:
            outside = t > self.sweep
            nearer_start = (TWO_PI - t) < (t - self.sweep)
            t = np.where(outside, np.where(nearer_start, 0.0, self.sweep), t)
        q = self.points(t)
        c = np.cross(p, q)
        out: FloatArray = np.arctan2(
            np.sqrt(np.einsum("ij,ij->i", c, c)), np.einsum("ij,ij->i", p, q)
        )
        return out

    def offset_point(self, t: float, dist: float) -> Vec:
        """The point ``dist`` radians off the arc at ``t``, to its right (away from the pole)."""
        return self._radial(t, self.r + dist)

    def _radial(self, t: float, rr: float) -> Vec:
        ct, st = math.cos(t), math.sin(t)
        d = comb(ct, self.u, st, self.v)
        return comb(math.cos(rr), self.n, math.sin(rr), d)


def circle_intersections(
    n1: Vec, r1: float, n2: Vec, r2: float, tol: float = TOL
) -> list[Vec] | None:
    """Points common to two circles; ``None`` when the circles coincide.

    Tangent circles (within ``tol``) give their point of contact.
    """
    d = angle(n1, n2)
    if d < 1e-12 or math.pi - d < 1e-12:
        same = abs(r1 - r2) <= tol if d < 1.0 else abs(r1 - (math.pi - r2)) <= tol
        return None if same else []
    if d > r1 + r2 + tol or d < abs(r1 - r2) - tol or d > TWO_PI - r1 - r2 + tol:
        return []
    den = math.sin(r1) * math.sin(d)
    if den <= 0.0:
        return []
    h = (hav(r2) - hav(d - r1)) / den
    h = min(1.0, max(0.0, h))
    a = 2.0 * math.asin(math.sqrt(h))
    t = toward(n1, n2)
    w = cross(n1, t)
    cr, sr, ca, sa = math.cos(r1), math.sin(r1), math.cos(a), math.sin(a)
    p1 = comb(cr, n1, sr, comb(ca, t, sa, w))
    if sa * sr < 1e-300:
        return [p1]
    return [p1, comb(cr, n1, sr, comb(ca, t, -sa, w))]


def arcs_touch(a: Arc, b: Arc, tol: float = TOL) -> bool:
    """The two arcs have a point in common (within ``tol``)."""
    pts = circle_intersections(a.n, a.r, b.n, b.r, tol)
    if pts is None:
        return a.on(b.start, tol) or a.on(b.end, tol) or b.on(a.start, tol) or b.on(a.end, tol)
    for p in pts:
        if a.on(p, tol) and b.on(p, tol):
            return True
    # grazing contacts at an end point, where the computed crossing may lie a hair away
    if not a.is_full and (b.distance(a.start) <= tol or b.distance(a.end) <= tol):
        return True
    return not b.is_full and (a.distance(b.start) <= tol or a.distance(b.end) <= tol)


def split_params(arc: Arc, others: list[Arc], tol: float = TOL) -> list[float]:
    """Sorted parameters on ``arc`` (ends included) where any of ``others`` meets it."""
    ts = [0.0, arc.sweep]
    tt = arc._t_tol(tol)
    for b in others:
        pts = circle_intersections(arc.n, arc.r, b.n, b.r, tol)
        cand = [b.start, b.end] if pts is None else [p for p in pts if b.on(p, tol)]
        if pts is None and b.is_full:
            cand = []
        for p in cand:
            if not arc.on(p, tol):
                continue
            t = arc.param(p)
            if t > arc.sweep + tt:  # just before the start, within tolerance
                t = 0.0
            ts.append(min(max(t, 0.0), arc.sweep))
    ts.sort()
    out = [ts[0]]
    for t in ts[1:]:
        if t - out[-1] > 1e-15:
            out.append(t)
    return out
