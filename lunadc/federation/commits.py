"""Making verified blobs durable in groups, in a thread of their own.

Committing a blob takes filesystem barriers (``commit_all``: two ``syncfs`` per call,
whatever the number of blobs). Each download thread committing its own batch made it wait
for barriers, which on a shared disk last as long as everyone's dirty data takes to flush
(a third of the download threads' time in the profile). Here the download threads hand
their verified blobs over and go on receiving; one thread commits whatever has gathered
meanwhile, so the barriers are as few as the disk allows and never stall the network.

A blob handed over is durable only once ``close`` has returned: callers register nothing
before that. A crash before it leaves staged files that the next start removes (they are
fetched again): never a blob that is visible but not durable.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from lunadc.storage.base import BlobStore, StagedBlob

T = TypeVar("T")
Done = Callable[[list[tuple[T, StagedBlob]], Exception | None], None]


class GroupCommitter(Generic[T]):
    """Commits ``(tag, staged)`` pairs in groups; ``done(items, error)`` is called (in the
    committing thread) for each group, with ``error`` None when the group is durable. A
    tag that was added but never reported done must count as not durable."""

    def __init__(self, store: BlobStore, done: Done[T]) -> None:
        self._store = store
        self._done = done
        self._pending: list[tuple[T, StagedBlob]] = []
        self._closing = False
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="blob-commit", daemon=True)
        self._thread.start()

    def add(self, items: list[tuple[T, StagedBlob]]) -> None:
        if not items:
            return
        with self._wake:
            if self._closing:
                raise RuntimeError("the committer is closed")
            self._pending.extend(items)
            self._wake.notify()

    def _take(self) -> list[tuple[T, StagedBlob]] | None:
        """The next group; None once closed and drained."""
        with self._wake:
            self._wake.wait_for(lambda: bool(self._pending) or self._closing)
            group, self._pending = self._pending, []
        return group or None

    def _run(self) -> None:
        # One group per turn; ends when ``close`` was called and nothing is left.
        while (group := self._take()) is not None:
            try:
                self._store.commit_all([staged for _tag, staged in group])
            except Exception as exc:  # handed to ``done``: the group failed
                for _tag, staged in group:
                    with contextlib.suppress(OSError):
                        staged.discard()
                self._done(group, exc)
            else:
                self._done(group, None)

    def close(self) -> None:
        """Commit what is left and wait for it (idempotent)."""
        with self._wake:
            self._closing = True
            self._wake.notify()
        self._thread.join()
