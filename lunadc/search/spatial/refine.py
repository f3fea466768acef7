"""Many stored footprints against one query region at once: surely yes, surely no, or ask.

The cell pre-filter of a place search hands over hundreds of candidate footprints (their
stored JSON, ``lunadc.search.spatial.serial``); building a :class:`Polygon` or :class:`Box`
object for each, only to test it once, costs far more than the test. Here they are decided
in bulk, with shapely's vectorised predicates, in the **gnomonic plane** about the centre of
the query (part): it maps great circles to straight lines exactly, so a polygon with
great-circle edges is a planar polygon there, and two regions meet on the sphere iff their
images meet in the plane.

Regions whose edges are not great circles are drawn twice, once inside and once outside
themselves: a box's parallels become chords sampled so that they lie just poleward or just
equatorward of the parallel (a great-circle chord between two points of a parallel bulges
poleward, by a known amount), and a query circle becomes the inscribed and the
circumscribed regular polygon of its (exactly circular) image. Then for each footprint F
and query Q:

* **yes** if F's inner drawing meets Q's inner drawing (so F and Q share a point);
* **no** if F's outer drawing is farther from Q's outer drawing than the predicates'
  tolerance :data:`TOL` (plus :data:`MARGIN`) could bridge: the gnomonic map stretches
  lengths by at most ``sec² θ`` at ``θ`` from its centre, so planar distance ``d`` means
  an angular distance of at least ``d cos² θ``;
* **ask** otherwise (a footprint within a few metres of the query's edge, a multi-part or
  very large footprint, anything not drawable): the exact scalar predicate decides.

So the answer is the exact predicate's answer, never an approximation: the bulk step only
answers where it is certain, with room to spare for floating point.
"""

from __future__ import annotations

import functools
import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely  # type: ignore[import-untyped, unused-ignore]

from lunadc.search.spatial.polygon import Polygon
from lunadc.search.spatial.regions import Box, Circle, Point, Region, Shape
from lunadc.search.spatial.vec import TOL, FloatArray, Vec, angle_array, cross, perpendicular

YES, NO, ASK = 1, 0, -1
MARGIN = 1e-12
"""Radians kept clear of every threshold (≈ 2 µm on the Moon; rounding here is ~1e-15)."""
MIN_COS = 0.2
"""Points more than ≈ 78° from the plane's centre are not drawn (the stretch grows fast)."""
FOOTPRINT_CHORDS = 8  # chords per parallel edge of a footprint box
QUERY_CHORDS = 64  # per parallel edge of a query box, and sides of a query circle
BOUNDS_MARGIN = 1e-9  # radians of slack for caps rebuilt from stored bounds (degrees)
MAX_BOX_WIDTH = 170.0  # degrees: wider boxes (other than polar caps) are left to ask
VERTEX_MARGIN_DEG = 1e-9  # a vertex this far inside a query box's edges is surely inside

