"""What runs in an ingest's worker processes: kept apart from the pipeline on purpose.

A worker reads and validates labels and, for small products, also stages their files in
the blob store (the copy and both digests), so that the single process that writes the
catalog only renames blobs and inserts rows. Large files are left to that process: it stages
them only once it knows the version is new, since a re-run must not copy terabytes again.

A spawned worker imports only this module and what it needs (the PDS4 reader and
validator, the blob store), not the catalog or search layers, so starting one costs a
fraction of a second rather than the import time of the whole application.
"""

from __future__ import annotations

import ctypes
import dataclasses
import operator
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any

from lunadc.catalog.records import LabelRows
from lunadc.ingest.prepare import (
    HandedOver,
    LabelCheck,
    NotStaged,
    check_label,
    hand_over,
    stage_files,
)
from lunadc.ingest.report import Rejection
from lunadc.model.findings import Finding
from lunadc.model.product import (
    BoundingBox,
    FileEntry,
    Geometry,
    Label,
    Member,
    NamedRef,
    Reference,
)
from lunadc.parentwatch import watch_parent
from lunadc.pds4.schemas import SchemaCatalog
from lunadc.storage.base import Digests
from lunadc.storage.local import LocalBlobStore

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True, slots=True)
class WorkerSetup:
    """What each worker is started with."""

    schema_catalog: Path | None
    max_label_bytes: int
    parent: int  # the ingest's pid
    archive: Path | None = None  # None: check labels only, stage nothing
    run_folder: str = ""  # the ingest's run folder ("<ingest pid>-<run>") to stage into
    stage_max_bytes: int = 0  # stage products whose data files total at most this


# Per worker process, set once by ``init_worker`` (a process pool initialiser has no other
# way to hand state to the tasks); never used in the parent process.
_setup: WorkerSetup | None = None
_schemas: SchemaCatalog | None = None
_store: LocalBlobStore | None = None


def _die_with_parent() -> None:
    # Linux ends this process the moment the ingest dies (kill -9 included), so a worker
    # cannot write staged files after the next start cleaned the temporary folder. The
    # parent watch below stays as the portable fallback.
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


# The value objects a worker sends back. Pickled the default way, a frozen dataclass goes
# through the ``__getstate__``/``__setstate__`` that ``dataclasses`` writes in Python (a
# ``fields()`` call and a ``setattr`` per field, at both ends); sent as its class and field
# values it is rebuilt by its own ``__init__``. A small product's result: 64 -> ~50 us to
# pickle here, 78 -> ~62 us to unpickle in the writer.
_SENT: tuple[type[Any], ...] = (
    HandedOver,
    LabelCheck,
    NotStaged,
    Rejection,
    Label,
    FileEntry,
    Reference,
    Member,
    BoundingBox,
    Geometry,
    NamedRef,
    Finding,
    LabelRows,
    Digests,
)


def _by_fields(cls: type[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """A reducer that sends a dataclass as (class, field values), rebuilt by ``__init__``."""
    fields = dataclasses.fields(cls)
    # Only where ``__init__`` takes every field and does nothing else, so that what arrives
    # is exactly what was sent.
    if len(fields) < 2 or not all(f.init for f in fields) or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} cannot be sent by its fields")
    values = operator.attrgetter(*(f.name for f in fields))

    def reduce(obj: Any) -> tuple[Any, ...]:
        return cls, values(obj)

    return reduce


def register_reducers() -> None:
    """Send the results of this process by their fields (see ``_SENT``)."""
    for cls in _SENT:
        ForkingPickler.register(cls, _by_fields(cls))


def init_worker(setup: WorkerSetup) -> None:
    global _setup, _schemas, _store
    _die_with_parent()
    register_reducers()
    watch_parent(setup.parent)  # also checks the parent is still the one that started us
    _setup = setup
    _schemas = SchemaCatalog(setup.schema_catalog)
    if setup.archive is not None:
        _store = LocalBlobStore(
            setup.archive,
            hash_pool=ThreadPoolExecutor(max_workers=1, thread_name_prefix="hash"),
            run_folder=setup.run_folder,
        )


def check_in_worker(source: Path) -> LabelCheck | HandedOver | NotStaged | Rejection:
    """Check the label at ``source``; stage its files too if they are small."""
    assert _setup is not None and _schemas is not None, "init_worker was not run here"
    check = check_label(source, schemas=_schemas, max_bytes=_setup.max_label_bytes)
    if isinstance(check, Rejection) or _store is None:
        return check
    if not _small(check, _setup.stage_max_bytes):
        return check
    prepared = stage_files(check, _store)
    if isinstance(prepared, Rejection):
        return NotStaged(check, prepared)
    return hand_over(prepared)


def _small(check: LabelCheck, limit: int) -> bool:
    total = 0
    for entry in check.label.data_files:
        try:
            total += os.stat(check.source.parent / entry.path).st_size
        except OSError:
            return False  # the writer reports it, as for any product it stages itself
        if total > limit:
            return False
    return True
