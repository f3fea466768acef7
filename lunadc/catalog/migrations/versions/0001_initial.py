"""The first catalog schema: products, files, terms, members, change feed, ingest runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("lid", sa.String(255), nullable=False),
        sa.Column("vid", sa.String(32), nullable=False),
        sa.Column("vid_major", sa.Integer, nullable=False),
        sa.Column("vid_minor", sa.Integer, nullable=False),
        sa.Column("lidvid", sa.String(300), nullable=False, unique=True),
        sa.Column("product_class", sa.String(80), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("im_version", sa.String(32)),
        sa.Column("start_time", sa.String(32)),
        sa.Column("stop_time", sa.String(32)),
        sa.Column("processing_level", sa.String(64)),
        sa.Column("target", sa.Text),
        sa.Column("investigation", sa.Text),
        sa.Column("instrument", sa.Text),
        sa.Column("instrument_host", sa.Text),
        sa.Column("properties", sa.Text, nullable=False),
        sa.Column("label_sha256", sa.String(64), nullable=False),
        sa.Column("home_node", sa.String(64), nullable=False),
        sa.Column("ingested_at", sa.String(32), nullable=False),
        sa.Column("is_latest", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("access", sa.String(16), nullable=False),
        sa.Column("release_at", sa.String(32)),
    )
    op.create_index("ix_products_lid_version", "products", ["lid", "vid_major", "vid_minor"])
    op.create_index("ix_products_latest_ingested", "products", ["is_latest", "ingested_at", "id"])
    op.create_index(
        "ix_products_latest_class", "products", ["is_latest", "product_class", "ingested_at", "id"]
    )
    op.create_index("ix_products_start", "products", ["start_time"])
    op.create_index("ix_products_stop", "products", ["stop_time"])

    op.create_table(
        "product_files",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "product_id",
            sa.Integer,
            sa.ForeignKey("products.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("md5", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("blob_key", sa.Text, nullable=False),
        sa.Column("creation_time", sa.String(32)),
        sa.Column("records", sa.BigInteger),
        sa.Column("mime_type", sa.String(100)),
        sa.UniqueConstraint("product_id", "path", name="uq_product_files_path"),
    )
    op.create_index("ix_product_files_blob", "product_files", ["blob_key"])

    op.create_table(
        "product_terms",
        sa.Column(
            "product_id",
            sa.Integer,
            sa.ForeignKey("products.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_index("ix_terms_name_value", "product_terms", ["name", "value", "product_id"])
    op.create_index("ix_terms_product", "product_terms", ["product_id", "name"])

    op.create_table(
        "product_members",
        sa.Column(
            "parent_id",
            sa.Integer,
            sa.ForeignKey("products.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("member_lid", sa.String(255), nullable=False),
        sa.Column("member_vid", sa.String(32)),
        sa.Column("status", sa.String(1), nullable=False),
    )
    op.create_index("ix_members_parent", "product_members", ["parent_id"])
    op.create_index("ix_members_member", "product_members", ["member_lid", "member_vid"])

    op.create_table(
        "changes",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("lidvid", sa.String(300), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_index("ix_changes_lidvid", "changes", ["lidvid"])

    op.create_table(
        "product_groups",
        sa.Column(
            "product_id",
            sa.Integer,
            sa.ForeignKey("products.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("group_name", sa.String(64), nullable=False),
        sa.UniqueConstraint("product_id", "group_name", name="uq_product_groups"),
    )
    op.create_index("ix_product_groups_group", "product_groups", ["group_name", "product_id"])

    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.String(32)),
        sa.Column("ingested", sa.Integer, nullable=False),
        sa.Column("unchanged", sa.Integer, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
        sa.Column("bytes", sa.BigInteger, nullable=False),
        sa.Column("source", sa.Text),
    )


def downgrade() -> None:
    for table in (
        "ingest_runs",
        "product_groups",
        "changes",
        "product_members",
        "product_terms",
        "product_files",
        "products",
    ):
        op.drop_table(table)
