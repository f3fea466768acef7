"""Shared parts of the benchmarks: anchors measured in the same run, and result files.

Every benchmark prints its figures next to an anchor measured in the same run (the hashing
limit, rsync, the framework's own ceiling), as a ratio: the machine is shared and noisy.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def best_of(runs: int, work: Callable[[], None]) -> float:
    """The fastest of ``runs`` timings of ``work``, in seconds (the least disturbed one)."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def hashing_limits(mebibytes: int = 256) -> dict[str, float]:
    """MB/s (10^6 B) of MD5, SHA-256, and both over the same bytes (the faster of two threads
    as ingest does it, and one thread doing both)."""
    data = os.urandom(mebibytes * 1024 * 1024)
    chunk = 4 * 1024 * 1024
    views = [data[i : i + chunk] for i in range(0, len(data), chunk)]

    def one(name: str) -> None:
        digest = hashlib.new(name)
        for view in views:
            digest.update(view)

    def both() -> None:
        md5, sha = hashlib.md5(), hashlib.sha256()
        with ThreadPoolExecutor(1) as pool:
            for view in views:
                pending = pool.submit(md5.update, view)
                sha.update(view)
                pending.result()

    def one_after_the_other() -> None:
        md5, sha = hashlib.md5(), hashlib.sha256()
        for view in views:
            md5.update(view)
            sha.update(view)

    size_mb = len(data) / 1e6
    return {
        "md5_mb_s": size_mb / best_of(3, lambda: one("md5")),
        "sha256_mb_s": size_mb / best_of(3, lambda: one("sha256")),
        # The limit is the faster way to get both digests of the same bytes: two threads on
        # a quiet machine, but one thread doing both can win when another process holds the
        # second core, and the anchor must not be the weaker of the two.
        "md5_and_sha256_mb_s": size_mb / min(best_of(3, both), best_of(3, one_after_the_other)),
    }


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"p50_ms": at(0.50), "p99_ms": at(0.99), "mean_ms": statistics.fmean(ordered)}


def write_results(name: str, figures: dict[str, Any], table: list[tuple[str, str, str]]) -> Path:
    """Save ``figures`` as JSON and the (metric, value, aim/ratio) rows as a Markdown table."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    record = {
        "benchmark": name,
        "at": stamp,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "figures": figures,
    }
    path = RESULTS / f"{name}-{stamp}.json"
    path.write_text(json.dumps(record, indent=2) + "\n")
    lines = [
        f"## {name} ({stamp})",
        "",
        "| metric | value | aim / anchor |",
        "| --- | ---: | --- |",
    ]
    lines += [f"| {m} | {v} | {a} |" for m, v, a in table]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return path
