"""Mean radii of target bodies, and a forgiving lookup by name.

Radii are mean (volumetric or, for small bodies, effective spherical) radii in km, from
the IAU WGCCRE reports and mission shape models. The geometry of lunadc treats every body
as a sphere of this radius with planetocentric latitude and east longitude.
"""

from __future__ import annotations

import math
import re

BODY_RADII_KM: dict[str, float] = {
    "Mercury": 2439.4,
    "Venus": 6051.8,
    "Earth": 6371.0,
    "Moon": 1737.4,
    "Mars": 3389.5,
    "Phobos": 11.08,
    "Deimos": 6.2,
    "Ceres": 469.7,
    "Vesta": 262.7,
    "Pallas": 256.0,
    "Psyche": 111.0,
    "Eros": 8.42,
    "Itokawa": 0.165,
    "Bennu": 0.2452,
    "Ryugu": 0.448,
    "Didymos": 0.3825,
    "Dimorphos": 0.0755,
    "Jupiter": 69911.0,
    "Io": 1821.6,
    "Europa": 1560.8,
    "Ganymede": 2634.1,
    "Callisto": 2410.3,
    "Saturn": 58232.0,
    "Mimas": 198.2,
    "Enceladus": 252.1,
    "Tethys": 531.1,
    "Dione": 561.4,
    "Rhea": 763.8,
    "Titan": 2574.7,
    "Iapetus": 734.5,
    "Uranus": 25362.0,
    "Miranda": 235.8,
    "Ariel": 578.9,
    "Umbriel": 584.7,
    "Titania": 788.9,
    "Oberon": 761.4,
    "Neptune": 24622.0,
    "Triton": 1353.4,
    "Pluto": 1188.3,
    "Charon": 606.0,
}

_ALIASES: dict[str, str] = {
    "luna": "Moon",
    "earth's moon": "Moon",
    "earths moon": "Moon",
    "earth moon": "Moon",
    "moon (earth)": "Moon",
    "selene": "Moon",
    "terra": "Earth",
    "1 ceres": "Ceres",
    "4 vesta": "Vesta",
    "2 pallas": "Pallas",
    "16 psyche": "Psyche",
    "433 eros": "Eros",
    "25143 itokawa": "Itokawa",
    "101955 bennu": "Bennu",
    "162173 ryugu": "Ryugu",
    "65803 didymos": "Didymos",
    "134340 pluto": "Pluto",
}

_BY_KEY = {name.lower(): name for name in BODY_RADII_KM}


class UnknownBodyError(LookupError):
    """A target body whose radius lunadc does not know (and none was given)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown target body {name!r}: give its mean radius in km")
        self.name = name


def _key(name: str) -> str:
    k = name.strip().lower().replace("’", "'").replace("_", " ").replace("-", " ")
    k = re.sub(r"\s+", " ", k)
    if k.startswith("the "):
        k = k[4:]
    return k


def canonical_body(name: str) -> str | None:
    """The table's name for ``name`` (``'LUNA'`` → ``'Moon'``, ``'(101955) Bennu'`` →
    ``'Bennu'``), or ``None`` when unknown."""
    k = _key(name)
    for cand in (k, re.sub(r"^\(?(\d+)\)?\s+", r"\1 ", k)):
        if cand in _BY_KEY:
            return _BY_KEY[cand]
        if cand in _ALIASES:
            return _ALIASES[cand]
    bare = re.sub(r"^\(?\d+\)?\s+", "", k)
    return _BY_KEY.get(bare)


def body_radius_km(name: str | None, *, radius_km: float | None = None) -> float:
    """Mean radius of a body in km: ``radius_km`` if given, else from :data:`BODY_RADII_KM`.

    Raises :class:`UnknownBodyError` for a name not in the table (and no radius given),
    and ``ValueError`` for a given radius that is not a positive number.
    """
    if radius_km is not None:
        if not (math.isfinite(radius_km) and radius_km > 0.0):
            raise ValueError(f"body radius must be a positive number of km, not {radius_km!r}")
        return float(radius_km)
    if name is None:
        raise UnknownBodyError("")
    canon = canonical_body(name)
    if canon is None:
        raise UnknownBodyError(name)
    return BODY_RADII_KM[canon]
