"""Products as the PDS Search API shows them: the property map and the ``pdsProduct`` object.

Every property value is a list of strings (the PDS client is strict about that); the
``ops:*`` properties harvest adds (harvest time, node, label and data file info) are made
here from the catalog, with file URLs pointing at this node's ``/files`` surface.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from lunadc.catalog.records import ProductRow, StoredFile

# What application/json always returns besides the requested fields (as the reference).
MINIMAL_FIELDS = (
    "lidvid",
    "title",
    "product_class",
    "pds:Time_Coordinates.pds:start_date_time",
    "pds:Time_Coordinates.pds:stop_date_time",
    "pds:Modification_Detail.pds:modification_date",
    "pds:File.pds:creation_date_time",
    "ref_lid_instrument_host",
    "ref_lid_instrument",
    "ref_lid_investigation",
    "ref_lid_target",
    "vid",
    "ops:Data_File_Info.ops:file_ref",
    "ops:Tracking_Meta.ops:archive_status",
    "ops:Label_File_Info.ops:file_ref",
)
ARCHIVE_STATUS = "archived"


@dataclass(frozen=True, slots=True)
class Shown:
    """One product with what its views need: its files and the node's base URL."""

    row: ProductRow
    files: list[StoredFile]
    base: str  # e.g. http://127.0.0.1:8700 (no trailing slash)

    @property
    def label(self) -> StoredFile | None:
        return next((f for f in self.files if f.role == "label"), None)

    def file_url(self, f: StoredFile) -> str:
        return f"{self.base}/files/{_quoted(self.row.lidvid, '')}/{_quoted(f.path, '/')}"

    def product_url(self, identifier: str) -> str:
        return f"{self.base}/products/{_quoted(identifier, '')}"


@lru_cache(maxsize=65536)
def _quoted(text: str, safe: str) -> str:
    # The same strings are quoted again and again (a product's LIDVID for each of its files,
    # the context LIDs every product refers to), and quoting is pure Python: it was the
    # largest cost of a page of 100 products.
    return quote(text, safe=safe)


def properties_of(shown: Shown, names: Collection[str] | None = None) -> dict[str, list[str]]:
    """The property map: the label's harvest properties plus the ``ops:`` ones; with
    ``names``, only those (a page of 100 products asks for a few fields of each, and building
    every property of every product was most of that request's time)."""
    row = shown.row
    stored = row.properties
    # Stored values are lists of strings already (``harvest_properties`` makes them so).
    props = dict(stored) if names is None else {k: stored[k] for k in names if k in stored}

    def wanted(name: str) -> bool:
        return names is None or name in names

    own = {
        "lid": row.lid,
        "vid": row.vid,
        "lidvid": row.lidvid,
        "title": row.title,
        "product_class": row.product_class,
    }
    for key, value in own.items():
        if wanted(key):
            props.setdefault(key, [value])
    ops = _ops_properties(shown)
    props.update(ops if names is None else {k: v for k, v in ops.items() if k in names})
    return props


def _ops_properties(shown: Shown) -> dict[str, list[str]]:
    row = shown.row
    props = {
        "ops:Harvest_Info.ops:harvest_date_time": [row.ingested_at],
        "ops:Harvest_Info.ops:node_name": [row.home_node],
        "ops:Tracking_Meta.ops:archive_status": [ARCHIVE_STATUS],
    }
    label = shown.label
    if label is not None:
        props["ops:Label_File_Info.ops:file_ref"] = [shown.file_url(label)]
        props["ops:Label_File_Info.ops:file_name"] = [label.path.rsplit("/", 1)[-1]]
        props["ops:Label_File_Info.ops:file_size"] = [str(label.size)]
        props["ops:Label_File_Info.ops:md5_checksum"] = [label.md5]
        props["ops:Label_File_Info.ops:creation_date_time"] = [row.ingested_at]
    data = [f for f in shown.files if f.role != "label"]
    if data:
        props["ops:Data_File_Info.ops:file_ref"] = [shown.file_url(f) for f in data]
        props["ops:Data_File_Info.ops:file_name"] = [f.path.rsplit("/", 1)[-1] for f in data]
        props["ops:Data_File_Info.ops:file_size"] = [str(f.size) for f in data]
        props["ops:Data_File_Info.ops:md5_checksum"] = [f.md5 for f in data]
        props["ops:Data_File_Info.ops:mime_type"] = [
            f.mime_type or "application/octet-stream" for f in data
        ]
    return props


def select_fields(
    props: dict[str, list[str]], wanted: tuple[str, ...], *, minimal: bool
) -> dict[str, list[str]]:
    if not wanted:
        return props
    names = [*MINIMAL_FIELDS, *wanted] if minimal else list(wanted)
    return {name: props[name] for name in dict.fromkeys(names) if name in props}


def _refs(shown: Shown, props: dict[str, list[str]], *names: str) -> list[dict[str, str]]:
    return [
        {"id": lid, "href": shown.product_url(lid)} for name in names for lid in props.get(name, [])
    ]


def _first(props: dict[str, list[str]], name: str) -> str | None:
    values = props.get(name)
    return values[0] if values else None


def files_view(shown: Shown) -> list[dict[str, Any]]:
    return [
        {
            "name": f.path,
            "role": f.role,
            "size": f.size,
            "md5": f.md5,
            "sha256": f.sha256,
            "mime_type": f.mime_type or "application/octet-stream",
            "href": shown.file_url(f),
        }
        for f in shown.files
    ]


def pds_product(shown: Shown, wanted: tuple[str, ...]) -> dict[str, Any]:
    """The application/json ``pdsProduct`` object."""
    row = shown.row
    # With ``fields``, only the minimal set and the wanted ones are ever shown.
    props = properties_of(shown, {*MINIMAL_FIELDS, *wanted} if wanted else None)
    label = shown.label
    return {
        "id": row.lidvid,
        "type": row.product_class,
        "title": row.title,
        "description": row.description,
        "start_date_time": _first(props, "pds:Time_Coordinates.pds:start_date_time"),
        "stop_date_time": _first(props, "pds:Time_Coordinates.pds:stop_date_time"),
        "investigations": _refs(shown, props, "ref_lid_investigation"),
        "observing_system_components": _refs(
            shown, props, "ref_lid_instrument_host", "ref_lid_instrument"
        ),
        "targets": _refs(shown, props, "ref_lid_target"),
        "metadata": {
            "label_url": shown.file_url(label) if label else "",
            "update_date_time": _first(props, "pds:Modification_Detail.pds:modification_date"),
            "version": row.vid,
            "creation_date_time": row.ingested_at,
            "archive_status": ARCHIVE_STATUS,
        },
        "files": files_view(shown),
        "properties": select_fields(props, wanted, minimal=True),
    }


def flat_values(shown: Shown, wanted: tuple[str, ...]) -> dict[str, str | None]:
    """kvp+json / csv: one string per property (``|`` joins several); missing: None."""
    props = properties_of(shown, set(wanted) if wanted else None)
    names = wanted or tuple(props)
    return {n: ("|".join(props[n]) if n in props else None) for n in names}
