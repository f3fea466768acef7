"""Where the synthetic products lie: rover tracks, descent frames, polar footprints, Mars boxes.

Longitudes are planetocentric, positive east. Bounding boxes use -180..180 unless a builder
asks for the 0..360 style; a box whose ``west > east`` crosses the 180° meridian (or, in the
0..360 style, the prime meridian). Polygon vertices use 0..360 (``geom:pixel_longitude``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lunadc.model.product import BoundingBox

MOON_RADIUS_KM = 1737.4
MARS_RADII_KM = (3396.19, 3396.19, 3376.2)

VON_KARMAN = (177.588, -45.457)  # Chang'e-4 landing site (lon, lat)
BOGUSLAWSKY = (43.5, -72.2)  # Luna-25 target landing site (lon, lat)

# Candidate landing sites within a few degrees of the south pole (name, lon, lat).
SOUTH_POLE_SITES: tuple[tuple[str, float, float], ...] = (
    ("Shackleton-de Gerlache ridge", -137.5, -89.45),
    ("Malapert massif", 0.2, -86.0),
    ("Haworth rim", -5.0, -87.4),
    ("Nobile rim", 37.0, -85.2),
    ("Amundsen rim", 82.0, -84.3),
    ("Connecting ridge extension", -137.0, -89.3),
    ("Faustini rim", 84.0, -87.2),
)


def norm180(lon: float) -> float:
    """Longitude in (-180, 180]."""
    lon = math.fmod(lon, 360.0)
    if lon > 180.0:
        lon -= 360.0
    elif lon <= -180.0:
        lon += 360.0
    return lon


def norm360(lon: float) -> float:
    """Longitude in [0, 360)."""
    lon = math.fmod(lon, 360.0)
    return lon + 360.0 if lon < 0 else lon


def offset_m(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The point ``east_m``/``north_m`` metres from (lon, lat) on the Moon (small offsets)."""
    per_deg = MOON_RADIUS_KM * 1000.0 * math.pi / 180.0
    new_lat = lat + north_m / per_deg
    new_lon = lon + east_m / (per_deg * math.cos(math.radians(new_lat)))
    return norm180(new_lon), new_lat


def box(
    lon: float, lat: float, half_lon: float, half_lat: float, *, style360: bool = False
) -> BoundingBox:
    """The lon/lat box around a centre; crossing 180° gives ``west > east`` (-180..180 style)."""
    south, north = max(-90.0, lat - half_lat), min(90.0, lat + half_lat)
    if style360:
        west = norm360(lon - half_lon)
        east = west + 2 * half_lon
        if east > 360.0:
            east -= 360.0
        return BoundingBox(west, east, north, south)
    return BoundingBox(norm180(lon - half_lon), norm180(lon + half_lon), north, south)


@dataclass(frozen=True, slots=True)
class PolarFootprint:
    """A rectangle on a polar map: its corners (UL, UR, LR, LL) and bounding box."""

    corners_xy: tuple[tuple[float, float], ...]  # metres in polar stereographic-like x/y
    corners: tuple[tuple[float, float], ...]  # (lon 0..360, lat)
    bbox: BoundingBox
    encloses_pole: bool


def polar_to_lonlat(x_m: float, y_m: float) -> tuple[float, float]:
    """South-polar azimuthal (x, y) in metres -> (lon 0..360, lat); lon 0 along +y."""
    rho = math.hypot(x_m, y_m) / 1000.0
    lat = -90.0 + math.degrees(rho / MOON_RADIUS_KM)
    lon = norm360(math.degrees(math.atan2(x_m, y_m))) if rho > 0 else 0.0
    return lon, lat


def lonlat_to_polar(lon: float, lat: float) -> tuple[float, float]:
    rho = math.radians(lat + 90.0) * MOON_RADIUS_KM * 1000.0
    return rho * math.sin(math.radians(lon)), rho * math.cos(math.radians(lon))


def polar_footprint(
    center_lon: float, center_lat: float, width_m: float, height_m: float, rotation_deg: float
) -> PolarFootprint:
    """A ``width_m`` x ``height_m`` frame centred at (lon, lat) near the south pole."""
    cx, cy = lonlat_to_polar(center_lon, center_lat)
    rot = math.radians(rotation_deg)
    ux, uy = math.cos(rot), math.sin(rot)  # sample direction
    vx, vy = -uy, ux  # line direction (upwards on the map)
    hw, hh = width_m / 2.0, height_m / 2.0
    corners_xy = tuple(
        (cx + sx * hw * ux + sy * hh * vx, cy + sx * hw * uy + sy * hh * vy)
        for sx, sy in ((-1, 1), (1, 1), (1, -1), (-1, -1))
    )
    corners = tuple(polar_to_lonlat(x, y) for x, y in corners_xy)
    # The frame is a straight-edged (convex) polygon on the polar map, so: the farthest point
    # from the pole is a corner; the nearest may lie inside an edge; and, unless the pole is
    # inside, the longitudes seen from the pole sweep monotonically along each edge.
    north = max(lat for _, lat in corners)
    if _contains_origin(corners_xy):
        return PolarFootprint(corners_xy, corners, BoundingBox(-180.0, 180.0, north, -90.0), True)
    nearest = min(_distance_to_origin(corners_xy[k], corners_xy[(k + 1) % 4]) for k in range(4))
    south = -90.0 + math.degrees(nearest / 1000.0 / MOON_RADIUS_KM)
    west, east = _covering_arc([lon for lon, _ in corners])
    return PolarFootprint(
        corners_xy, corners, BoundingBox(norm180(west), norm180(east), north, south), False
    )


def _distance_to_origin(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance from (0, 0) to the segment a-b."""
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
    return math.hypot(ax + t * dx, ay + t * dy)


def _contains_origin(ring: tuple[tuple[float, float], ...]) -> bool:
    inside = False
    for k in range(len(ring)):
        (x0, y0), (x1, y1) = ring[k], ring[(k + 1) % len(ring)]
        if (y0 > 0) != (y1 > 0) and x0 + (0 - y0) * (x1 - x0) / (y1 - y0) > 0:
            inside = not inside
    return inside


def _covering_arc(lons: list[float]) -> tuple[float, float]:
    """The shortest (west, east) arc, going east, that covers every longitude (0..360)."""
    ordered = sorted(norm360(lon) for lon in lons)
    gaps = [
        ((ordered[(k + 1) % len(ordered)] - ordered[k]) % 360.0, k) for k in range(len(ordered))
    ]
    _, k = max(gaps)
    return ordered[(k + 1) % len(ordered)], ordered[k]
