"""Facet counts: how many of the matching products carry each value of a property."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Connection, func, select, true

from lunadc.catalog import fields
from lunadc.catalog.tables import product_terms, products


@dataclass(frozen=True, slots=True)
class Facet:
    """One ``summary.facets`` entry: ``counts`` in descending order of count."""

    property: str
    counts: dict[str, int] = field(default_factory=dict)
    type: str = "terms"


def facet_counts(conn: Connection, where: ColumnElement[bool], name: str, limit: int) -> Facet:
    """The ``limit`` most frequent values of property ``name`` among products ``where``."""
    f = fields.resolve(name)
    # A product holds each (term name, value) once (``terms_of`` makes a set) and each column
    # value once, so a plain count is exact there; a DISTINCT per group cost a third more.
    count = func.count().label("n")
    if f.kind == "term":
        assert f.term is not None
        value = product_terms.c.value
        query = (
            select(value, count)
            .select_from(products.join(product_terms, product_terms.c.product_id == products.c.id))
            .where(where, product_terms.c.name == f.term)
        )
    elif f.kind in ("column", "vid"):
        value = products.c[f.column or "vid"]
        query = select(value, count).where(where, value.is_not(None))
    else:
        values = fields.json_values(conn.dialect.name, f.name)
        value = values.c.value
        # A JSON property's list may repeat a value within one product.
        count = func.count(func.distinct(products.c.id)).label("n")
        query = select(value, count).select_from(products).join(values, true()).where(where)
    query = query.group_by(value).order_by(count.desc(), value).limit(limit)
    return Facet(name, {str(v): int(n) for v, n in conn.execute(query)})
