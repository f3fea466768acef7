"""``/products/{id}/archive?format=zip|tar``: a bundle or collection as one streamed archive.

The archive holds every file of the product and of the members the viewer may see (a
bundle: its collections and their products), laid out by LID under one root folder, plus
``SHA256SUMS`` and ``MD5SUMS`` manifests (``sha256sum -c`` checks it) written first from
the stored checksums. Bytes stream from the blob store; each file is checked against its
MD5 on the way and the stream is cut if they differ, so a bad copy never looks complete.
"""

from __future__ import annotations

import hashlib
import tarfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import Connection, select
from starlette.responses import StreamingResponse

from lunadc.api.auditing import record_download
from lunadc.api.deps import NodeDep, NowDep, ViewerDep, connected
from lunadc.api.params import allow
from lunadc.api.products import IdPath, files_by_product, resolve
from lunadc.catalog.membership import BUNDLE, COLLECTION, members_ids
from lunadc.catalog.records import ProductRow
from lunadc.catalog.search import ROW_COLUMNS, product_row
from lunadc.catalog.tables import products
from lunadc.catalog.visibility import visible_clause
from lunadc.errors import IntegrityError, NotFoundError
from lunadc.model.access import Viewer
from lunadc.node import Node

router = APIRouter(tags=["files"])
CHUNK = 256 * 1024


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    blob_key: str
    size: int
    md5: str
    sha256: str


def _products(conn: Connection, viewer: Viewer, now: str, root: ProductRow) -> list[ProductRow]:
    found = [root]
    level = [root]
    for _depth in range(2):
        next_level: list[ProductRow] = []
        for parent in level:
            if parent.product_class not in (BUNDLE, COLLECTION):
                continue
            ids = members_ids(conn, viewer, now, parent, 1)
            rows = conn.execute(
                select(*ROW_COLUMNS)
                .where(products.c.id.in_(ids), visible_clause(viewer, now))
                .order_by(products.c.lid, products.c.vid_major, products.c.vid_minor)
            )
            next_level.extend(product_row(r) for r in rows)
        found.extend(next_level)
        level = next_level
    return found


def _folder(root: ProductRow, row: ProductRow) -> str:
    """Where a product's files go: its collection's folder (a bundle's own: the root)."""
    prefix = root.lid + ":"
    rest = row.lid[len(prefix) :] if row.lid.startswith(prefix) else row.lid.split(":", 3)[-1]
    fields = [f for f in rest.split(":") if f] if row.lid != root.lid else []
    if row.product_class not in (BUNDLE, COLLECTION) and fields:
        fields = fields[:-1]
    return "/".join(fields)


def entries_of(conn: Connection, viewer: Viewer, now: str, root: ProductRow) -> list[Entry]:
    rows = _products(conn, viewer, now, root)
    files = files_by_product(conn, [r.id for r in rows])
    top = f"{root.lid.split(':')[-1]}-v{root.vid}"
    entries: dict[str, Entry] = {}
    for row in rows:
        folder = _folder(root, row)
        for f in files[row.id]:
            name = "/".join(p for p in (top, folder, f.path) if p)
            if name in entries and entries[name].sha256 != f.sha256:
                # Two products' files share a name: keep both, the second in its own folder.
                name = "/".join(p for p in (top, folder, row.lid.split(":")[-1], f.path) if p)
            entries[name] = Entry(name, f.blob_key, f.size, f.md5, f.sha256)
    return list(entries.values())


class _Pipe:
    """A write-only, non-seekable sink whose bytes the response generator drains."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def drain(self) -> Iterator[bytes]:
        chunks, self.chunks = self.chunks, []
        yield from chunks


def _manifests(entries: list[Entry], top: str) -> list[tuple[str, bytes]]:
    rel = [(e, e.name.removeprefix(top + "/")) for e in entries]
    sha = "".join(f"{e.sha256}  {name}\n" for e, name in rel).encode()
    md5 = "".join(f"{e.md5}  {name}\n" for e, name in rel).encode()
    return [(f"{top}/SHA256SUMS", sha), (f"{top}/MD5SUMS", md5)]


def _blob_chunks(node: Node, entry: Entry) -> Iterator[bytes]:
    digest = hashlib.md5(usedforsecurity=False)
    with node.store.open(entry.blob_key) as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            yield chunk
    if digest.hexdigest() != entry.md5:
        raise IntegrityError(f"{entry.name}: stored bytes differ from their checksum")


def stream_zip(node: Node, entries: list[Entry], top: str) -> Iterator[bytes]:
    pipe = _Pipe()
    stamp = time.localtime()[:6]
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:  # type: ignore[call-overload]
        for name, data in _manifests(entries, top):
            zf.writestr(zipfile.ZipInfo(name, stamp), data)
            yield from pipe.drain()
        for entry in entries:
            info = zipfile.ZipInfo(entry.name, stamp)
            info.file_size = entry.size
            with zf.open(info, "w", force_zip64=entry.size > 2**31) as out:
                for chunk in _blob_chunks(node, entry):
                    out.write(chunk)
                    yield from pipe.drain()
            yield from pipe.drain()
    yield from pipe.drain()


def stream_tar(node: Node, entries: list[Entry], top: str) -> Iterator[bytes]:
    """A POSIX (pax) tar written block by block, so no file is ever held in memory."""
    now = int(time.time())

    def header(name: str, size: int) -> bytes:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = size, now, 0o644
        return info.tobuf(format=tarfile.PAX_FORMAT, encoding="utf-8", errors="strict")

    def padding(size: int) -> bytes:
        return b"\0" * (-size % tarfile.BLOCKSIZE)

    for name, data in _manifests(entries, top):
        yield header(name, len(data)) + data + padding(len(data))
    for entry in entries:
        yield header(entry.name, entry.size)
        yield from _blob_chunks(node, entry)
        yield padding(entry.size)
    yield b"\0" * (2 * tarfile.BLOCKSIZE)


@router.get(
    "/products/{identifier}/archive",
    dependencies=[Depends(allow("format"))],
    responses={
        200: {"description": "The archive", "content": {"application/zip": {}}},
        404: {"description": "No such product", "content": {"application/problem+json": {}}},
    },
)
@connected
def archive(
    request: Request,
    identifier: IdPath,
    node: NodeDep,
    conn: Connection,
    viewer: ViewerDep,
    now: NowDep,
    format: Annotated[Literal["zip", "tar"], Query(description="zip or tar")] = "zip",
) -> StreamingResponse:
    """A product (a bundle or collection with its members) as one zip or tar stream."""
    root = resolve(conn, viewer, now, identifier)
    entries = entries_of(conn, viewer, now, root)
    missing = [e.name for e in entries if e.blob_key is None]
    if missing:  # a peer's products whose bytes no sharing rule replicates here
        raise NotFoundError(
            f"{len(missing)} file(s) of {root.lidvid} are not replicated on this node "
            f"(e.g. {missing[0]}); its home node {root.home_node} has them"
        )
    top = f"{root.lid.split(':')[-1]}-v{root.vid}"
    stream = stream_zip if format == "zip" else stream_tar
    media = "application/zip" if format == "zip" else "application/x-tar"
    disposition = f'attachment; filename="{top}.{format}"'
    record_download(
        node,
        viewer,
        request,
        lidvid=root.lidvid,
        target=f"{top}.{format}",
        now=now,
        detail={"files": len(entries), "bytes": sum(e.size for e in entries)},
    )
    return StreamingResponse(
        stream(node, entries, top), media_type=media, headers={"Content-Disposition": disposition}
    )
