"""Footprints in the catalog: written at registration, read by place search and coverage.

A footprint is the region a label gives (``lunadc.search.spatial.region_from_geometry``) on
its target body, stored exactly (``footprints.region``) with a conservative covering by
HEALPix cells (``footprint_cells``) and, on SQLite, its cube in an R*Tree
(``lunadc.catalog.cubes``). A place query is answered in steps: the spatial index finds the
footprints near the place (the R*Tree on SQLite, the cells on PostgreSQL), a term filter
may thin them in memory (``lunadc.catalog.narrowing``), the rest of the filter (visibility
first) is tested in SQL, then the exact spherical test keeps the true ones. The exact id
set then becomes part of the filter, so hits, facets and every page are exact, not the
pre-filter's approximation.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    ColumnClause,
    ColumnElement,
    Connection,
    and_,
    any_,
    bindparam,
    cast,
    exists,
    false,
    func,
    insert,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BinaryExpression
from sqlalchemy.sql.selectable import ScalarSelect, Select
from sqlalchemy.sql.util import find_tables

from lunadc.catalog.cubes import cube_row, near_cube_ids, write_cubes
from lunadc.catalog.narrowing import Narrow, keep
from lunadc.catalog.search_cache import SearchCache
from lunadc.catalog.tables import footprint_cells, footprints, products
from lunadc.model.product import Label
from lunadc.search.spatial import (
    TOL,
    Box,
    GeometryError,
    Region,
    canonical_body,
    cell_query,
    cells_for_region,
    intersects,
    region_from_geometry,
)
from lunadc.search.spatial.bodies import BODY_RADII_KM
from lunadc.search.spatial.cells import QUERY_MAX_CELLS, stored_cells
from lunadc.search.spatial.place import Place
from lunadc.search.spatial.refine import ASK, YES, decide
from lunadc.search.spatial.serial import bounds, region_from_json, region_to_json

_CHUNK = 2000  # rows per executemany / ids per IN list
NARROW_FROM = 500
"""Footprints near a place from which the filter's id array (``narrow``) is worth asking
for: fewer cost a millisecond or two to test one by one."""
_BOUNDS_SLACK_DEG = 1e-7  # stored bounds are degrees computed from caps: rounding room


@dataclass(frozen=True, slots=True)
class Footprint:
    """A stored footprint, read back."""

    product_id: int
    body: str
    body_radius_km: float | None
    region: Region
    bounds: tuple[float, float, float, float]  # west, south, east, north
    resolution_m: float | None


def body_name(name: str | None) -> str | None:
    """The stored body of a label's first target: the canonical name where known."""
    if name is None or not name.strip():
        return None
    return canonical_body(name) or name.strip()[:64]


@dataclass(frozen=True, slots=True)
class FootprintRows:
    """What registration stores for one footprint: its row, its cells, and (SQLite) its
    cube (``lunadc.catalog.cubes``)."""

    row: dict[str, object]
    cells: list[dict[str, object]]
    cube: dict[str, object]


def footprint_rows(pid: int, label: Label) -> FootprintRows | None:
    """The rows of product ``pid``'s footprint, or ``None`` if its label gives none."""
    geometry = label.geometry
    body = body_name(geometry.body)
    if body is None or geometry.is_empty:
        return None
    try:
        region = region_from_geometry(geometry)
    except GeometryError:
        return None  # the label's geometry cannot exist; its findings say so already
    if region is None:
        return None
    west, south, east, north = bounds(region)
    row: dict[str, object] = {
        "product_id": pid,
        "body": body,
        "body_radius_km": BODY_RADII_KM.get(body),
        "region": region_to_json(region),
        "west": west,
        "south": south,
        "east": east,
        "north": north,
        "resolution_m": geometry.resolution_m,
    }
    cells = [
        {"product_id": pid, "body": body, "lo": c.lo, "hi": c.hi} for c in stored_cells(region)
    ]
    return FootprintRows(row, cells, cube_row(pid, body, region))


def write_footprints(conn: Connection, items: Iterable[tuple[int, Label]]) -> int:
    """Store the footprints (their cells, and on SQLite their cubes) of freshly registered
    products; how many.

    Called from ``register_batch`` inside its transaction, so a product and its footprint
    are written together or not at all.
    """
    made = [got for pid, label in items if (got := footprint_rows(pid, label)) is not None]
    rows = [m.row for m in made]
    cells = [c for m in made for c in m.cells]
    for table, values in ((footprints, rows), (footprint_cells, cells)):
        for i in range(0, len(values), _CHUNK):
            conn.execute(insert(table), values[i : i + _CHUNK])
    if conn.dialect.name == "sqlite":
        write_cubes(conn, [m.cube for m in made])
    return len(rows)


