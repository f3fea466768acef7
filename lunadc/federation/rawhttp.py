"""Receiving a peer's bytes straight into our buffers: a signed request sent with
``http.client``, and its body read with ``readinto``.

httpx reads a body 64 KiB at a time and copies each piece through h11's buffer and its own
chunker before we see it; for a replica of many gigabytes that costs about as much CPU as
hashing the bytes. Here the request is built and signed exactly as ``PeerClient`` does it
(the same ``SignedAuth``), sent on a fresh connection, and the body is read by the
standard library into the caller's buffer, a megabyte per call. Only file and batch
downloads use this: their bytes are checked against the label's checksums, not against a
response signature. Every failure surfaces as a ``PeerError``.
"""

from __future__ import annotations

import http.client
import ssl
from typing import Any

import httpx

from lunadc.errors import PeerError

_BROKEN = (http.client.HTTPException, OSError)


class RawResponse:
    """A response whose body is read with ``read``, ``readinto`` and ``readline``."""

    def __init__(self, peer: str, conn: http.client.HTTPConnection) -> None:
        self._peer = peer
        self._conn = conn
        try:
            self._response = conn.getresponse()
        except _BROKEN as exc:
            conn.close()
            raise PeerError(f"peer {peer} transfer failed: {exc.__class__.__name__}") from exc
        self.status_code = self._response.status
        self.headers = {k.lower(): v for k, v in self._response.getheaders()}

    def _failed(self, exc: BaseException) -> PeerError:
        return PeerError(f"peer {self._peer} transfer failed: {exc.__class__.__name__}")

    def readinto(self, buffer: memoryview | bytearray) -> int:
        try:
            return self._response.readinto(buffer)
        except _BROKEN as exc:
            raise self._failed(exc) from exc

    def read(self, size: int = -1) -> bytes:
        try:
            return self._response.read(None if size < 0 else size)
        except _BROKEN as exc:
            raise self._failed(exc) from exc

    def readline(self, limit: int = -1) -> bytes:
        try:
            return self._response.readline(limit)
        except _BROKEN as exc:
            raise self._failed(exc) from exc

    def text(self, limit: int = 200) -> str:
        return self.read(limit).decode("utf-8", "replace")

    def close(self) -> None:
        self._response.close()
        self._conn.close()

    def __enter__(self) -> RawResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def send(
    peer: str, request: httpx.Request, *, timeout: float, context: ssl.SSLContext | None
) -> RawResponse:
    """Send an already signed httpx ``request`` with ``http.client``; the open response."""
    url = request.url
    port = url.port
    conn: http.client.HTTPConnection
    if url.scheme == "https":
        conn = http.client.HTTPSConnection(url.host, port, timeout=timeout, context=context)
    elif url.scheme == "http":
        conn = http.client.HTTPConnection(url.host, port, timeout=timeout)
    else:
        raise PeerError(f"peer {peer}: unsupported URL scheme {url.scheme!r}")
    headers: dict[str, Any] = dict(request.headers)
    # The body is the bytes; never a compressed representation of them.
    headers["accept-encoding"] = "identity"
    try:
        conn.request(
            request.method,
            url.raw_path.decode("ascii"),
            body=request.content or None,
            headers=headers,
        )
    except _BROKEN as exc:
        conn.close()
        raise PeerError(f"peer {peer} unreachable: {exc.__class__.__name__}") from exc
    return RawResponse(peer, conn)
