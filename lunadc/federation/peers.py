"""Talking to one peer: signed requests out, signed answers checked, streams for bytes."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from lunadc.catalog.federation import PeerRow
from lunadc.errors import AuthenticationError, LunadcError, PeerError
from lunadc.federation import rawhttp
from lunadc.federation.identity import Identity, parse_public_key
from lunadc.federation.signatures import SignedAuth, verify_response

ClientFactory = Callable[[PeerRow], httpx.Client]
MAX_JSON_BYTES = 64 * 1024 * 1024  # a feed page or a search answer; more is hostile
DOWNLOAD_TIMEOUT_S = 60.0  # connecting, and each read of a download
STREAM_CHUNK = 1024 * 1024
SEARCH_THREADS = 64  # peer questions in flight at once, over all federated searches here


class Download(Protocol):
    """A download's status, headers and body (read as a file is)."""

    status_code: int

    @property
    def headers(self) -> Mapping[str, str]: ...

    def read(self, size: int = -1, /) -> bytes: ...

    def readinto(self, buffer: memoryview | bytearray, /) -> int: ...

    def readline(self, limit: int = -1, /) -> bytes: ...


class StreamBody:
    """An httpx streaming response read like a file (the path of injected clients)."""

    def __init__(self, peer: str, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.headers: Mapping[str, str] = response.headers
        self._peer = peer
        self._chunks = response.iter_bytes(STREAM_CHUNK)
        self._buffer = memoryview(b"")

    def _fill(self) -> bool:
        if not self._buffer:
            try:
                self._buffer = memoryview(next(self._chunks, b""))
            except httpx.HTTPError as exc:
                raise PeerError(
                    f"peer {self._peer} transfer failed: {exc.__class__.__name__}"
                ) from exc
        return bool(self._buffer)

    def readinto(self, buffer: memoryview | bytearray, /) -> int:
        if not self._fill():
            return 0
        size = min(len(buffer), len(self._buffer))
        buffer[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size

    def read(self, size: int = -1, /) -> bytes:
        parts: list[bytes] = []
        while size != 0 and self._fill():
            take = len(self._buffer) if size < 0 else min(size, len(self._buffer))
            parts.append(self._buffer[:take].tobytes())
            self._buffer = self._buffer[take:]
            size -= take
        return b"".join(parts)

    def readline(self, limit: int = -1, /) -> bytes:
        parts: list[bytes] = []
        while limit != 0 and self._fill():
            window = self._buffer if limit < 0 else self._buffer[:limit]
            end = bytes(window).find(b"\n")
            take = len(window) if end < 0 else end + 1
            parts.append(self._buffer[:take].tobytes())
            self._buffer = self._buffer[take:]
            limit -= take
            if end >= 0:
                break
        return b"".join(parts)


def default_client(peer: PeerRow) -> httpx.Client:
    # A plain-HTTP peer (loopback, a tunnel) has no certificate to check: no TLS context,
    # whose CA bundle costs a tenth of a second to load on every sync pass.
    plain = httpx.URL(peer.url).scheme == "http"
    return httpx.Client(
        base_url=peer.url,
        verify=not plain,
        timeout=httpx.Timeout(60.0, connect=5.0),
        limits=httpx.Limits(max_connections=16, max_keepalive_connections=16),
        follow_redirects=False,  # a redirect could point our signed request elsewhere
        trust_env=False,  # no proxies from the environment between two nodes
    )


def file_url(lidvid: str, path: str) -> str:
    return f"/federation/files/{quote(lidvid, safe=':')}/{quote(path, safe='/')}"


class PeerClient:
    """One peer as seen from here. Thread-safe (httpx clients are)."""

    def __init__(
        self, peer: PeerRow, identity: Identity, *, factory: ClientFactory | None = None
    ) -> None:
        self.peer = peer
        self.name = peer.name
        self._key = parse_public_key(peer.public_key)
        self._auth = SignedAuth(identity)
        self._client = (factory or default_client)(peer)
        # Downloads from a real peer skip httpx's body handling (``rawhttp``).
        self._raw = factory is None
        self._ssl: ssl.SSLContext | None = None

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PeerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _json(self, response: httpx.Response) -> Any:
        if response.status_code != 200:
            raise PeerError(
                f"peer {self.name} answered {response.status_code}: {response.text[:200]}"
            )
        if len(response.content) > MAX_JSON_BYTES:
            raise PeerError(f"peer {self.name} sent an oversized answer")
        try:
            verify_response(response, self._key)
        except AuthenticationError as exc:
            raise PeerError(f"peer {self.name}: {exc.message}") from exc
        try:
            return json.loads(response.content)
        except ValueError as exc:
            raise PeerError(f"peer {self.name} sent invalid JSON") from exc

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        try:
            response = self._client.request(method, url, auth=self._auth, **kwargs)
        except httpx.HTTPError as exc:
            raise PeerError(f"peer {self.name} unreachable: {exc.__class__.__name__}") from exc
        return self._json(response)

    def changes(self, after: int, limit: int, released_after: str | None = None) -> Any:
        params: dict[str, Any] = {"after": after, "limit": limit}
        if released_after:
            params["released_after"] = released_after
        return self._call("GET", "/federation/changes", params=params)

    def visible(self, lidvids: list[str]) -> set[str]:
        data = self._call("POST", "/federation/visible", json={"lidvids": lidvids})
        return {str(x) for x in data.get("visible", [])}

    def search(self, params: Sequence[tuple[str, str]], level: str, timeout: float) -> Any:
        return self._call(
            "GET",
            "/federation/search",
            params=list(params),
            headers={"X-Lunadc-Viewer": level},
            timeout=timeout,
        )

    @contextmanager
    def file(self, lidvid: str, path: str, offset: int = 0) -> Iterator[Download]:
        """One file's bytes from ``offset`` on (``Range``): a 200 or a 206 response."""
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        with self._download("GET", file_url(lidvid, path), headers=headers) as response:
            yield response

    @contextmanager
    def batch(self, files: list[tuple[str, str]]) -> Iterator[Download]:
        """Many small files in one stream (``/federation/batch``)."""
        body = {"files": [{"lidvid": lv, "path": p} for lv, p in files]}
        with self._download("POST", "/federation/batch", json=body) as response:
            yield response

    @contextmanager
    def _download(self, method: str, url: str, **kwargs: Any) -> Iterator[Download]:
        if not self._raw:  # an injected client (in-process tests): through httpx
            with self._stream(method, url, **kwargs) as response:
                yield StreamBody(self.name, response)
            return
        request = self._client.build_request(method, url, **kwargs)
        signed = next(self._auth.sync_auth_flow(request))
        if self._ssl is None and request.url.scheme == "https":
            self._ssl = httpx.create_ssl_context()  # the trust httpx would use
        with rawhttp.send(self.name, signed, timeout=DOWNLOAD_TIMEOUT_S, context=self._ssl) as raw:
            if raw.status_code not in (200, 206):
                raise PeerError(
                    f"peer {self.name} answered {raw.status_code} for {url}: {raw.text(200)}"
                )
            yield raw

    @contextmanager
    def _stream(self, method: str, url: str, **kwargs: Any) -> Iterator[httpx.Response]:
        try:
            with self._client.stream(method, url, auth=self._auth, **kwargs) as response:
                if response.status_code not in (200, 206):
                    response.read()
                    raise PeerError(
                        f"peer {self.name} answered {response.status_code} for {url}: "
                        f"{response.text[:200]}"
                    )
                yield response
        except httpx.HTTPError as exc:
            raise PeerError(f"peer {self.name} transfer failed: {exc.__class__.__name__}") from exc


def clients(
    peers: list[PeerRow], identity: Identity, factory: ClientFactory | None
) -> dict[str, PeerClient]:
    return {p.name: PeerClient(p, identity, factory=factory) for p in peers}


def describe(error: Exception) -> str:
    return error.message if isinstance(error, LunadcError) else f"{error.__class__.__name__}"


class ClientPool:
    """Peer clients kept open between requests (a new client costs a TLS context and a
    connection; federated search must not pay that per query)."""

    def __init__(self, identity: Identity, factory: ClientFactory | None = None) -> None:
        self._identity = identity
        self._factory = factory
        self._clients: dict[tuple[str, str, str], PeerClient] = {}
        self._lock = threading.Lock()
        # Threads that ask the peers during a federated search, kept between searches
        # (starting them per query showed up in its profile).
        self.executor = ThreadPoolExecutor(SEARCH_THREADS, thread_name_prefix="fedsearch")

    def get(self, peer: PeerRow) -> PeerClient:
        key = (peer.name, peer.url, peer.key_id)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = PeerClient(peer, self._identity, factory=self._factory)
                self._clients[key] = client
            return client

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()
        self.executor.shutdown(wait=False, cancel_futures=True)
