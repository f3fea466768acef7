"""The local blob store: atomic, content-addressed, never overwriting, cleaning leftovers."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lunadc.errors import NotFoundError, StorageError
from lunadc.storage.base import blob_key, copy_and_hash
from lunadc.storage.local import LocalBlobStore


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    created = LocalBlobStore(tmp_path / "archive")
    created.create()
    return created


def test_staged_blob_is_invisible_until_commit(store: LocalBlobStore) -> None:
    data = b"lunar regolith" * 1000
    staged = store.stage(io.BytesIO(data))
    key = blob_key(hashlib.sha256(data).hexdigest())
    assert not store.exists(key)
    assert staged.digests.md5 == hashlib.md5(data).hexdigest()
    assert staged.commit() == key
    assert store.exists(key)
    with store.open(key) as handle:
        assert handle.read() == data
    assert not list((store.root / ".tmp").iterdir())


def test_discard_removes_temporary_bytes(store: LocalBlobStore) -> None:
    staged = store.stage(io.BytesIO(b"x"))
    staged.discard()
    assert not list((store.root / ".tmp").iterdir())
    assert list(store.iter_keys()) == []


def test_finished_blob_is_never_overwritten(store: LocalBlobStore) -> None:
    data = b"same bytes"
    key = store.stage(io.BytesIO(data)).commit()
    before = store.path_of(key).stat()
    assert store.stage(io.BytesIO(data)).commit() == key
    after = store.path_of(key).stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_hashing_copy_reads_large_input_once_with_both_digests() -> None:
    from concurrent.futures import ThreadPoolExecutor

    data = os.urandom(9 * 1024 * 1024 + 17)
    sink = io.BytesIO()
    with ThreadPoolExecutor(1) as pool:
        digests = copy_and_hash(io.BytesIO(data), sink, pool=pool)
    assert sink.getvalue() == data
    assert digests.size == len(data)
    assert digests.md5 == hashlib.md5(data).hexdigest()
    assert digests.sha256 == hashlib.sha256(data).hexdigest()


class _ShortWriter(io.BytesIO):
    """A sink that takes at most 1000 bytes per call, as a raw file may."""

    def write(self, data: object, /) -> int:
        return super().write(memoryview(data)[:1000])  # type: ignore[arg-type]


class _ReadOnly:
    """A source with ``read`` only (no ``readinto``)."""

    def __init__(self, data: bytes) -> None:
        self._stream = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(min(size, 300_000))


@pytest.mark.parametrize("size", [0, 1, 1024 * 1024, 1024 * 1024 + 1, 5 * 1024 * 1024 + 3])
def test_hashing_copy_handles_short_reads_and_writes(size: int) -> None:
    data = os.urandom(size)
    sink = _ShortWriter()
    digests = copy_and_hash(_ReadOnly(data), sink)  # type: ignore[arg-type]
    assert sink.getvalue() == data
    assert (digests.size, digests.sha256) == (size, hashlib.sha256(data).hexdigest())
    assert digests.md5 == hashlib.md5(data).hexdigest()


def test_large_file_is_staged_and_committed_intact(store: LocalBlobStore, tmp_path: Path) -> None:
    data = os.urandom(6 * 1024 * 1024 + 5)
    source = tmp_path / "big.dat"
    source.write_bytes(data)
    with open(source, "rb") as handle:
        staged = store.stage(handle)
    assert staged.digests.sha256 == hashlib.sha256(data).hexdigest()
    [key] = store.commit_all([staged])
    with store.open(key) as stored:
        assert stored.read() == data


@pytest.mark.parametrize("size", [8 * 1024 * 1024, 9 * 1024 * 1024 + 4099])
def test_large_file_written_by_the_write_thread_is_intact(tmp_path: Path, size: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    # With a hashing thread the store writes large chunks from its own thread, with direct
    # I/O where the filesystem allows it and normally for the unaligned tail.
    data = os.urandom(size)
    source = tmp_path / "big.dat"
    source.write_bytes(data)
    with ThreadPoolExecutor(1) as pool:
        threaded = LocalBlobStore(tmp_path / "threaded", hash_pool=pool)
        threaded.create()
        with open(source, "rb") as handle:
            staged = threaded.stage(handle)
    assert staged.digests == type(staged.digests)(
        size, hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest()
    )
    key = staged.commit()
    with threaded.open(key) as stored:
        assert stored.read() == data


class _FailingSink:
    def __init__(self) -> None:
        self.calls = 0

    def write(self, data: object, /) -> int:
        self.calls += 1
        raise OSError(28, "No space left on device")


def test_a_failed_write_in_the_write_thread_is_raised_once_all_threads_stopped() -> None:
    from concurrent.futures import ThreadPoolExecutor

    sink = _FailingSink()
    with ThreadPoolExecutor(1) as pool, ThreadPoolExecutor(1) as writer:
        with pytest.raises(OSError, match="No space"):
            copy_and_hash(io.BytesIO(os.urandom(12 * 1024 * 1024)), sink, pool=pool, writer=writer)
    assert 1 <= sink.calls <= 2  # the copy stopped at the failure, not after every chunk


def test_partial_writes_of_dead_processes_are_cleaned(store: LocalBlobStore) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    leftover = store.root / ".tmp" / f"{dead.stdout.strip()}-abcdef.part"
    leftover.write_bytes(b"half")
    alive = store.root / ".tmp" / f"{os.getppid()}-abcdef.part"
    alive.write_bytes(b"someone else's write in progress")
    assert store.clean_partial() == 1
    assert not leftover.exists()
    assert alive.exists()


def test_a_worker_stages_into_its_run_folder_and_the_owner_claims_by_name(
    store: LocalBlobStore,
) -> None:
    run = store.new_run_name()
    store.open_run(run)
    worker = LocalBlobStore(store.root, run_folder=run)
    staged = worker.stage(io.BytesIO(b"a worker's bytes"))
    assert staged.name.startswith(run + "/")
    key = store.claim(staged.name, staged.digests).commit()
    assert store.open(key).read() == b"a worker's bytes"
    unclaimed = worker.stage(io.BytesIO(b"never claimed"))
    assert store.close_run(run) == 1
    assert not (store.root / ".tmp" / run).exists()
    with pytest.raises(StorageError):
        store.claim(unclaimed.name.replace(run, ".."), unclaimed.digests)


def test_a_late_worker_of_a_dead_run_cannot_stage_after_the_clean_up(
    store: LocalBlobStore,
) -> None:
    """kill -9 of an ingest: a worker may live a moment longer than its owner. Once the next
    start removed the run folder, a late write fails instead of leaving a file behind."""
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    run = f"{dead.stdout.strip()}-0a1b"
    (store.root / ".tmp" / run).mkdir()
    late_worker = LocalBlobStore(store.root, run_folder=run)
    late_worker.stage(io.BytesIO(b"staged before the kill"))
    assert store.clean_partial() == 1
    with pytest.raises(StorageError):
        late_worker.stage(io.BytesIO(b"staged after the clean-up"))
    assert list((store.root / ".tmp").iterdir()) == []


def test_bad_keys_cannot_escape_the_store(store: LocalBlobStore) -> None:
    for key in ("../etc/passwd", "sha256/../../x/y", "sha256/ab/cd/../../../../etc"):
        with pytest.raises(NotFoundError):
            store.open(key)


def test_a_blob_s_file_name_as_text_is_its_path_in_either_layout(tmp_path: Path) -> None:
    one_level = LocalBlobStore(tmp_path / "new")
    one_level.create()
    two_levels = LocalBlobStore(tmp_path / "old")  # no layout file: the older fan-out
    for store in (one_level, two_levels):
        for data in (b"", b"a", b"regolith"):
            sha = hashlib.sha256(data).hexdigest()
            assert store.blob_file(sha) == str(store.path_of(blob_key(sha)))
        for bad in ("", "ab", "../../etc", "ab/cd/ef"):
            with pytest.raises(NotFoundError):
                store.blob_file(bad)


def test_a_new_store_keeps_blobs_one_folder_deep(store: LocalBlobStore) -> None:
    data = b"one level"
    key = store.stage(io.BytesIO(data)).commit()
    sha = hashlib.sha256(data).hexdigest()
    assert key == blob_key(sha)  # keys do not change with the layout
    assert store.path_of(key) == store.root / "sha256" / sha[:2] / sha
    assert store.path_of(key).read_bytes() == data
    assert list(store.iter_keys()) == [key]
    assert list(LocalBlobStore(store.root).iter_keys()) == [key]  # another process agrees


def test_a_store_made_before_the_layout_file_keeps_two_levels(tmp_path: Path) -> None:
    root = tmp_path / "old-archive"
    data = b"two levels"
    sha = hashlib.sha256(data).hexdigest()
    old = root / "sha256" / sha[:2] / sha[2:4] / sha
    old.parent.mkdir(parents=True)
    old.write_bytes(data)
    store = LocalBlobStore(root)
    store.create()  # an existing store keeps its own layout
    assert not (root / "layout").exists()
    assert list(store.iter_keys()) == [blob_key(sha)]
    assert store.open(blob_key(sha)).read() == data
    other = store.stage(io.BytesIO(b"added later")).commit()
    assert store.path_of(other).parent.parent.parent == root / "sha256"


def test_an_unknown_layout_is_refused(tmp_path: Path) -> None:
    (tmp_path / "layout").write_text("blake3/abc\n", encoding="ascii")
    with pytest.raises(StorageError, match="unknown blob layout"):
        LocalBlobStore(tmp_path)


def test_the_clean_up_leaves_this_process_s_own_files_in_flight(store: LocalBlobStore) -> None:
    """Another handle on the same store, opened in this process (a second Node.open), must
    not remove what this process is writing; a file an earlier process left under the same
    (reused) pid is a leftover."""
    in_flight = store.new_tmp_path()
    in_flight.write_bytes(b"being written")
    run = store.new_run_name()
    store.open_run(run)
    earlier = store.root / ".tmp" / f"{os.getpid()}-0000-abcdef.part"
    earlier.write_bytes(b"left by an earlier process with this pid")
    assert LocalBlobStore(store.root).clean_partial() == 1
    assert in_flight.exists() and (store.root / ".tmp" / run).is_dir()
    assert not earlier.exists()
