"""Pool workers that end with the process that started them.

A ``kill -9`` of an ingest or a sync gives it no chance to stop its process pool, and a spawned
worker would then wait for work forever. Each worker watches its parent's pid, which the parent
passes in (``os.getppid()`` read inside the worker would already name the new parent when the
kill lands while the worker is still starting).
"""

from __future__ import annotations

import os
import threading
import time


def watch_parent(parent: int, every_s: float = 0.5) -> None:
    """Start a daemon thread that ends this process once ``parent`` is no longer its parent."""
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_end_with_parent, args=(parent, every_s), daemon=True).start()


def _end_with_parent(parent: int, every_s: float) -> None:
    while os.getppid() == parent:
        time.sleep(every_s)
    os._exit(1)
