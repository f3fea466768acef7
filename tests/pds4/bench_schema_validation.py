"""Benchmark (not a test): XSD validation time per label once its schema set is compiled.

Run: .venv/bin/python -m tests.pds4.bench_schema_validation [repeats]
"""

from __future__ import annotations

import statistics
import sys
import time

from lunadc.pds4 import SchemaCatalog, extract_label, parse_xml, validate_label
from tests.pds4.helpers import CATALOG, SAMPLES


def main(repeats: int = 200) -> None:
    catalog = SchemaCatalog(CATALOG)
    labels = sorted(SAMPLES.glob("**/*.xml"))
    trees = [(p, parse_xml(p.read_bytes(), source=p.name)) for p in labels]
    first: list[float] = []
    for path, tree in trees:
        start = time.perf_counter()
        catalog.validate(tree, source=path.name)
        first.append(time.perf_counter() - start)
    per_label: list[tuple[float, float, str]] = []
    for path, tree in trees:
        label, _ = extract_label(tree, source=path.name)
        start = time.perf_counter()
        for _ in range(repeats):
            catalog.validate(tree, source=path.name)
        xsd = (time.perf_counter() - start) / repeats
        start = time.perf_counter()
        for _ in range(repeats):
            validate_label(tree, label, source=path.name, schemas=catalog)
        full = (time.perf_counter() - start) / repeats
        per_label.append((xsd, full, f"{path.parent.name}/{path.name} ({path.stat().st_size} B)"))
    print(f"{len(trees)} labels, {repeats} repeats each, {len(catalog._cache)} schema sets")
    print(
        f"first validation (incl. compile): median {statistics.median(first) * 1e3:.1f} ms, "
        f"max {max(first) * 1e3:.1f} ms"
    )
    xsd_times = [x for x, _, _ in per_label]
    full_times = [f for _, f, _ in per_label]
    print(
        f"cached XSD validation per label: median {statistics.median(xsd_times) * 1e3:.3f} ms, "
        f"mean {statistics.mean(xsd_times) * 1e3:.3f} ms, max {max(xsd_times) * 1e3:.3f} ms"
    )
    print(
        f"validate_label (all checks):     median {statistics.median(full_times) * 1e3:.3f} ms, "
        f"max {max(full_times) * 1e3:.3f} ms"
    )
    for xsd, full, name in sorted(per_label, reverse=True)[:5]:
        print(f"  slowest: {xsd * 1e3:.3f} ms XSD, {full * 1e3:.3f} ms all  {name}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
