"""Fetching a peer's bytes: in parallel, small files batched in one stream, large ones by
HTTP Range so that a cut or a crash resumes where it stopped, every file hashed and checked
against the label's size and MD5 and the peer's SHA-256 before it becomes a blob.

A product's files become visible here only when every one of them is verified
(``complete_replica`` in one transaction). Finished files are content-addressed blobs: a
retry, or a restart after kill -9, never fetches them again. A file whose bytes do not
match is refused, recorded with its reason, and fetched again from scratch.

Bodies are read into our own page-aligned buffers (``PeerClient.file``/``batch`` give
file-like downloads, see ``rawhttp``), hashed there and written from there with direct I/O
(``direct``): hashing is the work, not copying bytes around. Verified small files are made
durable in groups by one committing thread (``commits``) while the downloads go on.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, BinaryIO, cast

import httpx

from lunadc.catalog import replicas as rep
from lunadc.catalog.db import begin_write
from lunadc.errors import IntegrityError, LunadcError, PeerError
from lunadc.federation.commits import GroupCommitter
from lunadc.federation.peers import Download, PeerClient, describe
from lunadc.federation.resumable import Appender, Pace, Resumed, check_range
from lunadc.federation.settings import federation_settings
from lunadc.model.times import format_time
from lunadc.node import Node
from lunadc.storage.base import Digests, StagedBlob, blob_key, copy_and_hash
from lunadc.storage.direct import BLOCK, DirectFile, aligned_buffer

SMALL_FILE = 1024 * 1024  # at most this: travels in a batch
BATCH_FILES = 256
BATCH_BYTES = 32 * 1024 * 1024
RETRIES = 2  # a bad or cut file is fetched again this many times within one pass
_NOT_DURABLE = "verified, but not yet made durable"
SMALL_WRITES = 8  # small files being written at once (each direct write waits for the disk)
_BUFFER_WAIT_S = 600.0  # a buffer frees once its write ends; this long means a stuck disk


@dataclass(frozen=True, slots=True)
class FileJob:
    lidvid: str
    path: str
    size: int
    md5: str
    sha256: str


@dataclass
class TransferReport:
    products_completed: int = 0
    files_fetched: int = 0
    bytes_fetched: int = 0
    failures: list[str] = field(default_factory=list)


def check(job: FileJob, digests: Digests) -> None:
    """Refuse bytes that are not the promised ones (size, MD5 of the label, SHA-256)."""
    if digests.size != job.size:
        raise IntegrityError(f"{job.path}: {digests.size} bytes, expected {job.size}")
    if digests.md5 != job.md5:
        raise IntegrityError(f"{job.path}: MD5 {digests.md5}, expected {job.md5}")
    if digests.sha256 != job.sha256:
        raise IntegrityError(f"{job.path}: SHA-256 {digests.sha256}, expected {job.sha256}")


_HEADER_MAX = 64 * 1024


def _next_header(body: Download) -> dict[str, Any] | None:
    """The next file's JSON header line of a batch stream; None at its end."""
    line = body.readline(_HEADER_MAX + 1)
    if not line:
        return None
    if not line.endswith(b"\n"):
        raise PeerError("batch stream: a header line too long, or cut")
    return _header(line)


Key = tuple[str, str]


