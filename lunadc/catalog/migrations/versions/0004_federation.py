"""Federation: peers, grants, sharing rules, feed cursors, replicas and their failures.

``product_files.blob_key`` becomes nullable: a replica's metadata arrives before (or
without) its bytes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fed_peers",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("public_key", sa.Text, nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False, unique=True),
        sa.Column("key_expires_at", sa.String(32)),
        sa.Column("added_at", sa.String(32), nullable=False),
        sa.Column("removed_at", sa.String(32)),
    )
    op.create_table(
        "fed_grants",
        sa.Column(
            "peer",
            sa.String(64),
            sa.ForeignKey("fed_peers.name", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("group_name", sa.String(64), nullable=False),
        sa.UniqueConstraint("peer", "group_name", name="uq_fed_grants"),
    )
    op.create_table(
        "fed_rules",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "peer",
            sa.String(64),
            sa.ForeignKey("fed_peers.name", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("mission", sa.Text),
        sa.Column("bundle_lid", sa.String(255)),
        sa.Column("collection_lid", sa.String(255)),
        sa.Column("access", sa.String(64)),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "fed_cursors",
        sa.Column(
            "peer",
            sa.String(64),
            sa.ForeignKey("fed_peers.name", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
        sa.Column("last_event_at", sa.String(32)),
        sa.Column("remote_head", sa.BigInteger, nullable=False),
        sa.Column("last_sync_at", sa.String(32)),
        sa.Column("last_ok_at", sa.String(32)),
        sa.Column("last_error", sa.Text),
    )
    op.create_table(
        "fed_replicas",
        sa.Column("lidvid", sa.String(300), primary_key=True),
        sa.Column("peer", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("files", sa.Integer, nullable=False),
        sa.Column("bytes", sa.BigInteger, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_fed_replicas_state", "fed_replicas", ["state", "peer"])
    op.create_table(
        "fed_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("peer", sa.String(64), nullable=False),
        sa.Column("lidvid", sa.String(300), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
    )
    op.create_index("ix_fed_failures_lidvid", "fed_failures", ["lidvid"])
    with op.batch_alter_table("product_files") as batch:
        batch.alter_column("blob_key", existing_type=sa.Text, nullable=True)


def downgrade() -> None:
    # Replicas without bytes cannot satisfy the old NOT NULL: they go first.
    op.execute("DELETE FROM product_files WHERE blob_key IS NULL")
    with op.batch_alter_table("product_files") as batch:
        batch.alter_column("blob_key", existing_type=sa.Text, nullable=False)
    op.drop_index("ix_fed_failures_lidvid", "fed_failures")
    op.drop_table("fed_failures")
    op.drop_index("ix_fed_replicas_state", "fed_replicas")
    op.drop_table("fed_replicas")
    op.drop_table("fed_cursors")
    op.drop_table("fed_rules")
    op.drop_table("fed_grants")
    op.drop_table("fed_peers")
