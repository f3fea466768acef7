"""Search structures: the keyword index, the property-name registry, search indexes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product_words",
        sa.Column("word", sa.String(64), primary_key=True),
        sa.Column(
            "product_id",
            sa.Integer,
            sa.ForeignKey("products.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_words_product", "product_words", ["product_id"])
    op.create_table(
        "search_properties",
        sa.Column("name", sa.String(300), primary_key=True),
        sa.Column("type", sa.String(16), nullable=False),
    )
    # Terms carry their product's (immutable) start time, so that "name = value and start
    # time in a range" is one index range; rows of earlier products get it copied here.
    op.add_column("product_terms", sa.Column("start_time", sa.String(32)))
    op.execute(
        "UPDATE product_terms SET start_time = "
        "(SELECT products.start_time FROM products WHERE products.id = product_terms.product_id)"
    )
    # The default list order, with what visibility needs, so a page is read from the index.
    op.drop_index("ix_products_latest_ingested", "products")
    op.create_index(
        "ix_products_latest_ingested",
        "products",
        ["is_latest", "ingested_at", "id", "access", "release_at"],
    )
    op.create_index("ix_products_release", "products", ["release_at"])
    op.create_index("ix_products_latest_lidvid", "products", ["is_latest", "lidvid"])
    op.create_index(
        "ix_products_id_visibility",
        "products",
        ["id", "is_latest", "access", "release_at", "ingested_at"],
    )
    op.create_index(
        "ix_products_start_cover",
        "products",
        ["start_time", "is_latest", "access", "release_at", "ingested_at", "id"],
    )
    op.create_index(
        "ix_terms_name_lower",
        "product_terms",
        ["name", sa.text("lower(value)"), "start_time", "product_id"],
    )
    # Products registered before this migration get their words and property names when
    # they are re-indexed (``lunadc.catalog.search_index.reindex_all``), done right here.
    from lunadc.catalog.search_index import reindex_all

    reindex_all(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_terms_name_lower", "product_terms")
    op.drop_index("ix_products_start_cover", "products")
    op.drop_index("ix_products_id_visibility", "products")
    op.drop_index("ix_products_latest_lidvid", "products")
    op.drop_index("ix_products_release", "products")
    op.drop_index("ix_products_latest_ingested", "products")
    op.create_index("ix_products_latest_ingested", "products", ["is_latest", "ingested_at", "id"])
    with op.batch_alter_table("product_terms") as batch:
        batch.drop_column("start_time")
    op.drop_table("search_properties")
    op.drop_table("product_words")
