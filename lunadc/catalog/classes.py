"""Product classes as the PDS Search API names them, and the searchable property names."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Connection, cast, func, literal, select
from sqlalchemy.dialects.postgresql import JSONB

from lunadc.catalog.fields import BUILTIN_TYPES
from lunadc.catalog.tables import products, search_properties
from lunadc.catalog.visibility import visible_clause
from lunadc.model.access import Viewer

# The PDS4 product classes (IM 1.x); /classes lists their API names.
PRODUCT_CLASSES = (
    "Product_AIP",
    "Product_Ancillary",
    "Product_Attribute_Definition",
    "Product_Browse",
    "Product_Bundle",
    "Product_Class_Definition",
    "Product_Collection",
    "Product_Context",
    "Product_DIP",
    "Product_DIP_Deep_Archive",
    "Product_Document",
    "Product_External",
    "Product_File_Repository",
    "Product_File_Text",
    "Product_Metadata_Supplemental",
    "Product_Native",
    "Product_Observational",
    "Product_Proxy_PDS3",
    "Product_SIP",
    "Product_SIP_Deep_Archive",
    "Product_SPICE_Kernel",
    "Product_Service",
    "Product_Software",
    "Product_Subscription_PDS",
    "Product_Thumbnail",
    "Product_Update",
    "Product_XML_Schema",
    "Product_Zipped",
)
_CLASS_NAME = re.compile(r"^[a-z0-9][a-z0-9\-]{0,60}$")


def api_name(product_class: str) -> str:
    """``Product_SPICE_Kernel`` → ``spice-kernel`` (the reference's naming)."""
    return product_class.removeprefix("Product_").lower().replace("_", "-")


_BY_NAME = {api_name(c): c for c in PRODUCT_CLASSES}


def class_names() -> list[str]:
    return sorted(_BY_NAME)


def product_classes_for(name: str) -> list[str] | None:
    """The product_class values an API class name stands for; ``[]`` is any, None unknown.

    Besides the reference's singular names, the plural names of the spec's enumeration
    (``collections``) are accepted: both are in use.
    """
    name = name.strip().lower()
    if name == "any":
        return []
    if not _CLASS_NAME.match(name):
        return None
    for candidate in (name, name.removesuffix("s")):
        if candidate in _BY_NAME:
            return [_BY_NAME[candidate]]
    return None


def property_types(conn: Connection, viewer: Viewer, now: str) -> list[dict[str, str]]:
    """Every searchable property with its type: the built-in ones and the labels' ones.

    A label's property name is listed only if ``viewer`` may see a product that holds it: a
    mission dictionary's attribute names can tell more than a restricted mission wants told.
    """
    types = dict(BUILTIN_TYPES)
    for name, kind in _visible_property_names(conn, viewer, now):
        types.setdefault(name, kind)
    ops = {
        "ops:Harvest_Info.ops:node_name": "string",
        "ops:Tracking_Meta.ops:archive_status": "string",
        "ops:Label_File_Info.ops:file_ref": "string",
        "ops:Data_File_Info.ops:file_ref": "string",
    }
    for name, kind in ops.items():
        types.setdefault(name, kind)
    return [{"property": n, "type": t} for n, t in sorted(types.items())]


def _visible_property_names(conn: Connection, viewer: Viewer, now: str) -> list[tuple[str, str]]:
    every = select(search_properties.c.name, search_properties.c.type)
    if viewer.sees_everything:
        return [(row.name, row.type) for row in conn.execute(every)]
    # Most names are vouched for by the product that brought them in; only the names whose
    # witness this viewer may not see need a look for another product holding them.
    witnessed = every.join(products, products.c.id == search_properties.c.witness_id).where(
        visible_clause(viewer, now)
    )
    found = [(row.name, row.type) for row in conn.execute(witnessed)]
    seen = {name for name, _ in found}
    for row in conn.execute(every):
        if row.name not in seen and _held_by_visible(conn, row.name, viewer, now):
            found.append((row.name, row.type))
    return found


def _held_by_visible(conn: Connection, name: str, viewer: Viewer, now: str) -> bool:
    held: ColumnElement[bool]
    if '"' in name:  # not expressible as a JSON path; hiding it is the safe side
        return False
    if conn.dialect.name == "postgresql":
        held = cast(products.c.properties, JSONB).has_key(name)
    else:
        held = func.json_type(products.c.properties, literal(f'$."{name}"')).is_not(None)
    probe = select(products.c.id).where(held, visible_clause(viewer, now)).limit(1)
    return conn.execute(probe).first() is not None
