"""``GET /coverage``: how much of a region on a body the visible products cover.

The region is ``circle=LON,LAT,RADIUS_KM`` (or ``polygon=``, ``bbox=``, ``intersects=``) on
``target=`` (required: areas are in km²); ``q``, ``keywords``, ``start``/``stop`` and
``max-resolution`` (m/pixel) narrow the products. The answer's shape is ``CoverageOut``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from lunadc.api.deps import NodeDep, NowDep, ViewerDep, connected
from lunadc.api.params import (
    BboxQuery,
    CircleQuery,
    IntersectsQuery,
    KeywordsQuery,
    PolygonQuery,
    QQuery,
    StartQuery,
    StopQuery,
    TargetQuery,
    check_known,
    split_list,
)
from lunadc.catalog.coverage import CoverageRequest, coverage_report
from lunadc.errors import BadRequestError
from lunadc.search.spatial.place import parse_place

router = APIRouter(tags=["coverage"])

_PARAMS = (
    "target",
    "circle",
    "polygon",
    "bbox",
    "intersects",
    "start",
    "stop",
    "q",
    "keywords",
    "max-resolution",
    "limit",
    "moc-order",
)


class InstrumentCoverage(BaseModel):
    instrument: str = Field(description="Instrument name ('(none)' when the label gives none).")
    products: int
    fraction: float = Field(description="Fraction (0..1) of the region its products cover.")
    best_resolution_m: float | None = Field(description="Finest pixel scale, m/pixel.")


class CoveringProduct(BaseModel):
    lidvid: str
    title: str
    instrument: str | None
    start_time: str | None
    resolution_m: float | None
    fraction: float = Field(description="Fraction of the region this product alone covers.")


class MocOut(BaseModel):
    order: int = Field(description="HEALPix order of the finest cells.")
    covered: str = Field(description="Covered part as an ASCII MOC (IVOA MOC 2.0).")
    uncovered: str = Field(description="Uncovered part as an ASCII MOC.")
    area_error_km2: float


class CoverageOut(BaseModel):
    """Coverage of a region; GeoJSON parts are split at 180° and valid around the poles."""

    target: str
    body_radius_km: float
    region: dict[str, Any] = Field(description="The region as a GeoJSON geometry.")
    region_area_km2: float
    fraction: float = Field(description="Fraction (0..1) of the region covered by all products.")
    covered_area_km2: float
    area_error_km2: float = Field(description="Error bound of the areas from drawing curves.")
    products: int = Field(description="How many visible products meet the region.")
    best_resolution_m: float | None
    instruments: list[InstrumentCoverage]
    covered: dict[str, Any] = Field(description="Covered part: GeoJSON (Multi)Polygon.")
    uncovered: dict[str, Any] = Field(description="Uncovered part: GeoJSON (Multi)Polygon.")
    moc: MocOut
    items: list[CoveringProduct] = Field(description="Finest first, at most `limit`.")
    truncated: bool = Field(description="True when more products cover it than are listed.")


async def coverage_request(
    request: Request,
    target: TargetQuery = None,
    circle: CircleQuery = None,
    polygon: PolygonQuery = None,
    bbox: BboxQuery = None,
    intersects: IntersectsQuery = None,
    start: StartQuery = None,
    stop: StopQuery = None,
    q: QQuery = "",
    keywords: KeywordsQuery = None,
    max_resolution: Annotated[
        float | None,
        Query(alias="max-resolution", description="Only products this fine or finer (m/pixel)."),
    ] = None,
    limit: Annotated[int, Query(description="Products listed (all are used).")] = 1000,
    moc_order: Annotated[
        int | None, Query(alias="moc-order", ge=0, le=29, description="MOC order.")
    ] = None,
) -> CoverageRequest:
    check_known(request, _PARAMS)
    place = parse_place(
        target=target,
        circle=circle,
        polygon=polygon,
        bbox=bbox,
        intersects=intersects,
        start=start,
        stop=stop,
    )
    if place is None or place.region is None:
        raise BadRequestError("coverage needs a region: circle=, polygon=, bbox= or intersects=")
    return CoverageRequest(
        place=place,
        q=q,
        keywords=split_list(keywords, commas=False),
        max_resolution_m=max_resolution,
        limit=limit,
        moc_order=moc_order,
    )


@router.get(
    "/coverage",
    response_model=CoverageOut,
    summary="How much of a region the products cover (landing-site work)",
    responses={400: {"description": "Bad parameters"}},
)
@connected
def coverage(
    node: NodeDep,
    conn: Connection,
    viewer: ViewerDep,
    now: NowDep,
    req: Annotated[CoverageRequest, Depends(coverage_request)],
) -> dict[str, Any]:
    return coverage_report(conn, viewer, now, req)
