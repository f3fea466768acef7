"""Product search: filter (q, keywords, scope), sort, keyset paging, counts and facets.

Every query here is filtered by ``visible_clause``. Paging is keyset ("search after"): the
sort keys of the last row plus a unique tie-breaker, so page 1,000 costs what page 1 costs
when the sort key is indexed (the default, harvest time, is).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    func,
    or_,
    select,
    true,
    tuple_,
)

from lunadc.catalog import fields
from lunadc.catalog.facets import Facet, facet_counts
from lunadc.catalog.footprints import place_filter
from lunadc.catalog.keywords import keywords_clause, prefer_probe
from lunadc.catalog.narrowing import cached_narrow
from lunadc.catalog.qcompile import compile_query, time_literal
from lunadc.catalog.records import ProductRow
from lunadc.catalog.search_cache import NoCache, SearchCache, viewer_key
from lunadc.catalog.tables import products
from lunadc.catalog.visibility import has_superseded, latest_visible_clause, visible_clause
from lunadc.errors import BadRequestError, InvalidIdentifierError
from lunadc.model.access import Viewer
from lunadc.model.identifiers import Vid
from lunadc.search.query import parse_query
from lunadc.search.spatial.place import Place

MAX_LIMIT = 10_000
DEFAULT_LIMIT = 100
DEFAULT_SORT = (fields.HARVEST_TIME.name,)
MAX_SORT = 5


@dataclass(frozen=True, slots=True)
class SearchParams:
    """The list parameters of the PDS Search API, already split into lists."""

    q: str = ""
    keywords: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT
    sort: tuple[str, ...] = ()
    search_after: tuple[str, ...] = ()
    facet_fields: tuple[str, ...] = ()
    facet_limit: int = 10
    place: Place | None = None  # target, region and time span (lunadc.catalog.footprints)


@dataclass(frozen=True, slots=True)
class Scope:
    """Which products a list is drawn from; ``key`` identifies it for the count cache."""

    clause: ColumnElement[bool]
    key: Hashable
    latest_only: bool = True


LATEST = Scope(true(), "latest")


@dataclass(frozen=True, slots=True)
class SearchResult:
    products: list[ProductRow]
    hits: int
    sort: list[str]
    search_after: list[str]  # the sort values of the last row and its LIDVID ([] if empty)
    facets: list[Facet] = field(default_factory=list)
    took_ms: int = 0


# The ``products`` columns in ProductRow's field order: rows selected as ``ROW_COLUMNS``
# become value objects positionally (by name, a page of 100 paid ~2,300 attribute look-ups).
_ROW_FIELDS = [f.name for f in dataclass_fields(ProductRow)]
ROW_COLUMNS = tuple(products.c[name] for name in _ROW_FIELDS)
_PROPERTIES = _ROW_FIELDS.index("properties")
_IS_LATEST = _ROW_FIELDS.index("is_latest")
# Statements used on every request are built once; only their parameters change.
_ROWS_BY_ID = select(*ROW_COLUMNS).where(products.c.id.in_(bindparam("ids", expanding=True)))


def product_row(row: Sequence[Any]) -> ProductRow:
    """A row selected as ``ROW_COLUMNS``, as the value object the rest of lunadc uses."""
    values = list(row)
    values[_PROPERTIES] = orjson.loads(values[_PROPERTIES])
    values[_IS_LATEST] = bool(values[_IS_LATEST])
    return ProductRow(*values)


def rows_by_id(conn: Connection, ids: Sequence[int]) -> dict[int, ProductRow]:
    """The products with these ids (those that exist), by id."""
    if not ids:
        return {}
    found = conn.execute(_ROWS_BY_ID, {"ids": list(ids)}).all()
    return {r[0]: product_row(r) for r in found}


def validate(params: SearchParams) -> None:
    if not 0 <= params.limit <= MAX_LIMIT:
        raise BadRequestError(f"limit must be between 0 and {MAX_LIMIT}")
    if not 0 <= params.facet_limit <= 1000:
        raise BadRequestError("facet-limit must be between 0 and 1000")
    if len(params.sort) > MAX_SORT:
        raise BadRequestError(f"at most {MAX_SORT} sort fields")
    if len(params.facet_fields) > 20:
        raise BadRequestError("at most 20 facet fields")


def filter_clause(
    dialect: str,
    viewer: Viewer,
    now: str,
    params: SearchParams,
    scope: Scope,
    *,
    superseded: bool = True,
    probe_keywords: bool = False,
) -> ColumnElement[bool]:
    """Visibility, scope, latest-only, q and keywords in one clause (``probe_keywords``:
    see ``keywords_clause``; the same rows either way)."""
    parts = [
        visible_clause(viewer, now),
        scope.clause,
        compile_query(parse_query(params.q), dialect),
    ]
    if scope.latest_only:
        parts.append(latest_visible_clause(viewer, now, superseded=superseded))
    if params.keywords:
        parts.append(keywords_clause(params.keywords, probe=probe_keywords))
    return and_(*parts)


def _sort_value(f: fields.Field, raw: str) -> Any:
    """A search-after value as the sort expression compares it."""
    if f.kind == "vid":
        try:
            vid = Vid.parse(raw.strip())
        except InvalidIdentifierError as exc:
            raise BadRequestError(f"search-after: not a version id {raw[:40]!r}") from exc
        return vid.major * 1_000_000 + vid.minor
    if f.is_time and raw:
        return time_literal(raw)
    return raw


def _after_clause(
    conn: Connection, keys: list[tuple[fields.Field, Any]], after: Sequence[str]
) -> ColumnElement[bool]:
    """Rows strictly after ``after`` in (sort keys..., id) order."""
    if len(after) not in (len(keys), len(keys) + 1):
        raise BadRequestError(
            f"search-after needs {len(keys)} values (one per sort field) or "
            f"{len(keys) + 1} (and the LIDVID of the last row); got {len(after)}"
        )
    values = [_sort_value(f, raw) for (f, _e), raw in zip(keys, after, strict=False)]
    exprs = [e for _f, e in keys]
    if len(after) == len(keys):
        return tuple_(*exprs) > tuple_(*values) if len(exprs) > 1 else exprs[0] > values[0]
    row_id = conn.execute(select(products.c.id).where(products.c.lidvid == after[-1])).scalar()
    if row_id is None:
        raise BadRequestError(f"search-after: unknown LIDVID {after[-1][:300]!r}")
    return tuple_(*exprs, products.c.id) > tuple_(*values, row_id)


def _display(f: fields.Field, row: ProductRow) -> str:
    """The search-after value of one sort key for a row (what _sort_value reads back)."""
    if f.kind == "vid":
        return row.vid
    if f.column is not None:
        value = getattr(row, _ATTR.get(f.column, f.column))
        return "" if value is None else str(value)
    values = row.properties.get(f.name) or [""]
    return values[0]


_ATTR = {"im_version": "im_version"}


def _probe_keywords(
    conn: Connection, params: SearchParams, scope: Scope, sort_names: list[str]
) -> bool:
    """Read a keyword page in index order (default sort over the latest products) when the
    words are common enough for that to be cheaper (``keywords.prefer_probe``)."""
    return (
        bool(params.keywords)
        and scope is LATEST
        and tuple(sort_names) == DEFAULT_SORT
        and prefer_probe(conn, params.keywords, params.limit)
    )


def search_products(
    conn: Connection,
    viewer: Viewer,
    now: str,
    params: SearchParams,
    *,
    scope: Scope = LATEST,
    cache: SearchCache | None = None,
) -> SearchResult:
    """One page of products matching ``params`` within ``scope`` that ``viewer`` may see."""
    started = time.perf_counter()
    validate(params)
    cache = cache or NoCache()
    dialect = conn.dialect.name
    # Whether any version is superseded changes only with the catalog: cached per generation.
    superseded = cache.get(conn, now, ("superseded",), lambda: has_superseded(conn))
    where = filter_clause(dialect, viewer, now, params, scope, superseded=superseded)
    sort_names = list(params.sort) or list(DEFAULT_SORT)
    page_where = where  # the same rows as ``where``, maybe in a form that suits a page better
    if _probe_keywords(conn, params, scope, sort_names):
        page_where = filter_clause(
            dialect, viewer, now, params, scope, superseded=superseded, probe_keywords=True
        )
    place_key = params.place.key if params.place is not None else None
    base_key = (
        viewer_key(viewer),
        scope.key,
        scope.latest_only,
        params.q,
        params.keywords,
        place_key,
    )
    if params.place is not None:  # exact: hits, facets and pages all see the same id set
        without_q = dataclasses.replace(params, q="")
        narrow = cached_narrow(
            conn,
            now,
            cache,
            params.q,
            lambda: filter_clause(dialect, viewer, now, without_q, scope, superseded=superseded),
        )
        place = place_filter(conn, now, where, params.place, cache, base_key, narrow)
        if params.place.region is not None:
            # With a region the place filter is the exact id set of ``where`` at the place and
            # time (``place_filter`` computed it under ``where``), so it alone decides. Kept
            # beside ``where``, SQLite's planner read every product of the mission to meet a
            # few dozen ids (144 ms instead of well under one on 1M products).
            where = page_where = place
        else:
            where, page_where = and_(where, place), and_(page_where, place)
    keys = [(f, fields.sort_expression(dialect, f)) for f in map(fields.resolve, sort_names)]
    if params.search_after:
        page_where = and_(page_where, _after_clause(conn, keys, params.search_after))
    rows: list[ProductRow] = []
    if params.limit:
        # Ids first, so the filter and sort can be answered from indexes alone; then the
        # full rows (with their large property JSON) only for the page itself.
        query = (
            select(products.c.id)
            .where(page_where)
            .order_by(*(e for _f, e in keys), products.c.id)
            .limit(params.limit)
        )
        ids = list(conn.execute(query).scalars())
        if ids:
            found = rows_by_id(conn, ids)
            rows = [found[i] for i in ids]

    def count() -> int:
        return int(
            conn.execute(select(func.count()).select_from(products).where(where)).scalar_one()
        )

    hits = cache.get(conn, now, ("hits", *base_key), count)
    facets = [
        cache.get(
            conn,
            now,
            ("facet", name, params.facet_limit, *base_key),
            lambda name=name: facet_counts(conn, where, name, params.facet_limit),  # type: ignore[misc]
        )
        for name in params.facet_fields
    ]
    last = rows[-1] if rows else None
    after = [*(_display(f, last) for f, _e in keys), last.lidvid] if last else []
    took = int((time.perf_counter() - started) * 1000)
    return SearchResult(rows, hits, sort_names, after, facets, took)


def get_visible(
    conn: Connection, viewer: Viewer, now: str, lid: str, vid: Vid | None
) -> ProductRow | None:
    """The version ``lid::vid`` (or the latest version of ``lid`` the viewer may see)."""
    params: dict[str, Any] = {"lid": lid, "now": now}
    if vid is not None:
        params.update(major=vid.major, minor=vid.minor)
    row = conn.execute(_get_statement(viewer, vid is not None), params).first()
    return product_row(row) if row else None


_GET_STATEMENTS: dict[tuple[Hashable, bool], Select[Any]] = {}


def _get_statement(viewer: Viewer, with_vid: bool) -> Select[Any]:
    """get_visible's statement for viewers like this one, built once (a get by LIDVID is the
    most frequent request, and building the statement cost more than running it)."""
    key = (viewer_key(viewer), with_vid)
    found = _GET_STATEMENTS.get(key)
    if found is not None:
        return found
    c = products.c
    query = select(*ROW_COLUMNS).where(
        c.lid == bindparam("lid"), visible_clause(viewer, bindparam("now"))
    )
    if with_vid:
        query = query.where(c.vid_major == bindparam("major"), c.vid_minor == bindparam("minor"))
    query = query.order_by(c.vid_major.desc(), c.vid_minor.desc()).limit(1)
    if len(_GET_STATEMENTS) < 1024:  # keys are few (groups sets); bounded all the same
        _GET_STATEMENTS[key] = query
    return query


def versions_scope(lid: str, vid: Vid | None) -> Scope:
    """All versions of a LID (a LIDVID: just that version)."""
    clause = products.c.lid == lid
    if vid is not None:
        clause = and_(clause, products.c.vid_major == vid.major, products.c.vid_minor == vid.minor)
    return Scope(clause, ("versions", lid, str(vid)), latest_only=False)


def class_scope(product_classes: Sequence[str]) -> Scope:
    if not product_classes:
        return LATEST
    clause = or_(*(products.c.product_class == c for c in product_classes))
    return Scope(clause, ("class", *product_classes))
