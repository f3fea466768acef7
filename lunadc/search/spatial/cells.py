"""A hierarchical HEALPix (nested) cell index: coverings to store and to pre-filter with.

**Scheme.** A region is covered by a small set of HEALPix nested cells of *mixed* orders (a
normalised MOC, computed with cdshealpix/mocpy): the finest order whose covering has at
most ``max_cells`` cells, so a large footprint gets a few coarse cells and a small one a
few fine cells (orders 0…:data:`FINEST_ORDER`). Every cell is stored as one row holding its
range of order-29 nested indices ``[lo, hi)`` (``lo = ipix << 2·(29 − order)``; 64-bit
signed integers suffice: ``hi ≤ 12·4^29 < 2^62``).

Cells of a hierarchy either nest or are disjoint, so a footprint cell ``[lo, hi)`` overlaps
a query range ``[qlo, qhi)`` (a run of adjacent query cells) iff

* it starts inside it: ``qlo <= lo < qhi`` (a range scan on an index over ``lo``), or
* it is an ancestor of the query cell that starts the range: ``lo = a AND hi > qlo`` for
  each ancestor start ``a = qlo`` rounded down to a cell of order 0…28 (point look-ups).

:func:`cell_query` turns query cells into those ranges and look-ups, so the DB layer can
answer "which footprints have a cell overlapping the query's cells" from one B-tree index on
``(body, lo)`` with a few range scans and point look-ups, whatever the footprint sizes. No
range-overlap index (R-tree) is needed, and a small query near the pole only touches the
rows of footprints that are near it at their own scale.

**Guarantee.** Coverings are conservative: every point of the region (boundary included,
poles included, any longitude) lies in a covering cell, so if two regions intersect, some
cell of one overlaps some cell of the other. To be safe against cell boundaries, the 4-way
pole and floating point, the region's covering is computed two orders deeper than the
result, extended by the neighbouring cells there, then degraded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lunadc.search.spatial.polygon import Polygon
from lunadc.search.spatial.regions import Box, Circle, MultiRegion, Point, Region, Shape
from lunadc.search.spatial.zone import box_cells

if TYPE_CHECKING:
    from mocpy import MOC  # type: ignore[import-untyped, unused-ignore]

# astropy, cdshealpix and mocpy are imported where used: astropy alone takes seconds to
# import, which every CLI command and server start would pay otherwise.
MAX_DEPTH = 29
FINEST_ORDER = 24
"""Finest order used in coverings (cells of ≈ 0.1 m on the Moon): points get cells of this order."""
DEFAULT_MAX_CELLS = 24
QUERY_MAX_CELLS = 64
"""Cells of a search query's covering: finer than the default where the region allows,
which reads ~10% fewer stored rows for a polar box (a few more range terms cost far less)."""
STORED_MAX_CELLS = 8
"""Cells stored per footprint (:func:`stored_cells`). A query reads every stored cell that
lies in its covering, once per cell: with up to 24 cells a footprint (11 on average), a
polar box read ~7 rows per candidate (49,000 rows for 7,000 footprints, 1M products).
Fewer, coarser cells mean fewer rows for large queries but more candidates for small
ones; at most 8 (4.5 on average) costs least over the benchmark's mix of points, circles,
polygons and boxes (rows and candidates counted offline for 4 to 24 cells)."""
STORED_SCHEME = "cap-8"
"""Names the stored covering (:func:`stored_cells`): a catalog whose rows were written by
another scheme is still correct (any conservative covering is), only maybe slower."""
BASE_CELL = math.sqrt(4 * math.pi / 12)  # mean size of an order-0 cell, radians
_POINT_RADIUS_DEG = math.degrees(1e-9)  # a point is covered as a cone of 1e-9 rad


@dataclass(frozen=True, slots=True, order=True)
class Cell:
    """A HEALPix nested cell; ``lo``/``hi`` are its order-29 range ``[lo, hi)``."""

    order: int
    ipix: int

    @property
    def lo(self) -> int:
        return self.ipix << (2 * (MAX_DEPTH - self.order))

    @property
    def hi(self) -> int:
        return (self.ipix + 1) << (2 * (MAX_DEPTH - self.order))

    @property
    def uniq(self) -> int:
        return int(4 * 4**self.order + self.ipix)

    @staticmethod
    def from_uniq(uniq: int) -> Cell:
        order = (int(uniq).bit_length() - 1) // 2 - 1
        return Cell(order, int(uniq) - 4 * 4**order)


def cell_size(order: int) -> float:
    """Mean angular size (radians) of a cell of ``order``."""
    return float(BASE_CELL / 2**order)


def order_for_size(size_rad: float) -> int:
    """The coarsest order whose cells are no larger than ``size_rad``."""
    if size_rad <= 0.0:
        return MAX_DEPTH
    return max(0, min(MAX_DEPTH, math.ceil(math.log2(BASE_CELL / size_rad))))


def _shape_moc(s: Shape, order: int) -> MOC:
    import astropy.units as u  # type: ignore[import-untyped, unused-ignore]
    from astropy.coordinates import (  # type: ignore[import-untyped, unused-ignore]
        Latitude,
        Longitude,
    )
    from mocpy import MOC  # type: ignore[import-untyped, unused-ignore]

    if s.is_sphere:
        return MOC.from_string("0/0-11")
    if isinstance(s, Point):
        return MOC.from_cone(
            lon=Longitude(s.lon * u.deg),
            lat=Latitude(s.lat * u.deg),
            radius=_POINT_RADIUS_DEG * u.deg,
            max_depth=order,
        )
    if isinstance(s, Circle):
        return MOC.from_cone(
            lon=Longitude(s.lon * u.deg),
            lat=Latitude(s.lat * u.deg),
            radius=(s.radius + _POINT_RADIUS_DEG) * u.deg,
            max_depth=order,
        )
    if isinstance(s, Box):
        return _box_moc(s, order)
    if isinstance(s, Polygon):
        lon = np.array([v[0] for v in s.vertices])
        lat = np.array([v[1] for v in s.vertices])
        return MOC.from_polygon(lon=lon * u.deg, lat=lat * u.deg, max_depth=order)
    raise TypeError(f"not a region: {s!r}")


def _box_moc(b: Box, order: int) -> MOC:
    from mocpy import MOC  # type: ignore[import-untyped, unused-ignore]

    ipix, depth = box_cells(b, order)  # not cdshealpix's zone search: see zone.py
    return MOC.from_healpix_cells(ipix, depth, order)


def _degrade(moc: MOC, order: int) -> MOC:
    return moc.degrade_to_order(order) if moc.max_order > order else moc


def region_moc(region: Region, order: int, *, dilate: bool = True) -> MOC:
    """The MOC of cells of ``order`` or coarser overlapping ``region``.

    With ``dilate`` (the default) the result is guaranteed conservative: computed at
    ``order + 2``, extended by one ring of neighbours there, then degraded to ``order``.
    """
    inner = min(order + 2, MAX_DEPTH) if dilate else order
    mocs = [_shape_moc(s, inner) for s in region.parts]
    moc = mocs[0] if len(mocs) == 1 else mocs[0].union(*mocs[1:])
    if dilate:
        moc = moc.extended()
        moc = _degrade(moc, order)
    return moc


def start_order(region: Region, finest: int = FINEST_ORDER) -> int:
    """The order at which :func:`cells_for_region` starts looking (then coarsens)."""
    area = sum(s.area for s in region.parts)
    size = max(math.sqrt(max(area, 0.0)), region.cap[1] / 8)
    if size <= 0.0:
        return finest
    return min(finest, order_for_size(size) + 2)


def cells_for_region(
    region: Region, *, depth: int | None = None, max_cells: int = DEFAULT_MAX_CELLS
) -> tuple[Cell, ...]:
    """A conservative covering of ``region`` by at most ``max_cells`` nested cells.

    Cells are of order ``depth`` (default: chosen from the region's size, at most
    :data:`FINEST_ORDER`) or coarser: the finest covering with no more than ``max_cells``
    cells (a normalised MOC, so four sibling cells become their parent). Sorted by ``lo``.
    """
    if max_cells < 4:
        raise ValueError("max_cells must be at least 4")
    if depth is None and all(isinstance(s, Point) for s in region.parts):
        return _point_cells(region.parts, max_cells)
    order = start_order(region) if depth is None else max(0, min(depth, MAX_DEPTH))
    moc = region_moc(region, order)
    uniq = moc.uniq_hpx
    order = min(order, moc.max_order)
    while len(uniq) > max_cells and order > 0:
        order -= 1
        moc = _degrade(moc, order)
        uniq = moc.uniq_hpx
    return tuple(sorted((Cell.from_uniq(int(x)) for x in uniq), key=lambda c: c.lo))


def _point_cells(points: tuple[Shape, ...], max_cells: int) -> tuple[Cell, ...]:
    """Points (a lander, a rover's stops): the finest cells around each, found directly.

    A cone search of a nanoradian (not the one cell a point lookup gives): a point on a
    cell edge (the 180° meridian, a base-cell boundary) gets the cells of both sides, so
    no rounding of its longitude can put it outside its covering. Much cheaper than a MOC.
    """
    cells: set[Cell] = set()
    for p in points:
        cells.update(cells_for_cap(p.cap[0], 0.0, max_cells=max_cells))
    if len(cells) > max_cells:  # many positions: fall back to a mixed-order covering
        return cells_for_region(_union(points), depth=start_order(_union(points)))
    return tuple(sorted(cells, key=lambda c: c.lo))


def _union(points: tuple[Shape, ...]) -> Region:
    return points[0] if len(points) == 1 else MultiRegion(points)


def cells_moc(cells: Iterable[Cell]) -> MOC:
    """The MOC made of ``cells``."""
    from mocpy import MOC  # type: ignore[import-untyped, unused-ignore]

    cs = list(cells)
    if not cs:
        return MOC.new_empty(0)
    ipix = np.array([c.ipix for c in cs], dtype=np.uint64)
    depth = np.array([c.order for c in cs], dtype=np.uint8)
    return MOC.from_healpix_cells(ipix, depth, int(depth.max()))


@dataclass(frozen=True, slots=True)
class CellQuery:
    """How to find stored cells ``[lo, hi)`` that overlap a set of query cells.

    A stored row matches iff ``range_lo <= lo < range_hi`` for one of ``ranges``, or
    ``lo = start AND hi > bound`` for one of ``ancestors`` (pairs ``(start, bound)``).
    """

    ranges: tuple[tuple[int, int], ...]
    ancestors: tuple[tuple[int, int], ...]

    def matches(self, lo: int, hi: int) -> bool:
        if any(a <= lo < b for a, b in self.ranges):
            return True
        return any(lo == s and hi > q for s, q in self.ancestors)

    @property
    def ancestor_starts(self) -> tuple[int, ...]:
        """Just the distinct ``start`` values (for ``lo IN (…)``; check ``hi`` afterwards)."""
        return tuple(sorted({s for s, _ in self.ancestors}))


def cell_ranges(cells: Iterable[Cell]) -> list[tuple[int, int]]:
    """The order-29 ranges of ``cells``, merged where adjacent, sorted."""
    out: list[tuple[int, int]] = []
    for lo, hi in sorted((c.lo, c.hi) for c in cells):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def cell_query(cells: Iterable[Cell]) -> CellQuery:
    """The range scans and ancestor look-ups that find stored cells overlapping ``cells``."""
    ranges = cell_ranges(cells)
    bounds: dict[int, int] = {}
    for qlo, _ in ranges:
        for order in range(MAX_DEPTH):
            shift = 2 * (MAX_DEPTH - order)
            start = (qlo >> shift) << shift
            if start < qlo:
                bounds[start] = min(bounds.get(start, qlo), qlo)
    return CellQuery(tuple(ranges), tuple(sorted(bounds.items())))


def cells_overlap(a: Iterable[Cell], b: Iterable[Cell]) -> bool:
    """Some cell of ``a`` overlaps (equals, contains or lies in) some cell of ``b``."""
    ra, rb = cell_ranges(a), cell_ranges(b)
    i = j = 0
    while i < len(ra) and j < len(rb):
        if ra[i][0] < rb[j][1] and rb[j][0] < ra[i][1]:
            return True
        if ra[i][1] <= rb[j][1]:
            i += 1
        else:
            j += 1
    return False


def stored_cells(region: Region) -> tuple[Cell, ...]:
    """The covering registration stores for a footprint: its bounding cap's, in at most
    :data:`STORED_MAX_CELLS` cells (cheap and loose; the exact test refines)."""
    return cells_for_cap(*region.cap, max_cells=STORED_MAX_CELLS)


def cells_for_cap(
    centre: tuple[float, float, float], radius: float, *, max_cells: int = DEFAULT_MAX_CELLS
) -> tuple[Cell, ...]:
    """A conservative covering of the spherical cap (``centre``, ``radius`` radians) by at
    most ``max_cells`` nested cells (or the cells of order 0 it meets, up to all 12, where
    no order has so few): cdshealpix's cone search, coarsened by integer shifts.

    Looser than :func:`cells_for_region` for an elongated region (its bounding cap is
    covered) but some hundred times cheaper, which is what registration needs: a footprint's
    cells only pre-filter, the exact test decides. The radius is widened by a relative and
    an absolute margin against rounding.
    """
    from cdshealpix import cdshealpix as _ext  # type: ignore[import-untyped, unused-ignore]

    if max_cells < 4:
        raise ValueError("max_cells must be at least 4")
    r = min(math.pi, radius * (1 + 1e-9) + 1e-9)
    if r >= math.pi / 2:  # a hemisphere or more: all of the sphere, whatever max_cells says
        return tuple(Cell(0, i) for i in range(12))
    x, y, z = centre
    lon = math.atan2(y, x) % (2 * math.pi)
    lat = math.atan2(z, math.hypot(x, y))  # asin(z) loses ~1e-8 rad near a pole
    # Cells about the cap's radius: a handful of one order (flat), coarsened if needed.
    order = max(0, min(FINEST_ORDER, order_for_size(r)))
    ipix, _depth, _full = _ext.cone_search(
        np.uint8(order), np.uint8(0), np.float64(lon), np.float64(lat), np.float64(r), True
    )
    found = {int(i) for i in ipix}
    while len(found) > max_cells and order > 0:
        order -= 1
        found = {i >> 2 for i in found}
    cells = {(order, i) for i in found}
    return tuple(sorted((Cell(d, i) for d, i in cells), key=lambda c: c.lo))
