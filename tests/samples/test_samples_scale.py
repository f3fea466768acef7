"""10,000 products: what the benchmarks ask for finishes and stays consistent."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from lunadc.samples import MISSION_SPECS, generate_samples

from .helpers import LabelValidator


def test_ten_thousand_products(tmp_path: Path, validator: LabelValidator) -> None:
    result = generate_samples(tmp_path / "big", seed=3, products=10_000)
    collections = sum(len(m.collections) for m in MISSION_SPECS.values())
    assert result.products == 10_000
    # one label per product, plus per bundle: collections, a document, its collection, the bundle
    assert result.label_count == 10_000 + collections + 3 * len(MISSION_SPECS)
    labels = sorted(result.root.rglob("*.xml"))
    assert len(labels) == result.label_count
    for path in random.Random(3).sample(labels, 25):
        assert validator.errors(path) == [], path
    shutil.rmtree(result.root)  # 110 MB: do not keep it in pytest's temporary folders
