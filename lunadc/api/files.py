"""``GET``/``HEAD /files/{lidvid}/{path}``: a product's label or data file, from the blob store.

Single byte ranges (``bytes=a-b``, ``a-``, ``-n``) answer 206; an unsatisfiable one 416; a
multi-range request is answered whole (RFC 9110 lets a server ignore Range). Validators:
a strong ``ETag`` (the SHA-256; a LIDVID's bytes never change), ``Last-Modified`` (when the
product was registered); digests come from the stored checksums, never recomputed here.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Iterator
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy import Connection
from starlette.responses import Response, StreamingResponse

from lunadc.api.auditing import record_download
from lunadc.api.deps import NodeDep, NowDep, ViewerDep, connected
from lunadc.api.params import allow
from lunadc.api.products import resolve
from lunadc.catalog.products import files_of
from lunadc.catalog.records import StoredFile
from lunadc.errors import NotFoundError, StorageError
from lunadc.model.times import parse_time
from lunadc.node import Node

router = APIRouter(tags=["files"])
CHUNK = 256 * 1024
_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


def _b64(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """``(first, last)`` inclusive, None to send everything, "unsatisfiable" for a 416."""
    if not header or "," in header:
        return None
    match = _RANGE.match(header)
    if match is None:
        return None  # not a byte range we understand: ignore it
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        return None
    if not first_text:  # suffix range: the last n bytes
        length = int(last_text)
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    first = int(first_text)
    if last_text and int(last_text) < first:
        return None  # invalid: ignored as RFC 9110 says
    if first >= size:
        return "unsatisfiable"
    last = int(last_text) if last_text else size - 1
    return first, min(last, size - 1)


def _stream(node: Node, key: str, first: int, length: int) -> Iterator[bytes]:
    with node.store.open(key) as fh:
        fh.seek(first)
        left = length
        while left > 0:
            chunk = fh.read(min(CHUNK, left))
            if not chunk:
                return  # the store holds fewer bytes than promised: fsck reports it
            left -= len(chunk)
            yield chunk


def _not_modified(request: Request, etag: str, modified: str) -> bool:
    if_none = request.headers.get("if-none-match")
    if if_none is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none.split(",")]
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return parsedate_to_datetime(since) >= parsedate_to_datetime(modified)
        except (TypeError, ValueError):
            return False
    return False


def _range_applies(request: Request, etag: str, modified: str) -> bool:
    if_range = request.headers.get("if-range")
    if if_range is None:
        return True
    return if_range.strip() in (etag, modified)


def file_headers(f: StoredFile, registered_at: str) -> dict[str, str]:
    modified = format_datetime(parse_time(registered_at).replace(microsecond=0), usegmt=True)
    name = f.path.rsplit("/", 1)[-1]
    safe = name.encode("ascii", "replace").decode().replace('"', "_").replace("\\", "_")
    return {
        "ETag": f'"{f.sha256}"',
        "Last-Modified": modified,
        "Accept-Ranges": "bytes",
        "Digest": f"md5={_b64(f.md5)},sha-256={_b64(f.sha256)}",
        "Repr-Digest": f"sha-256=:{_b64(f.sha256)}:",
        "Content-Disposition": f"attachment; filename=\"{safe}\"; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "public, max-age=86400, immutable",
    }


def _media_type(f: StoredFile) -> str:
    if f.role == "label":
        return "application/xml"
    return f.mime_type or mimetypes.guess_type(f.path)[0] or "application/octet-stream"


@router.api_route(
    "/files/{identifier}/{file_path:path}",
    methods=["GET", "HEAD"],
    dependencies=[Depends(allow())],
    responses={
        200: {"description": "The file", "content": {"application/octet-stream": {}}},
        206: {"description": "A byte range of the file"},
        304: {"description": "Not modified"},
        404: {"description": "No such file", "content": {"application/problem+json": {}}},
        416: {"description": "Range not satisfiable"},
    },
)
@connected
def get_file(
    request: Request,
    identifier: Annotated[str, Path(description="The product's LIDVID (or LID: latest).")],
    file_path: Annotated[str, Path(description="The file name as the label gives it.")],
    node: NodeDep,
    conn: Connection,
    viewer: ViewerDep,
    now: NowDep,
) -> Response:
    row = resolve(conn, viewer, now, identifier)
    found = next((f for f in files_of(conn, row.id) if f.path == file_path), None)
    if found is None:
        raise NotFoundError(f"{row.lidvid} has no file {file_path[:200]!r}")
    if found.blob_key is None:  # a peer's product whose bytes no sharing rule replicates
        raise NotFoundError(
            f"the bytes of {row.lidvid}/{found.path} are not replicated on this node; "
            f"its home node {row.home_node} has them"
        )
    if not node.store.exists(found.blob_key):
        raise StorageError(f"the bytes of {row.lidvid}/{found.path} are missing from the archive")
    headers = file_headers(found, row.ingested_at)
    if _not_modified(request, headers["ETag"], headers["Last-Modified"]):
        headers.pop("Content-Disposition")
        return Response(status_code=304, headers=headers)
    wanted = None
    if _range_applies(request, headers["ETag"], headers["Last-Modified"]):
        wanted = parse_range(request.headers.get("range"), found.size)
    media = _media_type(found)
    if wanted == "unsatisfiable":
        headers["Content-Range"] = f"bytes */{found.size}"
        return Response(status_code=416, headers=headers)
    status, first, length = 200, 0, found.size
    if isinstance(wanted, tuple):
        first, last = wanted
        status, length = 206, last - first + 1
        headers["Content-Range"] = f"bytes {first}-{last}/{found.size}"
    else:
        headers["Content-MD5"] = _b64(found.md5)  # of the body sent: only when it is whole
    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=media)
    record_download(
        node,
        viewer,
        request,
        lidvid=row.lidvid,
        target=found.path,
        now=now,
        detail={"bytes": length, "range": headers.get("Content-Range")},
    )
    body = _stream(node, found.blob_key, first, length)
    return StreamingResponse(body, status_code=status, headers=headers, media_type=media)
