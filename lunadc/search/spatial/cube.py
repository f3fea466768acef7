"""Boxes in unit-vector space around regions: a spatial pre-filter with no seam and no pole.

A region on the unit sphere lies inside an axis-aligned box in x, y, z: its **cube**. Two
regions that meet have cubes that meet, so an R*Tree of the footprints' cubes finds every
footprint that can meet a query (and the exact test decides). Unlike lon/lat bounds, the
cube needs no split at 180° and stays tight at a pole, where a few kilometres span many
degrees of longitude but only a few thousandths in x and y.

Cubes are conservative: each is widened by twice the predicates' tolerance :data:`TOL`
(regions within ``TOL`` of each other count as meeting, and a chord is never longer than
its arc, so no coordinate of such a point differs by more) and by :data:`MARGIN` for the
rounding of the trigonometry here.
"""

from __future__ import annotations

import math

from lunadc.search.spatial.regions import Box, Region, Shape
from lunadc.search.spatial.vec import TOL, Vec

Cube = tuple[float, float, float, float, float, float]
"""``(x_lo, x_hi, y_lo, y_hi, z_lo, z_hi)``."""

MARGIN = 1e-12
_WIDEN = 2 * TOL + MARGIN


def cap_cube(centre: Vec, radius: float) -> Cube:
    """The cube of the cap of angular ``radius`` (radians) about unit vector ``centre``.

    Over the cap, the angle to axis ``k`` ranges over ``[θk - r, θk + r]`` (clipped to
    ``[0, π]``), where ``θk`` is the centre's angle to that axis; coordinate ``k`` is its
    cosine, which falls monotonically over ``[0, π]``.
    """
    r = min(math.pi, radius * (1 + 1e-9))
    out: list[float] = []
    for k in range(3):
        along = centre[k]
        across = math.hypot(centre[(k + 1) % 3], centre[(k + 2) % 3])
        theta = math.atan2(across, along)  # exact near the axis, unlike acos
        lo = math.cos(min(math.pi, theta + r))
        hi = math.cos(max(0.0, theta - r))
        out += [max(-1.0, lo - _WIDEN), min(1.0, hi + _WIDEN)]
    return (out[0], out[1], out[2], out[3], out[4], out[5])


def _cos_range(west: float, width: float) -> tuple[float, float]:
    """Range of cos(λ) for λ in ``[west, west + width]`` degrees."""
    ends = (math.cos(math.radians(west)), math.cos(math.radians(west + width)))
    lo, hi = min(ends), max(ends)
    if _holds(west, width, 0.0):
        hi = 1.0
    if _holds(west, width, 180.0):
        lo = -1.0
    return lo, hi


def _sin_range(west: float, width: float) -> tuple[float, float]:
    """Range of sin(λ) for λ in ``[west, west + width]`` degrees: sin λ = cos(λ - 90°)."""
    return _cos_range(west - 90.0, width)


def _holds(west: float, width: float, lon: float) -> bool:
    return (lon - west) % 360.0 <= width


def _times(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """Range of a product of two ranges."""
    products = (a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1])
    return min(products), max(products)


def box_cube(box: Box) -> Cube:
    """The cube of a lon/lat box, from its exact coordinate ranges: x = cos φ cos λ and
    y = cos φ sin λ are products of a latitude and a longitude factor, z = sin φ."""
    south, north = math.radians(box.south), math.radians(box.north)
    cos_lat = (min(math.cos(south), math.cos(north)), max(math.cos(south), math.cos(north)))
    if south <= 0.0 <= north:
        cos_lat = (cos_lat[0], 1.0)
    cos_lat = (max(0.0, cos_lat[0]), cos_lat[1])
    x = _times(cos_lat, _cos_range(box.west, box.width))
    y = _times(cos_lat, _sin_range(box.west, box.width))
    z = (math.sin(south), math.sin(north))
    return (
        max(-1.0, x[0] - _WIDEN),
        min(1.0, x[1] + _WIDEN),
        max(-1.0, y[0] - _WIDEN),
        min(1.0, y[1] + _WIDEN),
        max(-1.0, z[0] - _WIDEN),
        min(1.0, z[1] + _WIDEN),
    )


def shape_cube(shape: Shape) -> Cube:
    """A box's own cube; any other shape's is its bounding cap's."""
    if isinstance(shape, Box):
        return box_cube(shape)
    centre, radius = shape.cap
    return cap_cube(centre, radius)


def part_cubes(region: Region) -> list[Cube]:
    """One cube per part (a query asks for each; a multi-part query's parts can lie far
    apart, and one cube around all of them would let through everything between)."""
    return [shape_cube(p) for p in region.parts]


def region_cube(region: Region) -> Cube:
    """One cube around the whole region (what a stored footprint keeps)."""
    cubes = part_cubes(region)
    return (
        min(c[0] for c in cubes),
        max(c[1] for c in cubes),
        min(c[2] for c in cubes),
        max(c[3] for c in cubes),
        min(c[4] for c in cubes),
        max(c[5] for c in cubes),
    )


def cubes_meet(a: Cube, b: Cube) -> bool:
    return (
        a[0] <= b[1]
        and b[0] <= a[1]
        and a[2] <= b[3]
        and b[2] <= a[3]
        and a[4] <= b[5]
        and (b[4] <= a[5])
    )
