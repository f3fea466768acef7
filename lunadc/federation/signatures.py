"""HTTP Message Signatures (RFC 9421) with Ed25519, and Content-Digest (RFC 9530), the subset
lunadc nodes speak to each other.

A request is signed over ``@method``, ``@target-uri`` (scheme, host, path and query exactly as
sent), ``@authority``, ``content-digest`` and every ``x-lunadc-*`` header it carries, with the
parameters ``created``, ``expires``, ``nonce``, ``keyid`` and ``alg``. The receiver refuses
unknown or expired keys, stale or future ``created``, an ``expires`` in the past, a nonce seen
before (kept until its ``expires``, in a bounded cache) and a body that does not match its
digest. JSON answers are signed back over ``@status`` and ``content-digest`` with the
request's nonce, so a client knows the answer came from the peer and belongs to its request.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lunadc.errors import AuthenticationError
from lunadc.federation.identity import Identity, verify

LABEL = "lunadc"
MAX_AGE_S = 300  # a signature older than this is stale (and no expires may be later)
CLOCK_SKEW_S = 30  # tolerated disagreement between two nodes' clocks
NONCE_CAPACITY = 200_000  # at ~600 signed requests/s for 300 s; beyond: refuse, never forget
HEADER_PREFIX = "x-lunadc-"

_INPUT = re.compile(
    r'^([a-z][a-z0-9_-]{0,31})=\(((?:"[a-z0-9@_-]{1,64}"\s?){1,16})\)((?:;[a-z]+=[^;]{1,200}){0,8})$'
)
_PARAM = re.compile(r'^([a-z]+)=("[A-Za-z0-9_\-.:]{1,100}"|[0-9]{1,12})$')
_SIG = re.compile(r"^([a-z][a-z0-9_-]{0,31})=:([A-Za-z0-9+/=]{1,200}):$")


def content_digest(body: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"


def target_uri(scheme: str, authority: str, raw_path: str) -> str:
    """``@target-uri`` as both sides compute it: the raw (still percent-encoded) path."""
    return f"{scheme}://{authority.lower()}{raw_path}"


def _base(components: Iterable[tuple[str, str]], params: str) -> bytes:
    lines = [f'"{name}": {value}' for name, value in components]
    lines.append(f'"@signature-params": {params}')
    return "\n".join(lines).encode("utf-8")


def _params(names: Iterable[str], created: int, expires: int, nonce: str, keyid: str) -> str:
    inner = " ".join(f'"{n}"' for n in names)
    return (
        f'({inner});created={created};expires={expires};nonce="{nonce}";keyid="{keyid}"'
        ';alg="ed25519"'
    )


@dataclass(frozen=True, slots=True)
class Signed:
    """The headers to add to a message, and the nonce they carry."""

    headers: dict[str, str]
    nonce: str


def sign_message(
    identity: Identity,
    components: list[tuple[str, str]],
    *,
    digest: str,
    now: float | None = None,
    ttl: int = 60,
    nonce: str | None = None,
) -> Signed:
    """Sign ``components`` (name, value) plus the body ``digest``."""
    created = int(time.time() if now is None else now)
    nonce = nonce or secrets.token_urlsafe(18)
    covered = [*components, ("content-digest", digest)]
    params = _params((n for n, _v in covered), created, created + ttl, nonce, identity.key_id)
    signature = base64.b64encode(identity.sign(_base(covered, params))).decode()
    return Signed(
        {
            "Content-Digest": digest,
            "Signature-Input": f"{LABEL}={params}",
            "Signature": f"{LABEL}=:{signature}:",
        },
        nonce,
    )


def request_components(
    method: str, scheme: str, authority: str, raw_path: str, headers: Mapping[str, str]
) -> list[tuple[str, str]]:
    components = [
        ("@method", method.upper()),
        ("@target-uri", target_uri(scheme, authority, raw_path)),
        ("@authority", authority.lower()),
    ]
    extra = sorted(
        (k.lower(), v.strip()) for k, v in headers.items() if k.lower().startswith(HEADER_PREFIX)
    )
    return components + extra


class SignedAuth(httpx.Auth):
    """httpx authentication that signs every request with this node's key."""

    requires_request_body = True

    def __init__(self, identity: Identity, *, ttl: int = 60) -> None:
        self.identity = identity
        self.ttl = ttl

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raw_path = request.url.raw_path.decode("ascii")
        components = request_components(
            request.method, request.url.scheme, request.headers["host"], raw_path, request.headers
        )
        signed = sign_message(
            self.identity, components, digest=content_digest(request.content), ttl=self.ttl
        )
        request.headers.update(signed.headers)
        request.extensions["lunadc_nonce"] = signed.nonce
        yield request


@dataclass(frozen=True, slots=True)
class SignatureInput:
    label: str
    names: tuple[str, ...]
    params: str
    created: int
    expires: int
    nonce: str
    keyid: str


def parse_signature_input(value: str) -> SignatureInput:
    match = _INPUT.match(value.strip())
    if not match:
        raise AuthenticationError("malformed Signature-Input")
    label, inner, raw_params = match.groups()
    names = tuple(n.strip('"') for n in inner.split())
    params: dict[str, str] = {}
    for part in raw_params.split(";")[1:]:
        pm = _PARAM.match(part)
        if not pm or pm.group(1) in params:
            raise AuthenticationError("malformed Signature-Input parameter")
        params[pm.group(1)] = pm.group(2).strip('"')
    if params.get("alg", "ed25519") != "ed25519":
        raise AuthenticationError("only alg=ed25519 is accepted")
    try:
        return SignatureInput(
            label,
            names,
            value.strip()[len(label) + 1 :],
            int(params["created"]),
            int(params["expires"]),
            params["nonce"],
            params["keyid"],
        )
    except (KeyError, ValueError) as exc:
        raise AuthenticationError("Signature-Input lacks created, expires, nonce or keyid") from exc


