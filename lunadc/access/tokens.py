"""API tokens: ``ldc_<id>_<secret>``. Only a SHA-256 of the secret is stored.

The id half finds the row; the secret half is compared in constant time. A token is random
(256 bits), so a plain SHA-256 is enough: there is nothing to brute-force that a slow
password hash would protect.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

PREFIX = "ldc"
_TOKEN = re.compile(r"^ldc_([a-z2-7]{12})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True, slots=True)
class NewToken:
    token: str  # shown to the user once, never stored
    token_id: str
    secret_sha256: str


def new_token() -> NewToken:
    token_id = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(12))
    secret = secrets.token_urlsafe(32)  # 43 characters
    return NewToken(
        token=f"{PREFIX}_{token_id}_{secret}",
        token_id=token_id,
        secret_sha256=hash_secret(secret),
    )


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def split_token(text: str) -> tuple[str, str] | None:
    """``(token_id, secret)`` of a well-formed token, else None."""
    match = _TOKEN.match(text.strip())
    return (match.group(1), match.group(2)) if match else None


def secret_matches(secret: str, stored_sha256: str) -> bool:
    """Constant-time comparison of a presented secret with the stored hash."""
    return hmac.compare_digest(hash_secret(secret), stored_sha256)
