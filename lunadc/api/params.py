"""Query parameters of the PDS Search API, parsed once into ``SearchParams``.

List parameters come repeated (``fields=a&fields=b``, the PDS client's way) or comma-joined
(``fields=a,b``); both are accepted. A parameter the endpoint does not know is a 400 naming
it, as the reference server's security filter does (a typo must not silently do nothing).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from lunadc.catalog.search import DEFAULT_LIMIT, SearchParams
from lunadc.errors import BadRequestError
from lunadc.search.spatial.place import PLACE_PARAMS, Place, parse_place

LIST_PARAMS = frozenset(
    {"q", "keywords", "fields", "limit", "sort", "search-after", "facet-fields", "facet-limit"}
    | set(PLACE_PARAMS)
    | {"federated"}  # this node and its peers at once (lunadc.federation.search)
)
SINGLE_PARAMS = frozenset({"fields"})


def check_known(request: Request, allowed: Iterable[str]) -> None:
    known = set(allowed)
    unknown = sorted({k for k in request.query_params if k not in known})
    if unknown:
        raise BadRequestError(
            f"unknown query parameter(s): {', '.join(unknown)[:300]} "
            f"(allowed: {', '.join(sorted(known)) or 'none'})"
        )
    for key in ({"q", "limit", "facet-limit"} | set(PLACE_PARAMS)) & known:
        if len(request.query_params.getlist(key)) > 1:
            raise BadRequestError(f"query parameter {key} given more than once")


def allow(*names: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency that rejects any query parameter outside ``names``."""

    async def dependency(request: Request) -> None:
        check_known(request, names)

    return dependency


def split_list(values: list[str] | None, *, commas: bool = True) -> tuple[str, ...]:
    out: list[str] = []
    for value in values or []:
        parts = value.split(",") if commas else [value]
        out.extend(p.strip() for p in parts if p.strip())
    return tuple(out)


FieldsQuery = Annotated[
    list[str] | None,
    Query(description="Properties to return (repeat or comma-join).", max_length=200),
]
QQuery = Annotated[str, Query(description="A query in the PDS q language.", max_length=10_000)]
KeywordsQuery = Annotated[
    list[str] | None, Query(description="Free-text words over title and description.")
]
LimitQuery = Annotated[int, Query(description="Page size (0: counts and facets only).")]
SortQuery = Annotated[list[str] | None, Query(description="Properties to sort by (ascending).")]
AfterQuery = Annotated[
    list[str] | None,
    Query(alias="search-after", description="The summary.search_after of the previous page."),
]
FacetFieldsQuery = Annotated[
    list[str] | None, Query(alias="facet-fields", description="Properties to count values of.")
]
FacetLimitQuery = Annotated[
    int, Query(alias="facet-limit", description="How many values per facet.")
]


_LONLAT = "degrees: east longitude (-180..180 or 0..360), planetocentric latitude"
TargetQuery = Annotated[
    str | None,
    Query(description="Target body (Moon, Mars, ...): its footprints only.", max_length=64),
]
PointQuery = Annotated[
    str | None,
    Query(description=f"LON,LAT: footprints containing the point ({_LONLAT})."),
]
CircleQuery = Annotated[
    str | None,
    Query(description="LON,LAT,RADIUS_KM: footprints meeting the circle (needs target)."),
]
BboxQuery = Annotated[
    str | None,
    Query(description="WEST,SOUTH,EAST,NORTH: meridians and parallels; WEST > EAST crosses 180°."),
]
PolygonQuery = Annotated[
    str | None,
    Query(description="LON1,LAT1,LON2,LAT2,...: great-circle edges, closed implicitly."),
]
IntersectsQuery = Annotated[
    str | None,
    Query(description="A GeoJSON geometry (Point, Polygon, Multi*, GeometryCollection)."),
]
StartQuery = Annotated[
    str | None, Query(description="ISO-8601: products whose time span ends at or after it.")
]
StopQuery = Annotated[
    str | None, Query(description="ISO-8601: products whose time span starts at or before it.")
]


async def place_request(
    target: TargetQuery = None,
    point: PointQuery = None,
    circle: CircleQuery = None,
    bbox: BboxQuery = None,
    polygon: PolygonQuery = None,
    intersects: IntersectsQuery = None,
    start: StartQuery = None,
    stop: StopQuery = None,
) -> Place | None:
    """The place and time parameters (``None`` when none is given)."""
    return parse_place(
        target=target,
        point=point,
        circle=circle,
        bbox=bbox,
        polygon=polygon,
        intersects=intersects,
        start=start,
        stop=stop,
    )


@dataclass(frozen=True, slots=True)
class ListRequest:
    """A list endpoint's parsed parameters: what to search and which fields to show."""

    params: SearchParams
    fields: tuple[str, ...]


async def list_request(
    request: Request,
    q: QQuery = "",
    keywords: KeywordsQuery = None,
    fields: FieldsQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    sort: SortQuery = None,
    search_after: AfterQuery = None,
    facet_fields: FacetFieldsQuery = None,
    facet_limit: FacetLimitQuery = 10,
    place: Annotated[Place | None, Depends(place_request)] = None,
) -> ListRequest:
    check_known(request, LIST_PARAMS)
    sort_fields = split_list(sort)
    after = split_list(search_after, commas=False)
    if len(after) == 1 and len(sort_fields) > 1:
        # A single comma-joined value for several sort keys (values never hold commas then).
        after = split_list(list(after))
    params = SearchParams(
        q=q,
        keywords=split_list(keywords, commas=False),
        limit=limit,
        sort=sort_fields,
        search_after=after,
        facet_fields=split_list(facet_fields),
        facet_limit=facet_limit,
        place=place,
    )
    return ListRequest(params, split_list(fields))


async def versions_request(
    request: Request,
    fields: FieldsQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    sort: SortQuery = None,
    search_after: AfterQuery = None,
) -> ListRequest:
    """``/products/{id}/all``: no q, keywords or facets there (as in the reference)."""
    check_known(request, {"fields", "limit", "sort", "search-after"})
    params = SearchParams(
        limit=limit, sort=split_list(sort), search_after=split_list(search_after, commas=False)
    )
    return ListRequest(params, split_list(fields))


async def fields_request(request: Request, fields: FieldsQuery = None) -> tuple[str, ...]:
    check_known(request, {"fields"})
    return split_list(fields)
