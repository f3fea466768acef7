"""Fixtures for the sample generator tests: a generated sample set, offline XSD validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from lunadc.samples import SampleSet, generate_samples

from .helpers import LabelValidator, catalog


@pytest.fixture(scope="session")
def validator() -> LabelValidator:
    root = catalog()
    if not (root / "pds" / "v1" / "PDS4_PDS_1M00.xsd").is_file():
        pytest.skip(f"offline PDS4 schema catalog not found at {root}")
    return LabelValidator(root)


@pytest.fixture(scope="session")
def sample_set(tmp_path_factory: pytest.TempPathFactory) -> SampleSet:
    """The default sample set (seed 42, 60 products, every mission), made once."""
    return generate_samples(tmp_path_factory.mktemp("samples") / "out")


@pytest.fixture(scope="session")
def labels(sample_set: SampleSet) -> list[Path]:
    return sorted(sample_set.root.rglob("*.xml"))
