"""How much of a region (a landing circle, a polygon) a set of footprints covers.

Method: every footprint is classified with the exact predicates (misses the region →
nothing; covers it → all of it); the others are drawn in the Lambert azimuthal equal-area
plane about the region's centre (densified finely near the region, coarsely far away),
where planar areas *are* areas on the sphere, so unions, intersections and fractions are
planar shapely operations. The only error is the densification of curved edges, reported
as ``area_error_km2`` (the difference between the drawn and the exact area of the region).

For per-group fractions (per instrument, per resolution class), make one
:class:`CoverageContext`, turn each footprint into a :class:`Piece` once, and call
:meth:`CoverageContext.fraction` on any subset of pieces: only the union is recomputed.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely  # type: ignore[import-untyped, unused-ignore]
from shapely.geometry.base import BaseGeometry  # type: ignore[import-untyped, unused-ignore]

from lunadc.search.spatial.arcs import Arc
from lunadc.search.spatial.cells import order_for_size
from lunadc.search.spatial.planar import Laea, polygons_geojson, polygons_of, ring_lonlat, split_180
from lunadc.search.spatial.predicates import covers, intersects
from lunadc.search.spatial.regions import GeometryError, Point, Region, Shape
from lunadc.search.spatial.rings import SHORT_CHORDS, box_points, polygon_points
from lunadc.search.spatial.vec import (
    FloatArray,
    angle,
    angle_array,
    lonlat_array,
)

if TYPE_CHECKING:  # mocpy and astropy are imported where used (seconds at start-up)
    from mocpy import MOC  # type: ignore[import-untyped, unused-ignore]

_EMPTY = shapely.Polygon()
_GREAT_STEPS_PER_RADIUS = 16  # samples of great-circle edges per region radius
IntArray = np.ndarray[Any, np.dtype[np.int64]]
_STORED_NEAR_COS = math.cos(1.0)  # stored footprints drawn straight from text: within 1 rad
_MAY_COVER = 0.99  # drawn smaller than this share of the region: cannot cover it
_FAR = 2.6  # radians: a footprint reaching no further than this from the centre is drawn whole


class Piece:
    """One footprint as drawn in the context's plane, and its part inside the region.

    The part inside (``geometry``) is cut when first asked for: a union of many pieces is
    taken on the drawings and cut once (``CoverageContext.covered_geometry``), so only the
    pieces whose own fraction is listed pay for their cut.
    """

    def __init__(
        self, drawn: BaseGeometry, *, full: bool = False, region: BaseGeometry | None = None
    ) -> None:
        self.drawn = drawn
        self.full = full
        self._region = region  # None: ``drawn`` lies inside the region already

    @functools.cached_property
    def geometry(self) -> BaseGeometry:
        if self._region is None or self._region.contains(self.drawn):
            return self.drawn
        return self.drawn.intersection(self._region)

    @property
    def is_empty(self) -> bool:
        return bool(self.drawn.is_empty)


@dataclass(frozen=True)
class CoverageResult:
    fraction: float  # covered area / region area, 0..1
    region_area_km2: float  # exact area of the region
    covered_area_km2: float
    area_error_km2: float  # densification error of the areas (drawn vs exact region area)
    covered: dict[str, Any]  # GeoJSON geometry, split at 180°, valid at the poles
    uncovered: dict[str, Any]
    covered_moc: MOC | None = field(default=None, repr=False)  # cells overlapping the covered part
    uncovered_moc: MOC | None = field(default=None, repr=False)
    moc_order: int = 0
    moc_area_error_km2: float = 0.0  # largest |MOC area − area| of the two MOCs


class CoverageContext:
    """A region prepared for coverage questions on a body of radius ``body_radius_km``."""

    def __init__(
        self,
        region: Region,
        *,
        body_radius_km: float,
        moc_order: int | None = None,
        samples_per_radius: int = 150,
    ) -> None:
        if not all(s.area > 0.0 for s in region.parts):
            raise GeometryError("coverage", "the region needs an area (circle, box or polygon)")
        centre, rho = region.cap
        if rho > math.pi / 2 + 1e-9:
            raise GeometryError("coverage", "the region must fit in a hemisphere")
        self.region = region
        self.body_radius_km = body_radius_km
        self.laea = Laea(centre)
        self._centre = centre
        self._clip = min(rho * 1.02 + 1e-9, math.pi / 2 + 0.05)
        self._fine = max(rho / samples_per_radius, 1e-10)
        # Near the centre a great circle's image is all but straight (curvature of the
        # order of its distance from the centre, in radians⁻¹): chords of rho/16 stray from
        # it by ~1e-9 of the region's size. Only small circles (circle edges, parallels)
        # need the fine step.
        self._fine_great = max(self._fine, rho / _GREAT_STEPS_PER_RADIUS)
        self._coarse = max(self._fine, 0.01)
        k = max(64, math.ceil(2 * math.pi * math.sin(self._clip) / self._fine))
        t = np.linspace(0.0, 2 * math.pi, k, endpoint=False)
        rr = self.laea.radius_for(self._clip)
        self._disk = shapely.Polygon(np.stack([rr * np.cos(t), rr * np.sin(t)], axis=-1))
        parts = [self._planar(s) for s in region.parts]
        self.region_geometry: BaseGeometry = (
            shapely.union_all(parts) if len(parts) > 1 else parts[0]
        )
        shapely.prepare(self.region_geometry)
        self.region_area = (
            sum(s.area for s in region.parts)
            if len(parts) == 1
            else float(self.region_geometry.area)
        )
        self.drawn_area = float(self.region_geometry.area)
        self.moc_order = moc_order if moc_order is not None else min(order_for_size(rho / 50), 29)

    # ------------------------------------------------------------------ drawing

    def _step(self, arc: Arc) -> float:
        return self._fine_great if abs(arc.r - math.pi / 2) < 1e-12 else self._fine

    def _short_count(self, arc: Arc) -> int | None:
        """Chords for a short arc (a footprint's edge, mostly) drawn whole at its step,
        without first finding which coarse pieces of it are near; ``None``: not short."""
        length = arc.sweep * math.sin(arc.r)
        k = max(1, math.ceil(length / self._step(arc)), math.ceil(arc.sweep * 128 / math.pi))
        return k if length <= self._coarse or k <= SHORT_CHORDS else None

    def _arc_params(self, arc: Arc) -> FloatArray:
        step = self._step(arc)
        k = self._short_count(arc)
        if k is not None:
            return np.linspace(0.0, arc.sweep, k + 1)
        ts = arc.params(self._coarse)
        pts = arc.points(ts)
        near = angle_array(self._centre, pts) <= self._clip + 2 * self._coarse
        seg_near = near[:-1] | near[1:]
        if not seg_near.any():
            return ts
        dt = ts[1:] - ts[:-1]
        fine = np.maximum(np.ceil(dt * math.sin(arc.r) / step), np.ceil(dt * 256 / (2 * math.pi)))
        per = np.where(seg_near, np.maximum(fine, 1.0), 1.0).astype(np.int64)
        starts = np.repeat(ts[:-1], per)
        steps = np.repeat((ts[1:] - ts[:-1]) / per, per)
        offs = np.concatenate([np.arange(k) for k in per])
        return np.concatenate([starts + steps * offs, ts[-1:]])

    def _ring(self, arcs: tuple[Arc, ...]) -> FloatArray:
        """The closed boundary ``arcs`` sampled (each end point once), in the plane."""
        # every arc's points in one numpy pass (per-arc numpy calls cost more than the maths)
        shorts = [self._short_count(arc) for arc in arcs]
        if all(k is not None for k in shorts):
            counts = [int(k or 0) for k in shorts]
            first = np.repeat(np.cumsum(counts) - counts, counts)
            step = np.repeat([a.sweep / k for a, k in zip(arcs, counts, strict=True)], counts)
            ts = (np.arange(sum(counts)) - first) * step
        else:
            params = [self._arc_params(arc)[:-1] for arc in arcs]
            counts = [len(t) for t in params]
            ts = np.concatenate(params)
        n, u, v = (
            np.repeat(np.array([getattr(a, k) for a in arcs], dtype=np.float64), counts, axis=0)
            for k in ("n", "u", "v")
        )
        cr = np.repeat(np.cos([a.r for a in arcs]), counts)[:, None]
        sr = np.repeat(np.sin([a.r for a in arcs]), counts)[:, None]
        ct, st = np.cos(ts)[:, None], np.sin(ts)[:, None]
        return self.laea.forward(cr * n + sr * (ct * u + st * v))

    def _planar(self, s: Shape) -> BaseGeometry:
        """The part of shape ``s`` within the clipping cap, in the plane."""
        if s.is_sphere:
            return self._disk
        c, r = s.cap
        single = len(s.boundary_points) == 1 and len(s.boundary) > 0
        if single and angle(c, self._centre) + r <= _FAR:
            poly = shapely.Polygon(self._ring(s.boundary))
            if poly.is_valid and poly.area > 0.0:
                return poly
        return self._planar_slow(s)

    def _planar_slow(self, s: Shape) -> BaseGeometry:
        lines: list[shapely.LineString] = []
        for arc in s.boundary:
            pts = arc.points(self._arc_params(arc))
            keep = angle_array(self._centre, pts) <= self._clip + self._fine
            keep[:-1] |= keep[1:]  # one point beyond the cap at each end of a run
            keep[1:] |= keep[:-1].copy()
            idx = np.flatnonzero(keep)
            if not len(idx):
                continue
            for run in np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1):
                if len(run) >= 2:
                    lines.append(shapely.LineString(self.laea.forward(pts[run])))
        if not lines:
            return self._disk if s.contains_xyz(self._centre) else _EMPTY
        arrangement = shapely.union_all([shapely.LineString(self._disk.exterior.coords), *lines])
        faces = shapely.polygonize(list(getattr(arrangement, "geoms", [arrangement])))
        keep_faces = []
        for f in polygons_of(faces):
            rp = f.representative_point()
            if not self._disk.contains(rp):
                continue
            q = self.laea.inverse(np.array([[rp.x, rp.y]]))[0]
            if s.contains_xyz((float(q[0]), float(q[1]), float(q[2]))):
                keep_faces.append(f)
        return shapely.union_all(keep_faces) if keep_faces else _EMPTY

    # ------------------------------------------------------------------ pieces

    def piece(self, footprint: Region, *, meets: bool | None = None) -> Piece:
        """The part of ``footprint`` inside the region (exact classification first;
        ``meets``: whether it intersects the region, when the caller knows already)."""
        if not (intersects(footprint, self.region) if meets is None else meets):
            return Piece(_EMPTY)
        drawn = [
            self._planar(s)
            for s in footprint.parts
            if not isinstance(s, Point)
            and s.area > 0.0
            and (len(footprint.parts) == 1 or intersects(s, self.region))
        ]
        drawn = [g for g in drawn if not g.is_empty]
        whole = None if not drawn else drawn[0] if len(drawn) == 1 else shapely.union_all(drawn)
        # the exact "covers" test only where the drawing is about as large as the region
        # (a footprint that covers it is drawn at least as large, to ~1e-6)
        may_cover = whole is None or whole.area >= _MAY_COVER * self.drawn_area
        if may_cover and covers(footprint, self.region):
            return Piece(self.region_geometry, full=True)
        if whole is None:
            return Piece(_EMPTY)
        return Piece(whole, region=self.region_geometry)

    def stored_piece(self, text: str, parse: Callable[[str], Region]) -> Piece:
        """:meth:`piece` of a stored footprint that is known to meet the region, drawn
        straight from its stored text (``lunadc.search.spatial.serial``) where it is one
        box or polygon near the region: the same points :meth:`_planar` would draw, without
        building the region object. ``parse`` builds it where it is needed after all (the
        exact ``covers`` test, other shapes)."""
        return self.stored_pieces([text], parse)[0]

    def stored_pieces(self, texts: Sequence[str], parse: Callable[[str], Region]) -> list[Piece]:
        """:meth:`stored_piece` of each of ``texts``, the boxes and polygons drawn together."""
        drawn = self._draw_stored_many(texts)
        areas = shapely.area(drawn)
        out: list[Piece] = []
        for text, g, area in zip(texts, drawn.tolist(), areas.tolist(), strict=True):
            if g is None:
                out.append(self.piece(parse(text), meets=True))
            elif area >= _MAY_COVER * self.drawn_area and covers(parse(text), self.region):
                out.append(Piece(self.region_geometry, full=True))
            else:
                out.append(Piece(g, region=self.region_geometry))
        return out

    def _draw_stored(self, text: str) -> BaseGeometry | None:
        drawn: BaseGeometry | None = self._draw_stored_many([text])[0]
        return drawn

    def _draw_stored_many(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.object_]]:
        """Planar drawings of stored footprints that are one box or one polygon near the
        region (``None`` for the others, and where the drawing is not a valid polygon)."""
        out = np.full(len(texts), None, dtype=object)
        values = json.loads("[" + ",".join(texts) + "]") if texts else []
        boxes: list[tuple[int, list[float]]] = []
        polygons: dict[int, list[tuple[int, list[list[float]]]]] = {}
        for i, parts in enumerate(values):
            if not isinstance(parts, list) or len(parts) != 1 or not isinstance(parts[0], dict):
                continue
            part = parts[0]
            if len(part) != 1:
                continue
            poly, box = part.get("polygon"), part.get("box")
            if isinstance(poly, list) and len(poly) >= 3:
                polygons.setdefault(len(poly), []).append((i, poly))
            elif isinstance(box, list) and len(box) == 4:
                boxes.append((i, box))
        found: list[tuple[FloatArray, IntArray]] = []
        for group in polygons.values():
            index = np.array([i for i, _ in group])
            pts, owner, _ok = polygon_points(
                np.asarray([v for _, v in group], dtype=np.float64), self._fine_great
            )
            found.append((pts, index[owner]))
        if boxes:
            index = np.array([i for i, _ in boxes])
            pts, owner, _ok = box_points(
                np.asarray([v for _, v in boxes], dtype=np.float64), self._fine, self._fine_great
            )
            found.append((pts, index[owner]))
        if not found:
            return out
        pts = np.concatenate([p for p, _ in found])
        owner = np.concatenate([o for _, o in found])
        if not len(owner):
            return out
        order = np.argsort(owner, kind="stable")  # each footprint's points together, in order
        pts, owner = pts[order], owner[order]
        _ids, first, counts = np.unique(owner, return_index=True, return_counts=True)
        near = np.minimum.reduceat(pts @ np.asarray(self._centre), first) >= _STORED_NEAR_COS
        keep = np.repeat(near & (counts >= 3), counts)
        if not keep.any():
            return out
        xy = self.laea.forward(pts[keep])
        kept_ids, ring_index = np.unique(owner[keep], return_inverse=True)
        polys = shapely.polygons(shapely.linearrings(xy, indices=ring_index))
        good = shapely.is_valid(polys) & (shapely.area(polys) > 0.0)
        out[kept_ids[good]] = polys[good]
        return out

    def pieces(self, footprints: Iterable[Region]) -> list[Piece]:
        return [self.piece(f) for f in footprints]

    def covered_geometry(self, pieces: Sequence[Piece]) -> BaseGeometry:
        if any(p.full for p in pieces):
            return self.region_geometry
        found = [p for p in pieces if not p.is_empty]
        if len(found) <= 1:
            return found[0].geometry if found else _EMPTY
        # ∪(Fᵢ ∩ R) = (∪Fᵢ) ∩ R: the footprints as drawn have a few dozen points each, their
        # cut pieces hundreds more along the region's edge, which the union would re-node
        return shapely.union_all([p.drawn for p in found]).intersection(self.region_geometry)

    def fraction(self, pieces: Sequence[Piece]) -> float:
        """Fraction (0..1) of the region covered by the union of ``pieces``."""
        if any(p.full for p in pieces):
            return 1.0
        g = self.covered_geometry(pieces)
        return 0.0 if g.is_empty else min(1.0, float(g.area) / self.drawn_area)

    # ------------------------------------------------------------------ results

    def result(self, pieces: Sequence[Piece], *, with_moc: bool = True) -> CoverageResult:
        covered = self.covered_geometry(pieces)
        uncovered = (
            self.region_geometry.difference(covered)
            if not covered.is_empty
            else (self.region_geometry)
        )
        frac = (
            1.0
            if any(p.full for p in pieces)
            else (0.0 if covered.is_empty else min(1.0, float(covered.area) / self.drawn_area))
        )
        r2 = self.body_radius_km**2
        region_km2 = self.region_area * r2
        out = CoverageResult(
            fraction=frac,
            region_area_km2=region_km2,
            covered_area_km2=frac * region_km2,
            area_error_km2=abs(self.drawn_area - self.region_area) * r2,
            covered=self.geojson(covered),
            uncovered=self.geojson(uncovered),
            moc_order=self.moc_order,
        )
        if not with_moc:
            return out
        cmoc, umoc = self.moc(covered), self.moc(uncovered)
        sphere_km2 = 4 * math.pi * r2
        err = max(
            abs(cmoc.sky_fraction * sphere_km2 - out.covered_area_km2),
            abs(umoc.sky_fraction * sphere_km2 - (region_km2 - out.covered_area_km2)),
        )
        return dataclasses.replace(
            out, covered_moc=cmoc, uncovered_moc=umoc, moc_area_error_km2=err
        )

    def _sphere_ring(self, coords: Any) -> FloatArray:
        xy = np.asarray(coords, dtype=np.float64)[:-1, :2]
        return self.laea.inverse(xy)

    def geojson(self, geom: BaseGeometry) -> dict[str, Any]:
        """GeoJSON of a planar geometry of this context (split at 180°, valid at the poles)."""
        pieces: list[shapely.Polygon] = []
        for p in polygons_of(geom):
            p = shapely.geometry.polygon.orient(p, 1.0)
            ext = ring_lonlat(self._sphere_ring(p.exterior.coords))
            if ext is None:
                continue
            shape: BaseGeometry = shapely.make_valid(shapely.Polygon(ext))
            for h in p.interiors:
                hole = ring_lonlat(self._sphere_ring(list(h.coords)[::-1]))
                if hole is None:
                    continue
                hp = shapely.make_valid(shapely.Polygon(hole))
                for k in (-360.0, 0.0, 360.0):
                    shape = shape.difference(shapely.affinity.translate(hp, xoff=k))
            pieces.extend(split_180(shape))
        if not pieces:
            return {"type": "MultiPolygon", "coordinates": []}
        return polygons_geojson(pieces)

    def moc(self, geom: BaseGeometry) -> MOC:
        """The MOC (cells of ``moc_order`` overlapping it) of a planar geometry."""
        from mocpy import MOC  # type: ignore[import-untyped, unused-ignore]

        out = MOC.new_empty(self.moc_order)
        for p in polygons_of(geom):
            m = self._ring_moc(p.exterior.coords)
            for h in p.interiors:
                m = m.difference(self._ring_moc(h.coords).contracted())
            out = out.union(m)
        return out

    def _ring_moc(self, coords: Any) -> MOC:
        import astropy.units as u  # type: ignore[import-untyped, unused-ignore]
        from mocpy import MOC  # type: ignore[import-untyped, unused-ignore]

        lon, lat = lonlat_array(self._sphere_ring(coords))
        return MOC.from_polygon(lon=lon * u.deg, lat=lat * u.deg, max_depth=self.moc_order)


def coverage(
    region: Region,
    footprints: Iterable[Region],
    *,
    body_radius_km: float,
    moc_order: int | None = None,
    with_moc: bool = True,
) -> CoverageResult:
    """Fraction of ``region`` covered by the union of ``footprints``, with the covered and
    uncovered parts as GeoJSON and as MOCs (see :class:`CoverageContext`)."""
    ctx = CoverageContext(region, body_radius_km=body_radius_km, moc_order=moc_order)
    return ctx.result(ctx.pieces(footprints), with_moc=with_moc)
