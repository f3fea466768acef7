"""Spatial: one footprint per product on its body, and its HEALPix cells for the pre-filter.

``footprints.region`` is the exact region as JSON (see ``lunadc.search.spatial.serial``);
``footprint_cells`` holds a conservative covering by nested HEALPix cells, each as its
order-29 range ``[lo, hi)``, so one B-tree on ``(body, lo)`` answers "which footprints have a
cell overlapping these" on SQLite and PostgreSQL alike (no R-tree or PostGIS needed).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "footprints",
        sa.Column(
            "product_id",
            sa.Integer,
            sa.ForeignKey("products.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("body", sa.String(64), nullable=False),
        sa.Column("body_radius_km", sa.Float, nullable=False),
        sa.Column("region", sa.Text, nullable=False),
        sa.Column("west", sa.Float, nullable=False),
        sa.Column("south", sa.Float, nullable=False),
        sa.Column("east", sa.Float, nullable=False),
        sa.Column("north", sa.Float, nullable=False),
        sa.Column("resolution_m", sa.Float),
    )
    op.create_index("ix_footprints_body", "footprints", ["body", "product_id"])
    op.create_table(
        "footprint_cells",
        sa.Column(
            "product_id",
            sa.Integer,
            sa.ForeignKey("products.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("body", sa.String(64), nullable=False),
        sa.Column("lo", sa.BigInteger, nullable=False),
        sa.Column("hi", sa.BigInteger, nullable=False),
    )
    op.create_index(
        "ix_footprint_cells_body_lo", "footprint_cells", ["body", "lo", "hi", "product_id"]
    )
    op.create_index("ix_footprint_cells_product", "footprint_cells", ["product_id"])


def downgrade() -> None:
    op.drop_index("ix_footprint_cells_product", table_name="footprint_cells")
    op.drop_index("ix_footprint_cells_body_lo", table_name="footprint_cells")
    op.drop_table("footprint_cells")
    op.drop_index("ix_footprints_body", table_name="footprints")
    op.drop_table("footprints")
