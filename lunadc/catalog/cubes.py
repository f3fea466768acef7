"""The footprints' cubes in a SQLite R*Tree (``footprint_cubes``): the place pre-filter there.

Each footprint has one entry: its id is the product's, its box the footprint's cube in
x, y, z (``lunadc.search.spatial.cube``) and, as a fourth dimension, its body's code
:func:`body_code` as the interval ``[code, code + 0.5]`` (an auxiliary column would cost a
look-up per entry found, 10 ms for a polar box; an interval of width zero makes every
node's volume zero, and the R* heuristics that build the tree from volumes then fail: a
polar box took 26 ms instead of 1). The R*Tree stores 32-bit floats rounded outward, so a
stored cube only grows, and codes below 2**22 and their halves are stored exactly.
PostgreSQL has no R*Tree without an extension; it keeps the HEALPix cells
(``footprint_cells``), which SQLite keeps too. Not part of ``tables.metadata``: a virtual
table and its shadow tables are SQLite's.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from sqlalchemy import Connection, Integer, column, func, select, text, union
from sqlalchemy.sql.selectable import TextualSelect

from lunadc.search.spatial.cube import Cube, part_cubes, region_cube
from lunadc.search.spatial.regions import Region
from lunadc.search.spatial.serial import region_from_json

TABLE = "footprint_cubes"
"""The R*Tree; its shadow tables are named ``footprint_cubes_*``."""

CREATE_CUBES = (
    "CREATE VIRTUAL TABLE footprint_cubes USING rtree(id, x_lo, x_hi, y_lo, y_hi, z_lo, z_hi, "
    "body_lo, body_hi)",
    "CREATE TRIGGER footprints_drop_cube AFTER DELETE ON footprints "
    "BEGIN DELETE FROM footprint_cubes WHERE id = old.product_id; END",
)
DROP_CUBES = ("DROP TRIGGER footprints_drop_cube", "DROP TABLE footprint_cubes")

_INSERT = text(
    "INSERT INTO footprint_cubes (id, x_lo, x_hi, y_lo, y_hi, z_lo, z_hi, body_lo, body_hi) "
    "VALUES (:id, :x_lo, :x_hi, :y_lo, :y_hi, :z_lo, :z_hi, :body_lo, :body_hi)"
)
# One R*Tree search for one cube on one body; parameters are numbered per search.
_SEARCH = (
    "SELECT id FROM footprint_cubes WHERE x_hi >= :a{i} AND x_lo <= :b{i}"
    " AND y_hi >= :c{i} AND y_lo <= :d{i} AND z_hi >= :e{i} AND z_lo <= :f{i}"
    " AND body_lo <= :body{j} AND body_hi >= :body{j}"
)
_CHUNK = 5000


def is_owned_table(name: str) -> bool:
    """Tables of this module (the R*Tree and its shadows), not declared in ``metadata``."""
    return name == TABLE or name.startswith(TABLE + "_")


def body_code(body: str) -> int:
    """A body's number in the R*Tree: 22 bits of its name's CRC-32 (it and its half stay
    exact in a 32-bit float). Two bodies may share one; the statement after the search
    checks the name."""
    return zlib.crc32(body.encode()) & 0x3FFFFF


def cube_row(product_id: int, body: str, region: Region) -> dict[str, object]:
    x_lo, x_hi, y_lo, y_hi, z_lo, z_hi = region_cube(region)
    return {
        "id": product_id,
        "x_lo": x_lo,
        "x_hi": x_hi,
        "y_lo": y_lo,
        "y_hi": y_hi,
        "z_lo": z_lo,
        "z_hi": z_hi,
        "body_lo": body_code(body),
        "body_hi": body_code(body) + 0.5,
    }


def write_cubes(conn: Connection, rows: Sequence[dict[str, object]]) -> None:
    for i in range(0, len(rows), _CHUNK):
        conn.execute(_INSERT, list(rows[i : i + _CHUNK]))


def fill_cubes(conn: Connection) -> int:
    """Cubes for every stored footprint (the migration that adds the R*Tree); how many."""
    done = 0
    last = -1
    while True:
        batch = conn.execute(
            text(
                "SELECT product_id, body, region FROM footprints WHERE product_id > :last "
                "ORDER BY product_id LIMIT :n"
            ),
            {"last": last, "n": _CHUNK},
        ).all()
        if not batch:
            return done
        write_cubes(conn, [cube_row(p, b, region_from_json(r)) for p, b, r in batch])
        done += len(batch)
        last = batch[-1][0]


def near_cube_ids(conn: Connection, bodies: Sequence[str], region: Region) -> str:
    """Ids of footprints whose cubes meet one of the region's part cubes on one of
    ``bodies`` (or a body sharing its code), as a JSON array text (read by ``json_each`` in
    the next statement). One R*Tree search per part and body, in a UNION: an OR of boxes
    would scan the whole tree."""
    params: dict[str, object] = {}
    searches: list[TextualSelect] = []
    for j, body in enumerate(bodies):
        params[f"body{j}"] = body_code(body)
        for i, cube in enumerate(part_cubes(region)):
            params.update(_params(i, cube))
            searches.append(text(_SEARCH.format(i=i, j=j)).columns(column("id", Integer)))
    if not searches:
        return "[]"
    found_ids = union(*searches).subquery() if len(searches) > 1 else searches[0].subquery()
    query = select(func.json_group_array(found_ids.c.id))
    found = conn.execute(query, params).scalar()
    return str(found or "[]")


def _params(i: int, cube: Cube) -> dict[str, float]:
    x_lo, x_hi, y_lo, y_hi, z_lo, z_hi = cube
    return {
        f"a{i}": x_lo,
        f"b{i}": x_hi,
        f"c{i}": y_lo,
        f"d{i}": y_hi,
        f"e{i}": z_lo,
        f"f{i}": z_hi,
    }