@functools.lru_cache(maxsize=20_000)
def stored_region(text: str) -> Region:
    """Parsing a stored region is pure; footprints are read again and again by queries."""
    return region_from_json(text)


def ids_clause(dialect: str, ids: Sequence[int]) -> ColumnElement[bool]:
    """``products.id`` in ``ids``, any count of them, as one parameter (a JSON array on
    SQLite, an array on PostgreSQL): inlined as integers, the hits and the page of a place
    search spent over a millisecond rendering a few hundred ids twice."""
    if not ids:
        return false()
    listed = list(ids) if dialect == "postgresql" else "[" + ",".join(map(str, ids)) + "]"
    return _id_in(products.c.id, dialect, listed, "place_ids")


def time_clause(place: Place) -> ColumnElement[bool]:
    """Products whose span ``[start_time, stop_time or start_time]`` overlaps the place's."""
    parts: list[ColumnElement[bool]] = []
    if place.start is not None:
        parts.append(func.coalesce(products.c.stop_time, products.c.start_time) >= place.start)
    if place.stop is not None:
        parts.append(products.c.start_time <= place.stop)
    return and_(true(), *parts)


def _bodies(conn: Connection, place: Place) -> list[str]:
    if place.body is not None:
        return [place.body]
    return sorted(conn.execute(select(footprints.c.body).distinct()).scalars())


