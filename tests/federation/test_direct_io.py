"""The byte paths of replication: direct writes and reads give back exactly the bytes, at
any offset and length; the group committer makes every handed-over blob durable."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from lunadc.federation.commits import GroupCommitter
from lunadc.storage.base import StagedBlob
from lunadc.storage.blobread import BlobReader
from lunadc.storage.direct import BLOCK, DirectFile, aligned_buffer
from lunadc.storage.local import LocalBlobStore

DATA = os.urandom(5 * BLOCK + 123)


@pytest.mark.parametrize("start", [0, 1, BLOCK - 1, BLOCK, 3 * BLOCK + 5])
@pytest.mark.parametrize("aligned", [True, False])
def test_direct_file_writes_exactly_the_bytes(tmp_path: Path, start: int, aligned: bool) -> None:
    path = tmp_path / "f"
    path.write_bytes(DATA[:start])
    buffer = aligned_buffer(len(DATA))
    buffer[: len(DATA)] = DATA
    # An aligned buffer goes direct (whole blocks) and the tail normally; a plain bytes
    # object off a page boundary is written normally; either way the same bytes land.
    source = buffer[start : len(DATA)] if aligned else memoryview(DATA)[start:]
    fd = os.open(path, os.O_WRONLY)
    with DirectFile(fd, start) as out:
        written = out.write(source[: 2 * BLOCK])
        written += out.write(source[2 * BLOCK :])
        assert out.position == len(DATA)
    assert written == len(DATA) - start
    assert path.read_bytes() == DATA


def test_direct_file_create_empties_the_file(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 3 * BLOCK)
    with DirectFile.create(path) as out:
        out.write(b"abc")
    assert path.read_bytes() == b"abc"


def _blob(path: Path, cached: str) -> Path:
    """``DATA`` at ``path``, its pages in the page cache (``all``), not (``none``), or its
    first block and a half only (``head``): the reader copies cached pages and reads the
    rest direct."""
    path.write_bytes(DATA)
    if cached != "all":
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)  # only clean pages can be dropped
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            if cached == "head":
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)  # no read-ahead
                os.pread(fd, BLOCK + BLOCK // 2, 0)
        finally:
            os.close(fd)
    return path


@pytest.mark.parametrize("cached", ["all", "none", "head"])
@pytest.mark.parametrize("start", [0, 1, BLOCK, BLOCK + 7, len(DATA) - 1, len(DATA)])
def test_blob_reader_gives_the_bytes_from_any_start(
    tmp_path: Path, start: int, cached: str
) -> None:
    path = _blob(tmp_path / "blob", cached)
    buffer = aligned_buffer(2 * BLOCK)
    chunks = []
    with BlobReader(path, start, buffer) as reader:
        for _ in range(len(DATA) // BLOCK + 2):  # more turns than chunks: it must end
            chunk = reader.next()
            if not chunk:
                break
            chunks.append(chunk)
        assert reader.next() == b""
    assert b"".join(chunks) == DATA[start:]
    # One buffer serves the next file too.
    with BlobReader(path, 0, buffer) as again:
        assert again.next() == DATA[: 2 * BLOCK]


@pytest.mark.parametrize("cached", ["all", "none", "head"])
@pytest.mark.parametrize("start", [0, 1, BLOCK + 7])
@pytest.mark.parametrize("end", [0, 5, BLOCK, 2 * BLOCK + 1, len(DATA), len(DATA) + 3 * BLOCK])
def test_blob_reader_stops_at_its_end(tmp_path: Path, start: int, end: int, cached: str) -> None:
    path = _blob(tmp_path / "blob", cached)
    chunks = []
    with BlobReader(path, start, aligned_buffer(2 * BLOCK), end) as reader:
        while chunk := reader.next():
            chunks.append(chunk)
        assert reader.next() == b""
    # Never past ``end``; a file shorter than ``end`` ends where it ends.
    assert b"".join(chunks) == DATA[start:end]


@pytest.mark.parametrize("cached", ["all", "none", "head"])
@pytest.mark.parametrize("step", [1000, BLOCK, 3 * BLOCK + 1, 10 * BLOCK])
@pytest.mark.parametrize("start", [0, 7, BLOCK])
def test_blob_reader_reads_into_any_buffer(
    tmp_path: Path, cached: str, step: int, start: int
) -> None:
    path = _blob(tmp_path / "blob", cached)
    end = len(DATA) - 3
    out = bytearray(len(DATA))  # a plain buffer, not aligned: filled a piece at a time
    filled = 0
    with BlobReader(path, start, aligned_buffer(2 * BLOCK), end) as reader:
        while got := reader.readinto(memoryview(out)[filled : filled + step]):
            filled += got
        assert reader.readinto(memoryview(out)[filled:]) == 0
    assert bytes(out[:filled]) == DATA[start:end]


def test_blob_reader_wants_whole_blocks(tmp_path: Path) -> None:
    (tmp_path / "blob").write_bytes(DATA)
    with pytest.raises(ValueError):
        BlobReader(tmp_path / "blob", 0, aligned_buffer(BLOCK + 1))


def test_group_committer_makes_every_blob_durable(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "archive")
    store.create()
    reports: list[tuple[list[int], Exception | None]] = []

    def done(group: list[tuple[int, StagedBlob]], error: Exception | None) -> None:
        reports.append(([tag for tag, _staged in group], error))

    committer: GroupCommitter[int] = GroupCommitter(store, done)
    blobs = [store.stage(io.BytesIO(os.urandom(100 + i))) for i in range(10)]
    committer.add([(i, b) for i, b in enumerate(blobs[:6])])
    committer.add([])
    committer.add([(i + 6, b) for i, b in enumerate(blobs[6:])])
    committer.close()
    committer.close()  # idempotent
    assert sorted(tag for tags, _e in reports for tag in tags) == list(range(10))
    assert all(error is None for _tags, error in reports)
    for blob in blobs:
        key = f"sha256/{blob.digests.sha256[:2]}/{blob.digests.sha256[2:4]}/{blob.digests.sha256}"
        assert store.exists(key)
    with pytest.raises(RuntimeError):
        committer.add([(99, store.stage(io.BytesIO(b"late")))])


def test_group_committer_reports_a_failed_group(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "archive")
    store.create()
    reports: list[Exception | None] = []
    staged = store.stage(io.BytesIO(b"gone"))
    os.unlink(tmp_path / "archive" / ".tmp" / staged.name)  # its bytes vanished
    committer: GroupCommitter[str] = GroupCommitter(store, lambda _g, e: reports.append(e))
    committer.add([("gone", staged)])
    committer.close()
    assert len(reports) == 1 and reports[0] is not None
