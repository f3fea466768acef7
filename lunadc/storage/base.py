"""The blob store interface and the hashing copy that every store uses.

Blobs are content-addressed by SHA-256: a finished blob is never overwritten, and two
products that share a file share its bytes. A blob is first *staged* (written under a
temporary name while MD5 and SHA-256 are computed, so each byte is read once), then either
*committed* (made durable and visible under its key) or *discarded*.
"""

from __future__ import annotations

import errno
import hashlib
import mmap
from collections.abc import Iterator
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass
from typing import BinaryIO, Protocol

CHUNK_SIZE = 4 * 1024 * 1024
# Most product files are small: one read of up to this many bytes takes them whole.
_SMALL = 1024 * 1024
# Below this size threads cost more than they save; hashlib only releases the GIL on
# buffers larger than 2 KiB anyway.
_PARALLEL_HASH_MIN = 256 * 1024


@dataclass(frozen=True, slots=True)
class Digests:
    size: int
    md5: str
    sha256: str


def blob_key(sha256: str) -> str:
    """The key of a blob with this SHA-256: ``sha256/ab/cd/abcd...``."""
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


class _Sink(Protocol):
    def write(self, data: bytes | memoryview, /) -> int | None: ...


def copy_and_hash(
    source: BinaryIO,
    sink: _Sink | None,
    *,
    pool: Executor | None = None,
    writer: Executor | None = None,
) -> Digests:
    """Copy ``source`` to ``sink`` (if any) computing MD5 and SHA-256 in one pass.

    Each byte is read once, into a buffer that feeds both digests and the write. With a
    ``pool`` (one worker: MD5 updates must run in order), MD5 runs in that thread beside
    SHA-256 in this one, and with a ``writer`` (one worker too) the write runs in a third;
    hashlib and file writes release the GIL, so a large file costs about max(MD5, SHA-256)
    rather than the sum of the three. Two page-aligned buffers alternate (a direct-I/O sink
    needs the alignment): the next chunk is read into one while the other is still being
    hashed and written, and no chunk allocates memory.
    """
    md5 = hashlib.md5(usedforsecurity=False)
    sha256 = hashlib.sha256()
    first = _read_up_to(source, _SMALL)
    if len(first) < _SMALL:  # the whole file: the common case of a small product file
        md5.update(first)
        sha256.update(first)
        if sink is not None:
            _write_all(sink, first)
        return Digests(size=len(first), md5=md5.hexdigest(), sha256=sha256.hexdigest())
    # Anonymous mappings start on a page boundary, which is what O_DIRECT asks of a buffer.
    buffers = (memoryview(mmap.mmap(-1, CHUNK_SIZE)), memoryview(mmap.mmap(-1, CHUNK_SIZE)))
    buffers[0][:_SMALL] = first
    filled = _SMALL + _read_into(source, buffers[0][_SMALL:])
    size = 0
    turn = 0
    hashing: Future[None] | None = None  # MD5 of this chunk
    writing: Future[None] | None = None  # the write of this chunk
    written: Future[None] | None = None  # the write of the previous chunk (other buffer)
    try:
        while filled:
            chunk = buffers[turn][:filled]
            size += filled
            if pool is not None and filled >= _PARALLEL_HASH_MIN:
                hashing = pool.submit(md5.update, chunk)
            else:
                md5.update(chunk)
            if sink is not None and writer is not None:
                writing = writer.submit(_write_all, sink, chunk)
            sha256.update(chunk)
            if sink is not None and writer is None:
                _write_all(sink, chunk)
            if written is not None:
                written.result()  # the other buffer is on disk (or raises the write's error)
            written, writing = writing, None
            turn = 1 - turn
            filled = _read_into(source, buffers[turn])
            if hashing is not None:
                hashing.result()  # MD5 of this chunk done: the next one may be submitted
                hashing = None
        if written is not None:
            written.result()
    finally:
        # On any error, no thread may still use a buffer or the sink once this returns.
        wait([f for f in (hashing, writing, written) if f is not None])
    return Digests(size=size, md5=md5.hexdigest(), sha256=sha256.hexdigest())


def _read_up_to(source: BinaryIO, size: int) -> bytes:
    """``size`` bytes, fewer only at the end of the source (a read may return less)."""
    data = source.read(size)
    if len(data) == size or not data:
        return data
    parts = [data]
    missing = size - len(data)
    while missing:
        more = source.read(missing)
        if not more:
            break
        parts.append(more)
        missing -= len(more)
    return b"".join(parts)


def _write_all(sink: _Sink, data: bytes | memoryview) -> None:
    # An unbuffered (raw) file may write less than asked; a buffered one writes it all.
    view = memoryview(data)
    while view:
        written = sink.write(view)
        if written is None:  # only a non-blocking sink does this; ours never are
            raise OSError(errno.EAGAIN, "the sink would block")
        view = view[written:]


def _read_into(source: BinaryIO, view: memoryview) -> int:
    """Fill ``view`` as far as the source allows; the byte count (0 at the end)."""
    readinto = getattr(source, "readinto", None)
    total = 0
    while total < len(view):
        if readinto is not None:
            got = readinto(view[total:])
        else:
            data = source.read(len(view) - total)
            got = len(data)
            view[total : total + got] = data
        if not got:
            break
        total += got
    return total


class StagedBlob(Protocol):
    """Bytes written under a temporary name, with their digests, not yet visible."""

    @property
    def digests(self) -> Digests: ...

    @property
    def name(self) -> str:
        """Its temporary name: another process using the same store may ``claim`` it by it."""
        ...

    def commit(self) -> str:
        """Make the blob durable under its key and return the key (idempotent)."""
        ...

    def discard(self) -> None:
        """Remove the temporary bytes (a no-op after commit)."""
        ...


class BlobStore(Protocol):
    """Where product files live. Implementations: ``LocalBlobStore``."""

    def stage(self, source: BinaryIO) -> StagedBlob:
        """Copy ``source`` into a temporary blob while hashing it."""
        ...

    def claim(self, name: str, digests: Digests) -> StagedBlob:
        """Take over a blob that another process staged in this store (by its ``name``, with
        the digests it computed while writing it)."""
        ...

    def commit_all(self, blobs: list[StagedBlob]) -> list[str]:
        """Commit several staged blobs at once (durably); their keys in the same order."""
        ...

    def open(self, key: str) -> BinaryIO:
        """Open a committed blob for reading; ``NotFoundError`` if absent."""
        ...

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int: ...

    def delete(self, key: str) -> None:
        """Remove a committed blob (used by garbage collection of unreferenced blobs only)."""
        ...

    def iter_keys(self) -> Iterator[str]: ...

    def clean_partial(self) -> int:
        """Remove leftovers of writes that died half-way; return how many."""
        ...

    def used_bytes(self) -> int: ...
