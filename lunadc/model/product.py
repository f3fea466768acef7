"""What lunadc knows about a product once its label has been read: frozen value objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class FileRole(StrEnum):
    LABEL = "label"
    DATA = "data"


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file a label describes (``role=data``) or the label itself (``role=label``).

    ``path`` is relative to the label's folder, with ``/`` separators (``directory_path_name``
    joined in front of ``file_name``); it is checked never to leave that folder.
    """

    path: str
    role: FileRole = FileRole.DATA
    size: int | None = None
    md5: str | None = None
    creation_date_time: str | None = None
    records: int | None = None
    data_objects: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """An ``Internal_Reference`` (or a bundle member entry): to a LID or an exact LIDVID."""

    reference_type: str
    lid: str
    vid: str | None = None

    @property
    def field_name(self) -> str:
        """The harvest search field this reference lands in: ``ref_lid_<last token>``."""
        return "ref_lid_" + reference_kind(self.reference_type)


def reference_kind(reference_type: str) -> str:
    """``collection_to_target`` → ``target``; ``is_instrument_host`` → ``instrument_host``."""
    if reference_type.startswith("is_"):
        return reference_type[3:]
    if "_to_" in reference_type:
        return reference_type.rsplit("_to_", 1)[1]
    return reference_type


@dataclass(frozen=True, slots=True)
class Member:
    """A member of a collection (inventory row) or of a bundle (Bundle_Member_Entry)."""

    lid: str
    vid: str | None
    status: str  # "P" primary or "S" secondary
    reference_type: str | None = None


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """cart:Bounding_Coordinates in degrees (east longitude, planetocentric latitude).

    The region between two meridians (``west`` → ``east`` going east, so ``west > east``
    crosses 180°) and two parallels; not the polygon through its corners.
    """

    west: float
    east: float
    north: float
    south: float


@dataclass(frozen=True, slots=True)
class Geometry:
    """Where a product lies on its target body, as the label says it."""

    body: str | None = None
    boxes: tuple[BoundingBox, ...] = ()
    polygons: tuple[tuple[tuple[float, float], ...], ...] = ()  # (lon, lat) rings
    points: tuple[tuple[float, float], ...] = ()  # (lon, lat)
    resolution_m: float | None = None  # best pixel scale in metres per pixel, where given

    @property
    def is_empty(self) -> bool:
        return not (self.boxes or self.polygons or self.points)


@dataclass(frozen=True, slots=True)
class NamedRef:
    """A name (and type) with the context LID it refers to, where the label gives one."""

    name: str
    type: str | None = None
    lid: str | None = None


@dataclass(frozen=True, slots=True)
class Label:
    """Everything lunadc extracts from one PDS4 label (the label bytes are kept beside it)."""

    lid: str
    vid: str
    product_class: str
    title: str
    information_model_version: str | None = None
    description: str | None = None
    start_date_time: str | None = None  # normalised ISO-8601 UTC, e.g. 2019-01-03T02:30:00Z
    stop_date_time: str | None = None
    processing_level: str | None = None
    purpose: str | None = None
    disciplines: tuple[str, ...] = ()
    targets: tuple[NamedRef, ...] = ()
    investigations: tuple[NamedRef, ...] = ()
    instrument_hosts: tuple[NamedRef, ...] = ()
    instruments: tuple[NamedRef, ...] = ()
    files: tuple[FileEntry, ...] = ()
    inventory_files: tuple[str, ...] = ()  # collection inventory table(s), paths as in files
    bundle_members: tuple[Member, ...] = ()
    references: tuple[Reference, ...] = ()
    geometry: Geometry = field(default_factory=Geometry)
    properties: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    schema_locations: tuple[tuple[str, str], ...] = ()  # (namespace URI, schema URL)
    modification_date: str | None = None

    @property
    def lidvid(self) -> str:
        return f"{self.lid}::{self.vid}"

    @property
    def data_files(self) -> tuple[FileEntry, ...]:
        return tuple(f for f in self.files if f.role is FileRole.DATA)
