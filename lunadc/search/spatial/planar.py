"""From the sphere to planar pictures: lon/lat polygons split at 180°, and an equal-area plane.

* :func:`ring_lonlat` turns a densely sampled spherical ring (region on its left) into a
  planar lon/lat ring with longitudes unwrapped (they may run past ±180°); a ring that
  winds around a pole is closed along the pole's line (lat ±90), and a ring through a pole
  runs along the pole's line between the meridians it arrives and leaves by.
* :func:`split_180` cuts such a planar polygon into pieces within [-180, 180].
* :class:`Laea` is the Lambert azimuthal equal-area projection about a centre: planar area
  equals area on the unit sphere, so areas of unions and differences of footprints near a
  landing site are computed exactly (up to densification) with planar shapely operations.
"""

from __future__ import annotations

import math

import numpy as np
import shapely  # type: ignore[import-untyped, unused-ignore]
from shapely.geometry.base import BaseGeometry  # type: ignore[import-untyped, unused-ignore]

from lunadc.search.spatial.arcs import Arc
from lunadc.search.spatial.vec import NORTH, SOUTH, FloatArray, Vec, cross, dot, lonlat_array
from lunadc.search.spatial.vec import perpendicular as _perp

_POLE_DEG = 1e-9  # a sample this close (degrees) to a pole is the pole
_MAX_LON_SAMPLES = 20_000  # bound on the points one arc may get for its longitude sweep
_DIGITS = 10  # decimals of degrees kept in GeoJSON output (≈ 3 µm on the Moon)


def sample_arcs(arcs: tuple[Arc, ...] | list[Arc], max_step: float) -> FloatArray:
    """Points along consecutive arcs (each end point once), at most ``max_step`` radians apart,
    with a pole inserted exactly wherever an arc passes through one."""
    chunks: list[FloatArray] = []
    for arc in arcs:
        ts = _lon_dense(arc, arc.params(max_step), max_step)
        extra = []
        for pole in (NORTH, SOUTH):
            t = arc.closest_param(pole)
            if 0.0 < t < arc.sweep and arc.distance(pole) < 1e-12:
                extra.append(t)
        if extra:
            ts = np.unique(np.concatenate([ts, np.array(extra)]))
        pts = arc.points(ts[:-1])
        for t in extra:
            k = int(np.argmin(np.abs(ts[:-1] - t)))
            pts[k] = NORTH if pts[k][2] > 0 else SOUTH
        chunks.append(pts)
    return np.concatenate(chunks) if chunks else np.zeros((0, 3))


def _lon_dense(arc: Arc, ts: FloatArray, max_step: float) -> FloatArray:
    """Parameters also at most ``max_step`` apart in *longitude*: a map joins GeoJSON
    positions with straight lines in lon/lat, so an arc near a pole (a small circle around
    it sweeps every longitude) needs points by its longitude sweep, not only its length."""
    lon, _lat = lonlat_array(arc.points(ts))
    dlon = np.abs(np.diff(np.unwrap(np.radians(lon))))
    if not len(dlon) or float(dlon.max()) <= max_step:
        return ts
    k = min(_MAX_LON_SAMPLES, math.ceil(float(dlon.sum()) / max_step) * 2)
    return np.linspace(0.0, arc.sweep, max(k, len(ts)) + 1)


def ring_lonlat(points: FloatArray) -> list[tuple[float, float]] | None:
    """Unwrapped planar (lon, lat) ring of a spherical ring with its region on the left."""
    lon, lat = lonlat_array(points)
    polar = np.abs(lat) >= 90.0 - _POLE_DEG
    n = len(lon)
    if n < 3 or polar.all():
        return None
    i0 = int(np.argmin(polar))
    order = [(i0 + k) % n for k in range(n)] + [i0]
    u = float(lon[i0])
    prev = u
    out: list[tuple[float, float]] = [(u, float(lat[i0]))]
    k = 1
    while k < len(order):
        j = order[k]
        if polar[j]:
            south = lat[j] < 0
            m = k
            while m < len(order) and polar[order[m]]:
                m += 1
            nxt = float(lon[order[m % len(order)]]) if m < len(order) else float(lon[i0])
            step = (nxt - prev) % 360.0 if south else -((prev - nxt) % 360.0)
            pole = -90.0 if south else 90.0
            out.append((u, pole))
            u += step
            out.append((u, pole))
            prev = nxt
            k = m
            continue
        d = (float(lon[j]) - prev + 180.0) % 360.0 - 180.0
        u += d
        prev = float(lon[j])
        out.append((u, float(lat[j])))
        k += 1
    winding = round((u - out[0][0]) / 360.0)
    u = out[0][0] + 360.0 * winding  # exactly, so that pieces cut at 180° fit together again
    out[-1] = (u, out[-1][1])
    if winding > 0:
        out += [(u, 90.0), (out[0][0], 90.0)]
    elif winding < 0:
        out += [(u, -90.0), (out[0][0], -90.0)]
    return out


