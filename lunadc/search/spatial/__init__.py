"""Place on a body: regions on a sphere, exact predicates, a HEALPix cell index, coverage.

Pure geometry (no database, no HTTP). The pieces:

* **Regions** (:mod:`.regions`, :mod:`.polygon`): :class:`Point`, :class:`Circle`
  (geodesic radius; :meth:`Circle.from_km`), :class:`Box` (meridians and parallels,
  crossing 180°, containing a pole), :class:`Polygon` (great-circle edges, within a
  hemisphere, vertex order free), :class:`MultiRegion` (a union). Degrees, east longitude
  in -180..180 or 0..360, planetocentric latitude; closed sets (boundary included within
  :data:`TOL` radians). :func:`region_from_geometry` turns a label's footprint into one.
* **Bodies** (:mod:`.bodies`): :data:`BODY_RADII_KM`, :func:`body_radius_km`,
  :func:`canonical_body`.
* **Parameters** (:mod:`.parse`): ``point=``, ``circle=``, ``bbox=``, ``polygon=``,
  ``intersects=`` (GeoJSON) → regions, with one-line :class:`~lunadc.errors.BadRequestError`.
* **Predicates** (:mod:`.predicates`): :func:`intersects`, :func:`contains`,
  :func:`covers`, :func:`distance` — exact on the sphere.
* **Cells** (:mod:`.cells`): :func:`cells_for_region` (a conservative covering by at most
  ``max_cells`` nested HEALPix cells of mixed orders, each stored as its order-29 range
  ``[lo, hi)``) and :func:`cell_query` (the range scans and ancestor look-ups that find
  stored cells overlapping a query's cells).
* **Coverage** (:mod:`.coverage`): :func:`coverage` and :class:`CoverageContext` (fraction
  of a circle/polygon covered by a union of footprints; covered and uncovered parts as
  GeoJSON and MOC).
* **GeoJSON out** (:mod:`.geojson`): :func:`region_geojson` — split at 180°, valid around
  the poles, densified edges.
"""

from lunadc.search.spatial.bodies import (
    BODY_RADII_KM,
    UnknownBodyError,
    body_radius_km,
    canonical_body,
)
from lunadc.search.spatial.cells import (
    DEFAULT_MAX_CELLS,
    FINEST_ORDER,
    Cell,
    CellQuery,
    cell_query,
    cell_ranges,
    cells_for_region,
    cells_moc,
    cells_overlap,
    region_moc,
)
from lunadc.search.spatial.coverage import CoverageContext, CoverageResult, Piece, coverage
from lunadc.search.spatial.geojson import region_geojson
from lunadc.search.spatial.parse import (
    parse_bbox,
    parse_circle,
    parse_intersects,
    parse_point,
    parse_polygon,
    parse_region,
    region_from_geojson,
    region_from_geometry,
    resolve_body_radius,
)
from lunadc.search.spatial.polygon import Polygon
from lunadc.search.spatial.predicates import contains, covers, distance, intersects
from lunadc.search.spatial.regions import (
    Box,
    Circle,
    GeometryError,
    MultiRegion,
    Point,
    Region,
    Shape,
    make_box,
    union,
)
from lunadc.search.spatial.vec import TOL

__all__ = [
    "BODY_RADII_KM",
    "DEFAULT_MAX_CELLS",
    "FINEST_ORDER",
    "TOL",
    "Box",
    "Cell",
    "CellQuery",
    "Circle",
    "CoverageContext",
    "CoverageResult",
    "GeometryError",
    "MultiRegion",
    "Piece",
    "Point",
    "Polygon",
    "Region",
    "Shape",
    "UnknownBodyError",
    "body_radius_km",
    "canonical_body",
    "cell_query",
    "cell_ranges",
    "cells_for_region",
    "cells_moc",
    "cells_overlap",
    "contains",
    "coverage",
    "covers",
    "distance",
    "intersects",
    "make_box",
    "parse_bbox",
    "parse_circle",
    "parse_intersects",
    "parse_point",
    "parse_polygon",
    "parse_region",
    "region_from_geojson",
    "region_from_geometry",
    "region_geojson",
    "region_moc",
    "resolve_body_radius",
    "union",
]
