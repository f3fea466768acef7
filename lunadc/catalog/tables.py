"""Table definitions of the catalog (SQLAlchemy Core), the single source of the schema.

Alembic migrations under ``migrations/`` create exactly these tables; a test checks they agree.
Times are stored as ISO-8601 UTC text (``2019-01-03T02:30:00.000000Z``) so that text order is
time order on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

metadata = MetaData()

# A PDS4 product version: one label and the files it describes.
products = Table(
    "products",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lid", String(255), nullable=False),
    Column("vid", String(32), nullable=False),
    Column("vid_major", Integer, nullable=False),
    Column("vid_minor", Integer, nullable=False),
    Column("lidvid", String(300), nullable=False, unique=True),
    Column("product_class", String(80), nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text),
    Column("im_version", String(32)),
    Column("start_time", String(32)),
    Column("stop_time", String(32)),
    Column("processing_level", String(64)),
    Column("target", Text),  # first target name, for sorting and display; all names in terms
    Column("investigation", Text),
    Column("instrument", Text),
    Column("instrument_host", Text),
    Column("properties", Text, nullable=False),  # JSON {dotted property: [str, ...]}
    Column("label_sha256", String(64), nullable=False),
    Column("home_node", String(64), nullable=False),
    Column("ingested_at", String(32), nullable=False),
    Column("is_latest", Boolean, nullable=False, default=True),
    Column("status", String(16), nullable=False, default="active"),
    Column("access", String(16), nullable=False, default="public"),
    Column("release_at", String(32)),
    # True when access was set for this product itself (flag, policy file, ``access set``,
    # the home node of a replica); False when it follows its bundle's or collection's.
    Column("access_explicit", Boolean, nullable=False, default=False),
    Index("ix_products_lid_version", "lid", "vid_major", "vid_minor"),
    # The default list order; access and release_at make visibility an index-only test.
    Index("ix_products_latest_ingested", "is_latest", "ingested_at", "id", "access", "release_at"),
    Index("ix_products_latest_class", "is_latest", "product_class", "ingested_at", "id"),
    Index("ix_products_start", "start_time"),
    Index("ix_products_stop", "stop_time"),
)

# Every file of a product, the label included; ``blob_key`` locates the bytes in the blob store.
product_files = Table(
    "product_files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("product_id", Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(8), nullable=False),  # label | data
    Column("path", Text, nullable=False),  # relative to the label's folder, '/' separated
    Column("size", BigInteger, nullable=False),
    Column("md5", String(32), nullable=False),
    Column("sha256", String(64), nullable=False),
    # NULL: a replica whose bytes this node does not hold (metadata only, or not yet
    # verified); set for every file of the product at once when all are verified (0004).
    Column("blob_key", Text, nullable=True),
    Column("creation_time", String(32)),
    Column("records", BigInteger),
    Column("mime_type", String(100)),
    UniqueConstraint("product_id", "path", name="uq_product_files_path"),
    Index("ix_product_files_blob", "blob_key"),
)

# Multi-valued search terms (names, references, disciplines) for filters and facets.
product_terms = Table(
    "product_terms",
    metadata,
    Column("product_id", Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(120), nullable=False),
    Column("value", Text, nullable=False),
    # The product's start time, copied (a LIDVID never changes, so neither does this): the
    # commonest search, a name plus a time range, is then one range of ix_terms_name_lower.
    Column("start_time", String(32)),
    Index("ix_terms_name_value", "name", "value", "product_id"),
    Index("ix_terms_product", "product_id", "name"),
)

# Membership: a collection's inventory rows and a bundle's member entries.
product_members = Table(
    "product_members",
    metadata,
    Column("parent_id", Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
    Column("member_lid", String(255), nullable=False),
    Column("member_vid", String(32)),  # None: any version (the latest)
    Column("status", String(1), nullable=False),  # P | S
    Index("ix_members_parent", "parent_id"),
    Index("ix_members_member", "member_lid", "member_vid"),
)

# The change feed: one ordered event per catalog change; peers pull it after a sequence number.
changes = Table(
    "changes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("kind", String(32), nullable=False),  # added | superseded | access_changed | withdrawn
    Column("lidvid", String(300), nullable=False),
    Column("payload", Text, nullable=False),  # JSON
    Index("ix_changes_lidvid", "lidvid"),
)

# One row per ``lunadc ingest`` run: the node's ingest history.
ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    Column("ingested", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("bytes", BigInteger, nullable=False, default=0),
    Column("source", Text),
)


# Groups that may see a restricted product (access = 'restricted').
product_groups = Table(
    "product_groups",
    metadata,
    Column("product_id", Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
    Column("group_name", String(64), nullable=False),
    UniqueConstraint("product_id", "group_name", name="uq_product_groups"),
    Index("ix_product_groups_group", "group_name", "product_id"),
)


# Search structures kept beside the products (migration 0002, maintained by
# ``lunadc.catalog.search_index.index_product`` at registration).

# Inverted index of the words of title and descriptions, for the ``keywords`` search: a plain
# table works the same on SQLite and PostgreSQL (an FTS5 virtual table would not migrate).
product_words = Table(
    "product_words",
    metadata,
    Column("word", String(64), primary_key=True),
    Column(
        "product_id",
        Integer,
        ForeignKey("products.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Index("ix_words_product", "product_id"),
    sqlite_with_rowid=False,
)

# Every property name any product carries, with its type as first seen: for /properties.
search_properties = Table(
    "search_properties",
    metadata,
    Column("name", String(300), primary_key=True),
    Column("type", String(16), nullable=False),
    # The product that brought the name in: /properties shows a name to a viewer who may see
    # that product (or, failing that, any other product holding the name).
    Column("witness_id", Integer, nullable=True),
)

# Embargo ends (the caches of counts and facets expire at the next one) and sort by LIDVID.
Index("ix_products_release", products.c.release_at)
Index("ix_products_latest_lidvid", products.c.is_latest, products.c.lidvid)
# What a count or a default-order page needs of each product an index found (keyword
# postings, term matches): the latest flag, visibility and harvest time in a narrow index,
# instead of the wide row of the table.
Index(
    "ix_products_id_visibility",
    products.c.id,
    products.c.is_latest,
    products.c.access,
    products.c.release_at,
    products.c.ingested_at,
)
# Time-range filters answered from the index alone (with what visibility needs), and
# case-insensitive term matches (``target eq "moon"``, plus a start-time range) as one
# index range.
Index(
    "ix_products_start_cover",
    products.c.start_time,
    products.c.is_latest,
    products.c.access,
    products.c.release_at,
    products.c.ingested_at,
    products.c.id,
)
Index(
    "ix_terms_name_lower",
    product_terms.c.name,
    func.lower(product_terms.c.value),
    product_terms.c.start_time,
    product_terms.c.product_id,
)

# Accounts of this node: users with a role, partner flag and groups; API tokens (hashed).
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),  # reader | archivist | admin
    Column("partner", Boolean, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", String(32), nullable=False),
)

groups = Table(
    "groups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", Integer, ForeignKey("groups.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    UniqueConstraint("group_id", "user_id", name="uq_group_members"),
)

# Only a SHA-256 of each token's secret is kept; ``token_id`` is the public half used to find it.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_id", String(16), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("secret_sha256", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32)),
    Column("revoked_at", String(32)),
    Column("last_used_at", String(32)),
)

# The audit trail: append-only (database triggers refuse UPDATE and DELETE).
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("actor", String(120)),  # user name, peer node, or None for anonymous
    Column("action", String(40), nullable=False),
    Column("lidvid", String(300)),
    Column("target", Text),  # file path, user name, token id ... what the action was about
    Column("client", String(100)),  # IP address or "cli"
    Column("detail", Text),  # JSON
    Index("ix_audit_at", "at"),
    Index("ix_audit_actor", "actor", "at"),
    Index("ix_audit_lidvid", "lidvid", "at"),
)


# --- Federation (migration 0004, SQL in ``lunadc.catalog.federation``) ---------------------

# Peer nodes this node trusts: their URL and Ed25519 public key (``key_id`` is its
# fingerprint, the ``keyid`` of their signatures). A removed peer keeps its row (audit) but
# its key is refused from then on.
fed_peers = Table(
    "fed_peers",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    Column("public_key", Text, nullable=False),
    Column("key_id", String(64), nullable=False, unique=True),
    Column("key_expires_at", String(32)),
    Column("added_at", String(32), nullable=False),
    Column("removed_at", String(32)),
)

# Restricted groups of this node whose products a peer may receive.
fed_grants = Table(
    "fed_grants",
    metadata,
    Column("peer", String(64), ForeignKey("fed_peers.name", ondelete="CASCADE"), nullable=False),
    Column("group_name", String(64), nullable=False),
    UniqueConstraint("peer", "group_name", name="uq_fed_grants"),
)

# Sharing rules: which of a peer's products this node replicates the bytes of.
fed_rules = Table(
    "fed_rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("peer", String(64), ForeignKey("fed_peers.name", ondelete="CASCADE"), nullable=False),
    Column("mission", Text),
    Column("bundle_lid", String(255)),
    Column("collection_lid", String(255)),
    Column("access", String(64)),  # comma-separated levels, NULL: any the peer sends
    Column("created_at", String(32), nullable=False),
)

# Where this node is in each peer's change feed, and what it last heard of the peer.
fed_cursors = Table(
    "fed_cursors",
    metadata,
    Column("peer", String(64), ForeignKey("fed_peers.name", ondelete="CASCADE"), primary_key=True),
    Column("last_seq", BigInteger, nullable=False, default=0),
    Column("last_event_at", String(32)),
    Column("remote_head", BigInteger, nullable=False, default=0),
    Column("last_sync_at", String(32)),
    Column("last_ok_at", String(32)),
    Column("last_error", Text),
)

# One row per replica of a peer's product: its state and transfer progress.
# state: metadata (bytes not wanted) | queued | complete | failed | removed
fed_replicas = Table(
    "fed_replicas",
    metadata,
    Column("lidvid", String(300), primary_key=True),
    Column("peer", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("files", Integer, nullable=False, default=0),
    Column("bytes", BigInteger, nullable=False, default=0),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("updated_at", String(32), nullable=False),
    Index("ix_fed_replicas_state", "state", "peer"),
)

# Why a file could not be replicated (per file, newest last); kept for ``lunadc status``.
fed_failures = Table(
    "fed_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("peer", String(64), nullable=False),
    Column("lidvid", String(300), nullable=False),
    Column("path", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", String(32), nullable=False),
    Index("ix_fed_failures_lidvid", "lidvid"),
)


# Spatial (migration 0005, kept by ``lunadc.catalog.footprints`` at registration): one
# footprint per product on its body, as the exact region (JSON) and its bounding box
# (``west > east`` crosses 180°; a box with a pole has west -180, east 180).
footprints = Table(
    "footprints",
    metadata,
    Column(
        "product_id",
        Integer,
        ForeignKey("products.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("body", String(64), nullable=False),
    Column("body_radius_km", Float, nullable=False),
    Column("region", Text, nullable=False),
    Column("west", Float, nullable=False),
    Column("south", Float, nullable=False),
    Column("east", Float, nullable=False),
    Column("north", Float, nullable=False),
    Column("resolution_m", Float),  # best pixel scale where the label gives one
    Index("ix_footprints_body", "body", "product_id"),
)

# A conservative covering of each footprint by nested HEALPix cells, each as its order-29
# range [lo, hi): the pre-filter of spatial search (see ``lunadc.search.spatial.cells``).
footprint_cells = Table(
    "footprint_cells",
    metadata,
    Column("product_id", Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
    Column("body", String(64), nullable=False),
    Column("lo", BigInteger, nullable=False),
    Column("hi", BigInteger, nullable=False),
    Index("ix_footprint_cells_body_lo", "body", "lo", "hi", "product_id"),
    Index("ix_footprint_cells_product", "product_id"),
)
