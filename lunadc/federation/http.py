"""The federation HTTP surface: ``include_federation(app, node)`` adds it to a node's app.

Public: ``GET /federation/info`` (identity), ``GET /federation/status`` (details for the
node's archivists only) and ``GET /federation/query`` (federated search for users).
Signed by a peer (RFC 9421, see ``signatures``): ``/federation/changes``,
``/federation/files/...`` (Range), ``POST /federation/batch`` (many small files in one
stream), ``POST /federation/visible`` and ``/federation/search``. Every answer to a peer is
filtered by ``visible_clause`` for that peer's viewer; a file of a product the peer may not
see is a 404, as if it did not exist.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response, StreamingResponse

from lunadc import __version__
from lunadc.api.deps import ViewerDep
from lunadc.api.params import ListRequest, list_request
from lunadc.catalog import federation as fed
from lunadc.catalog import replicas as rep
from lunadc.errors import AuthenticationError, BadRequestError, NotFoundError
from lunadc.federation import feed, search, status
from lunadc.federation.identity import Identity, load_identity, parse_public_key
from lunadc.federation.peers import ClientPool
from lunadc.federation.settings import federation_settings
from lunadc.federation.signatures import (
    NonceCache,
    PeerKey,
    SignatureInput,
    Verifier,
    sign_response,
)
from lunadc.model.access import Viewer
from lunadc.model.times import format_time, parse_time
from lunadc.node import Node
from lunadc.storage.base import blob_key
from lunadc.storage.blobread import BlobReader
from lunadc.storage.direct import aligned_buffer

API_VERSION = "1"
BATCH_MAX_FILES = 512
BATCH_MAX_BYTES = 256 * 1024 * 1024
VISIBLE_MAX = 5000
VIEWER_HEADER = "X-Lunadc-Viewer"
router = APIRouter(prefix="/federation", tags=["federation"])
ListDep = Annotated[ListRequest, Depends(list_request)]


@dataclass
class FederationState:
    node: Node
    identity: Identity
    verifier: Verifier
    clients: ClientPool
    requested: dict[str, int] = field(default_factory=dict)  # bytes each peer asked for
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, peer: str, size: int) -> None:
        with self.lock:
            self.requested[peer] = self.requested.get(peer, 0) + size


def _state(request: Request) -> FederationState:
    state: FederationState = request.app.state.federation
    return state


def _lookup(node: Node) -> Any:
    def lookup(key_id: str) -> PeerKey | None:
        with node.engine.connect() as conn:
            peer = fed.peer_by_key_id(conn, key_id)
        if peer is None:
            return None
        expires = parse_time(peer.key_expires_at).timestamp() if peer.key_expires_at else None
        return PeerKey(peer.name, parse_public_key(peer.public_key), expires)

    return lookup


@dataclass(frozen=True)
class SignedCall:
    peer: fed.PeerRow
    signature: SignatureInput
    body: bytes


async def signed_peer(request: Request) -> SignedCall:
    """The active peer that signed this request; 401 for anything else."""
    state = _state(request)
    body = await request.body()
    raw_path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
    query = request.scope.get("query_string", b"").decode("latin-1")
    if query:
        raw_path = f"{raw_path}?{query}"
    key, sig = state.verifier.verify(
        request.method, request.url.scheme, raw_path, request.headers, body
    )
    with state.node.engine.connect() as conn:
        peer = fed.peer_by_key_id(conn, sig.keyid)
    if peer is None or peer.name != key.peer:
        raise AuthenticationError("unknown or removed key")
    return SignedCall(peer, sig, body)


PeerDep = Annotated[SignedCall, Depends(signed_peer)]


def _signed_json(state: FederationState, call: SignedCall, data: Any) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = sign_response(state.identity, 200, body, call.signature.nonce)
    return Response(body, media_type="application/json", headers=headers)


def _now(state: FederationState) -> str:
    return format_time(state.node.clock())


@router.get("/info")
def info(request: Request) -> dict[str, Any]:
    """Who this node is: what a peer operator needs for ``lunadc peer add``."""
    state = _state(request)
    config = state.node.config
    return {
        "node_id": config.node_id,
        "name": config.name or config.node_id,
        "public_key": state.identity.public_key,
        "key_id": state.identity.key_id,
        "fingerprint": state.identity.fingerprint,
        "api_version": API_VERSION,
        "software": f"lunadc {__version__}",
        "contact": config.contact,
        "url": config.base_url or str(request.base_url).rstrip("/"),
    }


@router.get("/changes")
def changes(
    request: Request,
    call: PeerDep,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=feed.MAX_LIMIT)] = 1000,
    released_after: str | None = None,
) -> Response:
    state = _state(request)
    since = format_time(parse_time(released_after)) if released_after else None
    with state.node.engine.connect() as conn:
        data = feed.page(
            conn,
            call.peer,
            home=state.node.node_id,
            now=_now(state),
            after=after,
            limit=limit,
            released_after=since,
        )
    feed.attach_labels(data, lambda sha256: _label_bytes(state.node, sha256))
    return _signed_json(state, call, data)


def _label_bytes(node: Node, sha256: str) -> bytes | None:
    try:
        with node.store.open(blob_key(sha256)) as handle:
            return handle.read(feed.INLINE_LABEL_MAX + 1)
    except NotFoundError:
        return None


_RANGE_START = re.compile(r"^bytes=(\d+)-$")


_SEND_CHUNK = 4 * 1024 * 1024  # a thread hop per chunk: fewer, larger ones


class _BlobResponse(Response):
    """One blob from ``start`` on (a 206 when ``start`` came from ``Range``), read with
    ``BlobReader``: no copy out of the page cache on the serving node."""

    def __init__(self, path: Path, start: int, size: int, sha256: str, partial: bool) -> None:
        super().__init__(
            status_code=206 if partial else 200,
            media_type="application/octet-stream",
            headers={
                "Content-Length": str(size - start),
                "Accept-Ranges": "bytes",
                "X-Lunadc-Sha256": sha256,
                **({"Content-Range": f"bytes {start}-{size - 1}/{size}"} if partial else {}),
            },
        )
        self._path = path
        self._start = start
        self._size = size

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        buffer = aligned_buffer(_SEND_CHUNK)
        reader = await anyio.to_thread.run_sync(
            BlobReader, self._path, self._start, buffer, self._size
        )
        start = {"type": "http.response.start", "status": self.status_code}
        try:
            await send({**start, "headers": self.raw_headers})
            if scope["method"] == "HEAD":
                return
            # Bounded by the file: each turn sends a chunk or ends. A peer that went away
            # makes ``send`` raise (ASGI 2.4), which ends it too.
            while chunk := await anyio.to_thread.run_sync(reader.next):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            reader.close()


@router.get("/files/{lidvid}/{path:path}")
def file(request: Request, call: PeerDep, lidvid: str, path: str) -> Response:
    """One file of a product homed here, for replication; ``Range: bytes=N-`` resumes."""
    state = _state(request)
    with state.node.engine.connect() as conn:
        row = rep.visible_file(
            conn, fed.peer_viewer(call.peer), _now(state), state.node.node_id, lidvid, path
        )
    if row is None:
        raise NotFoundError(f"no file {path} of {lidvid}")
    # Only ``bytes=N-`` (what a resuming peer asks); any other Range is ignored: the
    # whole file (RFC 9110 allows that).
    match = _RANGE_START.match(request.headers.get("range", ""))
    start = int(match.group(1)) if match else 0
    if match and start >= row.size:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{row.size}"})
    state.count(call.peer.name, row.size - start)
    blob = state.node.store.path_of(row.blob_key)
    return _BlobResponse(blob, start, row.size, row.sha256, partial=match is not None)


@router.post("/batch")
def batch(request: Request, call: PeerDep) -> Response:
    """Many small files in one stream: per file a JSON line, then exactly ``size`` bytes.

    Files the peer may not see are listed with ``"missing": true`` and no bytes.
    """
    state = _state(request)
    wanted = _batch_request(call.body)
    viewer = fed.peer_viewer(call.peer)
    now = _now(state)
    frames: list[_Frame] = []
    total = 0
    with state.node.engine.connect() as conn:
        rows = rep.visible_files(conn, viewer, now, state.node.node_id, wanted)
    for lidvid, path in wanted:
        row = rows.get((lidvid, path))
        head: dict[str, Any] = {"lidvid": lidvid, "path": path}
        if row is None:
            frames.append(_Frame(_header_line({**head, "missing": True, "size": 0}), None, 0))
            continue
        total += row.size
        if total > BATCH_MAX_BYTES:
            raise BadRequestError(f"a batch may carry at most {BATCH_MAX_BYTES} bytes")
        line = _header_line({**head, "size": row.size, "sha256": row.sha256})
        frames.append(_Frame(line, row.blob_key, row.size))
    state.count(call.peer.name, total)
    # The length is known before the first byte: with it the server sends the stream as it
    # is, not in chunks (a copy of every byte to frame them here, and a parse of the
    # framing in Python at the peer, whose header lines were read a peek at a time).
    length = sum(len(f.line) + f.size for f in frames)
    return StreamingResponse(
        _frames(state.node, frames),
        media_type="application/x-lunadc-batch",
        headers={"Content-Length": str(length)},
    )


def _batch_request(body: bytes) -> list[tuple[str, str]]:
    try:
        data = json.loads(body)
        items = [(str(f["lidvid"]), str(f["path"])) for f in data["files"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadRequestError('a batch is {"files": [{"lidvid": ..., "path": ...}, ...]}') from exc
    if not 0 < len(items) <= BATCH_MAX_FILES:
        raise BadRequestError(f"a batch names 1 to {BATCH_MAX_FILES} files")
    return items


@dataclass(frozen=True, slots=True)
class _Frame:
    """One file of a batch stream: its header line, then ``size`` bytes of blob ``key``."""

    line: bytes
    key: str | None
    size: int


def _header_line(head: dict[str, Any]) -> bytes:
    return json.dumps(head, ensure_ascii=False).encode("utf-8") + b"\n"


_FRAME_BYTES = 1024 * 1024  # each piece of the stream handed to the server
_DIRECT_BUFFER = 256 * 1024  # blocks of blobs not in the page cache are read via this


def _frames(node: Node, frames: list[_Frame]) -> Iterator[memoryview]:
    """The batch stream in pieces of about 1 MiB, each a fresh buffer filled in place.

    A sync iterator costs a thread hop per piece, so headers and bytes are gathered: each
    blob is read straight into its place in the piece (from the page cache, or via a
    direct read), and the piece goes to the server as it is, never copied or joined here
    (two copies of every byte before, and as many large allocations). A piece is never
    reused: the server may hold on to it until the socket has taken it.
    """
    left = sum(len(f.line) + f.size for f in frames)
    buffer = aligned_buffer(_DIRECT_BUFFER)
    piece = memoryview(bytearray(min(_FRAME_BYTES, left)))
    filled = 0

    def room() -> memoryview:
        """Where the next bytes go: the rest of this piece, or a new one."""
        nonlocal piece, filled
        if filled == len(piece):
            piece, filled = memoryview(bytearray(min(_FRAME_BYTES, left))), 0
        return piece[filled:]

    for frame in frames:
        line = memoryview(frame.line)
        while line:
            into = room()
            n = min(len(into), len(line))
            into[:n] = line[:n]
            line, filled, left = line[n:], filled + n, left - n
            if filled == len(piece):
                yield piece
        if frame.key is None:
            continue
        try:
            reader = BlobReader(node.store.path_of(frame.key), 0, buffer, frame.size)
        except FileNotFoundError as exc:
            raise NotFoundError(f"blob {frame.key} is missing from the archive") from exc
        with reader:
            remaining = frame.size
            while remaining > 0:  # each turn reads some bytes or raises
                into = room()
                got = reader.readinto(into[: min(len(into), remaining)])
                if not got:
                    raise NotFoundError(f"blob {frame.key} is shorter than the catalog says")
                remaining, filled, left = remaining - got, filled + got, left - got
                if filled == len(piece):
                    yield piece
    if filled and filled < len(piece):  # pragma: no cover - the lengths add up
        yield piece[:filled]


@router.post("/visible")
def visible(request: Request, call: PeerDep) -> Response:
    """Which of these LIDVIDs (homed here) the peer may still have."""
    state = _state(request)
    try:
        lidvids = [str(x) for x in json.loads(call.body)["lidvids"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadRequestError('expected {"lidvids": [...]}') from exc
    if len(lidvids) > VISIBLE_MAX:
        raise BadRequestError(f"at most {VISIBLE_MAX} LIDVIDs per call")
    with state.node.engine.connect() as conn:
        keep = rep.visible_lidvids(
            conn, fed.peer_viewer(call.peer), _now(state), state.node.node_id, lidvids
        )
    return _signed_json(state, call, {"visible": sorted(keep)})


@router.get("/search")
def peer_search(request: Request, call: PeerDep, listing: ListDep) -> Response:
    """A search on behalf of a peer's user (level in ``X-Lunadc-Viewer``, never a token),
    with the list parameters of ``GET /products``."""
    state = _state(request)
    level = request.headers.get(VIEWER_HEADER, "anonymous")
    viewer = search.peer_viewer(call.peer.name, level)
    with state.node.engine.connect() as conn:
        data = search.local_answer(conn, viewer, _now(state), listing.params)
    data["node_id"] = state.node.node_id
    return _signed_json(state, call, data)


def federated_answer(request: Request, viewer: Viewer, listing: ListRequest) -> dict[str, Any]:
    """This node and every peer at once: ``?federated=true`` of the search endpoints."""
    state = _state(request)
    result = search.federated_search(
        state.node,
        state.identity,
        viewer,
        listing.params,
        request.query_params.multi_items(),
        pool=state.clients,
    )
    return result.as_dict()


@router.get("/query")
def federated_query(request: Request, viewer: ViewerDep, listing: ListDep) -> Response:
    """The same as ``GET /products?federated=true``."""
    # Plain JSON types already: a JSONResponse skips FastAPI's per-value encoder, which
    # cost more than the merge itself for a page of a hundred rows.
    return JSONResponse(federated_answer(request, viewer, listing))


@router.get("/status")
def status_view(request: Request, viewer: ViewerDep) -> dict[str, Any]:
    state = _state(request)
    report = status.collect(state.node, probe=True, identity=state.identity)
    data = report.as_dict(details=viewer.sees_everything)
    with state.lock:
        # Bytes each peer asked for since this process started (a resumed download asks
        # only for what it lacks).
        data["requested_bytes"] = dict(state.requested)
    return data


def include_federation(
    app: FastAPI, node: Node, *, sync_loop: bool = True, nonces: NonceCache | None = None
) -> None:
    """Add the federation routes to ``app`` and, with ``sync_loop``, pull peers in the
    background every ``sync_interval_s`` while the app runs. Idempotent. ``nonces``: where
    used nonces are remembered (several worker processes must share one store)."""
    if getattr(app.state, "federation", None) is not None:
        return
    federation_settings(node.config)  # a bad [federation] table fails at start, not later
    identity = load_identity(node.config.root, node.node_id)
    app.state.federation = FederationState(
        node,
        identity,
        Verifier(_lookup(node), clock=time.time, nonces=nonces or NonceCache()),
        ClientPool(identity),
    )
    app.include_router(router)
    if not sync_loop or node.config.sync_interval_s <= 0:
        return
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        from lunadc.federation.sync import SyncLoop

        loop = SyncLoop(node, identity)
        loop.start()
        try:
            async with inner(application) as value:
                yield value
        finally:
            loop.stop()
            app.state.federation.clients.close()

    app.router.lifespan_context = lifespan
