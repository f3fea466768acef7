"""Fetching a peer's bytes: in parallel, small files batched in one stream, large ones by
HTTP Range so that a cut or a crash resumes where it stopped, every file hashed and checked
against the label's size and MD5 and the peer's SHA-256 before it becomes a blob.

A product's files become visible here only when every one of them is verified
(``complete_replica`` in one transaction). Finished files are content-addressed blobs: a
retry, or a restart after kill -9, never fetches them again. A file whose bytes do not
match is refused, recorded with its reason, and fetched again from scratch.

Bodies are read into our own buffers (``PeerClient.file``/``batch`` give file-like
downloads, see ``rawhttp``): hashing and writing are the work, not moving bytes around.
"""

from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast

import httpx

from lunadc.catalog import replicas as rep
from lunadc.catalog.db import begin_write
from lunadc.errors import IntegrityError, LunadcError, PeerError
from lunadc.federation.peers import Download, PeerClient, describe
from lunadc.federation.settings import federation_settings
from lunadc.model.times import format_time
from lunadc.node import Node
from lunadc.storage.base import Digests, StagedBlob, blob_key, copy_and_hash

SMALL_FILE = 1024 * 1024  # at most this: travels in a batch
BATCH_FILES = 256
BATCH_BYTES = 32 * 1024 * 1024
RETRIES = 2  # a bad or cut file is fetched again this many times within one pass
CHUNK = 1024 * 1024
_WRITEBACK_MIN = int(
    os.environ.get("WBMIN", 1024 * 1024)
)  # writes at least this big start their write-back at once


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


