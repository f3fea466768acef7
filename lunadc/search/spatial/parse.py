"""Reading the spatial parameters of HTTP requests and CLI options into regions.

Forms (degrees; east longitude in -180..180 or 0..360; planetocentric latitude):

* ``point=LON,LAT``
* ``circle=LON,LAT,RADIUS_KM`` — geodesic radius in km on the target body
* ``bbox=WEST,SOUTH,EAST,NORTH`` — meridians and parallels; ``WEST > EAST`` crosses 180°
* ``polygon=LON1,LAT1,LON2,LAT2,…`` — great-circle edges, closed implicitly
* ``intersects=`` a GeoJSON geometry: Point, MultiPoint, Polygon, MultiPolygon (or a
  Feature / GeometryCollection of those). **GeoJSON polygon edges are taken as great
  circles** (as ``polygon=``), not as straight lines in lon/lat: densify an edge that must
  follow a parallel, or use ``bbox``. Holes are not supported. Rings that were cut at 180°
  or run along a pole's line (lat ±90, as this module writes them) read back correctly.

Every problem raises :class:`lunadc.errors.BadRequestError` with one line naming the
parameter and what is wrong.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from lunadc.errors import BadRequestError
from lunadc.model.product import Geometry
from lunadc.search.spatial.bodies import UnknownBodyError, body_radius_km
from lunadc.search.spatial.polygon import Polygon
from lunadc.search.spatial.regions import (
    Box,
    Circle,
    GeometryError,
    Point,
    Region,
    make_box,
    union,
)

MAX_VALUE_CHARS = 1_000_000
MAX_VERTICES = 10_000
MAX_PARTS = 1_000
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _bad(param: str, reason: str) -> BadRequestError:
    return BadRequestError(f"{param}: {reason}")


def _numbers(value: str, param: str) -> list[float]:
    if not isinstance(value, str):
        raise _bad(param, "expected a comma-separated list of numbers")
    if len(value) > MAX_VALUE_CHARS:
        raise _bad(param, f"value longer than {MAX_VALUE_CHARS} characters")
    text = value.strip()
    if not text:
        raise _bad(param, "empty value")
    out = []
    for i, item in enumerate(text.split(",")):
        s = item.strip()
        if not _NUMBER.fullmatch(s):
            shown = s if len(s) <= 20 else s[:20] + "…"
            raise _bad(param, f"item {i + 1} ({shown!r}) is not a number")
        x = float(s)
        if not math.isfinite(x):
            raise _bad(param, f"item {i + 1} is out of range")
        out.append(x)
    return out


def _check(param: str, lon: float, lat: float, where: str = "") -> None:
    if not -90.0 <= lat <= 90.0:
        raise _bad(param, f"latitude {lat:g}{where} is outside -90..90")
    if not -180.0 <= lon <= 360.0:
        raise _bad(param, f"longitude {lon:g}{where} is outside -180..360")


def parse_point(value: str, *, param: str = "point") -> Point:
    """``LON,LAT``."""
    xs = _numbers(value, param)
    if len(xs) != 2:
        raise _bad(param, f"expected LON,LAT (2 numbers), got {len(xs)}")
    _check(param, xs[0], xs[1])
    return Point(xs[0], xs[1])


def parse_circle(value: str, *, body_radius_km: float, param: str = "circle") -> Circle:
    """``LON,LAT,RADIUS_KM`` on a body of mean radius ``body_radius_km``."""
    xs = _numbers(value, param)
    if len(xs) != 3:
        raise _bad(param, f"expected LON,LAT,RADIUS_KM (3 numbers), got {len(xs)}")
    _check(param, xs[0], xs[1])
    if xs[2] <= 0.0:
        raise _bad(param, f"radius must be greater than 0 km, got {xs[2]:g}")
    return Circle.from_km(xs[0], xs[1], xs[2], body_radius_km)


def parse_bbox(value: str, *, param: str = "bbox") -> Box | Point:
    """``WEST,SOUTH,EAST,NORTH``; ``WEST > EAST`` crosses 180°."""
    xs = _numbers(value, param)
    if len(xs) != 4:
        raise _bad(param, f"expected WEST,SOUTH,EAST,NORTH (4 numbers), got {len(xs)}")
    west, south, east, north = xs
    _check(param, west, south, " (west/south)")
    _check(param, east, north, " (east/north)")
    if south > north:
        raise _bad(param, f"south {south:g} is greater than north {north:g}")
    return make_box(west, south, east, north)


def _polygon(pairs: Sequence[tuple[float, float]], param: str) -> Polygon:
    if len(pairs) > MAX_VERTICES:
        raise _bad(param, f"more than {MAX_VERTICES} vertices")
    for i, (lon, lat) in enumerate(pairs):
        _check(param, lon, lat, f" (vertex {i + 1})")
    try:
        return Polygon(tuple(pairs))
    except GeometryError as e:
        raise _bad(param, e.reason) from None


def parse_polygon(value: str, *, param: str = "polygon") -> Polygon:
    """``LON1,LAT1,LON2,LAT2,…`` with great-circle edges, closed implicitly."""
    xs = _numbers(value, param)
    if len(xs) % 2:
        raise _bad(param, f"expected LON,LAT pairs, got an odd number ({len(xs)}) of numbers")
    if len(xs) < 6:
        raise _bad(param, f"needs at least 3 vertices, got {len(xs) // 2}")
    return _polygon([(xs[i], xs[i + 1]) for i in range(0, len(xs), 2)], param)


def _position(p: Any, param: str) -> tuple[float, float]:
    if not isinstance(p, list) or len(p) < 2:
        raise _bad(param, "a position must be an array [lon, lat]")
    lon, lat = p[0], p[1]
    for x in (lon, lat):
        if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
            raise _bad(param, "coordinates must be finite numbers")
    _check(param, float(lon), float(lat))
    return (float(lon), float(lat))


def _geojson_polygon(coords: Any, param: str) -> Polygon:
    if not isinstance(coords, list) or not coords:
        raise _bad(param, "a Polygon needs an array of rings")
    if len(coords) > 1:
        raise _bad(param, "polygon holes are not supported")
    ring = coords[0]
    if not isinstance(ring, list):
        raise _bad(param, "a ring must be an array of positions")
    if len(ring) > MAX_VERTICES + 1:
        raise _bad(param, f"more than {MAX_VERTICES} vertices")
    pts = [_position(p, param) for p in ring]
    if len(pts) < 3:
        raise _bad(param, f"a polygon needs at least 3 vertices, got {len(pts)}")
    return _polygon(pts, param)


def region_from_geojson(obj: Any, *, param: str = "intersects", _depth: int = 0) -> Region:
    """A region from a parsed GeoJSON object (see the module docstring)."""
    if not isinstance(obj, Mapping):
        raise _bad(param, "expected a GeoJSON object")
    kind = obj.get("type")
    if _depth > 3:
        raise _bad(param, "GeoJSON nested too deeply")
    if kind == "Feature":
        return region_from_geojson(obj.get("geometry"), param=param, _depth=_depth + 1)
    if kind == "GeometryCollection":
        geoms = obj.get("geometries")
        if not isinstance(geoms, list) or not geoms:
            raise _bad(param, "a GeometryCollection needs a non-empty 'geometries' array")
        if len(geoms) > MAX_PARTS:
            raise _bad(param, f"more than {MAX_PARTS} parts")
        return union([region_from_geojson(g, param=param, _depth=_depth + 1) for g in geoms])
    coords = obj.get("coordinates")
    if kind == "Point":
        lon, lat = _position(coords, param)
        return Point(lon, lat)
    if kind in ("MultiPoint", "MultiPolygon"):
        if not isinstance(coords, list) or not coords:
            raise _bad(param, f"a {kind} needs a non-empty 'coordinates' array")
        if len(coords) > MAX_PARTS:
            raise _bad(param, f"more than {MAX_PARTS} parts")
        parts: list[Region] = []
        for c in coords:
            if kind == "MultiPoint":
                parts.append(Point(*_position(c, param)))
            else:
                parts.append(_geojson_polygon(c, param))
        return union(parts)
    if kind == "Polygon":
        return _geojson_polygon(coords, param)
    supported = "Point, MultiPoint, Polygon, MultiPolygon"
    raise _bad(param, f"GeoJSON type {str(kind)[:40]!r} is not supported ({supported})")


def parse_intersects(value: str | Mapping[str, Any], *, param: str = "intersects") -> Region:
    """A GeoJSON geometry given as JSON text (or already parsed)."""
    if isinstance(value, str):
        if len(value) > MAX_VALUE_CHARS:
            raise _bad(param, f"value longer than {MAX_VALUE_CHARS} characters")
        try:
            obj = json.loads(value)
        except (ValueError, RecursionError) as e:
            raise _bad(param, f"not valid JSON ({str(e).splitlines()[0][:80]})") from None
    else:
        obj = value
    return region_from_geojson(obj, param=param)


def parse_region(
    *,
    point: str | None = None,
    circle: str | None = None,
    bbox: str | None = None,
    polygon: str | None = None,
    intersects: str | Mapping[str, Any] | None = None,
    body_radius_km: float | None = None,
) -> Region | None:
    """The one spatial constraint among the parameters given (``None`` if none is).

    ``circle`` needs ``body_radius_km`` (see :func:`resolve_body_radius`).
    """
    given = {
        k: v
        for k, v in (
            ("point", point),
            ("circle", circle),
            ("bbox", bbox),
            ("polygon", polygon),
            ("intersects", intersects),
        )
        if v is not None
    }
    if not given:
        return None
    if len(given) > 1:
        raise BadRequestError(f"{', '.join(given)}: give only one spatial parameter")
    if point is not None:
        return parse_point(point)
    if circle is not None:
        if body_radius_km is None:
            raise _bad("circle", "needs a target body (target=…) to convert km")
        return parse_circle(circle, body_radius_km=body_radius_km)
    if bbox is not None:
        return parse_bbox(bbox)
    if polygon is not None:
        return parse_polygon(polygon)
    assert intersects is not None
    return parse_intersects(intersects)


def resolve_body_radius(target: str | None, *, param: str = "target") -> float:
    """The mean radius of the body named by a request's ``target`` parameter."""
    if target is None or not target.strip():
        raise _bad(param, "a target body is needed (for example target=Moon)")
    try:
        return body_radius_km(target)
    except UnknownBodyError:
        raise _bad(param, f"unknown body {target[:60]!r}") from None


def region_from_geometry(geometry: Geometry) -> Region | None:
    """A product footprint as a region (``None`` if the label gives none).

    A footprint polygon (great-circle edges) is the footprint itself, so where a label has
    one its bounding box (which only bounds it) is not added; otherwise the boxes
    (cart:Bounding_Coordinates: meridians and parallels, a collapsed box is a point).
    Points (a lander's or rover's position) are always part of it. Raises
    :class:`~lunadc.search.spatial.regions.GeometryError` for geometry that cannot exist.
    """
    points: list[Region] = [Point(lon, lat) for lon, lat in geometry.points]
    parts: list[Region] = []
    if geometry.polygons:
        try:
            parts = [Polygon(tuple(ring)) for ring in geometry.polygons]
        except GeometryError:
            parts = []  # a ring that cannot be a polygon: fall back to the boxes
    if not parts:
        parts = [make_box(b.west, b.south, b.east, b.north) for b in geometry.boxes]
    parts += points
    if not parts:
        return None
    return union(parts)