def _cells_clause(bodies: Sequence[str], region: Region) -> ColumnElement[bool]:
    """Stored cells overlapping the query region's cells (see ``cells.cell_query``).

    Written as SQL text with inlined integers (only ints from ``cell_query`` go in): built
    with SQLAlchemy operators, the few dozen range terms cost more than running them.
    Ancestor look-ups test ``hi`` too: each is one seek on the index either way, and
    testing only ``lo`` matched every stored cell that merely starts where an ancestor of
    the query starts (thousands of rows for a point in a dense polar field, not dozens).
    """
    q = cell_query(cells_for_region(region, max_cells=QUERY_MAX_CELLS))
    terms = [
        f"(footprint_cells.lo >= {int(lo)} AND footprint_cells.lo < {int(hi)})"
        for lo, hi in q.ranges
    ]
    terms += [
        f"(footprint_cells.lo = {int(start)} AND footprint_cells.hi > {int(bound)})"
        for start, bound in q.ancestors
    ]
    cells = text("(" + " OR ".join(terms) + ")")
    return and_(footprint_cells.c.body.in_(list(bodies)), cells)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A footprint the cells pre-filter let through: id, stored region, stored bounds."""

    product_id: int
    region: str
    bounds: tuple[float, float, float, float]  # west, south, east, north


def bounds_clause(region: Region, table: Any = footprints) -> ColumnElement[bool]:
    """Footprints whose stored lon/lat bounds overlap the region's (both are boxes around
    bounding caps, so boxes apart mean footprint and region apart): rows the cells let
    through but that cannot meet the region stop in SQL, before any other filter.

    Margins: the tolerance of the predicates (``TOL``, which is more degrees of longitude
    the nearer the pole) and rounding of the stored degrees.
    """
    if isinstance(region, Box) and not region.is_full:
        # a query box is its own lon/lat box: tighter than the box around its cap
        west, south, east, north = region.west, region.south, region.east, region.north
    else:
        west, south, east, north = bounds(region)
    slack = math.degrees(TOL) + _BOUNDS_SLACK_DEG
    lat = and_(table.c.north >= south - slack, table.c.south <= north + slack)
    polar = math.cos(math.radians(max(abs(south), abs(north)))) < 1e-3
    if (west <= -180.0 and east >= 180.0) or polar:
        return lat
    margin = math.degrees(2 * TOL / math.cos(math.radians(max(abs(south), abs(north)))))
    margin += _BOUNDS_SLACK_DEG
    if (east - west) % 360.0 + 2 * margin >= 360.0:
        return lat
    qw, qe = _wrap(west - margin), _wrap(east + margin)
    fw, fe = table.c.west, table.c.east
    qw_in_f = or_(and_(fw <= fe, fw <= qw, fe >= qw), and_(fw > fe, or_(fw <= qw, fe >= qw)))
    fw_in_q = and_(fw >= qw, fw <= qe) if qw <= qe else or_(fw >= qw, fw <= qe)
    return and_(lat, or_(qw_in_f, fw_in_q))


def _wrap(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0


def _is_products(table: object) -> bool:
    return (
        getattr(table, "name", None) == products.name
        or getattr(getattr(table, "original", None), "name", None) == products.name
    )


def correlated(where: ColumnElement[bool]) -> ColumnElement[bool]:
    """``where`` with each ``products.id IN (SELECT t.c FROM t WHERE …)`` written as
    ``EXISTS (SELECT … FROM t WHERE … AND t.c = products.id)`` (the same rows: ``t.c`` is a
    plain NOT NULL column, and the subquery does not read ``products`` itself).

    SQLite builds the whole list of an uncorrelated ``IN (SELECT …)`` before the first row
    is tested, once per statement: a mission filter is some 100,000 product ids, hundreds
    of milliseconds, to keep a few hundred spatial candidates. Correlated, each candidate
    costs one probe of an index on ``(product_id, …)``.
    """

    def swap(element: Any, **_kw: Any) -> Any:
        if not (
            isinstance(element, BinaryExpression)
            and element.operator is operators.in_op
            and element.left is products.c.id
            and isinstance(element.right, ScalarSelect)
        ):
            return None
        sub = element.right.element
        if not isinstance(sub, Select) or len(sub.selected_columns) != 1:
            return None
        column = sub.selected_columns[0]
        plain = (
            isinstance(column, Column | ColumnClause)
            and getattr(column, "nullable", True) is False  # NOT IN differs from NOT EXISTS
            and sub._limit_clause is None
            and sub._offset_clause is None
            and not sub._group_by_clauses
            and not sub._having_criteria
            and not sub._distinct_on
        )
        # find_tables walks the subquery's elements (``get_final_froms`` compiles it: 2-3 ms
        # a search); a column of products anywhere in it counts as reading products.
        if not plain or any(
            _is_products(t) for t in find_tables(sub, check_columns=True, include_aliases=True)
        ):
            return None
        return exists(sub.where(column == products.c.id).correlate(products))

    out: ColumnElement[bool] = visitors.replacement_traverse(where, {}, swap)
    return out


NearIds = str | list[int]
"""Step 1's ids as the database hands them to step 2: a JSON array text on SQLite (made by
``json_group_array``, read by ``json_each``), a list on PostgreSQL (``array_agg``, ``ANY``).
Thousands of ids near the pole never become Python rows one by one (fetched through
SQLAlchemy, each costs time and a few objects for the garbage collector) only to be written
back into the next statement."""


def near_ids(conn: Connection, bodies: Sequence[str], region: Region) -> NearIds:
    """Step 1, the spatial index alone: ids of footprints that may meet the region.

    On SQLite, an R*Tree search of the footprints' cubes (``lunadc.catalog.cubes``). On
    PostgreSQL, footprints whose cells meet the region's and whose stored bounds overlap
    it (index-only range scans on ``(body, lo, hi, product_id)``, then one primary-key
    look-up per footprint)."""
    if conn.dialect.name == "sqlite":
        return near_cube_ids(conn, bodies, region)
    near = footprints.alias("near")
    cell_ids = select(footprint_cells.c.product_id).where(_cells_clause(bodies, region))
    query = select(func.array_agg(near.c.product_id)).where(
        near.c.product_id.in_(cell_ids), bounds_clause(region, near)
    )
    return [int(i) for i in conn.execute(query).scalar() or []]


def _id_in(
    column: Column[int], dialect: str, ids: NearIds, name: str = "near_ids"
) -> ColumnElement[bool]:
    """``column`` in ``ids`` (a JSON array text on SQLite, a list on PostgreSQL), passed as
    one parameter ``name``, so the statement around it stays the same (and its compiled
    form cached) whatever the ids: thousands of ids rendered as literals cost ~2 µs each in
    SQLAlchemy, more than the look-ups."""
    if dialect == "postgresql":
        return column == any_(cast(bindparam(name, ids), ARRAY(BigInteger)))
    listed = func.json_each(bindparam(name, ids)).table_valued("value")
    return column.in_(select(listed.c.value))


def candidates(
    conn: Connection, where: ColumnElement[bool], place: Place, narrow: Narrow | None = None
) -> list[Candidate]:
    """Footprints of products passing ``where`` that the spatial index finds near the place.

    ``narrow`` gives (on demand) a superset of ``where``'s products as an id array
    (``lunadc.catalog.narrowing``): asked for only when the place holds many footprints,
    whose ids it then thins in memory before the filter is tested one footprint at a time
    (only the part of it without ``q`` where the array holds exactly ``q``'s products).
    """
    assert place.region is not None
    bodies = _bodies(conn, place)
    if not bodies:
        return []
    # Two statements. The first is the spatial index alone (on PostgreSQL it holds the
    # query's cells, integers written into its text, so it is compiled anew each time, but
    # it is small). The second, visibility and every other filter (``correlated``: one
    # index probe per candidate, not a list built in full), is the same statement for
    # every place with the same filter: its compiled form is cached (the ids are one
    # parameter), which saves milliseconds.
    ids = near_ids(conn, bodies, place.region)
    if not ids or ids == "[]":
        return []
    if narrow is not None:
        ids, exact = _narrowed(ids, narrow)
        if not ids or ids == "[]":
            return []
        if exact:
            where = and_(narrow.rest, time_clause(place))
    query = select(
        footprints.c.product_id,
        footprints.c.region,
        footprints.c.west,
        footprints.c.south,
        footprints.c.east,
        footprints.c.north,
    )
    if conn.dialect.name == "sqlite":
        # The footprint row is read first: its body (codes in the R*Tree can be shared)
        # and its stored bounds drop what the cube let through before the dearer probes
        # of the filter (about a third of a thin polar box's candidates).
        query = query.where(
            _id_in(footprints.c.product_id, conn.dialect.name, ids),
            footprints.c.body.in_(list(bodies)),
            bounds_clause(place.region, footprints),
        )
    else:
        query = query.where(_id_in(products.c.id, conn.dialect.name, ids))
    query = query.join(products, products.c.id == footprints.c.product_id).where(correlated(where))
    return [Candidate(int(r[0]), str(r[1]), (r[2], r[3], r[4], r[5])) for r in conn.execute(query)]


def _narrowed(ids: NearIds, narrow: Narrow) -> tuple[NearIds, bool]:
    """``ids`` less those ``narrow`` rules out, when there are enough to be worth it, and
    whether those left are exactly the ones ``q`` allows."""
    near = (
        np.fromstring(ids[1:-1], dtype=np.int64, sep=",")
        if isinstance(ids, str)
        else np.asarray(ids, dtype=np.int64)
    )
    if len(near) < NARROW_FROM:
        return ids, False
    found = narrow.found()
    if found is None:
        return ids, False
    kept = keep(near, found.ids)
    out = "[" + ",".join(map(str, kept.tolist())) + "]" if isinstance(ids, str) else kept.tolist()
    return out, found.exact


def exact(region: Region, found: Sequence[Candidate]) -> list[Candidate]:
    """The candidates whose footprint meets ``region``: decided in bulk where the bulk
    test is sure (``lunadc.search.spatial.refine``), by the exact predicate otherwise."""
    if not found:
        return []
    box = np.array([c.bounds for c in found], dtype=np.float64)
    verdicts = decide(region, [c.region for c in found], box)
    return [
        c
        for c, v in zip(found, verdicts.tolist(), strict=True)
        if v == YES or (v == ASK and intersects(stored_region(c.region), region))
    ]


def matching_ids(
    conn: Connection, where: ColumnElement[bool], place: Place, narrow: Narrow | None = None
) -> list[int]:
    """Ids (sorted) of products passing ``where`` whose footprint meets the place exactly."""
    assert place.region is not None
    found = candidates(conn, where, place, narrow)
    return sorted(c.product_id for c in exact(place.region, found))


def place_filter(
    conn: Connection,
    now: str,
    where: ColumnElement[bool],
    place: Place,
    cache: SearchCache,
    key: Hashable,
    narrow: Narrow | None = None,
) -> ColumnElement[bool]:
    """The clause that keeps exactly the products of ``where`` at the place and time.

    ``key`` identifies ``where`` for the cache (viewer, scope, q, keywords); the exact id
    set is cached with the catalog's generation, like hit counts. ``narrow``: see
    ``candidates``.
    """
    timed = and_(where, time_clause(place))
    if place.region is None:
        if place.body is None:
            return time_clause(place)
        # Only a body: products with a footprint on it, or named as their target.
        body_ids = select(footprints.c.product_id).where(footprints.c.body == place.body)
        named = func.lower(products.c.target) == place.body.lower()
        return and_(time_clause(place), or_(products.c.id.in_(body_ids), named))
    ids = cache.get(
        conn, now, ("place", key, place.key), lambda: matching_ids(conn, timed, place, narrow)
    )
    return and_(time_clause(place), ids_clause(conn.dialect.name, ids))


def footprints_of(conn: Connection, ids: Sequence[int]) -> dict[int, Footprint]:
    """The stored footprints of ``ids`` (products without one are absent)."""
    out: dict[int, Footprint] = {}
    for i in range(0, len(ids), _CHUNK):
        chunk = list(ids[i : i + _CHUNK])
        for r in conn.execute(select(footprints).where(footprints.c.product_id.in_(chunk))):
            out[r.product_id] = Footprint(
                product_id=r.product_id,
                body=r.body,
                body_radius_km=r.body_radius_km,
                region=stored_region(r.region),
                bounds=(r.west, r.south, r.east, r.north),
                resolution_m=r.resolution_m,
            )
    return out
