"""The search structures kept beside each product: keyword words and property names.

``register`` writes a product's words (``terms.words_of``) and property names (here) in its
transaction, so a product is searchable by keywords exactly when it is registered;
``reindex_all`` rebuilds both for a whole catalog (the 0002 migration uses it for products
registered before it existed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from lunadc.catalog.tables import product_words, products, search_properties

# Re-exported: keyword search and the benchmarks split words the way the index stores them.
from lunadc.catalog.terms import words_of as words_of
from lunadc.model.product import Label

_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")
_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+)?Z?$")


def value_type(values: Sequence[str]) -> str:
    """The /properties type of a property from its first values (as the reference names them)."""
    sample = [v.strip() for v in values[:5] if v.strip()]
    if not sample:
        return "string"
    for kind, pattern in (("integer", _INT), ("float", _FLOAT), ("timestamp", _TIME)):
        if all(pattern.match(v) for v in sample):
            return kind
    if all(v.lower() in ("true", "false") for v in sample):
        return "boolean"
    return "string"


def _insert_ignore(conn: Connection, rows: list[dict[str, Any]]) -> None:
    # Two ingests may meet the same new name at once: "insert unless present" per dialect.
    if conn.dialect.name == "postgresql":
        conn.execute(postgresql.insert(search_properties).on_conflict_do_nothing(), rows)
    else:
        conn.execute(sqlite.insert(search_properties).on_conflict_do_nothing(), rows)


def index_product(
    conn: Connection,
    product_id: int,
    *,
    title: str,
    descriptions: Iterable[str | None],
    properties: Mapping[str, Sequence[str]],
    known_names: set[str] | None = None,
) -> None:
    """Index one product's words and register the property names it brings."""
    words = words_of([title, *descriptions])
    conn.execute(delete(product_words).where(product_words.c.product_id == product_id))
    if words:
        conn.execute(insert(product_words), [{"word": w, "product_id": product_id} for w in words])
    if known_names is None:
        names = list(properties)
        known_names = set(
            conn.execute(
                select(search_properties.c.name).where(search_properties.c.name.in_(names))
            ).scalars()
        )
    new: list[dict[str, Any]] = [
        {"name": name, "type": value_type(list(values)), "witness_id": product_id}
        for name, values in properties.items()
        if name not in known_names and len(name) <= 300
    ]
    if new:
        _insert_ignore(conn, new)
        known_names.update(row["name"] for row in new)


def reindex_all(conn: Connection, batch: int = 2000) -> int:
    """Rebuild the words and property names of every product; returns how many."""
    known: set[str] = set(conn.execute(select(search_properties.c.name)).scalars())
    done, last_id = 0, 0
    while True:
        rows = conn.execute(
            select(products.c.id, products.c.title, products.c.description, products.c.properties)
            .where(products.c.id > last_id)
            .order_by(products.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return done
        for row in rows:
            props = json.loads(row.properties or "{}")
            index_product(
                conn,
                row.id,
                title=row.title,
                descriptions=[row.description, *props.get("description", [])],
                properties=props,
                known_names=known,
            )
        done += len(rows)
        last_id = rows[-1].id


def register_property_names(conn: Connection, items: Sequence[tuple[int, Label]]) -> None:
    """Register the property names a batch of newly registered products brings (their words
    are written by ``register`` with the rest of their rows)."""
    names: dict[str, str] = {}
    witnesses: dict[str, int] = {}
    seen: set[str] = set()
    for product_id, label in items:
        # Products of a batch mostly share their names: only the new ones are looked at.
        for name in label.properties.keys() - seen:
            seen.add(name)
            if len(name) <= 300:
                names[name] = value_type(list(label.properties[name]))
                witnesses[name] = product_id
    wanted = sorted(names)
    known: set[str] = set()
    for start in range(0, len(wanted), 400):
        known.update(
            conn.execute(
                select(search_properties.c.name).where(
                    search_properties.c.name.in_(wanted[start : start + 400])
                )
            ).scalars()
        )
    new = [
        {"name": n, "type": names[n], "witness_id": witnesses[n]} for n in wanted if n not in known
    ]
    if new:
        _insert_ignore(conn, new)
