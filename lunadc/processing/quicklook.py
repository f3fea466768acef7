"""Quicklooks: a PNG for a product, drawn from its label's first drawable data object.

An image for 2-D arrays and encoded images, a plot for spectra, traces and tables. The
result is cached under ``ROOT/cache/quicklooks/<sha256>.png``, keyed by the label's SHA-256
(a LIDVID's bytes never change, so neither does its quicklook) and the renderer version.
Callers check access first: this module draws whatever it is given.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from lunadc.catalog.products import files_of
from lunadc.catalog.records import ProductRow, StoredFile
from lunadc.errors import LabelError
from lunadc.node import Node
from lunadc.pds4.safe_xml import parse_xml
from lunadc.processing import render
from lunadc.processing.arrays import read_array
from lunadc.processing.objects import ArraySpec, EncodedSpec, TableSpec, data_objects
from lunadc.processing.tables import read_table

RENDERER_VERSION = "1"
MAX_FILE_BYTES = 512 * 1024 * 1024
_NONE_MARK = b""  # a cached "nothing to draw" is an empty file

FileReader = Callable[[str], bytes | None]


def make_quicklook(label: bytes, read_file: FileReader, title: str) -> bytes | None:
    """The PNG for a label whose files ``read_file`` returns by name; None if nothing draws."""
    try:
        root = parse_xml(label, source="label").getroot()
    except LabelError:
        return None
    for spec in data_objects(root):
        data = read_file(spec.file)
        if data is None:
            continue
        png: bytes | None = None
        if isinstance(spec, ArraySpec):
            values = read_array(spec, data)
            if values is not None and values.ndim == 2 and min(values.shape) > 1:
                png = render.image_png(values)
            elif values is not None:
                png = render.trace_png(values.ravel(), title, spec.unit)
        elif isinstance(spec, TableSpec):
            png = render.plot_png(read_table(spec, data), title)
        elif isinstance(spec, EncodedSpec):
            png = render.encoded_png(data[spec.offset :])
        if png is not None:
            return png
    return None


def cache_path(node: Node, product: ProductRow) -> Path:
    key = hashlib.sha256(f"{RENDERER_VERSION}:{product.label_sha256}".encode()).hexdigest()
    return node.config.root / "cache" / "quicklooks" / f"{key}.png"


def _reader(node: Node, files: list[StoredFile]) -> tuple[bytes | None, FileReader]:
    by_name = {f.path.rsplit("/", 1)[-1]: f for f in files if f.role != "label"}
    by_path = {f.path: f for f in files if f.role != "label"}
    label = next((f for f in files if f.role == "label"), None)

    def read(stored: StoredFile | None) -> bytes | None:
        if stored is None or stored.size > MAX_FILE_BYTES:
            return None
        with node.store.open(stored.blob_key) as handle:
            return handle.read(MAX_FILE_BYTES)

    def read_file(name: str) -> bytes | None:
        return read(by_path.get(name) or by_name.get(name.rsplit("/", 1)[-1]))

    return read(label), read_file


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def quicklook_for(node: Node, product: ProductRow) -> bytes | None:
    """The (cached) quicklook PNG of a product the caller has already checked access to."""
    path = cache_path(node, product)
    if path.exists():
        cached = path.read_bytes()
        return cached or None
    with node.engine.connect() as conn:
        files = files_of(conn, product.id)
    label, read_file = _reader(node, files)
    png = make_quicklook(label, read_file, product.title) if label is not None else None
    _write_atomic(path, png if png is not None else _NONE_MARK)
    return png
