"""Unit vectors on the sphere: small, exact-as-floats helpers on 3-tuples (and numpy arrays).

Scalar predicates use plain tuples and :mod:`math` (much faster than numpy for one 3-vector);
the ``*_array`` functions are their vectorised counterparts for many points at once.
Angles are radians unless a name says ``deg``.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Vec = tuple[float, float, float]
FloatArray = npt.NDArray[np.float64]

TOL = 1e-11
"""Boundary tolerance in radians (≈ 17 µm on the Moon): a point this close to a region is in it."""

HALF_PI = math.pi / 2
TWO_PI = 2 * math.pi
NORTH: Vec = (0.0, 0.0, 1.0)
SOUTH: Vec = (0.0, 0.0, -1.0)


def xyz(lon_deg: float, lat_deg: float) -> Vec:
    lon, lat = math.radians(lon_deg), math.radians(lat_deg)
    c = math.cos(lat)
    return (c * math.cos(lon), c * math.sin(lon), math.sin(lat))


def xyz_rad(lon: float, lat: float) -> Vec:
    c = math.cos(lat)
    return (c * math.cos(lon), c * math.sin(lon), math.sin(lat))


def lonlat(v: Vec) -> tuple[float, float]:
    """(lon, lat) in degrees, lon in [-180, 180]; the longitude of a pole is 0."""
    x, y, z = v
    h = math.hypot(x, y)
    lat = math.degrees(math.atan2(z, h))
    lon = math.degrees(math.atan2(y, x)) if h > 0.0 else 0.0
    return lon, lat


def dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def cross(a: Vec, b: Vec) -> Vec:
    return (
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    )


def norm(a: Vec) -> float:
    return math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])


def unit(a: Vec) -> Vec:
    n = norm(a)
    if n == 0.0:
        raise ZeroDivisionError("zero vector")
    return (a[0] / n, a[1] / n, a[2] / n)


def neg(a: Vec) -> Vec:
    return (-a[0], -a[1], -a[2])


def comb(sa: float, a: Vec, sb: float, b: Vec) -> Vec:
    """``sa * a + sb * b``."""
    return (sa * a[0] + sb * b[0], sa * a[1] + sb * b[1], sa * a[2] + sb * b[2])


def angle(a: Vec, b: Vec) -> float:
    """Angle between two unit vectors, accurate for tiny and near-π angles."""
    return math.atan2(norm(cross(a, b)), dot(a, b))


def perpendicular(n: Vec) -> Vec:
    """Some unit vector orthogonal to unit vector ``n``."""
    ax = (1.0, 0.0, 0.0) if abs(n[0]) < 0.9 else (0.0, 1.0, 0.0)
    return unit(cross(n, ax))


def toward(a: Vec, b: Vec) -> Vec:
    """Unit tangent at ``a`` pointing along the great circle toward ``b`` (``b`` ≠ ±``a``)."""
    return unit(cross(cross(a, b), a))


def offset(a: Vec, direction: Vec, dist: float) -> Vec:
    """The point ``dist`` radians from ``a`` along unit tangent ``direction``."""
    return comb(math.cos(dist), a, math.sin(dist), direction)


def hav(x: float) -> float:
    s = math.sin(x / 2)
    return s * s


# ---------------------------------------------------------------- numpy counterparts


def xyz_array(lon_deg: npt.ArrayLike, lat_deg: npt.ArrayLike) -> FloatArray:
    lon = np.radians(np.asarray(lon_deg, dtype=np.float64))
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64))
    c = np.cos(lat)
    return np.stack([c * np.cos(lon), c * np.sin(lon), np.sin(lat)], axis=-1)


def lonlat_array(p: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Degrees; lon in [-180, 180]."""
    h = np.hypot(p[..., 0], p[..., 1])
    lat = np.degrees(np.arctan2(p[..., 2], h))
    lon = np.where(h > 0.0, np.degrees(np.arctan2(p[..., 1], p[..., 0])), 0.0)
    return lon, lat


def angle_array(a: Vec, p: FloatArray) -> FloatArray:
    """Angles between ``a`` and each row of ``p``."""
    av = np.asarray(a, dtype=np.float64)
    c = np.cross(p, av)
    out: FloatArray = np.arctan2(np.sqrt(np.einsum("ij,ij->i", c, c)), p @ av)
    return out


def normalize_lon(lon_deg: float) -> float:
    """Longitude in [-180, 180)."""
    x = math.fmod(lon_deg + 180.0, 360.0)
    if x < 0:
        x += 360.0
    return x - 180.0
