"""Ingest speed: 10,000 small generated products, and large files (>= 1 GB in all).

Anchors measured in the same run: MD5 and SHA-256 throughput of this machine, and both at
once as ingest computes them (MD5 in a second thread). Aims (issue 2): >= 1,000 small
products/s on SQLite; large files at >= 70% of the hashing limit.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import hashing_limits, write_results
from lunadc.ingest.pipeline import ingest
from lunadc.node import init_node
from lunadc.samples.generate import generate_samples

SAMPLE_LABEL = (
    Path(__file__).resolve().parents[2] / "shared/samples/pds4/orex_otes_binary/data1.xml"
)
TEMPLATE_LID = "urn:nasa:pds:orex.otes.prelaunch:data:data_raw_116.02583_1.0"


def _large_products(folder: Path, count: int, mebibytes: int) -> int:
    """``count`` labels, each describing one random file of ``mebibytes`` MiB."""
    folder.mkdir(parents=True)
    template = SAMPLE_LABEL.read_text(encoding="utf-8")
    total = 0
    block = os.urandom(1024 * 1024)
    for i in range(count):
        data_path = folder / f"big_{i}.dat"
        md5 = hashlib.md5()
        with open(data_path, "wb") as out:
            for j in range(mebibytes):
                # Distinct content per file and per MiB, cheaply.
                chunk = i.to_bytes(4, "big") + j.to_bytes(4, "big") + block[8:]
                md5.update(chunk)
                out.write(chunk)
        size = mebibytes * 1024 * 1024
        total += size
        label = (
            template.replace(TEMPLATE_LID, f"urn:nasa:pds:orex.otes.prelaunch:data:bench_large_{i}")
            .replace("<file_name>data1.bt</file_name>", f"<file_name>big_{i}.dat</file_name>")
            .replace(
                '<file_size unit="byte">216072</file_size>',
                f'<file_size unit="byte">{size}</file_size>',
            )
            .replace("9f50cf332f62de6a80eb93822d7b06a1", md5.hexdigest())
        )
        (folder / f"big_{i}.xml").write_text(label, encoding="utf-8")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--large-files", type=int, default=4)
    parser.add_argument("--large-mib", type=int, default=256)
    args = parser.parse_args()

    limits = hashing_limits()
    work = Path(
        tempfile.mkdtemp(prefix="lunadc-bench-ingest-", dir=Path(__file__).parent / "results")
    )
    try:
        started = time.perf_counter()
        samples = generate_samples(work / "small", seed=1, products=args.products)
        generated_s = time.perf_counter() - started
        with init_node(work / "node-small", "bench-small") as node:
            report = ingest(node, [samples.root])
        assert not report.rejected, report.rejected[:3]
        small_rate = len(report.ingested) / report.seconds

        large_bytes = _large_products(work / "large", args.large_files, args.large_mib)
        with init_node(work / "node-large", "bench-large") as node:
            large = ingest(node, [work / "large"])
        assert not large.rejected, large.rejected
        large_mb_s = large_bytes / 1e6 / large.seconds
    finally:
        shutil.rmtree(work, ignore_errors=True)

    limit = limits["md5_and_sha256_mb_s"]
    figures = {
        **{k: round(v, 1) for k, v in limits.items()},
        "small_products": len(report.ingested),
        "small_seconds": round(report.seconds, 2),
        "small_products_per_s": round(small_rate, 1),
        "generate_seconds": round(generated_s, 2),
        "large_bytes": large_bytes,
        "large_seconds": round(large.seconds, 2),
        "large_mb_s": round(large_mb_s, 1),
        "large_vs_hashing_limit": round(large_mb_s / limit, 3),
        "large_vs_md5": round(large_mb_s / limits["md5_mb_s"], 3),
    }
    write_results(
        "ingest",
        figures,
        [
            ("MD5 (hashlib, 1 core)", f"{limits['md5_mb_s']:.0f} MB/s", "anchor"),
            ("SHA-256 (hashlib, 1 core)", f"{limits['sha256_mb_s']:.0f} MB/s", "anchor"),
            ("MD5 + SHA-256 at once (hashing limit)", f"{limit:.0f} MB/s", "anchor"),
            (
                f"small products ({len(report.ingested)} labels)",
                f"{small_rate:.0f} products/s",
                ">= 1,000/s",
            ),
            (
                f"large files ({large_bytes / 1e9:.2f} GB)",
                f"{large_mb_s:.0f} MB/s",
                f"{large_mb_s / limit:.0%} of hashing limit (aim >= 70%)",
            ),
        ],
    )


if __name__ == "__main__":
    main()
