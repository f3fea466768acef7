"""The label checks run in worker processes: kept apart from the pipeline on purpose.

A spawned worker imports only this module and what ``check_label`` needs (the PDS4 reader and
validator), not the catalog, storage or search layers, so starting one costs a fraction of a
second rather than the import time of the whole application.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from lunadc.ingest.prepare import LabelCheck, check_label
from lunadc.ingest.report import Rejection
from lunadc.pds4.schemas import SchemaCatalog

# Per worker process, set once by ``init_worker`` (a process pool initialiser has no other
# way to hand state to the tasks); never used in the parent process.
_schemas: SchemaCatalog | None = None
_max_bytes = 0


def init_worker(catalog_dir: Path | None, max_bytes: int) -> None:
    global _schemas, _max_bytes
    _schemas = SchemaCatalog(catalog_dir)
    _max_bytes = max_bytes
    # A worker whose ingest was killed (kill -9 gives it no chance to stop its pool) would
    # wait for work forever: it watches its parent and ends with it.
    watch = threading.Thread(target=_end_with_parent, args=(os.getppid(),), daemon=True)
    watch.start()


def _end_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def check_in_worker(source: Path) -> LabelCheck | Rejection:
    assert _schemas is not None, "init_worker was not run in this process"
    return check_label(source, schemas=_schemas, max_bytes=_max_bytes)
