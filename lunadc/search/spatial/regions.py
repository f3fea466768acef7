"""Regions on a sphere: frozen value types, in degrees, for any body (the geometry is on
the unit sphere; kilometres are converted with the body's mean radius at the edges).

* :class:`Point` — a place (lon, lat).
* :class:`Circle` — every point within an angular ``radius`` (degrees) of a centre
  (geodesic distance); :meth:`Circle.from_km` converts a radius in km on a body.
* :class:`Box` — the region between two meridians and two parallels (``west`` → ``east``
  going east, so ``west > east`` crosses 180°; ``south = -90`` encloses the south pole).
  Its north and south edges are parallels (small circles), not great circles.
* :class:`~lunadc.search.spatial.polygon.Polygon` — great-circle edges.
* :class:`MultiRegion` — the union of several of these (a footprint with several parts).

Every region is closed: its boundary belongs to it, with a tolerance of
:data:`~lunadc.search.spatial.vec.TOL` radians. Longitudes may be given in -180..180 or
0..360 and are stored in [-180, 180); latitudes are planetocentric.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from lunadc.search.spatial.arcs import Arc
from lunadc.search.spatial.vec import (
    HALF_PI,
    NORTH,
    SOUTH,
    TOL,
    TWO_PI,
    FloatArray,
    Vec,
    angle,
    angle_array,
    cross,
    neg,
    normalize_lon,
    xyz,
    xyz_rad,
)

if TYPE_CHECKING:
    from lunadc.search.spatial.polygon import Polygon

BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


class GeometryError(ValueError):
    """A region that cannot exist (latitude out of range, crossing edges, …).

    ``what`` names the kind of thing ("polygon", "box", …) and ``reason`` says what is wrong.
    """

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"{what}: {reason}")
        self.what = what
        self.reason = reason


def check_lonlat(lon: float, lat: float, what: str = "point") -> None:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise GeometryError(what, "coordinates must be finite numbers")
    if not -90.0 <= lat <= 90.0:
        raise GeometryError(what, f"latitude {lat:g} is outside -90..90")
    if not -180.0 <= lon <= 360.0:
        raise GeometryError(what, f"longitude {lon:g} is outside -180..360")


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


class Shape(ABC):
    """One connected, closed region on the unit sphere."""

    @property
    def parts(self) -> tuple[Shape, ...]:
        return (self,)

    @property
    def is_sphere(self) -> bool:
        return False

    @property
    @abstractmethod
    def boundary(self) -> tuple[Arc, ...]:
        """Boundary arcs, each with the region on its left."""

    @property
    @abstractmethod
    def boundary_points(self) -> tuple[Vec, ...]:
        """One point on each connected piece of the boundary."""

    @property
    @abstractmethod
    def outside_points(self) -> tuple[Vec, ...]:
        """One point (clearly) inside each connected piece of the complement."""

    @property
    @abstractmethod
    def cap(self) -> tuple[Vec, float]:
        """A bounding cap (centre, angular radius) containing the region."""

    @property
    @abstractmethod
    def area(self) -> float:
        """Area in steradians (on the unit sphere)."""

    @abstractmethod
    def contains_xyz(self, p: Vec) -> bool: ...

    @abstractmethod
    def contains_array(self, p: FloatArray) -> BoolArray:
        """Vectorised :meth:`contains_xyz` for an (N, 3) array of unit vectors."""

    def contains(self, lon: float, lat: float) -> bool:
        return self.contains_xyz(xyz(lon, lat))

    def distance_xyz(self, p: Vec) -> float:
        """Angular distance from ``p`` to the region (0 inside)."""
        if self.contains_xyz(p):
            return 0.0
        return min((a.distance(p) for a in self.boundary), default=math.pi)

    def max_distance_xyz(self, p: Vec) -> float:
        """Largest angular distance from ``p`` to a point of the region."""
        if self.contains_xyz(neg(p)):
            return math.pi
        return max((a.max_distance(p) for a in self.boundary), default=0.0)

    def near_boundary_array(self, p: FloatArray, tol: float = TOL) -> BoolArray:
        out = np.zeros(len(p), dtype=bool)
        for a in self.boundary:
            out |= a.distance_array(p) <= tol
        return out


def _best_cap(shape: Shape, centres: list[Vec]) -> tuple[Vec, float]:
    best: tuple[Vec, float] | None = None
    for c in centres:
        r = shape.max_distance_xyz(c)
        if best is None or r < best[1]:
            best = (c, r)
    assert best is not None
    return best


@dataclass(frozen=True)
class Point(Shape):
    lon: float
    lat: float
    _p: Vec = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_lonlat(self.lon, self.lat)
        _set(self, "lon", normalize_lon(self.lon))
        _set(self, "_p", xyz(self.lon, self.lat))

    @property
    def xyz(self) -> Vec:
        return self._p

    @property
    def boundary(self) -> tuple[Arc, ...]:
        return ()

    @property
    def boundary_points(self) -> tuple[Vec, ...]:
        return (self._p,)

    @property
    def outside_points(self) -> tuple[Vec, ...]:
        return (neg(self._p),)

    @property
    def cap(self) -> tuple[Vec, float]:
        return (self._p, 0.0)

    @property
    def area(self) -> float:
        return 0.0

    def contains_xyz(self, p: Vec) -> bool:
        return angle(self._p, p) <= TOL

    def contains_array(self, p: FloatArray) -> BoolArray:
        return angle_array(self._p, p) <= TOL

    def distance_xyz(self, p: Vec) -> float:
        return angle(self._p, p)

    def max_distance_xyz(self, p: Vec) -> float:
        return angle(self._p, p)


@dataclass(frozen=True)
class Circle(Shape):
    """All points within ``radius`` degrees (geodesic) of (lon, lat); 180° or more is the sphere."""

    lon: float
    lat: float
    radius: float  # degrees of arc
    _c: Vec = field(init=False, repr=False, compare=False)
    _r: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_lonlat(self.lon, self.lat, "circle centre")
        if not math.isfinite(self.radius) or self.radius <= 0.0:
            raise GeometryError("circle", f"radius must be a positive number, not {self.radius:g}")
        _set(self, "lon", normalize_lon(self.lon))
        _set(self, "_c", xyz(self.lon, self.lat))
        _set(self, "_r", min(math.radians(self.radius), math.pi))

    @staticmethod
    def from_km(lon: float, lat: float, radius_km: float, body_radius_km: float) -> Circle:
        if not math.isfinite(radius_km) or radius_km <= 0.0:
            raise GeometryError("circle", f"radius must be a positive number of km: {radius_km:g}")
        return Circle(lon, lat, math.degrees(radius_km / body_radius_km))

    @property
    def center(self) -> Vec:
        return self._c

    @property
    def radius_rad(self) -> float:
        return self._r

    @property
    def is_sphere(self) -> bool:
        return self._r >= math.pi - TOL

    @property
    def boundary(self) -> tuple[Arc, ...]:
        return () if self.is_sphere else (Arc.circle(self._c, self._r),)

    @property
    def boundary_points(self) -> tuple[Vec, ...]:
        return tuple(a.start for a in self.boundary)

    @property
    def outside_points(self) -> tuple[Vec, ...]:
        return () if self.is_sphere else (neg(self._c),)

    @property
    def cap(self) -> tuple[Vec, float]:
        return (self._c, self._r)

    @property
    def area(self) -> float:
        s = math.sin(self._r / 2)
        return 4 * math.pi * s * s

    def contains_xyz(self, p: Vec) -> bool:
        return angle(self._c, p) <= self._r + TOL

    def contains_array(self, p: FloatArray) -> BoolArray:
        return angle_array(self._c, p) <= self._r + TOL

    def distance_xyz(self, p: Vec) -> float:
        return max(0.0, angle(self._c, p) - self._r)

    def max_distance_xyz(self, p: Vec) -> float:
        return min(math.pi, angle(self._c, p) + self._r)


@dataclass(frozen=True)
class Box(Shape):
    """Between meridians ``west`` → ``east`` (eastward) and parallels ``south`` ≤ ``north``.

    ``west > east`` crosses 180° (177, -178 is 5° wide); ``east - west`` of 360 (e.g.
    -180, 180 or 0, 360) is every longitude; ``west == east`` is a single meridian.
    Use keywords: ``Box(west=…, south=…, east=…, north=…)``.
    """

    west: float
    south: float
    east: float
    north: float
    _w: float = field(init=False, repr=False, compare=False)
    _width: float = field(init=False, repr=False, compare=False)
    _s: float = field(init=False, repr=False, compare=False)
    _n: float = field(init=False, repr=False, compare=False)
    _arcs: tuple[Arc, ...] = field(init=False, repr=False, compare=False)
    _cap: tuple[Vec, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for lon, lat in ((self.west, self.south), (self.east, self.north)):
            check_lonlat(lon, lat, "box")
        if self.south > self.north:
            raise GeometryError("box", f"south {self.south:g} is north of north {self.north:g}")
        width = (self.east - self.west) % 360.0
        if width == 0.0 and self.east != self.west:
            width = 360.0
        if (width == 0.0 and self.south == self.north) or (
            abs(self.south) == 90.0 and self.south == self.north
        ):
            raise GeometryError("box", "the box is a single point")
        west = normalize_lon(self.west)
        _set(self, "west", west)
        _set(self, "east", west + width if width >= 360.0 else normalize_lon(west + width))
        _set(self, "_w", math.radians(west))
        _set(self, "_width", math.radians(width))
        _set(self, "_s", math.radians(self.south))
        _set(self, "_n", math.radians(self.north))
        _set(self, "_arcs", self._make_arcs())
        cands = [xyz(west + width / 2, (self.south + self.north) / 2)]
        if self.south == -90.0:
            cands.append(SOUTH)
        if self.north == 90.0:
            cands.append(NORTH)
        _set(self, "_cap", _best_cap(self, cands))

    @property
    def is_full(self) -> bool:
        """Every longitude."""
        return self._width >= TWO_PI

    @property
    def width(self) -> float:
        """Width in degrees of longitude (0 < width ≤ 360; 0 for a meridian segment)."""
        return math.degrees(self._width)

    @property
    def is_sphere(self) -> bool:
        return self.is_full and self.south == -90.0 and self.north == 90.0

    def _make_arcs(self) -> tuple[Arc, ...]:
        w, e, s, n, width = self._w, self._w + self._width, self._s, self._n, self._width
        arcs: list[Arc] = []
        if self.is_full:
            if self.south > -90.0:
                arcs.append(Arc(NORTH, HALF_PI - s, (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), TWO_PI))
            if self.north < 90.0:
                arcs.append(Arc(SOUTH, HALF_PI + n, (1.0, 0.0, 0.0), (0.0, -1.0, 0.0), TWO_PI))
            return tuple(arcs)
        if self.south > -90.0 and width > 0.0:
            u = (math.cos(w), math.sin(w), 0.0)
            arcs.append(Arc(NORTH, HALF_PI - s, u, cross(NORTH, u), width))
        if n > s:
            pole = (math.sin(e), -math.cos(e), 0.0)
            u = xyz_rad(e, s)
            arcs.append(Arc(pole, HALF_PI, u, cross(pole, u), n - s))
        if self.north < 90.0 and width > 0.0:
            u = (math.cos(e), math.sin(e), 0.0)
            arcs.append(Arc(SOUTH, HALF_PI + n, u, cross(SOUTH, u), width))
        if n > s:
            pole = (-math.sin(w), math.cos(w), 0.0)
            u = xyz_rad(w, n)
            arcs.append(Arc(pole, HALF_PI, u, cross(pole, u), n - s))
        return tuple(arcs)

    @property
    def boundary(self) -> tuple[Arc, ...]:
        return self._arcs

    @property
    def boundary_points(self) -> tuple[Vec, ...]:
        if self.is_full:
            return tuple(a.start for a in self._arcs)
        return (self._arcs[0].start,)

    @property
    def outside_points(self) -> tuple[Vec, ...]:
        if self.is_full:
            out: list[Vec] = []
            if self.north < 90.0:
                out.append(NORTH)
            if self.south > -90.0:
                out.append(SOUTH)
            return tuple(out)
        gap = TWO_PI - self._width
        return (xyz_rad(self._w + self._width + gap / 2, 0.0),)

    @property
    def cap(self) -> tuple[Vec, float]:
        return self._cap

    @property
    def area(self) -> float:
        return self._width * (math.sin(self._n) - math.sin(self._s))

    def contains_xyz(self, p: Vec) -> bool:
        x, y, z = p
        h = math.hypot(x, y)
        lat = math.atan2(z, h)
        if lat < self._s - TOL or lat > self._n + TOL:
            return False
        if self.is_full or h == 0.0:
            return True
        if (self.south == -90.0 and lat <= TOL - HALF_PI) or (
            self.north == 90.0 and lat >= HALF_PI - TOL
        ):
            return True
        dl = (math.atan2(y, x) - self._w) % TWO_PI
        if dl <= self._width:
            return True
        out = min(dl - self._width, TWO_PI - dl)
        return out < HALF_PI and math.cos(lat) * math.sin(out) <= TOL

    def contains_array(self, p: FloatArray) -> BoolArray:
        h = np.hypot(p[:, 0], p[:, 1])
        lat = np.arctan2(p[:, 2], h)
        ok = (lat >= self._s - TOL) & (lat <= self._n + TOL)
        if self.is_full:
            return ok
        inlon = h == 0.0
        if self.south == -90.0:
            inlon |= lat <= TOL - HALF_PI
        if self.north == 90.0:
            inlon |= lat >= HALF_PI - TOL
        dl = np.mod(np.arctan2(p[:, 1], p[:, 0]) - self._w, TWO_PI)
        out = np.minimum(dl - self._width, TWO_PI - dl)
        inlon |= (dl <= self._width) | ((out < HALF_PI) & (np.cos(lat) * np.sin(out) <= TOL))
        result: BoolArray = ok & inlon
        return result


@dataclass(frozen=True)
class MultiRegion:
    """The union of several regions (flattened: no nested unions)."""

    parts: tuple[Shape, ...]
    _cap: tuple[Vec, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.parts:
            raise GeometryError("union", "needs at least one part")
        flat: list[Shape] = []
        for p in self.parts:
            flat.extend(p.parts)
        _set(self, "parts", tuple(flat))
        _set(self, "_cap", _union_cap(flat))

    @property
    def is_sphere(self) -> bool:
        return any(p.is_sphere for p in self.parts)

    @property
    def cap(self) -> tuple[Vec, float]:
        return self._cap

    def contains_xyz(self, p: Vec) -> bool:
        return any(s.contains_xyz(p) for s in self.parts)

    def contains(self, lon: float, lat: float) -> bool:
        return self.contains_xyz(xyz(lon, lat))

    def contains_array(self, p: FloatArray) -> BoolArray:
        out = np.zeros(len(p), dtype=bool)
        for s in self.parts:
            out |= s.contains_array(p)
        return out

    def distance_xyz(self, p: Vec) -> float:
        return min(s.distance_xyz(p) for s in self.parts)


def _union_cap(parts: list[Shape]) -> tuple[Vec, float]:
    if len(parts) == 1:
        return parts[0].cap
    sx = sy = sz = 0.0
    for s in parts:
        (x, y, z), _ = s.cap
        w = max(s.area, 1e-30)
        sx, sy, sz = sx + w * x, sy + w * y, sz + w * z
    nrm = math.sqrt(sx * sx + sy * sy + sz * sz)
    c = (sx / nrm, sy / nrm, sz / nrm) if nrm > 1e-9 else parts[0].cap[0]
    r = max(min(math.pi, angle(c, s.cap[0]) + s.cap[1]) for s in parts)
    return (c, r)


Region = Shape | MultiRegion
"""Any region: a :class:`Shape` (point, circle, box, polygon) or a :class:`MultiRegion`."""


def make_box(west: float, south: float, east: float, north: float) -> Box | Point:
    """A :class:`Box`, or a :class:`Point` when the box has collapsed to one."""
    width = (east - west) % 360.0
    if abs(south) == 90.0 and south == north:
        check_lonlat(west, south, "box")
        return Point(0.0, south)
    if width == 0.0 and east == west and south == north:
        return Point(west, south)
    return Box(west=west, south=south, east=east, north=north)


def union(parts: list[Region] | tuple[Region, ...]) -> Region:
    """One region for several: the part itself when there is only one."""
    flat: list[Shape] = []
    for p in parts:
        flat.extend(p.parts)
    if not flat:
        raise GeometryError("union", "needs at least one part")
    return flat[0] if len(flat) == 1 else MultiRegion(tuple(flat))


def polygon(vertices: Any) -> Polygon:
    from lunadc.search.spatial.polygon import Polygon

    return Polygon(tuple((float(a), float(b)) for a, b in vertices))
