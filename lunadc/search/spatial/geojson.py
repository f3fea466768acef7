"""GeoJSON (RFC 7946) out of regions, for maps.

Polygons are split at the 180° meridian into a MultiPolygon with every longitude within
[-180, 180]; a region around a pole becomes a polygon that runs along latitude ±90 (a box
with ``south = -90`` is the polygon west→east along -90, up the east meridian, back along
the north parallel and down the west meridian). Parallels, circles and long great-circle
edges are densified (``max_step_deg``, default 1°) so that a planar rendering — plate
carrée or a polar stereographic map — draws them where they are. Exteriors are
counter-clockwise. Points stay points; a box of zero width or height is a LineString.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely  # type: ignore[import-untyped, unused-ignore]

from lunadc.search.spatial.planar import (
    _ring_coords,
    polygons_geojson,
    ring_lonlat,
    ring_region,
    sample_arcs,
    split_180,
)
from lunadc.search.spatial.regions import Box, Circle, Point, Region, Shape

GeoJSON = dict[str, Any]
_WORLD = shapely.box(-180.0, -90.0, 180.0, 90.0)


def _steps(a: float, b: float, max_step: float) -> list[float]:
    k = max(1, math.ceil(abs(b - a) / max_step))
    return [a + (b - a) * i / k for i in range(k)]


def _box_planar(b: Box, max_step: float) -> shapely.Polygon | shapely.LineString:
    w, s, n = b.west, b.south, b.north
    e = w + b.width
    if b.width == 0.0:
        return shapely.LineString([(w, y) for y in _steps(s, n, max_step)] + [(w, n)])
    if s == n:
        return shapely.LineString([(x, s) for x in _steps(w, e, max_step)] + [(e, s)])
    ring = (
        [(x, s) for x in _steps(w, e, max_step)]
        + [(e, y) for y in _steps(s, n, max_step)]
        + [(x, n) for x in _steps(e, w, max_step)]
        + [(w, y) for y in _steps(n, s, max_step)]
    )
    return shapely.Polygon(ring)


def _shape_planar(s: Shape, max_step_deg: float) -> list[shapely.Geometry]:
    if s.is_sphere:
        return [_WORLD]
    if isinstance(s, Point):
        return [shapely.Point(s.lon, s.lat)]
    if isinstance(s, Box):
        g = _box_planar(s, max_step_deg)
        if isinstance(g, shapely.LineString):
            return _split_line(g)
        return list(split_180(g))
    region = ring_region(sample_arcs(s.boundary, math.radians(max_step_deg)))
    return [] if region is None else list(split_180(region))


def _split_line(line: shapely.LineString) -> list[shapely.Geometry]:
    minx, _, maxx, _ = line.bounds
    out: list[shapely.Geometry] = []
    for k in range(math.floor((minx + 180.0) / 360.0), math.ceil((maxx + 180.0) / 360.0)):
        strip = shapely.box(-180.0 + 360.0 * k, -90.0, 180.0 + 360.0 * k, 90.0)
        part = shapely.affinity.translate(line.intersection(strip), xoff=-360.0 * k)
        out.extend(g for g in getattr(part, "geoms", [part]) if isinstance(g, shapely.LineString))
    return [g for g in out if not g.is_empty and g.length > 0] or [line]


def region_geojson(region: Region, *, max_step_deg: float = 1.0) -> GeoJSON:
    """The GeoJSON geometry of ``region`` (a union becomes Multi* or a GeometryCollection)."""
    if not max_step_deg > 0.0:
        raise ValueError("max_step_deg must be positive")
    polys: list[shapely.Polygon] = []
    points: list[shapely.Point] = []
    lines: list[shapely.LineString] = []
    for s in region.parts:
        for g in _shape_planar(s, max_step_deg):
            if isinstance(g, shapely.Polygon):
                polys.append(g)
            elif isinstance(g, shapely.Point):
                points.append(g)
            elif isinstance(g, shapely.LineString):
                lines.append(g)
    members: list[GeoJSON] = []
    if polys:
        members.append(polygons_geojson(polys))
    if points:
        coords = [[round(p.x, 10), round(p.y, 10)] for p in points]
        members.append(
            {"type": "Point", "coordinates": coords[0]}
            if len(coords) == 1
            else {"type": "MultiPoint", "coordinates": coords}
        )
    if lines:
        ls = [_ring_coords(np.asarray(line.coords)) for line in lines]
        members.append(
            {"type": "LineString", "coordinates": ls[0]}
            if len(ls) == 1
            else {"type": "MultiLineString", "coordinates": ls}
        )
    if len(members) == 1:
        return members[0]
    return {"type": "GeometryCollection", "geometries": members}


def circle_ring_lonlat(c: Circle, max_step_deg: float = 1.0) -> list[tuple[float, float]]:
    """Planar unwrapped ring of a circle (for tests and debugging)."""
    ring = ring_lonlat(sample_arcs(c.boundary, math.radians(max_step_deg)))
    return ring or []
