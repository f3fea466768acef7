"""``Accept: application/geo+json``: products as a GeoJSON FeatureCollection of footprints.

Shape (RFC 7946; documented here for the web UI and other map clients)::

    {"type": "FeatureCollection",
     "numberMatched": <hits>, "numberReturned": <features on this page>,
     "search_after": [...],            # pass back as search-after for the next page
     "features": [
        {"type": "Feature", "id": "<lidvid>",
         "geometry": <GeoJSON geometry, split at 180°, valid around the poles> | null,
         "bbox": [west, south, east, north] | absent,   # west > east: crosses 180°
         "properties": {"lidvid", "title", "product_class", "target", "body",
                        "body_radius_km", "investigation", "instrument",
                        "instrument_host", "start_time", "stop_time",
                        "processing_level", "resolution_m", "access"}}]}

A product without a footprint is a Feature with ``"geometry": null``. Coordinates are
degrees, east longitude in -180..180, planetocentric latitude, on the product's ``body``.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection
from starlette.responses import Response

from lunadc.api.negotiation import CONTENT_TYPE, Format
from lunadc.catalog.footprints import Footprint, footprints_of
from lunadc.catalog.records import ProductRow
from lunadc.catalog.search import SearchResult
from lunadc.search.spatial import region_geojson

GEOJSON_DESCRIPTION = __doc__ or ""


def feature(row: ProductRow, fp: Footprint | None) -> dict[str, Any]:
    """One product as a GeoJSON Feature."""
    props: dict[str, Any] = {
        "lidvid": row.lidvid,
        "title": row.title,
        "product_class": row.product_class,
        "target": row.target,
        "body": fp.body if fp else None,
        "body_radius_km": fp.body_radius_km if fp else None,
        "investigation": row.investigation,
        "instrument": row.instrument,
        "instrument_host": row.instrument_host,
        "start_time": row.start_time,
        "stop_time": row.stop_time,
        "processing_level": row.processing_level,
        "resolution_m": fp.resolution_m if fp else None,
        "access": row.access,
    }
    out: dict[str, Any] = {
        "type": "Feature",
        "id": row.lidvid,
        "geometry": region_geojson(fp.region) if fp else None,
        "properties": props,
    }
    if fp is not None:
        out["bbox"] = list(fp.bounds)
    return out


def _response(body: dict[str, Any]) -> Response:
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(content, media_type=CONTENT_TYPE[Format.GEOJSON])


def render_collection(conn: Connection, result: SearchResult) -> Response:
    """A page of search results as a FeatureCollection."""
    fps = footprints_of(conn, [r.id for r in result.products])
    return _response(
        {
            "type": "FeatureCollection",
            "numberMatched": result.hits,
            "numberReturned": len(result.products),
            "search_after": result.search_after,
            "features": [feature(r, fps.get(r.id)) for r in result.products],
        }
    )


def render_feature(conn: Connection, row: ProductRow) -> Response:
    """One product as a Feature."""
    return _response(feature(row, footprints_of(conn, [row.id]).get(row.id)))
