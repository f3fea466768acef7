"""A superset of a query's products, as a sorted array of ids, from the terms index alone.

A place search meets thousands of footprints near a pole; testing each against the rest of
the filter (a mission, an instrument) costs a few microseconds of index probes per
footprint, tens of milliseconds in all, to keep one in ten. When ``q`` names terms
(``mission eq "X"``), the ids of the products having those terms come from one index range
each, and intersecting them with the footprints' ids in memory costs well under a
millisecond. Like a search engine's filter cache, the array is kept (per ``q``, valid
for one catalog generation: ``SearchCache``) so that panning a map with the same filter
pays for it once.

The array only narrows: it holds every product the query can match (comparisons it
cannot answer from the index are left out of an AND, never guessed), and the full filter
is still applied to what remains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, func, select

from lunadc.catalog import fields
from lunadc.catalog.search_cache import SearchCache
from lunadc.catalog.tables import product_terms
from lunadc.search.query import And, Comparison, Or, parse_query
from lunadc.search.query import Node as QueryNode

IdArray = np.ndarray[Any, np.dtype[np.int64]]
IdSet = Callable[[], IdArray | None]
"""Computes (or fetches) the narrowing ids when a caller finds them worth it."""

MAX_IDS = 250_000
"""A term matching more products than this (``target eq "Moon"``) narrows too little to be
worth its array: it is left out (of an AND) or gives up (alone or in an OR)."""


@dataclass(frozen=True, slots=True)
class _Term:
    name: str
    lowered: str


@dataclass(frozen=True, slots=True)
class _All:
    parts: tuple[Narrowing, ...]


@dataclass(frozen=True, slots=True)
class _Any:
    parts: tuple[Narrowing, ...]


Narrowing = _Term | _All | _Any


def narrowing(node: QueryNode | None) -> Narrowing | None:
    """What of ``node`` the terms index answers (a superset of its matches), or ``None``."""
    if isinstance(node, Comparison):
        field = fields.resolve(node.field)
        if node.op == "eq" and not node.numeric and field.kind == "term":
            assert field.term is not None
            return _Term(field.term, node.value.lower())
        return None
    if isinstance(node, And):
        kept = tuple(n for n in (narrowing(t) for t in node.terms) if n is not None)
        return _All(kept) if kept else None
    if isinstance(node, Or):
        parts = [narrowing(t) for t in node.terms]
        if any(p is None for p in parts):
            return None
        return _Any(tuple(p for p in parts if p is not None))
    return None  # NOT: its matches are everything else


def matching_ids(conn: Connection, shape: Narrowing) -> IdArray | None:
    """The sorted ids ``shape`` allows, or ``None`` where they would be too many to help."""
    if isinstance(shape, _Term):
        return _term_ids(conn, shape)
    found = [matching_ids(conn, p) for p in shape.parts]
    if isinstance(shape, _All):
        known = [f for f in found if f is not None]  # a broad term is left out: a superset
        if not known:
            return None
        out = known[0]
        for other in known[1:]:
            out = np.intersect1d(out, other, assume_unique=True)
        return out
    if any(f is None for f in found):
        return None
    union = np.unique(np.concatenate([f for f in found if f is not None]))
    return union if len(union) <= MAX_IDS else None


def _term_ids(conn: Connection, term: _Term) -> IdArray | None:
    """Ids of products with the term value (one range of ``ix_terms_name_lower``), as one
    aggregated value: a hundred thousand ids fetched as rows cost 50 ms, as one string 10."""
    t = product_terms
    inner = (
        select(t.c.product_id)
        .where(t.c.name == term.name, func.lower(t.c.value) == term.lowered)
        .limit(MAX_IDS + 1)
        .subquery()
    )
    if conn.dialect.name == "postgresql":
        got = conn.execute(select(func.array_agg(inner.c.product_id))).scalar()
        ids = np.asarray(got or [], dtype=np.int64)
    else:
        text = conn.execute(select(func.group_concat(inner.c.product_id))).scalar()
        ids = np.fromstring(text, dtype=np.int64, sep=",") if text else np.empty(0, np.int64)
    if len(ids) > MAX_IDS:
        return None
    return np.unique(ids)


def keep(ids: IdArray, allowed: IdArray) -> IdArray:
    """The members of ``ids`` that are in sorted ``allowed``."""
    if not len(allowed) or not len(ids):
        return ids[:0]
    at = np.searchsorted(allowed, ids).clip(max=len(allowed) - 1)
    kept: IdArray = ids[allowed[at] == ids]
    return kept


def cached_id_set(conn: Connection, now: str, cache: SearchCache, q: str | None) -> IdSet | None:
    """The narrowing of ``q`` (``None``: it has none), computed when first asked for and
    then kept in ``cache`` for the catalog's generation. Not the viewer's: what a viewer
    may see is applied afterwards, with the rest of the filter."""
    shape = narrowing(parse_query(q)) if q else None
    if shape is None:
        return None
    found = shape

    def ids() -> IdArray | None:
        return cache.get(
            conn,
            now,
            ("narrowing", found),
            lambda: matching_ids(conn, found),
            weight=lambda a: 1 + (len(a) if a is not None else 0) // 2000,
        )

    return ids
