"""RFC 9421 signatures: what is accepted and every way a request is refused."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lunadc.errors import AuthenticationError, ConfigError
from lunadc.federation.identity import (
    Identity,
    create_identity,
    fingerprint,
    load_identity,
    parse_public_key,
)
from lunadc.federation.signatures import NonceCache, PeerKey, SignedAuth, Verifier

NOW = 1_800_000_000.0


def _signed(
    identity: Identity,
    method: str = "POST",
    url: str = "http://node-ru.test/federation/changes?after=5",
    body: bytes = b'{"a": 1}',
    headers: dict[str, str] | None = None,
) -> httpx.Request:
    request = httpx.Request(method, url, content=body, headers=headers or {})
    flow = SignedAuth(identity).sync_auth_flow(request)
    return next(flow)


def _verify(verifier: Verifier, request: httpx.Request, body: bytes | None = None) -> str:
    key, _sig = verifier.verify(
        request.method,
        request.url.scheme,
        request.url.raw_path.decode(),
        dict(request.headers),
        request.content if body is None else body,
    )
    return key.peer


@pytest.fixture
def me() -> Identity:
    return Identity("node-cn", Ed25519PrivateKey.generate())


def _verifier(
    me: Identity, *, clock: float | None = None, expires: float | None = None, capacity: int = 100
) -> Verifier:
    import time

    keys = {me.key_id: PeerKey("node-cn", parse_public_key(me.public_key), expires)}
    return Verifier(
        keys.get, clock=(lambda: clock) if clock else time.time, nonces=NonceCache(capacity)
    )


def test_a_signed_request_verifies_once(me: Identity) -> None:
    verifier = _verifier(me)
    request = _signed(me)
    assert _verify(verifier, request) == "node-cn"
    with pytest.raises(AuthenticationError, match="replayed"):
        _verify(verifier, request)


def test_tampered_body_path_query_or_header_is_refused(me: Identity) -> None:
    verifier = _verifier(me)
    with pytest.raises(AuthenticationError, match="Content-Digest"):
        _verify(verifier, _signed(me), body=b'{"a": 2}')
    request = _signed(me)
    moved = httpx.Request(
        "POST",
        "http://node-ru.test/federation/changes?after=0",
        content=request.content,
        headers=request.headers,
    )
    with pytest.raises(AuthenticationError, match="does not verify"):
        _verify(verifier, moved)
    request = _signed(me, headers={"X-Lunadc-Viewer": "anonymous"})
    request.headers["X-Lunadc-Viewer"] = "partner"
    with pytest.raises(AuthenticationError, match="does not verify"):
        _verify(verifier, request)


def test_unknown_expired_stale_and_future_signatures_are_refused(me: Identity) -> None:
    stranger = Identity("node-xx", Ed25519PrivateKey.generate())
    with pytest.raises(AuthenticationError, match="unknown"):
        _verify(_verifier(me), _signed(stranger))
    with pytest.raises(AuthenticationError, match="expired"):
        _verify(_verifier(me, expires=1.0), _signed(me))
    import time

    with pytest.raises(AuthenticationError, match="stale"):
        _verify(_verifier(me, clock=time.time() + 3600), _signed(me))
    with pytest.raises(AuthenticationError, match="future"):
        _verify(_verifier(me, clock=time.time() - 3600), _signed(me))
    with pytest.raises(AuthenticationError, match="not signed"):
        _verify(_verifier(me), httpx.Request("GET", "http://node-ru.test/"))


def test_nonce_cache_is_bounded(me: Identity) -> None:
    verifier = _verifier(me, capacity=2)
    _verify(verifier, _signed(me))
    _verify(verifier, _signed(me))
    with pytest.raises(AuthenticationError, match="too many"):
        _verify(verifier, _signed(me))


def test_identity_files_are_private_and_never_overwritten(tmp_path: Path) -> None:
    public = create_identity(tmp_path)
    assert (tmp_path / "keys" / "node_ed25519.pem").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "keys").stat().st_mode & 0o777 == 0o700
    assert load_identity(tmp_path, "node-cn").public_key == public
    assert fingerprint(public).startswith("SHA256:")
    with pytest.raises(ConfigError):
        create_identity(tmp_path)
    with pytest.raises(ConfigError):
        parse_public_key("ssh-rsa AAAA")
