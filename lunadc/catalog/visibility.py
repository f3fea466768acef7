"""The one policy check compiled into SQL: what a viewer may see, filtered in the database.

Every read path (lists, counts, facets, get, members, files, archives, properties, GeoJSON,
coverage, change feed, UI) filters with ``visible_clause`` or asks ``may_see``; nothing else
decides visibility (``lunadc.model.access.may_see`` is the same rule for one product in
hand). A product becomes public by itself once its ``release_at`` has passed.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from lunadc.catalog.tables import product_groups, products
from lunadc.model.access import Access, Viewer


def visible_clause(viewer: Viewer, now: str) -> ColumnElement[bool]:
    """A WHERE clause over ``products`` that keeps exactly what ``viewer`` may see at ``now``."""
    if viewer.sees_everything:
        return true()
    released = and_(products.c.release_at.is_not(None), products.c.release_at <= now)
    allowed = [products.c.access == Access.PUBLIC.value, released]
    if viewer.partner:
        allowed.append(products.c.access == Access.PARTNER.value)
    if viewer.groups:
        allowed.append(
            and_(
                products.c.access == Access.RESTRICTED.value,
                exists(
                    select(product_groups.c.product_id).where(
                        product_groups.c.product_id == products.c.id,
                        product_groups.c.group_name.in_(sorted(viewer.groups)),
                    )
                ),
            )
        )
    return or_(*allowed) if allowed else false()
