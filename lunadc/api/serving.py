"""Serving one node from several worker processes (``lunadc serve --workers N``).

Python runs one request's Python code at a time per process, so one process uses about one
core however many requests wait. uvicorn's supervisor starts N processes that share the
listening socket; each builds its app here, from the node root passed in the environment
(uvicorn imports the factory by name in each process). What the workers must agree on lives
in ``sharedstate``; the background sync with peers runs in exactly one of them: the one that
holds the node's sync lock (an advisory file lock, released by the kernel when that process
ends, so a restarted worker can take it over).
"""

from __future__ import annotations

import fcntl
import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any

from fastapi import FastAPI

from lunadc.api.app import create_app
from lunadc.api.sharedstate import SharedStateFile, state_path
from lunadc.node import Node

ROOT_ENV = "LUNADC_SERVE_ROOT"
FACTORY = "lunadc.api.serving:worker_app"

# The open lock file of the worker that runs the sync loop; kept for the process's life.
_sync_lock: IO[bytes] | None = None


def take_sync_lock(root: Path) -> bool:
    """Whether this process now holds the node's sync lock (never blocks)."""
    global _sync_lock
    if _sync_lock is not None:
        return True
    path = root / "run" / "sync-loop.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("ab")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return False
    _sync_lock = handle
    return True


# A page of 100 products allocates tens of thousands of dicts and lists, nearly all freed by
# reference counting, yet with the default thresholds (700, 10, 10) the collector kept
# running: serving 300 such pages (after a 999-page walk) took 10,344 young and 52 full
# collections, the full ones ~120 ms each over the libraries' objects, about half of all
# the CPU. Frozen and with these thresholds: 295 and 2, and a page's CPU went from 10 to 5 ms.
GC_THRESHOLDS = (50_000, 20, 100)


def tune_gc() -> None:
    """Collect garbage in a serving process rarely: freeze what exists at start-up (the
    libraries and the app, never garbage) out of the collector's sight, and raise the
    thresholds. Call once the app is built, before it serves."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def worker_app() -> FastAPI:
    """The app of one worker process (uvicorn calls this in each worker)."""
    root = Path(os.environ[ROOT_ENV])
    node = Node.open(root, migrate=False)  # ``lunadc serve`` migrated before forking
    app = create_app(
        node,
        shared=SharedStateFile(state_path(root)),
        sync_loop=take_sync_lock(root),
    )
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        try:
            async with inner(application) as value:
                yield value
        finally:
            node.close()

    app.router.lifespan_context = lifespan
    tune_gc()
    return app
