"""Exact, self-invalidating cache of whole-result aggregates (hit counts, facets, names).

Counting a million rows costs far more than fetching a page of them, and the same counts are
asked for again and again (every page of a walk repeats them). An entry is keyed by the
query and by what the viewer may see, and it is valid only while the catalog is unchanged:
every catalog change appends to ``changes`` (so ``max(seq)`` moves) and the only change
that does not, an embargo ending by the clock, is caught by remembering when the next
``release_at`` falls. So a cached answer is always the answer a fresh count would give.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Connection, Transaction, func, select

from lunadc.catalog.tables import changes, products
from lunadc.model.access import Viewer

T = TypeVar("T")

# How long a request waits for another thread's computation of the same aggregate before it
# looks again.
_WAIT_S = 60.0


def viewer_key(viewer: Viewer) -> Hashable:
    """What of a viewer decides visibility (two viewers with the same key see the same)."""
    return (viewer.sees_everything, viewer.partner, tuple(sorted(viewer.groups)))


class SearchCache:
    """A bounded LRU map shared by the request threads of one process.

    ``size`` bounds the entries' total weight: a count or a name weighs 1, a large value
    (an id array) says what it weighs when it is stored (``get``'s ``weight``).
    """

    def __init__(self, size: int = 2048) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._weights: dict[Hashable, int] = {}  # entries weighing more than 1
        self._weight = 0  # of all entries
        self._generation: tuple[int, str | None] | None = None  # (max seq, next release)
        self._running: dict[Hashable, threading.Event] = {}  # aggregates being computed
        self._probed: weakref.WeakKeyDictionary[Transaction, tuple[int, str]] = (
            weakref.WeakKeyDictionary()
        )

    def _valid_generation(self, conn: Connection, now: str) -> int:
        # Within one read transaction the catalog cannot change (a snapshot), so the probe is
        # made once per transaction and ``now``, however many aggregates the request asks for.
        transaction = conn.get_transaction()
        if transaction is not None:
            with self._lock:
                known = self._probed.get(transaction)
            if known is not None and known[1] == now:
                return known[0]
        seq = self._probe(conn, now)
        transaction = conn.get_transaction()  # the probe itself may have begun it
        if transaction is not None:
            with self._lock:
                self._probed[transaction] = (seq, now)
        return seq

    def _probe(self, conn: Connection, now: str) -> int:
        seq = int(conn.execute(select(func.coalesce(func.max(changes.c.seq), 0))).scalar_one())
        with self._lock:
            current = self._generation
        if current is not None and current[0] == seq and (current[1] is None or now < current[1]):
            return seq
        next_release = conn.execute(
            select(func.min(products.c.release_at)).where(products.c.release_at > now)
        ).scalar_one_or_none()
        with self._lock:
            # A new generation: everything counted before may be wrong now.
            self._entries.clear()
            self._weights.clear()
            self._weight = 0
            self._generation = (seq, next_release)
        return seq

    def get(
        self,
        conn: Connection,
        now: str,
        key: Hashable,
        compute: Callable[[], T],
        weight: Callable[[T], int] | None = None,
    ) -> T:
        generation = self._valid_generation(conn, now)
        full_key = (generation, key)
        # Single flight: while one thread computes an aggregate, the others asking for the
        # same one wait for its answer instead of running the same seconds-long count at the
        # same time (a cold facet over a million products, asked by every client at once).
        for _attempt in range(3):
            with self._lock:
                if full_key in self._entries:
                    self._entries.move_to_end(full_key)
                    value: T = self._entries[full_key]
                    return value
                running = self._running.get(full_key)
                if running is None:
                    running = self._running[full_key] = threading.Event()
                    break
            # Another thread computes it; if it fails or the generation moves on meanwhile,
            # the entry stays missing and this thread tries again (at most three waits).
            running.wait(timeout=_WAIT_S)
        else:
            return compute()  # still missing after three waits: compute without the cache
        try:
            value = compute()
            with self._lock:
                if self._generation is not None and self._generation[0] == generation:
                    self._store(full_key, value, max(1, weight(value)) if weight else 1)
        finally:
            with self._lock:
                self._running.pop(full_key, None)
            running.set()
        return value

    def _store(self, key: Hashable, value: Any, weight: int) -> None:
        """Keep ``value`` (the lock held), evicting the least recently used over ``size``."""
        if weight > self._size:
            return  # would push out everything else
        if key in self._entries:
            self._weight -= self._weights.pop(key, 1)
        self._entries[key] = value
        if weight > 1:
            self._weights[key] = weight
        self._weight += weight
        while self._weight > self._size:
            old, _value = self._entries.popitem(last=False)
            self._weight -= self._weights.pop(old, 1)


class NoCache(SearchCache):
    """Always computes (for the CLI and tests that want no state between calls)."""

    def get(
        self,
        conn: Connection,
        now: str,
        key: Hashable,
        compute: Callable[[], T],
        weight: Callable[[T], int] | None = None,
    ) -> T:
        return compute()