IntArray = np.ndarray[Any, np.dtype[np.int8]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


class Plane:
    """The gnomonic projection about unit vector ``centre``."""

    def __init__(self, centre: Vec) -> None:
        self.c = np.asarray(centre, dtype=np.float64)
        e1 = perpendicular(centre)
        self.e1 = np.asarray(e1, dtype=np.float64)
        self.e2 = np.asarray(cross(centre, e1), dtype=np.float64)

    def project(self, p: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Planar coordinates (…, 2) of unit vectors (…, 3), and each one's cosine to the
        centre (``<= MIN_COS``: not drawable; its coordinates are then meaningless)."""
        d = p @ self.c
        safe = np.where(d > MIN_COS, d, 1.0)
        xy = np.stack([(p @ self.e1) / safe, (p @ self.e2) / safe], axis=-1)
        return xy, d


def _xyz(lon_deg: FloatArray, lat_deg: FloatArray) -> FloatArray:
    lon, lat = np.radians(lon_deg), np.radians(lat_deg)
    c = np.cos(lat)
    return np.stack([c * np.cos(lon), c * np.sin(lon), np.sin(lat)], axis=-1)


def _equatorward(lat: FloatArray, step: FloatArray) -> FloatArray:
    """The latitude whose chords (``step`` degrees of longitude apart) just reach ``lat``.

    A great-circle chord between two points at latitude φ, Δλ apart, reaches latitude φm
    with ``tan φm = tan φ / cos(Δλ/2)`` at its middle; sampling at this latitude instead
    keeps every chord between it and ``lat``.
    """
    half = np.radians(step) / 2
    out: FloatArray = np.degrees(np.arctan(np.tan(np.radians(lat)) * np.cos(half)))
    return out


def box_rings(
    west: FloatArray, width: FloatArray, south: FloatArray, north: FloatArray, chords: int
) -> tuple[FloatArray, FloatArray, BoolArray, BoolArray]:
    """Inner and outer rings (lon, lat degrees; shape (m, 2·chords + 2, 2)) of boxes, and
    for which boxes each is valid: boxes narrower than :data:`MAX_BOX_WIDTH`, and
    full-width caps around a pole (the ring of their one parallel, the pole inside)."""
    cap_s = (width >= 360.0) & (south <= -90.0) & (north < 90.0)
    cap_n = (width >= 360.0) & (north >= 90.0) & (south > -90.0)
    cap = cap_s | cap_n
    plain = (width > 0.0) & (width <= MAX_BOX_WIDTH) & (north > south)
    ok = plain | cap
    # plain: chords along the south edge eastward, then the north edge westward (the
    # meridians between them are great circles, drawn exactly); caps: all the way round
    t_plain = np.concatenate([np.linspace(0.0, 1.0, chords + 1)] * 2)
    t_cap = np.arange(2 * chords + 2) / (2 * chords + 2)
    span = np.where(plain, width, np.where(cap, 360.0, 1.0))
    step = np.where(cap, 360.0 / (2 * chords + 2), span / chords)
    t = np.where(cap[:, None], t_cap[None, :], t_plain[None, :])
    lons = west[:, None] + span[:, None] * t
    lons[:, chords + 1 :] = np.where(cap[:, None], lons[:, chords + 1 :], lons[:, chords::-1])

    def north_of(lat: FloatArray) -> FloatArray:  # chords wholly north of the parallel
        return np.where(lat < 0.0, _equatorward(lat, step), lat)

    def south_of(lat: FloatArray) -> FloatArray:  # chords wholly south of the parallel
        return np.where(lat > 0.0, _equatorward(lat, step), lat)

    def ring(low: FloatArray, high: FloatArray) -> FloatArray:
        lats = np.empty_like(lons)
        lats[:, : chords + 1] = low[:, None]
        lats[:, chords + 1 :] = high[:, None]
        return np.stack([lons, lats], axis=-1)

    in_s, in_n = north_of(south), south_of(north)
    out_s, out_n = south_of(south), north_of(north)
    # a cap's ring is its one parallel (inner: on the cap's side of it; outer: beyond)
    in_lo, in_hi = np.where(cap_s, in_n, in_s), np.where(cap_n, in_s, in_n)
    out_lo, out_hi = np.where(cap_s, out_n, out_s), np.where(cap_n, out_s, out_n)
    inner_ok = ok & (cap | (in_s < in_n))
    return ring(in_lo, in_hi), ring(out_lo, out_hi), inner_ok, ok


@dataclass(frozen=True, slots=True)
class _Drawn:
    """Inner and outer planar geometries of some footprints, with the worst cosine."""

    index: np.ndarray[Any, np.dtype[np.intp]]
    inner: np.ndarray[Any, np.dtype[np.object_]]
    outer: np.ndarray[Any, np.dtype[np.object_]]
    min_cos: FloatArray


@dataclass(frozen=True, slots=True)
class Parsed:
    """Stored footprints sorted by kind (single-part points, boxes, polygons; the rest
    can only be asked)."""

    count: int
    points: tuple[list[int], FloatArray]  # indices, (n, 2) lon/lat
    boxes: tuple[list[int], FloatArray]  # indices, (n, 4) west, south, east, north
    polygons: dict[int, tuple[list[int], FloatArray]]  # vertex count → indices, (n, k, 2)


def parse(texts: Sequence[str]) -> Parsed:
    """Sort stored region texts by kind (one JSON parse for all of them)."""
    values = json.loads("[" + ",".join(texts) + "]") if texts else []
    pi: list[int] = []
    pv: list[Any] = []
    bi: list[int] = []
    bv: list[Any] = []
    gi: dict[int, list[int]] = defaultdict(list)
    gv: dict[int, list[Any]] = defaultdict(list)
    for i, parts in enumerate(values):
        if len(parts) != 1:
            continue
        ((kind, v),) = parts[0].items()
        if kind == "point":
            pi.append(i)
            pv.append(v)
        elif kind == "box":
            bi.append(i)
            bv.append(v)
        elif kind == "polygon":
            gi[len(v)].append(i)
            gv[len(v)].append(v)
    return Parsed(
        len(values),
        (pi, np.asarray(pv, dtype=np.float64).reshape(-1, 2)),
        (bi, np.asarray(bv, dtype=np.float64).reshape(-1, 4)),
        {k: (gi[k], np.asarray(gv[k], dtype=np.float64)) for k in gi},
    )


def _box_width(west: FloatArray, east: FloatArray) -> FloatArray:
    """Widths in degrees exactly as :class:`Box` computes them (0 < width ≤ 360)."""
    width = np.mod(east - west, 360.0)
    return np.where((width == 0.0) & (east != west), 360.0, width)


def _draw_rings(
    plane: Plane, rings: FloatArray, ok: np.ndarray[Any, np.dtype[np.bool_]]
) -> tuple[np.ndarray[Any, np.dtype[np.object_]], FloatArray]:
    """Planar polygons of lon/lat rings (m, k, 2); ``None`` where not drawable."""
    xy, cos = plane.project(_xyz(rings[..., 0], rings[..., 1]))
    min_cos = cos.min(axis=-1) if rings.shape[1] else np.ones(len(rings))
    good = ok & (min_cos > MIN_COS)
    out = np.full(len(rings), None, dtype=object)
    if good.any():
        polys = shapely.polygons(xy[good])
        valid = shapely.is_valid(polys)
        idx = np.flatnonzero(good)
        out[idx[valid]] = polys[valid]
        good[idx[~valid]] = False
    return out, np.where(good, min_cos, -1.0)


def draw(plane: Plane, parsed: Parsed) -> list[_Drawn]:
    """The footprints' inner and outer planar geometries (undrawable ones get ``None``)."""
    out: list[_Drawn] = []
    pidx, pts = parsed.points
    if pidx:
        xy, cos = plane.project(_xyz(pts[:, 0], pts[:, 1]))
        geoms = shapely.points(xy)
        good = cos > MIN_COS
        geoms[~good] = None
        out.append(_Drawn(np.asarray(pidx), geoms, geoms, np.where(good, cos, -1.0)))
    bidx, boxes = parsed.boxes
    if bidx:
        west, south, east, north = boxes.T
        width = _box_width(west, east)
        inner, outer, inner_ok, ok = box_rings(west, width, south, north, FOOTPRINT_CHORDS)
        g_in, _c_in = _draw_rings(plane, inner, inner_ok)
        g_out, c_out = _draw_rings(plane, outer, ok)
        out.append(_Drawn(np.asarray(bidx), g_in, g_out, c_out))
    for gidx, verts in parsed.polygons.values():
        if not gidx or len(verts[0]) < 3:
            continue
        g, c = _draw_rings(plane, verts, np.ones(len(verts), dtype=bool))
        out.append(_Drawn(np.asarray(gidx), g, g, c))
    return out


@dataclass(frozen=True, slots=True)
class QueryDrawing:
    plane: Plane
    inner: Any  # shapely geometry
    outer: Any
    min_cos: float


def draw_query(shape: Shape) -> QueryDrawing | None:
    """A query part in the gnomonic plane about its bounding cap's centre (``None``: it
    cannot be drawn there, e.g. larger than about 78°)."""
    centre, radius = shape.cap
    if radius >= math.acos(MIN_COS) - 0.01:
        return None
    plane = Plane(centre)
    if isinstance(shape, Point):
        p = shapely.Point(0.0, 0.0)
        return QueryDrawing(plane, p, p, 1.0)
    if isinstance(shape, Circle):
        # about its own centre a circle's image is the disc of radius tan r
        rr = math.tan(shape.radius_rad)
        t = np.linspace(0.0, 2 * math.pi, QUERY_CHORDS, endpoint=False)
        unit_ring = np.stack([np.cos(t), np.sin(t)], axis=-1)
        inner = shapely.Polygon(unit_ring * rr)
        outer_r = rr / math.cos(math.pi / QUERY_CHORDS) * (1 + 1e-12)
        outer = shapely.Polygon(unit_ring * outer_r)
        return QueryDrawing(plane, inner, outer, math.cos(math.atan(outer_r)))
    if isinstance(shape, Polygon):
        xy, cos = plane.project(np.asarray(shape.xyz_vertices, dtype=np.float64))
        if cos.min() <= MIN_COS:
            return None
        poly = shapely.Polygon(xy)
        if not poly.is_valid:
            return None
        return QueryDrawing(plane, poly, poly, float(cos.min()))
    if isinstance(shape, Box):
        if shape.is_full and shape.south > -90.0 and shape.north < 90.0:
            return None
        arr = np.array([[shape.west, shape.width, shape.south, shape.north]])
        ring_in, ring_out, inner_ok, ok = box_rings(
            arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], QUERY_CHORDS
        )
        if not ok[0]:
            return None
        g_in, _c_in = _draw_rings(plane, ring_in, inner_ok)
        g_out, c_out = _draw_rings(plane, ring_out, ok)
        if g_out[0] is None:
            return None
        inner = g_in[0] if g_in[0] is not None else shapely.Polygon()
        return QueryDrawing(plane, inner, g_out[0], float(c_out[0]))
    return None


def _inside_box(box: Box, lon: FloatArray, lat: FloatArray) -> BoolArray:
    """Points (degrees) strictly inside a query box, by :data:`VERTEX_MARGIN_DEG`."""
    m = VERTEX_MARGIN_DEG
    in_lat = (lat >= box.south + m) & (lat <= box.north - m)
    if box.is_full:
        return in_lat
    offset = np.mod(lon - box.west, 360.0)
    return in_lat & (offset >= m) & (offset <= box.width - m)


def _inside_circle(circle: Circle, lon: FloatArray, lat: FloatArray) -> BoolArray:
    """Points (degrees) strictly inside a query circle, by :data:`MARGIN` radians."""
    centre, _r = circle.cap
    p = _xyz(lon, lat)
    gap = angle_array(centre, p.reshape(-1, 3)).reshape(p.shape[:-1])
    inside: BoolArray = gap <= circle.radius_rad - MARGIN
    return inside


def vertex_inside(shape: Shape, parsed: Parsed) -> BoolArray:
    """Footprints with a vertex (a point, a box's corner, a polygon's vertex) strictly
    inside a query box or circle. A footprint holds its vertices, so each of these meets
    the query: no drawing needed. Other query shapes: none."""
    out = np.zeros(parsed.count, dtype=bool)
    if isinstance(shape, Box):
        inside = functools.partial(_inside_box, shape)
    elif isinstance(shape, Circle) and not shape.is_sphere:
        inside = functools.partial(_inside_circle, shape)
    else:
        return out
    pidx, pts = parsed.points
    if pidx:
        out[pidx] = inside(pts[:, 0], pts[:, 1])
    bidx, boxes = parsed.boxes
    if bidx:
        west, south, east, north = boxes.T
        lon = np.stack([west, east, east, west], axis=-1)
        lat = np.stack([south, south, north, north], axis=-1)
        out[bidx] = inside(lon, lat).any(axis=-1)
    for gidx, verts in parsed.polygons.values():
        if gidx:
            out[gidx] = inside(verts[..., 0], verts[..., 1]).any(axis=-1)
    return out


def _subset(parsed: Parsed, keep: BoolArray) -> Parsed:
    """The footprints of ``parsed`` where ``keep`` (indices unchanged)."""

    def pick(idx: list[int], values: FloatArray) -> tuple[list[int], FloatArray]:
        mask = keep[idx] if idx else np.zeros(0, dtype=bool)
        return [i for i, k in zip(idx, mask.tolist(), strict=True) if k], values[mask]

    return Parsed(
        parsed.count,
        pick(*parsed.points),
        pick(*parsed.boxes),
        {k: pick(*v) for k, v in parsed.polygons.items()},
    )


def _decide_part(shape: Shape, parsed: Parsed) -> IntArray:
    out = np.full(parsed.count, ASK, dtype=np.int8)
    if shape.is_sphere:
        out[:] = YES
        return out
    yes = vertex_inside(shape, parsed)
    out[yes] = YES
    if yes.any():
        parsed = _subset(parsed, ~yes)
    query = draw_query(shape)
    if query is None:
        return out
    shapely.prepare(query.inner)
    shapely.prepare(query.outer)
    for drawn in draw(query.plane, parsed):
        has_in = np.array([g is not None for g in drawn.inner], dtype=bool)
        has_out = drawn.min_cos > 0.0
        verdict = np.full(len(drawn.index), ASK, dtype=np.int8)
        if has_out.any():
            # distance > tol / cos²θ, on the worse of the two drawings' stretch
            worst = np.minimum(drawn.min_cos[has_out], query.min_cos)
            near = shapely.dwithin(drawn.outer[has_out], query.outer, (TOL + MARGIN) / worst**2)
            verdict[np.flatnonzero(has_out)[~near]] = NO
        if has_in.any() and not query.inner.is_empty:
            meets = shapely.intersects(drawn.inner[has_in], query.inner)
            verdict[np.flatnonzero(has_in)[meets]] = YES
        out[drawn.index] = verdict
    return out


Caps = tuple[FloatArray, FloatArray, BoolArray]
"""Caps rebuilt from stored bounds (``_caps``): unit centres, radii, too wide to use."""


def bounds_apart(region: Region, bounds: FloatArray, caps: Caps | None = None) -> BoolArray:
    """Footprints whose stored lon/lat bounds (n, 4: west, south, east, north, as
    ``serial.bounds`` made them from the footprint's bounding cap) cannot reach ``region``:
    the cap is rebuilt from them (around the pole for bounds that hold one) and compared
    with the region's own bounding cap, with :data:`BOUNDS_MARGIN` to spare."""
    centres, radius, wide = caps or _caps(bounds)
    lat_lo, lat_hi = np.radians(bounds[:, 1]), np.radians(bounds[:, 3])
    apart = np.ones(len(bounds), dtype=bool)
    for shape in region.parts:
        (x, y, z), r = shape.cap
        gap = angle_array((x, y, z), centres)
        reach = r + TOL + BOUNDS_MARGIN
        far = ~wide & (gap > radius + reach)
        q_lat = math.atan2(z, math.hypot(x, y))  # asin(z) loses ~1e-8 rad near a pole
        far |= (lat_hi < q_lat - reach) | (lat_lo > q_lat + reach)
        apart &= far & (not shape.is_sphere)
    return apart


def _caps(bounds: FloatArray) -> Caps:
    """The caps stored bounds were made from (``serial.bounds``), rebuilt: unit centres,
    radii, and which bounds were too wide to bound in longitude (only their latitudes
    tell anything)."""
    west, south, east, north = (bounds[:, i] for i in range(4))
    lat_c = np.radians((south + north) / 2)
    radius = np.radians((north - south) / 2)
    lon_c = np.radians(west + np.mod(east - west, 360.0) / 2)
    polar_s, polar_n = south <= -90.0, north >= 90.0
    lat_c = np.where(polar_s, -np.pi / 2, np.where(polar_n, np.pi / 2, lat_c))
    radius = np.where(polar_s, np.radians(90.0 + north), radius)
    radius = np.where(polar_n, np.radians(90.0 - south), radius)
    radius = np.where(polar_s & polar_n, np.pi, radius)
    wide = (west <= -180.0) & (east >= 180.0) & ~polar_s & ~polar_n
    centres = np.stack(
        [np.cos(lat_c) * np.cos(lon_c), np.cos(lat_c) * np.sin(lon_c), np.sin(lat_c)], axis=-1
    )
    return centres, radius, wide


def bounds_inside(region: Region, bounds: FloatArray, caps: Caps | None = None) -> BoolArray:
    """Footprints whose stored bounds lie wholly inside a part of ``region`` that is a box
    (the bounds, a lon/lat box, within it) or a circle (the cap they were made from within
    it): such a footprint meets the region, with no need to read it. Decided with
    :data:`BOUNDS_MARGIN` to spare, so rounding can only make it answer less often."""
    inside = np.zeros(len(bounds), dtype=bool)
    west, south, east, north = (bounds[:, i] for i in range(4))
    slack = math.degrees(BOUNDS_MARGIN)
    for shape in region.parts:
        if isinstance(shape, Box):
            width = _box_width(west, east)
            offset = np.mod(west - shape.west, 360.0)
            inside |= (
                (south >= shape.south + slack)
                & (north <= shape.north - slack)
                & (offset + width <= shape.width - slack)
            )
        elif isinstance(shape, Circle) and not shape.is_sphere:
            caps = caps or _caps(bounds)
            centres, radius, wide = caps
            gap = angle_array(shape.cap[0], centres)
            inside |= ~wide & (gap + radius <= shape.radius_rad - BOUNDS_MARGIN)
    return inside


def decide(region: Region, texts: Sequence[str], bounds: FloatArray | None = None) -> IntArray:
    """For each stored footprint text: :data:`YES` (it meets ``region``), :data:`NO`, or
    :data:`ASK` (use the exact predicate). With the footprints' stored ``bounds``, those
    that cannot reach the region, and those that lie inside a box or circle of it, are
    answered without reading their text."""
    out = np.full(len(texts), NO, dtype=np.int8)
    keep = np.arange(len(texts))
    if bounds is not None and len(texts):
        caps = _caps(bounds)  # rebuilt once for both tests
        inside = bounds_inside(region, bounds, caps)
        out[inside] = YES
        keep = np.flatnonzero(~bounds_apart(region, bounds, caps) & ~inside)
    parsed = parse([texts[i] for i in keep.tolist()])
    verdicts = [_decide_part(s, parsed) for s in region.parts]
    if len(verdicts) == 1:
        out[keep] = verdicts[0]
        return out
    stack = np.stack(verdicts)
    merged = np.full(parsed.count, ASK, dtype=np.int8)
    merged[(stack == NO).all(axis=0)] = NO
    merged[(stack == YES).any(axis=0)] = YES
    out[keep] = merged
    return out
