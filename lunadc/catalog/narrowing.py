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
cannot answer from the index are left out of an AND, never guessed), and the rest of the
filter is still applied to what remains. Where nothing of ``q`` was left out, the array
holds exactly ``q``'s products, and only the filter without ``q`` (visibility, scope,
keywords) is left to test: the terms need no second look-up per product.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Connection, func, select

from lunadc.catalog import fields
from lunadc.catalog.qcompile import is_term_match
from lunadc.catalog.search_cache import SearchCache
from lunadc.catalog.tables import product_terms
from lunadc.search.query import And, Comparison, Or, parse_query
from lunadc.search.query import Node as QueryNode

IdArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True, slots=True)
class Found:
    """Sorted ids; ``exact``: exactly the query's products (else a superset of them)."""

    ids: IdArray
    exact: bool


@dataclass(frozen=True, slots=True)
class Narrow:
    """A query's narrowing, for a caller to ask for when it finds it worth it."""

    found: Callable[[], Found | None]  # computed (or fetched from the cache) on demand
    rest: ColumnElement[bool]  # the filter without ``q``: all an exactly found id needs


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


def narrowing(node: QueryNode | None) -> tuple[Narrowing, bool] | None:
    """What of ``node`` the terms index answers (a superset of its matches), and whether
    that is all of it (then exactly its matches); ``None`` if nothing."""
    if isinstance(node, Comparison):
        if not is_term_match(node):  # the same test as the compiled query's index range
            return None
        term = fields.resolve(node.field).term
        assert term is not None
        return _Term(term, node.value.lower()), True
    if isinstance(node, And):
        parts = [narrowing(t) for t in node.terms]
        kept = [p for p in parts if p is not None]
        if not kept:
            return None
        whole = len(kept) == len(parts) and all(exact for _shape, exact in kept)
        return _All(tuple(shape for shape, _exact in kept)), whole
    if isinstance(node, Or):
        parts = [narrowing(t) for t in node.terms]
        if any(p is None for p in parts):
            return None
        shapes = tuple(p[0] for p in parts if p is not None)
        return _Any(shapes), all(p[1] for p in parts if p is not None)
    return None  # NOT: its matches are everything else


def matching_ids(conn: Connection, shape: Narrowing) -> Found | None:
    """The sorted ids ``shape`` allows, or ``None`` where they would be too many to help;
    not ``exact`` where a broad term had to be left out of an AND."""
    if isinstance(shape, _Term):
        ids = _term_ids(conn, shape)
        return None if ids is None else Found(ids, exact=True)
    found = [matching_ids(conn, p) for p in shape.parts]
    if isinstance(shape, _All):
        known = [f for f in found if f is not None]  # a broad term is left out: a superset
        if not known:
            return None
        out = known[0].ids
        for other in known[1:]:
            out = np.intersect1d(out, other.ids, assume_unique=True)
        return Found(out, exact=len(known) == len(found) and all(f.exact for f in known))
    if any(f is None for f in found):
        return None
    union = np.unique(np.concatenate([f.ids for f in found if f is not None]))
    exact = all(f.exact for f in found if f is not None)
    return Found(union, exact) if len(union) <= MAX_IDS else None


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


def cached_narrow(
    conn: Connection,
    now: str,
    cache: SearchCache,
    q: str | None,
    rest: Callable[[], ColumnElement[bool]],
) -> Narrow | None:
    """The narrowing of ``q`` (``None``: it has none), computed when first asked for and
    then kept in ``cache`` for the catalog's generation. Not the viewer's: what a viewer
    may see is in ``rest()``, the filter without ``q`` (built only when ``q`` narrows),
    applied afterwards."""
    got = narrowing(parse_query(q)) if q else None
    if got is None:
        return None
    shape, whole = got

    def found() -> Found | None:
        ids = cache.get(
            conn,
            now,
            ("narrowing", shape),
            lambda: matching_ids(conn, shape),
            weight=lambda f: 1 + (len(f.ids) if f is not None else 0) // 2000,
        )
        if ids is None or whole:
            return ids
        return Found(ids.ids, exact=False)  # a comparison of q is not in the array

    return Narrow(found, rest())
