"""Rate limiting of failed authentication, per client, in memory (one node process).

After ``max_failures`` failures within ``window_s`` seconds a client is refused until the
oldest failure leaves the window, even with a valid token: guessing gets nowhere.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class FailureLimiter:
    def __init__(
        self,
        *,
        max_failures: int = 10,
        window_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 100_000,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._max_clients = max_clients
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures

    def blocked_for(self, client: str) -> float:
        """Seconds until ``client`` may try again (0 if it may now)."""
        with self._lock:
            now = self._clock()
            failures = self._recent(client, now)
            if len(failures) < self.max_failures:
                if not failures:
                    self._failures.pop(client, None)
                return 0.0
            return max(0.0, failures[0] + self.window_s - now)

    def failed(self, client: str) -> None:
        with self._lock:
            if len(self._failures) >= self._max_clients and client not in self._failures:
                # Bound memory under a flood of distinct addresses: forget the oldest.
                self._failures.pop(next(iter(self._failures)))
            self._recent(client, self._clock()).append(self._clock())
