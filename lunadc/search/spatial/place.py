"""The place-and-time part of a search request, parsed once into a frozen value.

``target=`` names the body (its mean radius turns ``circle=`` km into an angle, and only that
body's footprints are searched); one of ``point=``, ``circle=``, ``bbox=``, ``polygon=``,
``intersects=`` gives the region; ``start=``/``stop=`` ask for products whose time span
overlaps ``[start, stop]``. Any of them may be missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from lunadc.errors import BadRequestError
from lunadc.model.times import canonical_time
from lunadc.search.spatial.bodies import UnknownBodyError, body_radius_km, canonical_body
from lunadc.search.spatial.parse import parse_region
from lunadc.search.spatial.regions import GeometryError, Region
from lunadc.search.spatial.serial import region_to_json

PLACE_PARAMS = ("target", "point", "circle", "bbox", "polygon", "intersects", "start", "stop")


@dataclass(frozen=True, slots=True)
class Place:
    """Where (``region`` on ``body``) and when (``start``..``stop``, stored time form).

    ``body`` is the canonical body name (``None``: every body); ``region`` is what a
    footprint must intersect (for ``point=``: contain the point).
    """

    region: Region | None = None
    body: str | None = None
    body_radius_km: float | None = None
    start: str | None = None
    stop: str | None = None

    @property
    def key(self) -> tuple[str | None, ...]:
        """A hashable identity (for caches): equal keys, equal answers."""
        text = region_to_json(self.region) if self.region is not None else None
        return (text, self.body, self.start, self.stop)

    @property
    def is_spatial(self) -> bool:
        return self.region is not None


def _time(name: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        out = canonical_time(value.strip()[:64])
    except (BadRequestError, ValueError, OverflowError):
        out = None
    if out is None:
        raise BadRequestError(f"{name}: not an ISO-8601 time: {value[:60]!r}")
    return out


def body_of(target: str | None) -> tuple[str | None, float | None]:
    """The canonical body and its radius for ``target=`` (unknown name: kept, no radius)."""
    if target is None or not target.strip():
        return None, None
    name = target.strip()[:64]
    canon = canonical_body(name)
    if canon is None:
        return name, None
    try:
        return canon, body_radius_km(canon)
    except UnknownBodyError:  # pragma: no cover - canonical names are in the table
        return canon, None


def parse_place(
    *,
    target: str | None = None,
    point: str | None = None,
    circle: str | None = None,
    bbox: str | None = None,
    polygon: str | None = None,
    intersects: str | None = None,
    start: str | None = None,
    stop: str | None = None,
) -> Place | None:
    """The place of a request (``None`` when no place or time parameter is given).

    Errors are one-line :class:`BadRequestError` naming the parameter.
    """
    if all(v is None for v in (target, point, circle, bbox, polygon, intersects, start, stop)):
        return None
    body, radius = body_of(target)
    if circle is not None and radius is None:
        what = f"unknown body {body!r}" if body else "a target body is needed"
        raise BadRequestError(f"circle: {what} to convert km (for example target=Moon)")
    try:
        region = parse_region(
            point=point,
            circle=circle,
            bbox=bbox,
            polygon=polygon,
            intersects=intersects,
            body_radius_km=radius,
        )
    except GeometryError as exc:
        raise BadRequestError(str(exc)) from None
    t0, t1 = _time("start", start), _time("stop", stop)
    if t0 is not None and t1 is not None and t0 > t1:
        raise BadRequestError(f"start {start!r} is after stop {stop!r}")
    return Place(region=region, body=body, body_radius_km=radius, start=t0, stop=t1)
