"""The label checks run in worker processes: kept apart from the pipeline on purpose.

A spawned worker imports only this module and what ``check_label`` needs (the PDS4 reader and
validator), not the catalog, storage or search layers, so starting one costs a fraction of a
second rather than the import time of the whole application.
"""

from __future__ import annotations

from pathlib import Path

from lunadc.ingest.prepare import LabelCheck, check_label
from lunadc.ingest.report import Rejection
from lunadc.parentwatch import watch_parent
from lunadc.pds4.schemas import SchemaCatalog

# Per worker process, set once by ``init_worker`` (a process pool initialiser has no other
# way to hand state to the tasks); never used in the parent process.
_schemas: SchemaCatalog | None = None
_max_bytes = 0


def init_worker(catalog_dir: Path | None, max_bytes: int, parent: int) -> None:
    global _schemas, _max_bytes
    watch_parent(parent)  # first: a worker of a killed ingest must not linger
    _schemas = SchemaCatalog(catalog_dir)
    _max_bytes = max_bytes


def check_in_worker(source: Path) -> LabelCheck | Rejection:
    assert _schemas is not None, "init_worker was not run in this process"
    return check_label(source, schemas=_schemas, max_bytes=_max_bytes)
