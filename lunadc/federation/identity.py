"""A node's identity: an Ed25519 key pair under ``ROOT/keys/``, created once by ``lunadc init``.

The public key travels as text, ``ed25519:<base64url of the 32 raw bytes>``: that exact
string is what ``GET /federation/info`` shows and what ``lunadc peer add --key`` takes. Its
fingerprint (SHA-256 of the raw key) is what operators compare out of band, and its first
bytes are the ``keyid`` of every signature the node makes.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lunadc.errors import AuthenticationError, ConfigError

KEY_DIR = "keys"
PRIVATE_NAME = "node_ed25519.pem"
PUBLIC_NAME = "node_ed25519.pub"
_PREFIX = "ed25519:"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def format_public_key(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _PREFIX + _b64url(raw)


def parse_public_key(text: str) -> Ed25519PublicKey:
    """Read ``ed25519:<base64url>``; ``ConfigError`` for anything else."""
    text = text.strip()
    if not text.startswith(_PREFIX):
        raise ConfigError(f"a public key looks like 'ed25519:...', not {text[:40]!r}")
    try:
        raw = _unb64url(text.removeprefix(_PREFIX))
        if len(raw) != 32:
            raise ValueError("length")
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise ConfigError(f"not an Ed25519 public key: {text[:60]!r}") from exc


def fingerprint(public_key: str) -> str:
    """``SHA256:<base64>`` of the raw key, as ssh shows host keys (for humans)."""
    raw = _unb64url(parse_public_key_text(public_key))
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def key_id(public_key: str) -> str:
    """The ``keyid`` of signatures made with this key: short, stable, derived from the key."""
    raw = _unb64url(parse_public_key_text(public_key))
    return _b64url(hashlib.sha256(raw).digest())[:22]


def parse_public_key_text(text: str) -> str:
    parse_public_key(text)  # validates
    return text.strip().removeprefix(_PREFIX)


def verify(public_key: Ed25519PublicKey, signature: bytes, data: bytes) -> None:
    try:
        public_key.verify(signature, data)
    except InvalidSignature as exc:
        raise AuthenticationError("signature does not verify") from exc


@dataclass(frozen=True)
class Identity:
    """This node's signing key and what peers know it by."""

    node_id: str
    private_key: Ed25519PrivateKey

    @cached_property
    def public_key(self) -> str:
        return format_public_key(self.private_key.public_key())

    @cached_property
    def key_id(self) -> str:
        # Named in every signed request: derived once, not per request.
        return key_id(self.public_key)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)


def create_identity(root: Path) -> str:
    """Create ``ROOT/keys/`` with a new key pair (0600/0700); return the public key text.

    Refuses to overwrite an existing key: a node's identity changes only by a deliberate
    rotation, never by running ``init`` twice.
    """
    folder = root / KEY_DIR
    private_path = folder / PRIVATE_NAME
    if private_path.exists():
        raise ConfigError("this node already has a key pair", where=str(private_path))
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # O_EXCL + mode: the secret is never readable by others, not even for a moment.
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    public = format_public_key(key.public_key())
    (folder / PUBLIC_NAME).write_text(public + "\n", encoding="ascii")
    return public


def load_identity(root: Path, node_id: str) -> Identity:
    """This node's key pair; creates it for nodes made before identities existed."""
    private_path = root / KEY_DIR / PRIVATE_NAME
    if not private_path.exists():
        create_identity(root)
    if private_path.stat().st_mode & 0o077:
        raise ConfigError(
            "the private key is readable by others (chmod 600)", where=str(private_path)
        )
    try:
        key = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
    except ValueError as exc:
        raise ConfigError(f"cannot read the node key: {exc}", where=str(private_path)) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError("the node key is not an Ed25519 key", where=str(private_path))
    return Identity(node_id=node_id, private_key=key)
