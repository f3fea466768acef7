"""SQLite: an R*Tree of each footprint's cube in x, y, z, the spatial pre-filter there.

HEALPix cells (0005) stay, on both databases; on SQLite the R*Tree answers place queries
faster (a thin polar box meets thousands of cell rows but a few hundred cubes). The
virtual table is kept in step with ``footprints``: rows are added with their footprint
(``lunadc.catalog.footprints.write_footprints``) and go with it by a trigger (a cascade
from ``products`` fires it too). Existing footprints get their cubes here.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

from lunadc.catalog.cubes import CREATE_CUBES, DROP_CUBES, fill_cubes

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    for statement in CREATE_CUBES:
        op.execute(statement)
    fill_cubes(conn)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in DROP_CUBES:
        op.execute(statement)
