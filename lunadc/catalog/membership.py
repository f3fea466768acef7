"""Bundle → collection → basic product walks, as WHERE clauses over ``products``.

A collection's inventory rows and a bundle's member entries are ``product_members`` rows; a
row with a VID means exactly that version, a row without one means the latest version. The
clauses are used as the scope of an ordinary search, so members lists sort, filter, page and
count like any other list. Intermediate levels are filtered by visibility too: a collection
the viewer may not see does not reveal its members.
"""

from __future__ import annotations

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Select,
    and_,
    false,
    or_,
    select,
    true,
    union,
)

from lunadc.catalog.records import ProductRow
from lunadc.catalog.tables import product_members, products
from lunadc.catalog.visibility import visible_clause
from lunadc.errors import BadRequestError
from lunadc.model.access import Viewer

BUNDLE = "Product_Bundle"
COLLECTION = "Product_Collection"


def _member_ids(parent_ids: Select[tuple[int]] | list[int]) -> Select[tuple[int]]:
    """Ids of the product versions that rows of ``parent_ids`` list as members."""
    member = products.alias("member")
    m = product_members
    return (
        select(member.c.id)
        .join(
            m,
            and_(
                m.c.member_lid == member.c.lid,
                or_(
                    m.c.member_vid == member.c.vid,
                    and_(m.c.member_vid.is_(None), member.c.is_latest == true()),
                ),
            ),
        )
        .where(m.c.parent_id.in_(parent_ids))
        .correlate(None)
    )


def _visible_ids(conn: Connection, ids: Select[tuple[int]], viewer: Viewer, now: str) -> list[int]:
    rows = conn.execute(
        select(products.c.id).where(products.c.id.in_(ids), visible_clause(viewer, now))
    )
    return list(rows.scalars())


def members_ids(
    conn: Connection, viewer: Viewer, now: str, parent: ProductRow, depth: int
) -> Select[tuple[int]]:
    """Members of a bundle (its collections) or a collection (its products); depth 2 from a
    bundle: the products of its collections."""
    if depth == 2 and parent.product_class != BUNDLE:
        raise BadRequestError(f"{parent.lidvid} is not a bundle: members/members needs one")
    if parent.product_class not in (BUNDLE, COLLECTION):
        raise BadRequestError(
            f"{parent.lidvid} is a {parent.product_class}: "
            "only bundles and collections have members"
        )
    ids = _member_ids([parent.id])
    if depth == 2:
        ids = _member_ids(_visible_ids(conn, ids, viewer, now))
    return ids


def _parent_ids(lid: str, vid: str, is_latest: bool) -> Select[tuple[int]]:
    m = product_members
    any_version = m.c.member_vid.is_(None) if is_latest else false()
    return (
        select(m.c.parent_id)
        .where(m.c.member_lid == lid, or_(m.c.member_vid == vid, any_version))
        .correlate(None)
    )


def member_of_ids(
    conn: Connection, viewer: Viewer, now: str, child: ProductRow, depth: int
) -> Select[tuple[int]] | CompoundSelect[tuple[int]]:
    """The collections (or bundles) that list ``child``; depth 2 from a basic product: the
    bundles that list those collections."""
    if child.product_class == BUNDLE:
        raise BadRequestError(f"{child.lidvid} is a bundle: it is a member of nothing")
    if depth == 2 and child.product_class == COLLECTION:
        raise BadRequestError(
            f"{child.lidvid} is a collection: member-of/member-of needs a product"
        )
    ids = _parent_ids(child.lid, child.vid, child.is_latest)
    if depth == 1:
        return ids
    parents = conn.execute(
        select(products.c.lid, products.c.vid, products.c.is_latest).where(
            products.c.id.in_(ids), visible_clause(viewer, now)
        )
    ).all()
    if not parents:
        return select(products.c.id).where(false()).correlate(None)
    return union(*(_parent_ids(p.lid, p.vid, bool(p.is_latest)) for p in parents))


def walk_clause(
    ids: Select[tuple[int]] | CompoundSelect[tuple[int]], versions: str | None
) -> ColumnElement[bool]:
    """The products a walk reached: exactly those versions (``versions`` None), or every /
    the latest version of their LIDs (``all`` / ``latest``, the ``/{versions}`` endpoints)."""
    if versions is None:
        return products.c.id.in_(ids)
    reached = products.alias("reached")
    lids = select(reached.c.lid).where(reached.c.id.in_(ids)).correlate(None)
    return products.c.lid.in_(lids)
