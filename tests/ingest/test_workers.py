"""The parallel path: worker processes check labels and stage small products' files.

What the catalog holds must not depend on where the work was done: the same labels ingested
by worker processes and in the ingest's own process give the same rows; a re-run is
unchanged; a changed file of a registered version is refused as before; and an ingest that
stops half-way leaves nothing staged behind.
"""

from __future__ import annotations

import copyreg
import dataclasses
import io
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lunadc.catalog.tables import (
    changes,
    footprints,
    product_files,
    product_members,
    product_terms,
    product_words,
    products,
    search_properties,
)
from lunadc.ingest.pipeline import PARALLEL_MIN_LABELS, Ingestor
from lunadc.ingest.prepare import LabelCheck, NotStaged, check_label, hand_over, stage_files
from lunadc.ingest.report import Outcome, Rejection
from lunadc.ingest.scan import find_labels
from lunadc.ingest.workers import _SENT, _by_fields
from lunadc.node import Node, init_node
from lunadc.pds4.schemas import SchemaCatalog
from lunadc.samples.generate import generate_samples
from lunadc.storage.local import LocalBlobStore
from tests.conftest import SAMPLES
from tests.pds4.helpers import CATALOG


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = generate_samples(tmp_path_factory.mktemp("samples") / "data", seed=3, products=200)
    assert len(list(find_labels([root.root]))) >= PARALLEL_MIN_LABELS  # the parallel path
    return root.root


def _catalog(node: Node) -> dict[str, Any]:
    """Everything registered, keyed by LIDVID (ids and times differ between runs)."""
    with node.engine.connect() as conn:
        lidvid = {r.id: r.lidvid for r in conn.execute(select(products.c.id, products.c.lidvid))}
        rows = {
            r.lidvid: {k: v for k, v in r._mapping.items() if k not in ("id", "ingested_at")}
            for r in conn.execute(select(products))
        }

        def by_product(table: Any, key: str = "product_id") -> list[tuple[Any, ...]]:
            return sorted(
                (lidvid[r._mapping[key]], *(v for k, v in r._mapping.items() if k != key))
                for r in conn.execute(select(table))
            )

        return {
            "products": rows,
            "files": by_product(product_files),
            "terms": by_product(product_terms),
            "words": by_product(product_words),
            "members": by_product(product_members, "parent_id"),
            "footprints": by_product(footprints),
            "properties": sorted((r.name, r.type) for r in conn.execute(select(search_properties))),
            "changes": sorted(
                (r.kind, r.lidvid) for r in conn.execute(select(changes.c.kind, changes.c.lidvid))
            ),
        }


def _staged_files(node: Node) -> list[str]:
    tmp = node.store.root / ".tmp"
    return sorted(p.name for p in tmp.iterdir()) if tmp.is_dir() else []


def test_workers_register_exactly_what_one_process_does(samples: Path, tmp_path: Path) -> None:
    with (
        init_node(tmp_path / "parallel", "node-a") as parallel,
        init_node(tmp_path / "inline", "node-a") as inline,
    ):
        one = Ingestor(parallel, workers=2).run([samples])
        other = Ingestor(inline, workers=1).run([samples])
        assert one.rejected == [] and len(one.ingested) == len(other.ingested) > 0
        assert [str(w) for w in one.warnings] == [str(w) for w in other.warnings]
        assert _catalog(parallel) == _catalog(inline)
        assert sorted(parallel.store.iter_keys()) == sorted(inline.store.iter_keys())
        assert _staged_files(parallel) == []


def test_rerun_is_unchanged_and_a_changed_file_is_refused(samples: Path, tmp_path: Path) -> None:
    with init_node(tmp_path / "node", "node-a") as node:
        first = Ingestor(node, workers=2).run([samples])
        again = Ingestor(node, workers=2).run([samples])
        assert again.ingested == [] and again.rejected == []
        assert sorted(again.unchanged) == sorted(first.ingested)
        # Same size, other bytes, label unchanged: the registered version is not replaced.
        data = next(p for p in sorted(samples.rglob("*")) if p.suffix in (".img", ".dat"))
        original = data.read_bytes()
        try:
            data.write_bytes(bytes(b ^ 0xFF for b in original[:16]) + original[16:])
            changed = Ingestor(node, workers=2).run([samples])
        finally:
            data.write_bytes(original)
        assert len(changed.rejected) == 1
        assert "already registered with other bytes" in changed.rejected[0].reasons[0]
        assert _staged_files(node) == []


class _Stop(Exception):
    pass


def test_an_ingest_stopped_half_way_leaves_nothing_staged(samples: Path, tmp_path: Path) -> None:
    seen = 0

    def stop_after_some(outcome: Outcome, _source: Path) -> None:
        nonlocal seen
        seen += 1
        if seen == 40:
            raise _Stop

    with init_node(tmp_path / "node", "node-a") as node:
        with open(node.config.root / "lunadc.toml", "a", encoding="utf-8") as config:
            config.write("\n[ingest]\nbatch_products = 16\n")
    with Node.open(tmp_path / "node") as node:
        with pytest.raises(_Stop):
            Ingestor(node, workers=2, progress=stop_after_some).run([samples])
        assert _staged_files(node) == []
        # What was registered is whole; a new run completes the rest.
        rest = Ingestor(node, workers=2).run([samples])
        assert rest.rejected == [] and rest.ingested and rest.unchanged
        assert _staged_files(node) == []
    assert os.path.isdir(tmp_path / "node")


def _sent_and_received(obj: object) -> object:
    """``obj`` pickled with the reducers a worker registers, and unpickled."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, **{c: _by_fields(c) for c in _SENT}}
    pickler.dump(obj)
    return pickle.loads(buffer.getvalue())


def test_results_sent_by_their_fields_arrive_unchanged(samples: Path, tmp_path: Path) -> None:
    schemas = SchemaCatalog(CATALOG)
    labels = [*sorted(find_labels([samples]))[:40], SAMPLES / "orex_otes_binary" / "data1.xml"]
    results: list[object] = [check_label(p, schemas=schemas, max_bytes=1 << 20) for p in labels]
    assert any(isinstance(r, LabelCheck) and r.warnings for r in results)
    assert any(isinstance(r, LabelCheck) and r.label.geometry.boxes for r in results)
    store = LocalBlobStore(tmp_path / "archive")
    store.create()
    first = next(r for r in results if isinstance(r, LabelCheck))
    staged = stage_files(first, store)
    assert not isinstance(staged, Rejection)
    results.append(hand_over(staged))
    rejection = Rejection(file="x.xml", reasons=("bad",), lidvid=None)
    results += [rejection, NotStaged(first, rejection)]
    for result in results:
        received = _sent_and_received(result)
        assert type(received) is type(result)
        assert received == result


def test_only_plain_dataclasses_are_sent_by_their_fields() -> None:
    @dataclasses.dataclass(frozen=True)
    class Checked:
        a: int
        b: int

        def __post_init__(self) -> None:
            pass

    @dataclasses.dataclass(frozen=True)
    class Derived:
        a: int
        b: int = dataclasses.field(init=False, default=0)

    for cls in (Checked, Derived):
        with pytest.raises(TypeError):
            _by_fields(cls)
