"""Search property names → where the catalog keeps them: a column, a term, or the JSON map.

The PDS Search API names properties the harvest way (``pds:Time_Coordinates.pds:start_date_
time``, ``lidvid``, ``ref_lid_target``); people also expect short aliases (``target``,
``mission``, ``start_time``). Typed columns and ``product_terms`` are indexed, so every name
that has one is routed there; any other name is looked up in the ``properties`` JSON text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Float,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    not_,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB

from lunadc.catalog.tables import product_terms, products
from lunadc.errors import BadRequestError

Kind = Literal["column", "vid", "term", "json"]

# What a property name may look like (the q grammar's FIELD); checked at every entry point.
NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:/\-]{0,199}$")


@dataclass(frozen=True, slots=True)
class Field:
    """Where one property lives. ``name`` is the canonical (harvest) name shown to users."""

    name: str
    kind: Kind
    column: str | None = None  # products column (kind column; sort column for terms)
    term: str | None = None  # product_terms.name (kind term)
    is_time: bool = False
    case_sensitive: bool = True  # identifiers match exactly, names ignore case


_TIME = "pds:Time_Coordinates"
_IDENT = "pds:Identification_Area"


def _col(name: str, column: str, *, time: bool = False, exact: bool = True) -> Field:
    return Field(name, "column", column=column, is_time=time, case_sensitive=exact)


def _term(name: str, term: str, column: str | None = None) -> Field:
    return Field(name, "term", column=column, term=term, case_sensitive=False)


LIDVID = _col("lidvid", "lidvid")
HARVEST_TIME = _col("ops:Harvest_Info.ops:harvest_date_time", "ingested_at", time=True)
START_TIME = _col(f"{_TIME}.pds:start_date_time", "start_time", time=True)

_FIELDS: dict[str, Field] = {}
for _names, _field in [
    (("lid", f"{_IDENT}.pds:logical_identifier"), _col("lid", "lid")),
    (("vid", f"{_IDENT}.pds:version_id", "version"), Field("vid", "vid", column="vid")),
    (("lidvid", "id", "identifier"), LIDVID),
    (("title", f"{_IDENT}.pds:title"), _col("title", "title", exact=False)),
    (("product_class", f"{_IDENT}.pds:product_class"), _col("product_class", "product_class")),
    (("description",), _col("description", "description", exact=False)),
    # The access level as a property, so it can be filtered and faceted (the UI's facet).
    (("access", "access_level"), _col("access", "access")),
    (
        ("im_version", f"{_IDENT}.pds:information_model_version"),
        _col(f"{_IDENT}.pds:information_model_version", "im_version"),
    ),
    (("start_time", "start_date_time", START_TIME.name), START_TIME),
    (
        ("stop_time", "stop_date_time", f"{_TIME}.pds:stop_date_time"),
        _col(f"{_TIME}.pds:stop_date_time", "stop_time", time=True),
    ),
    (
        ("processing_level", "pds:Primary_Result_Summary.pds:processing_level"),
        _col("pds:Primary_Result_Summary.pds:processing_level", "processing_level", exact=False),
    ),
    (("harvest_date_time", "ingested_at", HARVEST_TIME.name), HARVEST_TIME),
    (
        ("node_name", "home_node", "ops:Harvest_Info.ops:node_name"),
        _col("ops:Harvest_Info.ops:node_name", "home_node"),
    ),
    (
        ("target", "target_name", "pds:Target_Identification.pds:name"),
        _term("pds:Target_Identification.pds:name", "target", "target"),
    ),
    (
        ("target_type", "pds:Target_Identification.pds:type"),
        _term("pds:Target_Identification.pds:type", "target_type"),
    ),
    (
        ("mission", "investigation", "investigation_name", "pds:Investigation_Area.pds:name"),
        _term("pds:Investigation_Area.pds:name", "investigation", "investigation"),
    ),
    (("instrument", "instrument_name"), _term("instrument", "instrument", "instrument")),
    (
        ("instrument_host", "instrument_host_name", "spacecraft"),
        _term("instrument_host", "instrument_host", "instrument_host"),
    ),
    (
        ("discipline", "discipline_name", "pds:Science_Facets.pds:discipline_name"),
        _term("pds:Science_Facets.pds:discipline_name", "discipline"),
    ),
]:
    for _alias in _names:
        _FIELDS[_alias.lower()] = _field

# The names /properties always lists, with their type (the JSON ones come from the catalog).
BUILTIN_TYPES: dict[str, str] = {
    f.name: ("timestamp" if f.is_time else "string") for f in _FIELDS.values()
}


def resolve(name: str) -> Field:
    """The field a property name (canonical, alias, any case for aliases) refers to."""
    if not NAME_PATTERN.match(name):
        raise BadRequestError(f"not a property name: {name[:80]!r}")
    known = _FIELDS.get(name.lower())
    if known is not None:
        return known
    if name.startswith(("ref_lid_", "ref_lidvid_")):
        return Field(name, "term", term=name)
    return Field(name, "json")


def column(field: Field) -> Any:
    assert field.column is not None
    return products.c[field.column]


def json_values(dialect: str, key: str) -> Any:
    """A table-valued expression of the JSON list under ``key`` (correlated to products)."""
    if dialect == "postgresql":
        source = cast(products.c.properties, JSONB)[key]
        return func.jsonb_array_elements_text(source).table_valued("value")
    # The path is a bound parameter (names are checked against NAME_PATTERN, so no quotes).
    return func.json_each(products.c.properties, literal(f'$."{key}"')).table_valued("value")


def json_first(dialect: str, key: str) -> ColumnElement[Any]:
    """The first value under ``key`` (for sorting), '' when absent."""
    value: ColumnElement[Any]
    if dialect == "postgresql":
        value = cast(products.c.properties, JSONB)[key].op("->>")(literal(0))
    else:
        value = func.json_extract(products.c.properties, literal(f'$."{key}"[0]'))
    return func.coalesce(value, "")


def as_number(dialect: str, expr: Any) -> ColumnElement[Any]:
    """``expr`` as a float when it looks like a number, else NULL (never a cast error)."""
    if dialect == "postgresql":
        pattern = r"^\s*[-+]?[0-9]{1,40}(\.[0-9]{0,40})?([eE][-+]?[0-9]{1,2})?\s*$"
        return case((expr.op("~")(pattern), cast(expr, Float)), else_=None)
    looks = and_(expr.op("GLOB")("*[0-9]*"), not_(expr.op("GLOB")("*[^0-9.eE+ -]*")))
    return case((looks, cast(expr, Float)), else_=None)


def term_exists(term: str, predicate: Any) -> ColumnElement[bool]:
    """True if the product has a ``term`` row whose value satisfies ``predicate(value)``."""
    # An alias: the facet query joins product_terms itself, which must not be correlated.
    t = product_terms.alias("qt")
    return exists(
        select(literal(1)).where(
            t.c.product_id == products.c.id, t.c.name == term, predicate(t.c.value)
        )
    )


def term_in(
    term: str, lowered: str, start_tests: Sequence[Callable[[Any], ColumnElement[bool]]] = ()
) -> ColumnElement[bool]:
    """Products with a ``term`` value equal to ``lowered`` ignoring case (index range).

    ``start_tests`` are tests of the product's start time (``start_time ge X`` of the same
    AND): terms carry that time, so the range narrows the same index range instead of
    intersecting two large sets of products.
    """
    t = product_terms.alias("qt")
    ids = select(t.c.product_id).where(
        t.c.name == term,
        func.lower(t.c.value) == lowered,
        *(test(t.c.start_time) for test in start_tests),
    )
    return products.c.id.in_(ids.correlate(None))


def json_exists(dialect: str, key: str, predicate: Any) -> ColumnElement[bool]:
    values = json_values(dialect, key)
    return exists(select(literal(1)).select_from(values).where(predicate(values.c.value)))


def sort_expression(dialect: str, field: Field) -> ColumnElement[Any]:
    """One value per product to order by; never NULL, so keyset comparisons stay total."""
    if field.kind == "vid":
        # Numeric order of versions (1.10 after 1.9), still one comparable value.
        return products.c.vid_major * 1_000_000 + products.c.vid_minor
    if field.column is not None:
        col = column(field)
        return col if not col.nullable else func.coalesce(col, "")
    return json_first(dialect, field.name)
