"""Reading a peer's labels here, from their verified bytes: alone, or in worker processes.

Reading a label (safe XML parse and extraction) is the CPU-bound part of applying a feed
page: thousands of new products cost seconds per page on one core. With enough labels a
pool of spawned workers reads them; a worker imports only this module and the PDS4 reader,
never the catalog, storage or web layers. Either way the result is the same ``Label``: the
catalog entry always comes from the label bytes, never from what the peer parsed.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
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
    """Reads batches of labels; starts its worker pool on the first large batch and keeps
    it for the rest of the sync pass (``close`` ends it)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or min(MAX_WORKERS, os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None

    def read(self, jobs: Sequence[LabelJob]) -> Results:
        return self.start(jobs)()

    def start(self, jobs: Sequence[LabelJob]) -> Pending:
        """Begin reading ``jobs`` (in the workers, if there are enough of them); the
        function returned waits for the results, in the order of ``jobs``."""
        if len(jobs) < PARALLEL_MIN or self.workers < 2:
            return lambda: [read_label(job) for job in jobs]
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
