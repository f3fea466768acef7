"""What the catalog stores and returns, as frozen value objects (no SQL here)."""

from __future__ import annotations

from dataclasses import dataclass

from lunadc.model.product import Label, Member


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file of a product whose bytes are in the blob store under ``blob_key``."""

    path: str
    role: str  # label | data
    size: int
    md5: str
    sha256: str
    blob_key: str
    creation_time: str | None = None
    records: int | None = None
    mime_type: str | None = None


# The products columns that ``LabelRows.product`` fills, in its order; the rest of a row
# (hashes, home, time, latest flag, access) is known only at registration.
LABEL_COLUMNS = (
    "lid",
    "vid",
    "vid_major",
    "vid_minor",
    "lidvid",
    "product_class",
    "title",
    "description",
    "im_version",
    "start_time",
    "stop_time",
    "processing_level",
    "target",
    "investigation",
    "instrument",
    "instrument_host",
    "properties",
)


@dataclass(frozen=True, slots=True)
class LabelRows:
    """What registering a label writes that depends on the label alone (``terms.label_rows``):
    its ``LABEL_COLUMNS`` values, its (name, value) search terms and its keyword words."""

    product: tuple[str | int | None, ...]
    terms: tuple[tuple[str, str], ...]
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NewProduct:
    """Everything needed to register one product version in one transaction."""

    label: Label
    label_sha256: str
    files: tuple[StoredFile, ...]
    members: tuple[Member, ...]
    home_node: str
    ingested_at: str
    access: str = "public"
    release_at: str | None = None
    groups: frozenset[str] = frozenset()
    # True: ignore the three fields above and follow the parents that list this product
    # (public if none); False: the access given is this product's own (explicit).
    inherit_access: bool = False
    # Computed ahead from ``label`` (an ingest's workers do it); None: registration does.
    rows: LabelRows | None = None


@dataclass(frozen=True, slots=True)
class ProductRow:
    """A registered product version as the catalog holds it."""

    id: int
    lid: str
    vid: str
    lidvid: str
    product_class: str
    title: str
    description: str | None
    im_version: str | None
    start_time: str | None
    stop_time: str | None
    processing_level: str | None
    target: str | None
    investigation: str | None
    instrument: str | None
    instrument_host: str | None
    properties: dict[str, list[str]]
    label_sha256: str
    home_node: str
    ingested_at: str
    is_latest: bool
    status: str
    access: str
    release_at: str | None
