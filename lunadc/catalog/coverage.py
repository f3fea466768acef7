"""Coverage of a region for landing-site work: which products cover it, and how much.

"How much of a 10 km circle around 89.5°S 0°E do orbiter images better than 2 m/pixel
cover?": the products are found as a place search finds them (cells, then the exact test,
with the viewer's visibility and any q/keywords/time filter in the same statement); the
covered fraction, in total and per instrument, and the covered and uncovered parts come
from ``lunadc.search.spatial.coverage``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, select

from lunadc.catalog.footprints import candidates, exact, stored_region, time_clause
from lunadc.catalog.search import LATEST, SearchParams, filter_clause
from lunadc.catalog.tables import footprints, products
from lunadc.errors import BadRequestError
from lunadc.model.access import Viewer
from lunadc.search.spatial import CoverageContext, GeometryError
from lunadc.search.spatial.geojson import region_geojson
from lunadc.search.spatial.place import Place

MAX_LISTED = 10_000


@dataclass(frozen=True, slots=True)
class CoverageRequest:
    place: Place  # region (circle, box or polygon) on a body, and the time span
    q: str = ""
    keywords: tuple[str, ...] = ()
    max_resolution_m: float | None = None  # only products at least this fine (m/pixel)
    limit: int = 1000  # products listed (all are counted and used)
    moc_order: int | None = None


@dataclass(frozen=True, slots=True)
class _Found:
    id: int
    lidvid: str
    title: str
    instrument: str | None
    start_time: str | None
    resolution_m: float | None
    region: str  # stored text: parsed only where drawing from it needs the region object


def _found(conn: Connection, where: ColumnElement[bool], place: Place) -> list[_Found]:
    assert place.region is not None
    hits = [c.product_id for c in exact(place.region, candidates(conn, where, place))]
    out: list[_Found] = []
    for i in range(0, len(hits), 2000):
        chunk = hits[i : i + 2000]
        query = (
            select(
                products.c.id,
                products.c.lidvid,
                products.c.title,
                products.c.instrument,
                products.c.start_time,
                footprints.c.resolution_m,
                footprints.c.region,
            )
            .join(footprints, footprints.c.product_id == products.c.id)
            .where(products.c.id.in_(chunk))
        )
        out += [
            _Found(
                r.id,
                r.lidvid,
                r.title,
                r.instrument,
                r.start_time,
                r.resolution_m,
                r.region,
            )
            for r in conn.execute(query)
        ]
    # Finest first, then by time and identifier: a stable order to list and to cut.
    out.sort(
        key=lambda f: (
            f.resolution_m if f.resolution_m is not None else math.inf,
            f.start_time or "",
            f.lidvid,
        )
    )
    return out


def _best(found: list[_Found]) -> float | None:
    values = [f.resolution_m for f in found if f.resolution_m is not None]
    return min(values) if values else None


def coverage_report(
    conn: Connection, viewer: Viewer, now: str, req: CoverageRequest
) -> dict[str, Any]:
    """The coverage answer (JSON-ready; its shape is ``lunadc.api.coverage.CoverageOut``)."""
    place = req.place
    if place.region is None:
        raise BadRequestError("coverage needs a region: circle=, polygon=, bbox= or intersects=")
    if place.body is None or place.body_radius_km is None:
        raise BadRequestError("coverage needs a known target body (for example target=Moon)")
    if not 0 <= req.limit <= MAX_LISTED:
        raise BadRequestError(f"limit must be between 0 and {MAX_LISTED}")
    if req.max_resolution_m is not None and not (
        math.isfinite(req.max_resolution_m) and req.max_resolution_m > 0
    ):
        raise BadRequestError("max-resolution must be a positive number of metres per pixel")
    try:
        ctx = CoverageContext(
            place.region, body_radius_km=place.body_radius_km, moc_order=req.moc_order
        )
    except GeometryError as exc:
        raise BadRequestError(str(exc)) from None
    params = SearchParams(q=req.q, keywords=req.keywords)
    where = and_(filter_clause(conn.dialect.name, viewer, now, params, LATEST), time_clause(place))
    if req.max_resolution_m is not None:
        where = and_(where, footprints.c.resolution_m <= req.max_resolution_m)
    found = _found(conn, where, place)
    drawn = ctx.stored_pieces([f.region for f in found], stored_region)  # all meet it
    pieces = {f.id: p for f, p in zip(found, drawn, strict=True)}
    result = ctx.result(list(pieces.values()))
    by_instrument: dict[str, list[_Found]] = defaultdict(list)
    for f in found:
        by_instrument[f.instrument or "(none)"].append(f)
    instruments = [
        {
            "instrument": name,
            "products": len(group),
            "fraction": ctx.fraction([pieces[f.id] for f in group]),
            "best_resolution_m": _best(group),
        }
        for name, group in sorted(by_instrument.items())
    ]
    return {
        "target": place.body,
        "body_radius_km": place.body_radius_km,
        "region": region_geojson(place.region),
        "region_area_km2": result.region_area_km2,
        "fraction": result.fraction,
        "covered_area_km2": result.covered_area_km2,
        "area_error_km2": result.area_error_km2,
        "products": len(found),
        "best_resolution_m": _best(found),
        "instruments": instruments,
        "covered": result.covered,
        "uncovered": result.uncovered,
        "moc": {
            "order": result.moc_order,
            "covered": result.covered_moc.to_string(format="ascii") if result.covered_moc else "",
            "uncovered": (
                result.uncovered_moc.to_string(format="ascii") if result.uncovered_moc else ""
            ),
            "area_error_km2": result.moc_area_error_km2,
        },
        "items": [
            {
                "lidvid": f.lidvid,
                "title": f.title,
                "instrument": f.instrument,
                "start_time": f.start_time,
                "resolution_m": f.resolution_m,
                "fraction": ctx.fraction([pieces[f.id]]),
            }
            for f in found[: req.limit]
        ],
        "truncated": len(found) > req.limit,
    }
