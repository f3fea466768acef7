"""generate_samples: determinism, the output folder rules, counts and the returned summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from lunadc.errors import BadRequestError, ConflictError, LunadcError
from lunadc.samples import MISSION_SPECS, MISSIONS, SampleSet, generate_samples, iter_products
from lunadc.samples.products import allocate, iter_product_labels

from .helpers import tree_digest


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    a = generate_samples(tmp_path / "a", seed=7, products=40)
    b = generate_samples(tmp_path / "b", seed=7, products=40)
    assert tree_digest(a.root) == tree_digest(b.root)
    assert (a.label_count, a.total_bytes) == (b.label_count, b.total_bytes)


def test_other_seed_gives_other_bytes(tmp_path: Path) -> None:
    a = generate_samples(tmp_path / "a", seed=1, products=12, missions=["luna26"])
    b = generate_samples(tmp_path / "b", seed=2, products=12, missions=["luna26"])
    assert tree_digest(a.root) != tree_digest(b.root)


def test_products_do_not_depend_on_the_total(tmp_path: Path) -> None:
    few = [p.label for p in iter_products("change4", "data_vnis", 3, seed=5)]
    more = [p.label for p in iter_products("change4", "data_vnis", 6, seed=5)]
    assert more[:3] == few
    tail = [p.label for p in iter_products("change4", "data_vnis", 3, seed=5, start=3)]
    assert more[3:] == tail


def test_summary_matches_the_tree(sample_set: SampleSet) -> None:
    files = [p for p in sample_set.root.rglob("*") if p.is_file()]
    assert sample_set.total_bytes == sum(p.stat().st_size for p in files)
    assert sample_set.label_count == sum(1 for p in files if p.suffix == ".xml")
    assert [b.mission for b in sample_set.bundles] == list(MISSIONS)
    assert sample_set.products == 60
    for info in sample_set.bundles:
        assert info.folder.parent == sample_set.root
        assert (info.folder / f"bundle_{MISSION_SPECS[info.mission].bundle_id}.xml").is_file()
        assert info.total_bytes == sum(
            p.stat().st_size for p in info.folder.rglob("*") if p.is_file()
        )
        assert info.home == MISSIONS[info.mission]
        assert info.lid == MISSION_SPECS[info.mission].bundle_lid


def test_homes() -> None:
    assert MISSIONS == {
        "change4": "cn",
        "change7": "cn",
        "luna25": "ru",
        "luna26": "ru",
        "mars": "cn",
    }


@pytest.mark.parametrize("products", [0, 1, 5, 11, 60, 333])
def test_allocation_gives_each_collection_at_least_one(products: int) -> None:
    collections = [c for m in MISSION_SPECS.values() for c in m.collections]
    counts = allocate(products, collections)
    assert all(n >= 1 for n in counts)
    assert sum(counts) == max(products, len(collections))


def test_subset_of_missions(tmp_path: Path) -> None:
    result = generate_samples(tmp_path / "ru", products=9, missions=["luna26", "luna25"])
    assert [b.mission for b in result.bundles] == ["luna25", "luna26"]
    assert {p.name for p in result.root.iterdir()} == {"luna25_lander", "luna26_orbiter"}
    assert result.products == 9


def test_one_product_per_collection_minimum(tmp_path: Path) -> None:
    result = generate_samples(tmp_path / "min", products=1, missions=["change4"])
    assert result.products == len(MISSION_SPECS["change4"].collections)


def test_iter_product_labels_spreads_over_collections() -> None:
    made = list(iter_product_labels(30, seed=3))
    assert len(made) == 30
    collections = {p.lid.rsplit(":", 1)[0] for p in made}
    assert len(collections) == sum(len(m.collections) for m in MISSION_SPECS.values())
    assert len({p.lid for p in made}) == 30


def test_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    out = tmp_path / "busy"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(ConflictError) as caught:
        generate_samples(out, products=1)
    assert isinstance(caught.value, LunadcError)
    assert "not empty" in str(caught.value) and str(out) in str(caught.value)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ConflictError):
        generate_samples(target, products=1)


def test_accepts_an_empty_folder(tmp_path: Path) -> None:
    generate_samples(tmp_path, products=1, missions=["mars"])
    assert (tmp_path / "tianwen1_orbiter").is_dir()


def test_unknown_mission_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BadRequestError, match="apollo11"):
        generate_samples(tmp_path / "x", missions=["apollo11"])
    assert not (tmp_path / "x").exists()
    with pytest.raises(BadRequestError, match="no collection"):
        next(iter_products("change4", "data_nope", 1))


def test_names_with_spaces_and_non_ascii_letters(sample_set: SampleSet) -> None:
    names = [p.relative_to(sample_set.root).as_posix() for p in sample_set.root.rglob("*")]
    assert any(" " in name for name in names)
    assert any(not name.isascii() for name in names)
    assert any(name.endswith("document/Описание миссии.xml") for name in names)
    assert any("任务文档" in name for name in names)
    assert any(name.endswith("mission overview.txt") for name in names)
