"""Reading a download (or a feed) ahead in a thread, so the network and the work overlap.

A download is hashed (MD5 and SHA-256) and written as it arrives; done in one thread, the
socket waits while a chunk is hashed and the hashes wait while a chunk is received. A
``Prefetch`` receives up to ``depth`` chunks ahead in its own thread (socket reads and
hashlib both release the GIL). What the consumer sees is exactly the same chunks, in order,
and the producer's exception (a cut, a timeout) at the place it happened. Sync uses the
same for feed pages: the next page is fetched and prepared while this one is applied.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
_POLL_S = 0.1  # how often a blocked producer checks that the consumer still wants data


class _End:
    pass


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class Prefetch(Generic[T]):
    """An iterator over ``chunks`` that is filled by a background thread; ``close`` (or the
    end of a ``with`` block) stops and joins that thread before the source is closed."""

    def __init__(self, chunks: Iterator[T], depth: int = 4) -> None:
        self._chunks = chunks
        self._queue: queue.Queue[T | _End | _Failed] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(target=self._run, name="prefetch", daemon=True)
        self._thread.start()

    def _put(self, item: T | _End | _Failed) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for chunk in self._chunks:
                if not self._put(chunk):
                    return
            self._put(_End())
        except BaseException as exc:  # handed to the consumer, raised there
            self._put(_Failed(exc))

    def __iter__(self) -> Prefetch[T]:
        return self

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        item = self._queue.get()
        if isinstance(item, _End):
            self._done = True
            raise StopIteration
        if isinstance(item, _Failed):
            self._done = True
            raise item.error
        return item

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> Prefetch[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
