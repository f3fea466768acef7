"""The PDS Search API product endpoints: lists, single products, versions, members walks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields as dataclass_fields
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import CompoundSelect, Connection, Select, bindparam, select
from starlette.responses import JSONResponse, Response

from lunadc.api.deps import CacheDep, NodeDep, NowDep, ViewerDep, connected
from lunadc.api.geo import GEOJSON_DESCRIPTION, render_collection, render_feature
from lunadc.api.negotiation import Format, negotiate
from lunadc.api.params import ListRequest, fields_request, list_request, versions_request
from lunadc.api.render import render_list, render_one
from lunadc.api.views import Shown
from lunadc.catalog import membership
from lunadc.catalog.records import ProductRow, StoredFile
from lunadc.catalog.search import LATEST, Scope, get_visible, search_products, versions_scope
from lunadc.catalog.search_cache import SearchCache
from lunadc.catalog.tables import product_files
from lunadc.errors import NotFoundError
from lunadc.model.access import Viewer
from lunadc.model.identifiers import parse_identifier
from lunadc.node import Node

router = APIRouter(tags=["products"])

IdPath = Annotated[
    str,
    Path(description="A LIDVID (that version) or a LID (its latest version), percent-encoded."),
]
Versions = Literal["all", "latest"]
ListDep = Annotated[ListRequest, Depends(list_request)]
FieldsDep = Annotated[tuple[str, ...], Depends(fields_request)]

PRODUCT_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The product(s) in the negotiated format.",
        "content": {
            "application/json": {},
            "application/xml": {},
            "application/vnd.nasa.pds.pds4+xml": {},
            "text/csv": {},
            "text/html": {},
            "application/geo+json": {
                "schema": {"type": "object", "description": GEOJSON_DESCRIPTION}
            },
        },
    },
    400: {"description": "Bad parameters", "content": {"application/problem+json": {}}},
    404: {"description": "No such product", "content": {"application/problem+json": {}}},
    406: {"description": "Unsupported Accept", "content": {"application/problem+json": {}}},
}


def base_url(request: Request, node: Node) -> str:
    return (node.config.base_url or str(request.base_url)).rstrip("/")


# The columns in StoredFile's field order, so that each file is built positionally.
_STORED_FILE_COLUMNS = tuple(product_files.c[f.name] for f in dataclass_fields(StoredFile))


_FILES_OF = (
    select(product_files.c.product_id, *_STORED_FILE_COLUMNS)
    .where(product_files.c.product_id.in_(bindparam("ids", expanding=True)))
    .order_by(product_files.c.product_id, product_files.c.role.desc(), product_files.c.path)
)  # built once: every product answer asks it


def files_by_product(conn: Connection, ids: Sequence[int]) -> dict[int, list[StoredFile]]:
    found: dict[int, list[StoredFile]] = {i: [] for i in ids}
    if not ids:
        return found
    # One fetch: row by row costs a driver call per file of a page.
    rows = conn.execute(_FILES_OF, {"ids": list(ids)}).all()
    for product_id, *stored in rows:
        found[product_id].append(StoredFile(*stored))
    return found


def show(conn: Connection, rows: list[ProductRow], base: str) -> list[Shown]:
    files = files_by_product(conn, [r.id for r in rows])
    return [Shown(r, files[r.id], base) for r in rows]


def resolve(conn: Connection, viewer: Viewer, now: str, identifier: str) -> ProductRow:
    """The product a path identifier names, or 404 (also when the viewer may not see it)."""
    lid, vid = parse_identifier(identifier)
    row = get_visible(conn, viewer, now, lid, vid)
    if row is None:
        raise NotFoundError(f"no product {identifier[:300]}")
    return row


def answer_list(
    request: Request,
    node: Node,
    conn: Connection,
    viewer: Viewer,
    now: str,
    listing: ListRequest,
    scope: Scope,
    cache: SearchCache,
) -> Response:
    fmt = negotiate(request.headers.get("accept"))
    result = search_products(conn, viewer, now, listing.params, scope=scope, cache=cache)
    if fmt is Format.GEOJSON:
        return render_collection(conn, result)
    page = show(conn, result.products, base_url(request, node))
    return render_list(
        node, fmt, result, page, listing.fields, listing.params.q, listing.params.limit
    )


def answer_one(
    request: Request, node: Node, conn: Connection, row: ProductRow, wanted: tuple[str, ...]
) -> Response:
    fmt: Format = negotiate(request.headers.get("accept"))
    if fmt is Format.GEOJSON:
        return render_feature(conn, row)
    return render_one(node, fmt, show(conn, [row], base_url(request, node))[0], wanted)


@router.get("/products", responses=PRODUCT_RESPONSES, summary="Search the latest products")
@connected
def products_list(
    request: Request,
    node: NodeDep,
    conn: Connection,
    viewer: ViewerDep,
    now: NowDep,
    cache: CacheDep,
    listing: ListDep,
    federated: Annotated[
        bool, Query(description="Search every peer node too (partial if one is down).")
    ] = False,
) -> Response:
    if federated:
        from lunadc.federation.http import federated_answer

        return JSONResponse(federated_answer(request, viewer, listing))
    return answer_list(request, node, conn, viewer, now, listing, LATEST, cache)


@router.get("/products/{identifier}", responses=PRODUCT_RESPONSES, summary="One product")
@connected
def product_one(
    request: Request,
    identifier: IdPath,
    node: NodeDep,
    conn: Connection,
    viewer: ViewerDep,
    now: NowDep,
    wanted: FieldsDep,
) -> Response:
    return answer_one(request, node, conn, resolve(conn, viewer, now, identifier), wanted)


@router.get("/products/{identifier}/latest", responses=PRODUCT_RESPONSES)
@connected
def product_latest(
    request: Request,
    identifier: IdPath,
    node: NodeDep,
    conn: Connection,
    viewer: ViewerDep,
    now: NowDep,
    wanted: FieldsDep,
) -> Response:
    """The latest version (of a LIDVID's LID, too) the viewer may see."""
    lid, _vid = parse_identifier(identifier)
    return answer_one(request, node, conn, resolve(conn, viewer, now, lid), wanted)


@router.get("/products/{identifier}/all", responses=PRODUCT_RESPONSES)
@connected
def product_all(
    request: Request,
    identifier: IdPath,
    node: NodeDep,
    conn: Connection,
    viewer: ViewerDep,
    now: NowDep,
    cache: CacheDep,
    listing: Annotated[ListRequest, Depends(versions_request)],
) -> Response:
    """Every version of a LID (a LIDVID: just that version)."""
    lid, vid = parse_identifier(identifier)
    resolve(conn, viewer, now, identifier)  # 404 when nothing of it may be seen
    scope = versions_scope(lid, vid)
    return answer_list(request, node, conn, viewer, now, listing, scope, cache)


def _walk(
    request: Request,
    identifier: str,
    node: Node,
    conn: Connection,
    viewer: Viewer,
    now: str,
    cache: SearchCache,
    listing: ListRequest,
    *,
    down: bool,
    depth: int,
    versions: str | None = None,
) -> Response:
    row = resolve(conn, viewer, now, identifier)
    ids: Select[tuple[int]] | CompoundSelect[tuple[int]]
    if down:
        ids = membership.members_ids(conn, viewer, now, row, depth)
    else:
        ids = membership.member_of_ids(conn, viewer, now, row, depth)
    clause = membership.walk_clause(ids, versions)
    kind = ("members" if down else "member-of", depth, versions)
    scope = Scope(clause, (*kind, row.id), latest_only=versions == "latest")
    return answer_list(request, node, conn, viewer, now, listing, scope, cache)


@router.get("/products/{identifier}/members", responses=PRODUCT_RESPONSES)
@connected
def members(
    request: Request,
    identifier: IdPath,
    node: NodeDep,
    conn: Connection,
    viewer: ViewerDep,
    now: NowDep,
    cache: CacheDep,
    listing: ListDep,
) -> Response:
    """A bundle's collections, or a collection's products (the versions it lists)."""
    return _walk(request, identifier, node, conn, viewer, now, cache, listing, down=True, depth=1)


@router.get("/products/{identifier}/members/members", responses=PRODUCT_RESPONSES)
@connected
def members_members(
    request: Request,
    identifier: IdPath,
    node: NodeDep,
    conn: Connection,
    viewer: ViewerDep,
    now: NowDep,
    cache: CacheDep,
    listing: ListDep,
) -> Response:
    """The products of a bundle's collections."""
    return _walk(request, identifier, node, conn, viewer, now, cache, listing, down=True, depth=2)


@router.get("/products/{identifier}/member-of", responses=PRODUCT_RESPONSES)
@connected
def member_of(
    request: Request,
    identifier: IdPath,
    node: NodeDep,
    conn: Connection,
    viewer: ViewerDep,
    now: NowDep,
    cache: CacheDep,
    listing: ListDep,
) -> Response:
    """The collections that list a product, or the bundles that list a collection."""
    return _walk(request, identifier, node, conn, viewer, now, cache, listing, down=False, depth=1)


@router.get("/products/{identifier}/member-of/member-of", responses=PRODUCT_RESPONSES)
@connected
def member_of_of(
    request: Request,
    identifier: IdPath,
    node: NodeDep,
    conn: Connection,
    viewer: ViewerDep,
    now: NowDep,
    cache: CacheDep,
    listing: ListDep,
) -> Response:
    """The bundles of the collections that list a product."""
    return _walk(request, identifier, node, conn, viewer, now, cache, listing, down=False, depth=2)


def _versions_route(path: str, *, down: bool, depth: int) -> None:
    def endpoint(
        request: Request,
        identifier: IdPath,
        versions: Versions,
        node: NodeDep,
        conn: Connection,
        viewer: ViewerDep,
        now: NowDep,
        cache: CacheDep,
        listing: ListDep,
    ) -> Response:
        return _walk(
            request,
            identifier,
            node,
            conn,
            viewer,
            now,
            cache,
            listing,
            down=down,
            depth=depth,
            versions=versions,
        )

    name = path.replace("/", "_").replace("-", "_").strip("_{}")
    router.add_api_route(
        path,
        connected(endpoint),
        methods=["GET"],
        responses=PRODUCT_RESPONSES,
        name=name,
        summary="The same walk, resolved to all or the latest versions of what it reaches",
    )


_versions_route("/products/{identifier}/members/members/{versions}", down=True, depth=2)
_versions_route("/products/{identifier}/members/{versions}", down=True, depth=1)
_versions_route("/products/{identifier}/member-of/member-of/{versions}", down=False, depth=2)
_versions_route("/products/{identifier}/member-of/{versions}", down=False, depth=1)
