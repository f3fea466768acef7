"""Reading blobs to serve them to a peer: from the page cache if they are there, else
without it where the filesystem allows.

A buffered read of a blob that is not cached copies every byte out of freshly filled page
cache pages; profiled on the node that serves replicas (bench/replicate.py), that copy cost
more CPU than the receiver's MD5 and SHA-256 together, and it evicts what the node's users
read. With ``O_DIRECT`` the device fills one reused, page-aligned buffer of ours. Where
direct reads are refused (a filesystem without them) the same buffer is filled by normal
reads.

A blob that *is* cached (just ingested, or read a moment ago) is better copied from the
cache: a direct read waits for the disk all the same (on this machine's virtual disk 0.2-0.4
ms per 256 KiB file, against 0.03 ms for the copy, at the same CPU cost), and the cache
keeps its pages either way. ``RWF_NOWAIT`` asks for exactly that: the cached pages, or
``EAGAIN`` at the first page that would need the disk; from there on the file is read
direct. What comes out is the same bytes every way.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from lunadc.storage.direct import BLOCK, O_DIRECT

_RWF_NOWAIT = getattr(os, "RWF_NOWAIT", 0)  # 0 where the platform has none


class BlobReader:
    """The bytes of one file from ``start`` on, a ``buffer`` full a call at most (the last
    may be shorter). ``buffer``: from ``aligned_buffer``, a whole number of blocks; one
    buffer may serve many files one after the other (a fresh mapping per file costs page
    faults).

    ``end``: where the caller stops (the file's size in the catalog), if it knows; else the
    file's size now. Reads ask for no more than the blocks up to it: a direct read past a
    file's end is filled with zeros by the kernel (``iomap_dio_hole_iter``), which for a
    256 KiB blob read with a 1 MiB buffer was a tenth of the serving node's CPU. Nothing
    after ``end`` is returned; a file shorter than ``end`` ends where it ends.
    """

    def __init__(self, path: Path, start: int, buffer: memoryview, end: int | None = None) -> None:
        if not buffer or len(buffer) % BLOCK:
            raise ValueError(f"the buffer must be a whole number of {BLOCK}-byte blocks")
        self._path = path
        self._buffer = buffer
        self._position = start
        self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        self._end = os.fstat(self._fd).st_size if end is None else end
        self._cached = bool(_RWF_NOWAIT)  # try the page cache first
        self._direct_fd = -1  # opened at the first page not cached
        self._ended = False

    def _read_cached(self, into: memoryview) -> int | None:
        """Bytes copied from the page cache into ``into``; None: not cached (from here)."""
        try:
            return os.preadv(self._fd, [into], self._position, _RWF_NOWAIT)
        except BlockingIOError:
            return None
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                raise
            return None  # no RWF_NOWAIT on this filesystem: direct reads then

    def _read_direct(self, into: memoryview, offset: int) -> int:
        if self._direct_fd < 0:
            self._direct_fd = self._open_direct()
        try:
            return os.preadv(self._direct_fd, [into], offset)
        except OSError as exc:
            if exc.errno != errno.EINVAL:
                raise
        # Direct reads refused after all: the same reads through the page cache.
        os.close(self._direct_fd)
        self._direct_fd = os.dup(self._fd)
        return os.preadv(self._direct_fd, [into], offset)

    def _open_direct(self) -> int:
        if O_DIRECT:
            try:
                return os.open(self._path, os.O_RDONLY | os.O_CLOEXEC | O_DIRECT)
            except OSError as exc:
                if exc.errno != errno.EINVAL:
                    raise
        return os.dup(self._fd)

    def readinto(self, view: memoryview) -> int:
        """Copy the next bytes into ``view`` (any writable buffer); how many, 0 at the end
        of the file (or at ``end``). Cached pages go straight into ``view``; others are read
        direct into the reader's buffer and copied from there."""
        left = self._end - self._position
        if self._ended or left <= 0 or not view:
            return 0
        view = view[: min(len(view), left)]
        if self._cached:
            got = self._read_cached(view)
            if got is not None:
                self._ended = got == 0  # a file shorter than ``end``
                self._position += got
                return got
            self._cached = False
        skip, stop = self._read_block(len(view))
        size = stop - skip
        view[:size] = self._buffer[skip:stop]
        self._position += size
        return size

    def next(self) -> bytes:
        """The next chunk (at most the buffer's size); b"" at the end of the file (or at
        ``end``)."""
        if self._ended or self._position >= self._end:
            return b""
        if self._cached:
            got = self._read_cached(
                self._buffer[: min(len(self._buffer), self._end - self._position)]
            )
            if got is not None:
                self._ended = got == 0
                self._position += got
                return bytes(self._buffer[:got])
            self._cached = False
        skip, stop = self._read_block(len(self._buffer))
        self._position += stop - skip
        return bytes(self._buffer[skip:stop])

    def _read_block(self, most: int) -> tuple[int, int]:
        """A direct read from the block holding the position into the buffer, for at most
        ``most`` bytes from the position: the slice of the buffer that holds them."""
        # Direct reads start at a block: the bytes before the position in it are dropped.
        base = self._position - self._position % BLOCK
        skip = self._position - base
        last = min(self._end, self._position + most) - base
        whole = min(len(self._buffer), last + -last % BLOCK)  # direct reads take whole blocks
        into = self._buffer[:whole]
        got = self._read_direct(into, base)
        stop = min(got, last)
        # A regular file reads short only at its end: ended once all it gave is taken.
        self._ended = got < len(into) and stop == got
        if stop <= skip:
            self._ended = True
            return skip, skip
        return skip, stop

    def close(self) -> None:
        for fd in (self._fd, self._direct_fd):
            if fd >= 0:
                os.close(fd)
        self._fd = self._direct_fd = -1

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
