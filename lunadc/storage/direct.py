"""Writing blob bytes to a file without the page cache, where the filesystem allows.

Used by ingest (``LocalBlobStore.stage``) and by replication (received files). A buffered
write costs a copy of every byte into the page cache and, later, the kernel's write-back of
those pages, both on the CPUs that also hash and receive; on the shared machines we run on
that copy cost as much as MD5 (profiles of bench/replicate.py and bench/ingest.py). With
``O_DIRECT`` the device reads our buffer itself. Direct writes need whole blocks at
whole-block file offsets from a page-aligned buffer (an ``mmap``): chunks that are not
(the tail of a file, a resume at an odd offset) are written normally. Either way the file
holds the same bytes; its fsync before a rename still makes them durable.
"""

from __future__ import annotations

import errno
import fcntl
import mmap
import os

BLOCK = 4096  # covers devices of 512 B blocks too
O_DIRECT = getattr(os, "O_DIRECT", 0)  # 0 where the platform has none


def aligned_buffer(size: int) -> memoryview:
    """A writable buffer of ``size`` bytes on a page boundary (what ``O_DIRECT`` asks)."""
    return memoryview(mmap.mmap(-1, size))


class DirectFile:
    """An open file written at increasing offsets, directly where it can be.

    ``position`` is where the next write lands (the file's offset). Not thread-safe: one
    writer at a time, as the callers use it.
    """

    def __init__(
        self, fd: int, position: int = 0, *, min_direct: int = BLOCK, drop_cached: bool = False
    ) -> None:
        """``min_direct``: smaller writes always go through the page cache (a small file is
        not worth the switch). ``drop_cached``: hand buffered writes of ``min_direct`` or
        more to write-back at once (``POSIX_FADV_DONTNEED``), where direct I/O is refused."""
        self.fd = fd
        self.position = position
        self._direct = False
        self._may_go_direct = bool(O_DIRECT)
        self._min_direct = max(min_direct, BLOCK)
        self._drop_cached = drop_cached and hasattr(os, "posix_fadvise")

    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> DirectFile:
        """A new (or emptied) file at ``path``."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        return cls(fd)

    def _set_direct(self, on: bool) -> bool:
        flags = fcntl.fcntl(self.fd, fcntl.F_GETFL)
        try:
            fcntl.fcntl(self.fd, fcntl.F_SETFL, flags | O_DIRECT if on else flags & ~O_DIRECT)
        except OSError:
            if on:  # no direct I/O on this filesystem: write normally from now on
                self._may_go_direct = False
                return False
            raise
        self._direct = on
        return True

    def write(self, data: bytes | memoryview, /) -> int:
        """Write all of ``data`` at ``position``; its length."""
        view = memoryview(data)
        size = len(view)
        while view:
            view = view[self._write_some(view) :]
        return size

    def _write_some(self, view: memoryview) -> int:
        whole = len(view) - len(view) % BLOCK
        aligned = whole >= self._min_direct and self.position % BLOCK == 0 and self._may_go_direct
        if aligned and (self._direct or self._set_direct(True)):
            try:
                written = os.pwrite(self.fd, view[:whole], self.position)
            except OSError as exc:
                if exc.errno != errno.EINVAL:
                    raise
                # Refused (a buffer off a page boundary, a filesystem quirk): write
                # normally from now on.
                self._may_go_direct = False
            else:
                self.position += written
                return written
        if self._direct:
            self._set_direct(False)
        written = os.pwrite(self.fd, view, self.position)
        if self._drop_cached and written >= self._min_direct:
            os.posix_fadvise(self.fd, self.position, written, os.POSIX_FADV_DONTNEED)
        self.position += written
        return written

    def close(self) -> None:
        os.close(self.fd)

    def __enter__(self) -> DirectFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