def _signature_bytes(value: str, label: str) -> bytes:
    match = _SIG.match(value.strip())
    if not match or match.group(1) != label:
        raise AuthenticationError("malformed Signature")
    return base64.b64decode(match.group(2))


@dataclass(frozen=True, slots=True)
class PeerKey:
    """What a verifier needs to know about the holder of a ``keyid``."""

    peer: str
    public_key: Ed25519PublicKey
    expires_at: float | None = None  # POSIX seconds; None: no end


class NonceCache:
    """Nonces seen, each kept until its signature expires; bounded in time and size."""

    def __init__(self, capacity: int = NONCE_CAPACITY) -> None:
        self._capacity = capacity
        self._seen: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, nonce: str, expires: int, now: float) -> None:
        with self._lock:
            # Oldest first: every signature lives at most MAX_AGE_S, so the front expires first.
            while self._seen:
                first = next(iter(self._seen.items()))
                if first[1] >= now:
                    break
                self._seen.popitem(last=False)
            if nonce in self._seen:
                raise AuthenticationError("replayed request (nonce already used)")
            if len(self._seen) >= self._capacity:
                raise AuthenticationError("too many signed requests in the replay window")
            self._seen[nonce] = expires


class Verifier:
    """Checks signed requests from peers (server side)."""

    def __init__(
        self,
        lookup: Callable[[str], PeerKey | None],
        *,
        clock: Callable[[], float] = time.time,
        nonces: NonceCache | None = None,
    ) -> None:
        self._lookup = lookup
        self._clock = clock
        self._nonces = nonces or NonceCache()

    def verify(
        self,
        method: str,
        scheme: str,
        raw_path: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> tuple[PeerKey, SignatureInput]:
        """The peer that signed this request, or ``AuthenticationError`` saying why not."""
        lower = {k.lower(): v for k, v in headers.items()}
        if "signature-input" not in lower or "signature" not in lower:
            raise AuthenticationError("the request is not signed")
        sig_input = parse_signature_input(lower["signature-input"])
        now = self._clock()
        key = self._lookup(sig_input.keyid)
        if key is None:
            raise AuthenticationError("unknown or removed key")
        if key.expires_at is not None and key.expires_at <= now:
            raise AuthenticationError("the peer's key has expired")
        if sig_input.created > now + CLOCK_SKEW_S:
            raise AuthenticationError("signature created in the future")
        if sig_input.created < now - MAX_AGE_S or sig_input.expires < now:
            raise AuthenticationError("stale signature")
        if sig_input.expires - sig_input.created > MAX_AGE_S:
            raise AuthenticationError("signature validity too long")
        authority = lower.get("host", "")
        expected = request_components(method, scheme, authority, raw_path, lower)
        _check_covered(sig_input.names, [*(n for n, _v in expected), "content-digest"])
        digest = content_digest(body)
        if lower.get("content-digest") != digest:
            raise AuthenticationError("Content-Digest does not match the body")
        covered = dict([*expected, ("content-digest", digest)])
        base = _base(((n, covered[n]) for n in sig_input.names), sig_input.params)
        verify(key.public_key, _signature_bytes(lower["signature"], sig_input.label), base)
        # Only a verified signature may take a nonce: forged requests cannot fill the cache.
        self._nonces.add(sig_input.nonce, sig_input.expires, now)
        return key, sig_input


def _check_covered(names: tuple[str, ...], wanted: list[str]) -> None:
    missing = [n for n in wanted if n not in names]
    if missing:
        raise AuthenticationError(f"the signature does not cover {', '.join(missing)}")
    unknown = [n for n in names if n not in wanted]
    if unknown:
        raise AuthenticationError(f"the signature covers unknown components {', '.join(unknown)}")


def sign_response(identity: Identity, status: int, body: bytes, nonce: str) -> dict[str, str]:
    """Headers that bind a JSON answer to the request with ``nonce``."""
    return sign_message(
        identity, [("@status", str(status))], digest=content_digest(body), nonce=nonce
    ).headers


def verify_response(response: httpx.Response, key: Ed25519PublicKey) -> None:
    """Check a peer's signed answer to our request (the body must be read already)."""
    nonce = response.request.extensions.get("lunadc_nonce")
    headers = response.headers
    if "signature-input" not in headers or "signature" not in headers:
        raise AuthenticationError("the peer's answer is not signed")
    sig_input = parse_signature_input(headers["signature-input"])
    if sig_input.nonce != nonce:
        raise AuthenticationError("the peer's answer belongs to another request")
    digest = content_digest(response.content)
    if headers.get("content-digest") != digest:
        raise AuthenticationError("the peer's answer does not match its Content-Digest")
    if sig_input.names != ("@status", "content-digest"):
        raise AuthenticationError("the peer's answer signature covers the wrong components")
    covered = [("@status", str(response.status_code)), ("content-digest", digest)]
    base = _base(covered, sig_input.params)
    verify(key, _signature_bytes(headers["signature"], sig_input.label), base)
