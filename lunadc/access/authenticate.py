"""From a presented token to a Viewer, or an AuthenticationError saying why not."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Connection, Engine

from lunadc.access.tokens import hash_secret, secret_matches, split_token
from lunadc.catalog import accounts
from lunadc.catalog.db import begin_write
from lunadc.errors import AuthenticationError
from lunadc.model.access import Viewer
from lunadc.model.times import format_time, parse_time

# Recording "last used" on every request would make each read a write; once a minute is enough.
_TOUCH_EVERY = timedelta(seconds=60)
_DUMMY_HASH = hash_secret("x" * 43)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if one was sent."""
    if not authorization:
        return None
    scheme, _space, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise AuthenticationError("the Authorization header must be 'Bearer <token>'")
    return value.strip()


def authenticate(conn: Connection, token: str, now: str) -> tuple[Viewer, str]:
    """The viewer a token stands for and its token id; raises ``AuthenticationError``."""
    viewer, row = _verify(conn, token, now)
    return viewer, row.token_id


def _verify(conn: Connection, token: str, now: str) -> tuple[Viewer, accounts.TokenRow]:
    parts = split_token(token)
    if parts is None:
        raise AuthenticationError("malformed API token")
    token_id, secret = parts
    row = accounts.find_token(conn, token_id)
    # Compare even when the id is unknown, so timing does not tell which ids exist.
    matches = secret_matches(secret, row.secret_sha256 if row else _DUMMY_HASH)
    if row is None or not matches:
        raise AuthenticationError("invalid API token")
    if row.revoked_at is not None:
        raise AuthenticationError("this API token was revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise AuthenticationError("this API token has expired")
    if row.user_disabled:
        raise AuthenticationError("this user is disabled")
    return accounts.token_viewer(conn, row), row


def authenticate_and_touch(
    engine: Engine, token: str, now: str, cache: VerifiedTokens | None = None
) -> Viewer:
    """``authenticate`` plus a (throttled) update of the token's last-used time.

    With ``cache``, a token verified less than ``cache.ttl_s`` ago is not looked up again.
    """
    if cache is not None:
        hit = cache.get(token, now)
        if hit is not None:
            return hit
    with engine.connect() as conn:
        viewer, row = _verify(conn, token, now)
    if row.last_used_at is None or parse_time(row.last_used_at) + _TOUCH_EVERY <= parse_time(now):
        with begin_write(engine) as conn:
            accounts.touch_token(conn, row.token_id, format_time(parse_time(now)))
    if cache is not None:
        cache.put(token, viewer, row.expires_at)
    return viewer


class VerifiedTokens:
    """Tokens verified in the last ``ttl_s`` seconds, keyed by their SHA-256 (never the token).

    Each authenticated request would otherwise cost two catalog queries before its real work.
    The price: a token revoked or a user disabled by another process (``lunadc token revoke``)
    still works here for at most ``ttl_s`` seconds. Expiry stays exact: it is checked on every
    hit. Only successes are kept; a failure is always looked up, audited and rate-limited.
    """

    def __init__(
        self,
        ttl_s: float = 2.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self._max = max_entries
        self._clock = clock
        self._entries: dict[str, tuple[float, Viewer, str | None]] = {}
        self._lock = threading.Lock()

    def get(self, token: str, now: str) -> Viewer | None:
        key = hash_secret(token)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            at, viewer, expires_at = entry
            if self._clock() - at > self.ttl_s or (expires_at is not None and expires_at <= now):
                del self._entries[key]
                return None
            return viewer

    def put(self, token: str, viewer: Viewer, expires_at: str | None) -> None:
        key = hash_secret(token)
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.clear()  # a burst of distinct tokens: start again, stay bounded
            self._entries[key] = (self._clock(), viewer, expires_at)