class Transfer:
    """Replicates the queued products of one peer."""

    def __init__(self, node: Node, client: PeerClient, *, parallel: int | None = None) -> None:
        self.node = node
        self.client = client
        settings = federation_settings(node.config)
        self.parallel = parallel or settings.parallel_transfers
        # A cap on each large download (a shared WAN link); 0: none.
        self.max_rate = settings.max_fetch_mb_s * 1e6
        self.report = TransferReport()
        self._lock = threading.Lock()
        # Set while ``fetch`` runs: MD5 and write threads of large downloads, the committer
        # of small files, and every job's outcome (shared: the committer settles some).
        self._md5_pool: ThreadPoolExecutor | None = None
        self._write_pool: ThreadPoolExecutor | None = None
        self._committer: GroupCommitter[FileJob] | None = None
        self._outcome: dict[Key, str | None] = {}
        self._small_buffers: _Buffers | None = None

    def _now(self) -> str:
        return format_time(self.node.clock())

    def run(self, lidvids: list[str]) -> TransferReport:
        needed: dict[str, list[FileJob]] = {}
        have: dict[str, dict[str, str]] = {}
        with self.node.engine.connect() as conn:
            files_of = rep.replicas_files(conn, lidvids)
        for lidvid in lidvids:
            needed[lidvid] = []
            have[lidvid] = {}
            for f in files_of[lidvid]:
                key = blob_key(f.sha256)
                if f.blob_key is None and not self.node.store.exists(key):
                    needed[lidvid].append(FileJob(lidvid, f.path, f.size, f.md5, f.sha256))
                else:
                    have[lidvid][f.path] = key
        jobs = [j for js in needed.values() for j in js]
        outcome = self.fetch(jobs)
        # Every fetched blob is durable already (``fetch`` returns after its commits): one
        # transaction records the round's outcome, each product complete only if all its
        # files were verified.
        with begin_write(self.node.engine) as conn:
            for lidvid, js in needed.items():
                errors = [
                    outcome[(j.lidvid, j.path)] for j in js if outcome.get((j.lidvid, j.path))
                ]
                if errors:
                    for job in js:
                        reason = outcome.get((job.lidvid, job.path))
                        if reason:
                            rep.record_failure(
                                conn, self.client.name, lidvid, job.path, reason, self._now()
                            )
                    rep.set_replica_state(conn, lidvid, "failed", self._now(), error=errors[0])
                    self.report.failures.extend(f"{lidvid}: {e}" for e in errors)
                    continue
                keys = {**have[lidvid], **{j.path: blob_key(j.sha256) for j in js}}
                rep.complete_replica(conn, lidvid, keys, self._now())
                self.report.products_completed += 1
        return self.report

    def fetch(self, jobs: list[FileJob]) -> dict[Key, str | None]:
        """Fetch every job; the failure reason of each (None: verified and durable)."""
        # The store is content-addressed: bytes shared by several files travel once, and
        # each of those files is checked against them (its own size and label MD5).
        by_content: dict[str, list[FileJob]] = {}
        for job in jobs:
            by_content.setdefault(job.sha256, []).append(job)
        unique = [same[0] for same in by_content.values()]
        small = [j for j in unique if j.size <= SMALL_FILE]
        large = sorted((j for j in unique if j.size > SMALL_FILE), key=lambda j: -j.size)
        batches: list[list[FileJob]] = []
        current: list[FileJob] = []
        size = 0
        for job in small:
            if current and (len(current) >= BATCH_FILES or size + job.size > BATCH_BYTES):
                batches.append(current)
                current, size = [], 0
            current.append(job)
            size += job.size
        if current:
            batches.append(current)
        self._outcome = {}
        # MD5 of each large download runs beside its SHA-256 in a thread of its own (and
        # its writes in another): parallel downloads never take turns at one hashing thread.
        large_count = max(1, min(self.parallel, len(large)))
        writers = SMALL_WRITES if batches else 1
        self._small_buffers = _Buffers(self.parallel + writers + 1, SMALL_FILE)
        committer: GroupCommitter[FileJob] = GroupCommitter(self.node.store, self._committed)
        try:
            with (
                ThreadPoolExecutor(self.parallel, thread_name_prefix="transfer") as pool,
                ThreadPoolExecutor(large_count, thread_name_prefix="md5") as md5_pool,
                ThreadPoolExecutor(writers, thread_name_prefix="write") as write_pool,
            ):
                self._md5_pool, self._write_pool = md5_pool, write_pool
                self._committer = committer
                futures = [pool.submit(self._batch_with_retry, b) for b in batches]
                futures += [pool.submit(self._large_with_retry, j) for j in large]
                for future in futures:
                    future.result()
        finally:
            committer.close()  # every handed-over blob is durable, or failed, from here on
        outcome: dict[Key, str | None] = {}
        for same in by_content.values():
            first = same[0]
            reason = self._outcome.get((first.lidvid, first.path), "not fetched")
            for job in same:
                outcome[(job.lidvid, job.path)] = reason or _differs(job, first)
        return outcome

    def _settle(self, key: Key, reason: str | None) -> None:
        with self._lock:
            self._outcome[key] = reason

    def _committed(self, group: list[tuple[FileJob, StagedBlob]], error: Exception | None) -> None:
        """The committer's word on a group of verified files."""
        for job, _staged in group:
            self._settle((job.lidvid, job.path), describe(error) if error else None)
            if error is None:
                self._count(job)

    def _batch_with_retry(self, jobs: list[FileJob]) -> None:
        todo = jobs
        for _attempt in range(RETRIES + 1):
            failed = self._batch(todo)
            todo = [j for j in todo if (j.lidvid, j.path) in failed]
            if not todo:
                break

    def _batch(self, jobs: list[FileJob]) -> set[Key]:
        """One batch request; the keys that failed (their reasons are in the outcome)."""
        by_key = {(j.lidvid, j.path): j for j in jobs}
        result: dict[Key, str | None] = {}
        writes: list[tuple[FileJob, Future[StagedBlob]]] = []
        try:
            with self.client.batch([(j.lidvid, j.path) for j in jobs]) as body:
                while (head := _next_header(body)) is not None:
                    key = (str(head.get("lidvid")), str(head.get("path")))
                    job = by_key.get(key)
                    if job is None or key in result:
                        raise PeerError("batch stream: a file that was not asked for")
                    if head.get("missing"):
                        result[key] = "the peer no longer offers this file"
                        continue
                    received = self._receive(job, body, int(head.get("size", -1)))
                    if isinstance(received, str):
                        result[key] = received
                    else:
                        result[key] = None
                        writes.append((job, received))
        except (LunadcError, httpx.HTTPError, OSError, ValueError) as exc:
            reason = describe(exc)
            for key in by_key:
                result.setdefault(key, reason)
        verified: list[tuple[FileJob, StagedBlob]] = []
        for job, write in writes:  # every write ends (or fails) before the batch does
            try:
                verified.append((job, write.result()))
            except (LunadcError, OSError) as exc:
                result[(job.lidvid, job.path)] = describe(exc)
        for key in by_key:
            result.setdefault(key, "the peer's batch ended before this file")
        failed = {key for key, why in result.items() if why}
        with self._lock:
            for key, why in result.items():
                self._outcome[key] = why or _NOT_DURABLE
        assert self._committer is not None
        self._committer.add(verified)
        return failed

    def _receive(self, job: FileJob, body: Download, size: int) -> str | Future[StagedBlob]:
        """The next ``size`` bytes of the stream are ``job``'s file: read them into one of
        our buffers and hash them there; if they are the right ones, a write of them from
        there is under way (its future). Else why not. Either way the stream is left at the
        next file's header."""
        if size < 0:
            raise PeerError("batch stream: a file without a size")
        assert self._small_buffers is not None and self._write_pool is not None
        buffer = self._small_buffers.get()
        try:
            if size != job.size:
                _skip(body, size, buffer)
                return f"{job.path}: {size} bytes, expected {job.size}"
            view = buffer[:size]
            _read_exactly(body, view)
            md5 = hashlib.md5(view, usedforsecurity=False)
            sha256 = hashlib.sha256(view)
            digests = Digests(size, md5.hexdigest(), sha256.hexdigest())
            check(job, digests)
        except IntegrityError as exc:
            self._small_buffers.put(buffer)
            return exc.message
        except BaseException:
            self._small_buffers.put(buffer)
            raise
        # A direct write waits for the disk: it runs in a writer thread, so that several
        # are in flight while this thread receives the next file.
        return self._write_pool.submit(self._write_small, job, buffer, digests)

    def _write_small(self, job: FileJob, buffer: memoryview, digests: Digests) -> StagedBlob:
        assert self._small_buffers is not None
        store = self.node.store
        try:
            # Straight into the store's temporary folder, claimed there: a small file is
            # never resumed, so it needs no ``.resume`` name and no rename out of it (a
            # rename and a mkdir per file). A crash leaves a temporary file that the next
            # start removes.
            part = store.new_tmp_path()
            try:
                with DirectFile.create(part) as out:
                    out.write(buffer[: digests.size])
                return store.claim(store.tmp_name(part), digests)
            except OSError:
                part.unlink(missing_ok=True)
                raise
        finally:
            self._small_buffers.put(buffer)

    def _count(self, job: FileJob) -> None:
        with self._lock:
            self.report.files_fetched += 1
            self.report.bytes_fetched += job.size

    def _large_with_retry(self, job: FileJob) -> None:
        reason: str | None = None
        for _attempt in range(RETRIES + 1):
            try:
                self._large(job)
                reason = None
                break
            except (LunadcError, httpx.HTTPError, OSError) as exc:
                reason = describe(exc)
        self._settle((job.lidvid, job.path), reason)

    def _large(self, job: FileJob) -> None:
        store = self.node.store
        part = store.resume_path(job.sha256)
        offset = part.stat().st_size if part.exists() else 0
        if offset > job.size:
            part.unlink()
            offset = 0
        # Resume at a whole block, so that every write of the rest can go direct; at most
        # a block is fetched again.
        offset -= offset % BLOCK
        if offset < job.size:
            with self.client.file(job.lidvid, job.path, offset) as response:
                if response.status_code == 200 and offset:
                    offset = 0  # the peer ignored Range: start over
                elif response.status_code == 206:
                    check_range(response, offset)
                with (
                    open(part, "r+b" if offset else "wb", buffering=0) as out,
                    # A writer of its own: a download's writes must land in order.
                    ThreadPoolExecutor(1, thread_name_prefix="write") as writer,
                ):
                    out.truncate(offset)
                    # One pass: the bytes already here (a resume) are read back and hashed,
                    # then the network's are hashed as they are written. What is verified
                    # is exactly what the file holds, without reading 512 MiB again.
                    pace = Pace(self.max_rate)
                    source = Resumed(part, offset, response, job.path, job.size, pace)
                    try:
                        # A duck-typed file (read only), like the batch stream's bodies.
                        digests = copy_and_hash(
                            cast(BinaryIO, source),
                            Appender(DirectFile(out.fileno()), offset),
                            pool=self._md5_pool,
                            writer=writer,
                        )
                    finally:
                        source.close()
            staged = store.adopt(part, digests)
        else:
            staged = store.adopt(part)  # complete before a crash: hashed in full here
        try:
            check(job, staged.digests)
        except IntegrityError:
            staged.discard()  # the partial file is gone: the retry starts from zero
            raise
        staged.commit()
        self._count(job)


