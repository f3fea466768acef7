"""From a presented token to a Viewer, or an AuthenticationError saying why not."""

from __future__ import annotations

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
    return accounts.viewer_of(accounts.get_user(conn, row.user)), token_id


def authenticate_and_touch(engine: Engine, token: str, now: str) -> Viewer:
    """``authenticate`` plus a (throttled) update of the token's last-used time."""
    with engine.connect() as conn:
        viewer, token_id = authenticate(conn, token, now)
        row = accounts.find_token(conn, token_id)
    if row is not None and (
        row.last_used_at is None or parse_time(row.last_used_at) + _TOUCH_EVERY <= parse_time(now)
    ):
        with begin_write(engine) as conn:
            accounts.touch_token(conn, token_id, format_time(parse_time(now)))
    return viewer
