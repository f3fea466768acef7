"""What the worker processes of one ``lunadc serve --workers N`` must share: the nonces of
signed peer requests (a replay sent to another worker must still be refused) and the failed
sign-ins per client (the rate limit must not grow with the number of workers).

Kept in a small SQLite file of its own, ``ROOT/run/shared-state.sqlite``, not in the catalog:
it is short-lived state that only the processes of one machine share, every row expires
within minutes, and it never travels to peers or into backups. WAL mode lets every worker
read while one writes; ``BEGIN IMMEDIATE`` makes each check-and-record one atomic step
across processes. A single-process server keeps the in-memory versions (same behaviour,
no file).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from lunadc.access.ratelimit import FailureLimiter
from lunadc.errors import AuthenticationError
from lunadc.federation.signatures import NONCE_CAPACITY, NonceCache

SCHEMA = """
CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY, expires REAL NOT NULL);
CREATE INDEX IF NOT EXISTS ix_nonces_expires ON nonces (expires);
CREATE TABLE IF NOT EXISTS auth_failures (client TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS ix_auth_failures_client ON auth_failures (client, at);
"""


def state_path(root: Path) -> Path:
    return root / "run" / "shared-state.sqlite"


class SharedStateFile:
    """One connection per thread to the shared-state file of a node."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._local = threading.local()
        with self._connect() as conn:
            conn.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        # Autocommit mode: every transaction below is an explicit BEGIN IMMEDIATE ... COMMIT.
        conn = sqlite3.connect(self._path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        # A process crash loses nothing; a power cut may lose the last moments of state,
        # which expires within minutes anyway and restarts with the signature window.
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn


class SharedNonces(NonceCache):
    """``NonceCache`` whose memory is the shared file: a nonce is used once across workers."""

    def __init__(self, state: SharedStateFile, capacity: int = NONCE_CAPACITY) -> None:
        super().__init__(capacity)
        self._state = state

    def add(self, nonce: str, expires: int, now: float) -> None:
        conn = self._state.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM nonces WHERE expires < ?", (now,))
            if conn.execute("SELECT 1 FROM nonces WHERE nonce = ?", (nonce,)).fetchone():
                raise AuthenticationError("replayed request (nonce already used)")
            (count,) = conn.execute("SELECT count(*) FROM nonces").fetchone()
            if count >= self._capacity:
                raise AuthenticationError("too many signed requests in the replay window")
            conn.execute("INSERT INTO nonces (nonce, expires) VALUES (?, ?)", (nonce, expires))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


class SharedFailureLimiter(FailureLimiter):
    """``FailureLimiter`` counting every worker's failures for a client together.

    The clock is wall time (``time.time``), the one clock every process shares.
    """

    def __init__(
        self,
        state: SharedStateFile,
        *,
        max_failures: int = 10,
        window_s: float = 60.0,
        clock: Callable[[], float] = time.time,
        max_clients: int = 100_000,
    ) -> None:
        super().__init__(
            max_failures=max_failures, window_s=window_s, clock=clock, max_clients=max_clients
        )
        self._state = state

    def blocked_for(self, client: str) -> float:
        now = self._clock()
        rows = (
            self._state.connection()
            .execute(
                "SELECT at FROM auth_failures WHERE client = ? AND at > ? ORDER BY at",
                (client, now - self.window_s),
            )
            .fetchall()
        )
        if len(rows) < self.max_failures:
            return 0.0
        return max(0.0, float(rows[0][0]) + self.window_s - now)

    def failed(self, client: str) -> None:
        now = self._clock()
        conn = self._state.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM auth_failures WHERE at <= ?", (now - self.window_s,))
            (clients,) = conn.execute("SELECT count(DISTINCT client) FROM auth_failures").fetchone()
            if clients >= self._max_clients:
                # Bound the file under a flood of distinct addresses: forget the oldest.
                conn.execute(
                    "DELETE FROM auth_failures WHERE client = "
                    "(SELECT client FROM auth_failures ORDER BY at LIMIT 1)"
                )
            conn.execute("INSERT INTO auth_failures (client, at) VALUES (?, ?)", (client, now))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