class _Buffers:
    """Page-aligned buffers for small files, reused (a fresh mapping per file costs page
    faults): taken by a receiving thread, given back once its file is written."""

    def __init__(self, count: int, size: int) -> None:
        self._free: queue.Queue[memoryview] = queue.Queue()
        for _ in range(count):
            self._free.put(aligned_buffer(size))  # memory is only touched once used

    def get(self) -> memoryview:
        try:
            return self._free.get(timeout=_BUFFER_WAIT_S)
        except queue.Empty:
            raise PeerError("no buffer freed: the writes of received files are stuck") from None

    def put(self, buffer: memoryview) -> None:
        self._free.put(buffer)


def _differs(job: FileJob, fetched: FileJob) -> str | None:
    """Why ``job`` is not the verified bytes of ``fetched`` (same SHA-256), if it is not."""
    try:
        check(job, Digests(fetched.size, fetched.md5, fetched.sha256))
    except IntegrityError as exc:
        return exc.message
    return None


def _read_exactly(body: Download, view: memoryview) -> None:
    got = 0
    while got < len(view):
        n = body.readinto(view[got:])
        if not n:
            raise PeerError("batch stream cut inside a file")
        got += n


def _skip(body: Download, size: int, buffer: memoryview) -> None:
    """Read past ``size`` bytes of the stream (a file we refuse) into ``buffer``."""
    while size > 0:
        n = body.readinto(buffer[: min(size, len(buffer))])
        if not n:
            raise PeerError("batch stream cut inside a file")
        size -= n


def _header(line: bytes) -> dict[str, Any]:
    try:
        head = json.loads(line)
    except ValueError as exc:
        raise PeerError("batch stream: unreadable header") from exc
    if not isinstance(head, dict):
        raise PeerError("batch stream: unreadable header")
    return head
