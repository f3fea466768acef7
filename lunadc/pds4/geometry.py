"""Where a product lies on its body, as its label says: boxes, footprints, points, resolution.

Boxes are kept exactly as the label gives them: ``west > east`` means the box crosses the
180° meridian (or 0° when longitudes run 0..360) and turning it into two boxes or into a
polygon through its corners would change its meaning (a lat/lon box is bounded by parallels,
not great circles). The search layer owns the spherical maths.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from lxml import etree

from lunadc.model.findings import Finding
from lunadc.model.product import BoundingBox, Geometry
from lunadc.pds4.codes import warning
from lunadc.pds4.xmlutil import (
    CART_NS,
    GEOM_NS,
    PDS_NS,
    Element,
    child,
    descendants,
    line_of,
    local_name,
    text_of,
    xpath_of,
)

_BOX_EDGES = ("west", "east", "north", "south")
_RESOLUTION_NAME = re.compile(r"^pixel_(?:resolution|scale)(?:_[a-z]+)?$")
_METRES_PER = {"km": 1000.0, "m": 1.0, "cm": 0.01, "mm": 0.001}
_PER_PIXEL = re.compile(r"^(km|m|cm|mm)(?:\s*/\s*(?:pixel|pix|px))?$")


def extract_geometry(
    root: Element,
    body: str | None,
    source: str,
    *,
    pixel_named: Iterable[Element] | None = None,
) -> tuple[Geometry, list[Finding]]:
    """``pixel_named``: the label's elements whose tag has ``pixel_`` in it, where a walk
    over the label collected them already (``properties.walk_elements``)."""
    findings: list[Finding] = []
    boxes: list[BoundingBox] = []
    points: list[tuple[float, float]] = []
    for el in descendants(root, "Bounding_Coordinates", CART_NS):
        box = _box(el, source, findings)
        if box is None:
            continue
        if box.west == box.east and box.north == box.south:
            points.append((box.west, box.north))  # a box shrunk to a point is a position
        else:
            boxes.append(box)
    polygons = []
    for el in descendants(root, "Footprint_Vertices", GEOM_NS):
        ring = [
            p
            for p in (
                _intercept(v, source, findings)
                for v in el.iterchildren(f"{{{GEOM_NS}}}Pixel_Intercept")
            )
            if p is not None
        ]
        if len(ring) >= 3:
            polygons.append(tuple(ring))
    for el in descendants(root, "Pixel_Intercept", GEOM_NS):
        parent = el.getparent()
        if parent is not None and local_name(parent) != "Footprint_Vertices":
            point = _intercept(el, source, findings)
            if point is not None:
                points.append(point)
    return (
        Geometry(
            body=body or None,
            boxes=tuple(boxes),
            polygons=tuple(polygons),
            points=tuple(dict.fromkeys(points)),
            resolution_m=_best_resolution(
                root.iter(etree.Element) if pixel_named is None else pixel_named
            ),
        ),
        findings,
    )


def _number(el: Element | None, source: str, findings: list[Finding]) -> float | None:
    if el is None:
        return None
    text = text_of(el)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        findings.append(
            warning(
                "geometry.invalid",
                f"{local_name(el)} is not a number: {text[:40]!r}",
                source,
                line_of(el),
                xpath_of(el),
            )
        )
        return None
    return value


def _box(el: Element, source: str, findings: list[Finding]) -> BoundingBox | None:
    values = [
        _number(child(el, f"{edge}_bounding_coordinate", CART_NS), source, findings)
        for edge in _BOX_EDGES
    ]
    west, east, north, south = values
    if west is None or east is None or north is None or south is None:
        return None
    problem = None
    if not (-90 <= south <= north <= 90):
        problem = f"latitudes north={north} south={south} are not -90 ≤ south ≤ north ≤ 90"
    elif not (-180 <= west <= 360 and -180 <= east <= 360):
        problem = f"longitudes west={west} east={east} are outside -180..360"
    if problem:
        findings.append(
            warning(
                "geometry.invalid",
                f"Bounding_Coordinates ignored: {problem}",
                source,
                line_of(el),
                xpath_of(el),
            )
        )
        return None
    return BoundingBox(west=west, east=east, north=north, south=south)


def _intercept(el: Element, source: str, findings: list[Finding]) -> tuple[float, float] | None:
    lat = _number(child(el, "pixel_latitude", GEOM_NS), source, findings)
    lon = _number(child(el, "pixel_longitude", GEOM_NS), source, findings)
    if lat is None or lon is None or not -90 <= lat <= 90:
        return None
    return (lon, lat)


def _best_resolution(elements: Iterable[Element]) -> float | None:
    """The finest ground distance per pixel any dictionary states, in metres.

    Only values whose unit is a length (``km``, ``m``, ``cm``, ``mm``, optionally per pixel)
    count; angular scales such as ``pixel/deg`` need the body radius and are left out.
    """
    best: float | None = None
    core = "{" + PDS_NS + "}"
    # "{*}pixel_*" is not a pattern lxml knows, so test the tag text first, the regular
    # expression only for the few candidates.
    for el in elements:
        tag = str(el.tag)
        if "pixel_" not in tag or tag.startswith(core):
            continue
        if not _RESOLUTION_NAME.match(local_name(el)):
            continue
        unit = _PER_PIXEL.match((el.get("unit") or "").strip().lower())
        try:
            value = float(text_of(el))
        except ValueError:
            continue
        if unit is None or not math.isfinite(value) or value <= 0:
            continue
        metres = value * _METRES_PER[unit.group(1)]
        best = metres if best is None else min(best, metres)
    return best
