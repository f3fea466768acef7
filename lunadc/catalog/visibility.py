"""The one policy check compiled into SQL: what a viewer may see, filtered in the database.

Every read path (lists, counts, facets, get, members, files, archives, properties, GeoJSON,
coverage, change feed, UI) filters with ``visible_clause`` or asks ``may_see``; nothing else
decides visibility (``lunadc.model.access.may_see`` is the same rule for one product in
hand). A product becomes public by itself once its ``release_at`` has passed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    FromClause,
    and_,
    exists,
    false,
    not_,
    or_,
    select,
    true,
    tuple_,
)

from lunadc.catalog.tables import product_groups, products
from lunadc.model.access import Access, Viewer


def visible_clause(
    viewer: Viewer, now: str | BindParameter[Any], table: FromClause | None = None
) -> ColumnElement[bool]:
    """A WHERE clause over ``products`` (or an alias of it) that keeps exactly what ``viewer``
    may see at ``now`` (a time, or a bound parameter for a statement built once)."""
    if viewer.sees_everything:
        return true()
    t = products if table is None else table
    released = and_(t.c.release_at.is_not(None), t.c.release_at <= now)
    allowed = [t.c.access == Access.PUBLIC.value, released]
    if viewer.partner:
        allowed.append(t.c.access == Access.PARTNER.value)
    if viewer.groups:
        allowed.append(
            and_(
                t.c.access == Access.RESTRICTED.value,
                exists(
                    select(product_groups.c.product_id).where(
                        product_groups.c.product_id == t.c.id,
                        product_groups.c.group_name.in_(sorted(viewer.groups)),
                    )
                ),
            )
        )
    return or_(*allowed) if allowed else false()


def has_superseded(conn: Connection) -> bool:
    """Whether any product version has a newer one (one index probe)."""
    probe = select(products.c.id).where(products.c.is_latest == false()).limit(1)
    return conn.execute(probe).first() is not None


def latest_visible_clause(viewer: Viewer, now: str, *, superseded: bool) -> ColumnElement[bool]:
    """Keeps the newest version of each LID among those ``viewer`` may see.

    A newer version under embargo must not hide the public one before it: to that viewer the
    embargoed version does not exist, so the older one is the latest. ``superseded`` (from
    ``has_superseded``) lets a catalog with no older versions keep the plain indexed flag.
    """
    latest = products.c.is_latest == true()
    if viewer.sees_everything or not superseded:
        return latest
    newer = products.alias("newer")
    newer_visible = exists(
        select(newer.c.id).where(
            newer.c.lid == products.c.lid,
            tuple_(newer.c.vid_major, newer.c.vid_minor)
            > tuple_(products.c.vid_major, products.c.vid_minor),
            visible_clause(viewer, now, newer),
        )
    )
    return or_(latest, and_(products.c.is_latest == false(), not_(newer_visible)))