class _Part:
    """The next ``size`` bytes of a batch stream, read like a file (never further)."""

    def __init__(self, body: Download, size: int) -> None:
        self._body = body
        self.remaining = size

    def read(self, n: int = -1, /) -> bytes:
        want = self.remaining if n < 0 else min(n, self.remaining)
        data = self._body.read(want) if want > 0 else b""
        self.remaining -= len(data)
        return data

    def readinto(self, buffer: memoryview, /) -> int:
        if self.remaining <= 0:
            return 0
        got = self._body.readinto(buffer[: self.remaining])
        self.remaining -= got
        return got


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
        self._md5_pool: ThreadPoolExecutor | None = None  # set while ``fetch`` runs

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
        # Every fetched blob is durable already (``commit_all``): one transaction records
        # the round's outcome, each product complete only if all its files were verified.
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

    def fetch(self, jobs: list[FileJob]) -> dict[tuple[str, str], str | None]:
        """Fetch every job; the failure reason of each (None: verified and stored)."""
        small = [j for j in jobs if j.size <= SMALL_FILE]
        large = sorted((j for j in jobs if j.size > SMALL_FILE), key=lambda j: -j.size)
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
        outcome: dict[tuple[str, str], str | None] = {}
        # MD5 of each large download runs beside its SHA-256 in a thread of its own: the
        # node's single hashing thread made parallel downloads take turns at MD5.
        large_count = min(self.parallel, len(large))
        with (
            ThreadPoolExecutor(self.parallel, thread_name_prefix="transfer") as pool,
            ThreadPoolExecutor(max(1, large_count), thread_name_prefix="md5") as md5_pool,
        ):
            self._md5_pool = md5_pool
            futures = [pool.submit(self._batch_with_retry, b) for b in batches]
            futures += [pool.submit(self._large_with_retry, j) for j in large]
            for future in futures:
                outcome.update(future.result())
        return outcome

    def _batch_with_retry(self, jobs: list[FileJob]) -> dict[tuple[str, str], str | None]:
        result: dict[tuple[str, str], str | None] = {}
        todo = jobs
        for _attempt in range(RETRIES + 1):
            failed = self._batch(todo, result)
            todo = [j for j in todo if (j.lidvid, j.path) in failed]
            if not todo:
                break
        return result

    def _batch(
        self, jobs: list[FileJob], result: dict[tuple[str, str], str | None]
    ) -> set[tuple[str, str]]:
        by_key = {(j.lidvid, j.path): j for j in jobs}
        failed: set[tuple[str, str]] = set()
        verified: list[tuple[FileJob, StagedBlob]] = []
        try:
            with self.client.batch([(j.lidvid, j.path) for j in jobs]) as body:
                while (head := _next_header(body)) is not None:
                    key = (str(head.get("lidvid")), str(head.get("path")))
                    job = by_key.get(key)
                    if job is None:
                        raise PeerError("batch stream: a file that was not asked for")
                    if head.get("missing"):
                        result[key] = "the peer no longer offers this file"
                        failed.add(key)
                        continue
                    part = _Part(body, int(head.get("size", -1)))
                    result[key] = self._stage(job, part, verified)
                    if part.remaining:
                        raise PeerError("batch stream cut inside a file")
                    if result[key]:
                        failed.add(key)
        except (LunadcError, httpx.HTTPError, ValueError) as exc:
            reason = describe(exc)
            for key in by_key:
                if key not in result:
                    result[key] = reason
                    failed.add(key)
        for key in by_key:
            if key not in result:
                result[key] = "the peer's batch ended before this file"
                failed.add(key)
        self._commit(verified, result, failed)
        return failed

    def _stage(
        self, job: FileJob, source: Any, verified: list[tuple[FileJob, StagedBlob]]
    ) -> str | None:
        """Write and hash one file as it streams in; keep it staged if its bytes are right."""
        staged: StagedBlob = self.node.store.stage(source)
        try:
            check(job, staged.digests)
        except IntegrityError as exc:
            staged.discard()
            return exc.message
        verified.append((job, staged))
        return None

    def _commit(
        self,
        verified: list[tuple[FileJob, StagedBlob]],
        result: dict[tuple[str, str], str | None],
        failed: set[tuple[str, str]],
    ) -> None:
        """Make a batch's verified files durable together (two barriers, not two per file)."""
        if not verified:
            return
        try:
            self.node.store.commit_all([staged for _job, staged in verified])
        except LunadcError as exc:
            for job, staged in verified:
                staged.discard()
                result[(job.lidvid, job.path)] = describe(exc)
                failed.add((job.lidvid, job.path))
            return
        for job, _staged in verified:
            self._count(job)

    def _count(self, job: FileJob) -> None:
        with self._lock:
            self.report.files_fetched += 1
            self.report.bytes_fetched += job.size

    def _large_with_retry(self, job: FileJob) -> dict[tuple[str, str], str | None]:
        reason: str | None = None
        for _attempt in range(RETRIES + 1):
            try:
                self._large(job)
                return {(job.lidvid, job.path): None}
            except (LunadcError, httpx.HTTPError, OSError) as exc:
                reason = describe(exc)
        return {(job.lidvid, job.path): reason}

    def _large(self, job: FileJob) -> None:
        store = self.node.store
        part = store.resume_path(job.sha256)
        offset = part.stat().st_size if part.exists() else 0
        if offset > job.size:
            part.unlink()
            offset = 0
        if offset < job.size:
            with self.client.file(job.lidvid, job.path, offset) as response:
                if response.status_code == 200 and offset:
                    offset = 0  # the peer ignored Range: start over
                elif response.status_code == 206:
                    _check_range(response, offset)
                with open(part, "r+b" if offset else "wb", buffering=0) as out:
                    out.truncate(offset)
                    # One pass: the bytes already here (a resume) are read back and hashed,
                    # then the network's are hashed as they are written. What is verified
                    # is exactly what the file holds, without reading 512 MiB again.
                    source = _Resumed(part, offset, response, job, _Pace(self.max_rate))
                    try:
                        # A duck-typed file (read only), like the batch stream's bodies.
                        digests = copy_and_hash(
                            cast(BinaryIO, source), _Appender(out, offset), pool=self._md5_pool
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


class _Resumed:
    """A file-like source: the first ``offset`` bytes of ``part``, then the response body;
    never more than the job's size in all. Read into the caller's buffer: no copies."""

    def __init__(
        self, part: Path, offset: int, response: Download, job: FileJob, pace: _Pace
    ) -> None:
        self._prefix = open(part, "rb") if offset else None  # noqa: SIM115 - closed in close()
        self._left = offset
        self._body = response
        self._job = job
        self._total = 0
        self._pace = pace

    def readinto(self, buffer: memoryview, /) -> int:
        if self._prefix is not None and self._left > 0:
            got = self._prefix.readinto(buffer[: self._left])
            if not got:
                raise IntegrityError(f"{self._job.path}: the partial download shrank")
            self._left -= got
        else:
            got = self._body.readinto(buffer)
            self._pace.after(got)
        self._total += got
        if self._total > self._job.size:
            raise IntegrityError(f"{self._job.path}: more bytes than {self._job.size}")
        return got

    def read(self, n: int = -1, /) -> bytes:
        buffer = bytearray(n if n > 0 else CHUNK)
        got = self.readinto(memoryview(buffer))
        del buffer[got:]
        return bytes(buffer)

    def close(self) -> None:
        if self._prefix is not None:
            self._prefix.close()


class _Appender:
    """A sink that skips the ``offset`` bytes already in the file and writes the rest,
    starting their write-back at once so the final fsync has little left to wait for."""

    def __init__(self, out: BinaryIO, offset: int) -> None:
        self._out = out
        self._skip = offset
        self._position = offset
        out.seek(offset)

    def write(self, data: bytes | memoryview, /) -> int:
        view = memoryview(data)
        size = len(view)
        if self._skip:
            dropped = min(self._skip, len(view))
            self._skip -= dropped
            view = view[dropped:]
        while view:
            written = self._out.write(view) or 0
            if written >= _WRITEBACK_MIN and hasattr(os, "posix_fadvise"):
                os.posix_fadvise(
                    self._out.fileno(), self._position, written, os.POSIX_FADV_DONTNEED
                )
            self._position += written
            view = view[written:]
        return size


class _Pace:
    """Sleeps as needed to keep a download at or under ``rate`` bytes/s (0: no limit)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.started = time.monotonic()
        self.done = 0

    def after(self, size: int) -> None:
        if self.rate <= 0:
            return
        self.done += size
        ahead = self.done / self.rate - (time.monotonic() - self.started)
        if ahead > 0:
            time.sleep(ahead)


def _header(line: bytes) -> dict[str, Any]:
    try:
        head = json.loads(line)
    except ValueError as exc:
        raise PeerError("batch stream: unreadable header") from exc
    if not isinstance(head, dict):
        raise PeerError("batch stream: unreadable header")
    return head


def _check_range(response: Download, offset: int) -> None:
    value = response.headers.get("content-range", "")
    if not value.startswith(f"bytes {offset}-"):
        raise PeerError(f"the peer answered range {value!r}, not from byte {offset}")