def ring_region(points: FloatArray) -> BaseGeometry | None:
    """The planar lon/lat region (unwrapped longitudes) left of a spherical ring.

    A ring that turns clockwise in the plane has its region outside: the result is then
    the rest of a 360°-wide world around it (a circle larger than a hemisphere).
    """
    ring = ring_lonlat(points)
    if ring is None:
        return None
    poly: BaseGeometry = shapely.Polygon(ring)
    if not poly.is_valid:
        poly = shapely.make_valid(poly)
    if not shapely.LinearRing(ring).is_ccw:
        minx, _, maxx, _ = poly.bounds
        cx = (minx + maxx) / 2.0
        poly = shapely.box(cx - 180.0, -90.0, cx + 180.0, 90.0).difference(poly)
    return poly


def split_180(geom: BaseGeometry) -> list[shapely.Polygon]:
    """Cut a planar polygon with unwrapped longitudes into pieces within [-180, 180]."""
    if geom.is_empty:
        return []
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    minx, _, maxx, _ = geom.bounds
    shift = 360.0 * math.floor((minx + 180.0) / 360.0)
    if shift:
        geom = shapely.affinity.translate(geom, xoff=-shift)
        minx, maxx = minx - shift, maxx - shift
    pieces: list[shapely.Polygon] = []
    for k in range(0, math.ceil((maxx + 180.0) / 360.0)):
        strip = shapely.box(-180.0 + 360.0 * k, -90.0, 180.0 + 360.0 * k, 90.0)
        part = geom.intersection(strip)
        if k:
            part = shapely.affinity.translate(part, xoff=-360.0 * k)
        pieces.extend(polygons_of(part))
    if len(pieces) > 1:  # pieces of one region cut apart at its seam fit together again
        pieces = polygons_of(shapely.union_all(pieces, grid_size=1e-10))
    return pieces


def polygons_of(geom: BaseGeometry) -> list[shapely.Polygon]:
    if isinstance(geom, shapely.Polygon):
        return [] if geom.is_empty or geom.area <= 0.0 else [geom]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in polygons_of(g)]
    return []


def _ring_coords(coords: object) -> list[list[float]]:
    rounded: list[list[float]] = np.round(
        np.asarray(coords, dtype=np.float64)[:, :2], _DIGITS
    ).tolist()
    return rounded


def polygons_geojson(polys: list[shapely.Polygon]) -> dict[str, object]:
    """GeoJSON (RFC 7946: counter-clockwise exteriors) Polygon or MultiPolygon."""
    merged = polygons_of(shapely.union_all(polys, grid_size=1e-10)) if len(polys) > 1 else polys
    out = []
    for p in merged:
        p = shapely.geometry.polygon.orient(p, 1.0)
        rings = [_ring_coords(p.exterior.coords)] + [_ring_coords(h.coords) for h in p.interiors]
        out.append(rings)
    if len(out) == 1:
        return {"type": "Polygon", "coordinates": out[0]}
    return {"type": "MultiPolygon", "coordinates": out}


class Laea:
    """Lambert azimuthal equal-area projection of the unit sphere about ``centre``."""

    def __init__(self, centre: Vec) -> None:
        self.c = np.asarray(centre, dtype=np.float64)
        e1 = _perp(centre)
        self.e1 = np.asarray(e1)
        self.e2 = np.asarray(cross(centre, e1))
        self.centre = centre

    def forward(self, p: FloatArray) -> FloatArray:
        d = np.clip(p @ self.c, -1.0, 1.0)
        k = np.sqrt(2.0 / np.maximum(1.0 + d, 1e-300))
        return np.stack([k * (p @ self.e1), k * (p @ self.e2)], axis=-1)

    def inverse(self, xy: FloatArray) -> FloatArray:
        rho = np.hypot(xy[:, 0], xy[:, 1])
        theta = 2.0 * np.arcsin(np.clip(rho / 2.0, 0.0, 1.0))
        safe = np.where(rho > 0.0, rho, 1.0)
        dirs = (xy[:, :1] * self.e1 + xy[:, 1:2] * self.e2) / safe[:, None]
        out: FloatArray = np.cos(theta)[:, None] * self.c + np.sin(theta)[:, None] * dirs
        return out

    def radius_for(self, angle: float) -> float:
        """Planar distance from the centre of points ``angle`` radians away."""
        return 2.0 * math.sin(angle / 2.0)

    def forward_one(self, p: Vec) -> tuple[float, float]:
        d = dot(p, self.centre)
        k = math.sqrt(2.0 / max(1.0 + d, 1e-300))
        return (k * float(np.dot(p, self.e1)), k * float(np.dot(p, self.e2)))
