"""Reading a peer's labels here, from their verified bytes: alone, or in worker processes.

Reading a label (safe XML parse and extraction) is CPU-bound work of applying a feed page.
Small labels read here in a fraction of a millisecond, less than sending them to another
process and their ``Label`` back costs (bench/replicate.py: 100,000 small labels synced
faster without workers, with half the CPU). Large labels cost milliseconds each: then a
pool of spawned workers reads them. So the reader times each of the first labels it reads
here (in CPU time of its own thread, not disturbed by other threads or processes), and starts
workers only if the typical one, the median, is slow: a garbage collection or a first call's
set-up lands on one label and must not decide for the whole sync. Either way the result is
the same ``Label``: the catalog entry always comes from the label bytes, never from what the
peer parsed.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from lunadc.errors import LunadcError
from lunadc.model.findings import Severity
from lunadc.model.product import Label
from lunadc.model.times import canonical_time
from lunadc.parentwatch import watch_parent
from lunadc.pds4.extract import extract_label
from lunadc.pds4.safe_xml import parse_xml

PARALLEL_MIN = 200  # fewer labels than this: starting workers costs more than it saves
MAX_WORKERS = 4
SAMPLE_LABELS = 200  # read here and timed before deciding on workers
WORKERS_FROM_MS = 0.5  # the median label costing more than this (CPU): use workers


@dataclasses.dataclass(frozen=True, slots=True)
class LabelJob:
    path: Path  # the label's verified blob
    lidvid: str  # what the feed says it is
    source: str  # named in errors: "peer:lidvid"
    max_bytes: int
    data: bytes | None = None  # the label's bytes, when the caller has them (else: ``path``)


def read_label(job: LabelJob) -> tuple[Label | None, str | None]:
    """The label, or why it is refused (a plain string: it crosses a process boundary)."""
    try:
        data = job.data
        if data is None:
            with open(job.path, "rb") as handle:
                data = handle.read(job.max_bytes + 1)
        tree = parse_xml(data, source=job.source, max_bytes=job.max_bytes)
        label, findings = extract_label(tree, source=job.source)
    except LunadcError as exc:
        return None, exc.message
    except OSError as exc:
        return None, f"cannot read the label: {exc.strerror}"
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        return None, f"label does not read cleanly: {errors[0]}"
    if label.lidvid != job.lidvid:
        return None, f"the label is {label.lidvid}, not {job.lidvid}"
    label = dataclasses.replace(
        label,
        start_date_time=canonical_time(label.start_date_time),
        stop_date_time=canonical_time(label.stop_date_time),
    )
    return label, None


Results = list[tuple[Label | None, str | None]]
Pending = Callable[[], Results]


def _read_many(jobs: Sequence[LabelJob]) -> Results:
    return [read_label(job) for job in jobs]


class LabelReader:
    """Reads batches of labels: here while they are cheap, else in a worker pool that it
    starts on the first large batch and keeps for the rest of the sync pass (``close``
    ends it)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or min(MAX_WORKERS, os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None
        self._sample_s: list[float] = []  # CPU time of each label read here and timed

    def read(self, jobs: Sequence[LabelJob]) -> Results:
        return self.start(jobs)()

    def _slow(self) -> bool:
        """Are labels, as seen so far, worth a worker pool?"""
        if len(self._sample_s) < SAMPLE_LABELS:
            return False
        return statistics.median(self._sample_s) * 1000 > WORKERS_FROM_MS

    def start(self, jobs: Sequence[LabelJob]) -> Pending:
        """Begin reading ``jobs``; the function returned waits for the results, in the
        order of ``jobs``. Read here, they are read now (by the calling thread: sync calls
        this from the thread that prepares the next page)."""
        use_pool = self._pool is not None or self._slow()
        if len(jobs) < PARALLEL_MIN or self.workers < 2 or not use_pool:
            if len(self._sample_s) >= SAMPLE_LABELS:
                results = [read_label(job) for job in jobs]
                return lambda: results
            results = []
            for job in jobs:
                started = time.thread_time()
                results.append(read_label(job))
                self._sample_s.append(time.thread_time() - started)
            return lambda: results
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(os.getpid(),),
            )
        size = max(16, len(jobs) // (self.workers * 4))
        futures = [
            self._pool.submit(_read_many, jobs[i : i + size]) for i in range(0, len(jobs), size)
        ]
        return lambda: [result for future in futures for result in future.result()]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> LabelReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _init_worker(parent: int) -> None:
    watch_parent(parent)
