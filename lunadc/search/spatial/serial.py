"""Regions to and from their stored text: the exact form kept in ``footprints.region``.

JSON, one object per part: ``{"point": [lon, lat]}``, ``{"circle": [lon, lat, radius_deg]}``,
``{"box": [west, south, east, north]}``, ``{"polygon": [[lon, lat], ...]}``. The numbers are
the region's own (``repr`` round-trips floats), so reading a footprint back gives the same
region, not an approximation. Also the lon/lat bounding box of a region.
"""

from __future__ import annotations

import json
import math
from typing import Any

from lunadc.search.spatial.polygon import Polygon
from lunadc.search.spatial.regions import Box, Circle, GeometryError, Point, Region, Shape, union
from lunadc.search.spatial.vec import TOL, lonlat


def _part(s: Shape) -> dict[str, Any]:
    if isinstance(s, Point):
        return {"point": [s.lon, s.lat]}
    if isinstance(s, Circle):
        return {"circle": [s.lon, s.lat, s.radius]}
    if isinstance(s, Box):
        return {"box": [s.west, s.south, s.east, s.north]}
    if isinstance(s, Polygon):
        return {"polygon": [list(v) for v in s.vertices]}
    raise TypeError(f"not a region part: {s!r}")


def region_to_json(region: Region) -> str:
    """The stored text of ``region`` (compact, key order fixed: equal regions, equal text)."""
    return json.dumps([_part(s) for s in region.parts], separators=(",", ":"))


def _shape(obj: Any) -> Shape:
    if not isinstance(obj, dict) or len(obj) != 1:
        raise GeometryError("stored region", "each part must be an object with one key")
    ((kind, v),) = obj.items()
    if kind == "point":
        return Point(float(v[0]), float(v[1]))
    if kind == "circle":
        return Circle(float(v[0]), float(v[1]), float(v[2]))
    if kind == "box":
        return Box(west=float(v[0]), south=float(v[1]), east=float(v[2]), north=float(v[3]))
    if kind == "polygon":
        return Polygon(tuple((float(a), float(b)) for a, b in v))
    raise GeometryError("stored region", f"unknown part {kind[:20]!r}")


def region_from_json(text: str) -> Region:
    """The region ``region_to_json`` wrote."""
    parts = json.loads(text)
    if not isinstance(parts, list) or not parts:
        raise GeometryError("stored region", "must be a non-empty list of parts")
    return union([_shape(p) for p in parts])


def bounds(region: Region) -> tuple[float, float, float, float]:
    """A lon/lat box ``(west, south, east, north)`` around ``region`` (``west > east`` when it
    crosses 180°; ``-180, 180`` in longitude when it holds a pole or is too wide to bound).

    Taken from the region's bounding cap, so it may be a little larger than the tightest box.
    The cap is widened by the tolerance the regions' own tests allow (``TOL``): a few metres
    from a pole, that tolerance spans degrees of longitude, and a point the exact test keeps
    must not fall outside the box that pre-filters it.
    """
    (x, y, z), cap_radius = region.cap
    r = cap_radius * (1 + 1e-9) + 2 * TOL
    lon_c, lat_c = lonlat((x, y, z))
    r_deg = math.degrees(r)
    south, north = max(-90.0, lat_c - r_deg), min(90.0, lat_c + r_deg)
    if south <= -90.0 or north >= 90.0 or r_deg >= 90.0:
        return (-180.0, south, 180.0, north)
    half = math.degrees(math.asin(min(1.0, math.sin(r) / math.cos(math.radians(lat_c)))))
    if half >= 180.0 - 1e-9 or half >= 90.0:
        return (-180.0, south, 180.0, north)
    west, east = lon_c - half, lon_c + half
    return (_wrap(west), south, _wrap(east), north)


def _wrap(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0
