"""Reading blobs to serve them to a peer, without the page cache where the filesystem allows.

A buffered read of a blob that is not cached copies every byte out of freshly filled page
cache pages; profiled on the node that serves replicas (bench/replicate.py), that copy cost
more CPU than the receiver's MD5 and SHA-256 together, and it evicts what the node's users
read. With ``O_DIRECT`` the device fills one reused, page-aligned buffer of ours. Where
direct reads are refused (a filesystem without them) the same buffer is filled by normal
reads. What comes out is the same bytes either way.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from lunadc.storage.direct import BLOCK, O_DIRECT


class BlobReader:
    """The bytes of one file from ``start`` on, a ``buffer`` full a call (the last may be
    shorter). ``buffer``: from ``aligned_buffer``, a whole number of blocks; one buffer may
    serve many files one after the other (a fresh mapping per file costs page faults).

    ``end``: where the caller stops (the file's size in the catalog), if it knows. Reads then
    ask for no more than the blocks up to it: a direct read past a file's end is filled with
    zeros by the kernel (``iomap_dio_hole_iter``), which for a 256 KiB blob read with a
    1 MiB buffer was a tenth of the serving node's CPU. Nothing after ``end`` is returned.
    """

    def __init__(self, path: Path, start: int, buffer: memoryview, end: int | None = None) -> None:
        if not buffer or len(buffer) % BLOCK:
            raise ValueError(f"the buffer must be a whole number of {BLOCK}-byte blocks")
        self._path = path
        self._buffer = buffer
        self._end = end
        # Direct reads start at a block: the bytes before ``start`` in it are dropped.
        self._position = start - start % BLOCK
        self._skip = start - self._position
        self._ended = False
        self._fd = self._open(direct=bool(O_DIRECT))

    def _open(self, *, direct: bool) -> int:
        flags = os.O_RDONLY | os.O_CLOEXEC
        if direct:
            try:
                return os.open(self._path, flags | O_DIRECT)
            except OSError as exc:
                if exc.errno != errno.EINVAL:
                    raise
        return os.open(self._path, flags)

    def _read(self, into: memoryview) -> int:
        try:
            return os.preadv(self._fd, [into], self._position)
        except OSError as exc:
            if exc.errno != errno.EINVAL:
                raise
        # Direct reads refused after all: the same reads through the page cache.
        os.close(self._fd)
        self._fd = self._open(direct=False)
        return os.preadv(self._fd, [into], self._position)

    def next(self) -> bytes:
        """The next chunk; b"" at the end of the file (or at ``end``)."""
        while not self._ended:
            into = self._buffer
            if self._end is not None:
                left = self._end - self._position
                if left <= 0:
                    self._ended = True
                    break
                whole = left + -left % BLOCK  # direct reads take whole blocks
                into = into[: min(len(into), whole)]
            got = self._read(into)
            # A regular file reads short only at its end.
            self._ended = got < len(into)
            stop = got if self._end is None else min(got, self._end - self._position)
            self._position += got
            skip, self._skip = self._skip, 0
            if stop > skip:
                return bytes(self._buffer[skip:stop])
        return b""

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
