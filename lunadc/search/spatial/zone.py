"""Conservative HEALPix coverings of longitude/latitude boxes, by our own descent.

Why not cdshealpix's ``zone_search`` (or mocpy's ``MOC.from_zone``, which shares its core)?
Both drop cells that lie inside the zone: a zone whose edge sits on a multiple of 90° (a
base-cell boundary) lost cells in its middle, and a polar box 0.06° high spanning 215°→30°
lost the cells of a whole stretch near its southern edge (found by the property tests of
``tests/spatial/test_cells.py``). They also aborted the process (a Rust panic) on a
full-longitude cap a few metres round a pole. A covering that misses cells silently drops
products from search results, so boxes are covered here with a test that can only keep too
many cells, never too few.

**Method.** Descend from the 12 base cells. At each order every cell is replaced by the
bounding cap of its vertices (radius bounded per order, see :data:`_CELL_RADIUS`), and that
cap by its longitude/latitude bounding box, which is exact for a cap: a cell is dropped only
when that bounding box and the query box are disjoint, and kept whole (not split further)
when its bounding box lies inside the query box. Only cells straddling the box's edges are
split, so the work grows with the box's perimeter in cells, not its area.
"""

from __future__ import annotations

import math

import numpy as np

from lunadc.search.spatial.regions import Box
from lunadc.search.spatial.vec import TOL

_BASE_CELL = math.sqrt(4 * math.pi / 12)
# The farthest point of a HEALPix cell from its centre is a vertex, at most 1.044 cell sizes
# away (measured over every cell of orders 0-3 and 200,000 random cells of orders 5-12, with
# each edge sampled at 8 points, not just the vertices). 1.25 leaves ample margin.
_CELL_RADIUS = 1.25
# Points within TOL of a box's edge count as inside it (Box.contains_xyz), plus rounding.
_MARGIN = TOL + 1e-12
_TWO_PI = 2 * math.pi
_HALF_PI = math.pi / 2


def box_cells(box: Box, order: int) -> tuple[np.ndarray, np.ndarray]:
    """Cells (``ipix``, ``depth`` arrays) of ``order`` or coarser covering ``box``.

    Conservative: every point of the box, or within ``TOL`` of it, lies in a returned cell.
    Cells of coarser orders lie wholly inside the box's bounding test (see module doc).
    """
    from cdshealpix import cdshealpix as _ext  # type: ignore[import-untyped, unused-ignore]

    south, north = math.radians(box.south) - _MARGIN, math.radians(box.north) + _MARGIN
    west, width = math.radians(box.west), math.radians(box.width)
    full_lon = box.is_full or width + 2 * _MARGIN >= _TWO_PI

    kept_ipix: list[np.ndarray] = []
    kept_depth: list[np.ndarray] = []
    cells: np.ndarray = np.arange(12, dtype=np.uint64)
    for depth in range(order + 1):
        # The extension itself, on one thread: the Python wrapper's astropy quantities and a
        # thread pool cost more than the few hundred cells of a level (2-3x, more under load).
        lon, lat = np.empty(len(cells)), np.empty(len(cells))
        levels = np.full(len(cells), depth, dtype=np.uint8)
        _ext.healpix_to_lonlat(levels, cells, 0.5, 0.5, lon, lat, np.uint16(1))
        radius = _CELL_RADIUS * _BASE_CELL / 2**depth + _MARGIN
        lon_lo, lon_width, lat_lo, lat_hi = _cap_bounds(lon, lat, radius)
        meets_lat = (lat_hi >= south) & (lat_lo <= north)
        inside_lat = (lat_lo >= south) & (lat_hi <= north)
        if full_lon:
            meets, inside = meets_lat, inside_lat
        else:
            meets = meets_lat & _lon_overlap(lon_lo, lon_width, west, width)
            # A box touching a pole holds every longitude there: any cap over that pole
            # meets it as soon as it reaches its latitude.
            if box.north == 90.0:
                meets |= meets_lat & (lat_hi >= _HALF_PI)
            if box.south == -90.0:
                meets |= meets_lat & (lat_lo <= -_HALF_PI)
            inside = (
                inside_lat & (lon_width < _TWO_PI) & _lon_within(lon_lo, lon_width, west, width)
            )
        whole = inside & meets
        split = meets & ~inside
        if whole.any():
            kept_ipix.append(cells[whole])
            kept_depth.append(np.full(int(whole.sum()), depth, dtype=np.uint8))
        if depth == order:
            kept_ipix.append(cells[split])
            kept_depth.append(np.full(int(split.sum()), depth, dtype=np.uint8))
            break
        parents = cells[split]
        cells = ((parents[:, None] << np.uint64(2)) + np.arange(4, dtype=np.uint64)).ravel()
    return np.concatenate(kept_ipix), np.concatenate(kept_depth)


def _cap_bounds(
    lon: np.ndarray, lat: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The exact longitude/latitude bounding box of caps of ``radius`` about (lon, lat).

    Returns (west, width, south, north) in radians; width 2π where the cap holds a pole.
    """
    lat_lo = lat - radius
    lat_hi = lat + radius
    over_pole = (lat_hi >= _HALF_PI) | (lat_lo <= -_HALF_PI)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = math.sin(min(radius, _HALF_PI)) / np.cos(lat)
    half = np.where(over_pole | (ratio >= 1.0), math.pi, np.arcsin(np.clip(ratio, 0.0, 1.0)))
    width = np.where(half >= math.pi, _TWO_PI, 2 * half)
    return np.mod(lon - half, _TWO_PI), width, lat_lo, lat_hi


def _lon_overlap(w1: np.ndarray, width1: np.ndarray, w2: float, width2: float) -> np.ndarray:
    """Longitude intervals [w1, w1+width1] meet [w2, w2+width2] on the circle."""
    return (
        (width1 >= _TWO_PI)
        | (np.mod(w2 - w1, _TWO_PI) <= width1)
        | (np.mod(w1 - w2, _TWO_PI) <= width2)
    )


def _lon_within(w1: np.ndarray, width1: np.ndarray, w2: float, width2: float) -> np.ndarray:
    """Longitude intervals [w1, w1+width1] lie inside [w2, w2+width2]."""
    within: np.ndarray = np.mod(w1 - w2, _TWO_PI) + width1 <= width2
    return within
