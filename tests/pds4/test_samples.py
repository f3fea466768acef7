"""Every real PDS4 sample parses, extracts what manifest.json says, and validates cleanly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lunadc.model.findings import Severity
from lunadc.pds4 import check_files, extract_label, parse_xml, validate_label
from lunadc.pds4.schemas import SchemaCatalog
from tests.pds4.helpers import SAMPLES, errors

# No real sample has an error. The warnings below are what the samples really deserve.
EXPECTED_WARNINGS = {
    "ch2_dfsar/ch2_sar_ncxs_20090107t163003745_d_sli_xx_fp_hh_pb1_19111.xml": {
        "schema.location_malformed"
    },  # namespace missing before the disp schema URL
    "ingenuity_video/video.xml": {"date.stop_before_start"},  # 2022-07-20Z .. 2022-07-14Z
    # From pds4_tools' reader tests ("modified ... for functional testing"): it uses
    # disp:Display_Settings, first declared in disp 1.1.0.0, but names PDS4_DISP_1004.xsd.
    "maven_iuvs_group_fields/test_group_fields.xml": {"schema.dictionary_version"},
    "orex_otes_binary/data1.xml": {"schema.location_missing", "schema.missing_dictionary"},
    "themis_fits_array3d/t014_b0606_sp_20110528_17550949_y3.xml": {
        "schema.missing_dictionary"
    },  # PDS4_IMG_1A10.xsd is not in the catalog
}


def _products() -> list[tuple[str, dict[str, Any]]]:
    manifest = json.loads((SAMPLES / "manifest.json").read_text())
    return [
        (f"{folder['folder']}/{p['label']}", p)
        for folder in manifest["products"]
        for p in folder["products"]
    ]


PRODUCTS = _products() if (SAMPLES / "manifest.json").is_file() else []


@pytest.mark.skipif(not PRODUCTS, reason="shared samples not found")
def test_manifest_lists_all_29_products() -> None:
    assert len(PRODUCTS) == 29


@pytest.mark.parametrize(("label_path", "expected"), PRODUCTS, ids=[p for p, _ in PRODUCTS])
def test_sample_extracts_and_validates(
    label_path: str, expected: dict[str, Any], catalog: SchemaCatalog
) -> None:
    path = SAMPLES / label_path
    tree = parse_xml(path.read_bytes(), source=label_path)
    label, findings = extract_label(tree, source=label_path)
    findings += validate_label(tree, label, source=label_path, schemas=catalog)
    findings += check_files(label, path.parent, source=label_path, verify_checksums=True)

    assert (label.lid, label.vid, label.product_class) == (
        expected["lid"],
        expected["vid"],
        expected["product_class"],
    )
    assert label.information_model_version == expected["im_version"]
    assert [t.name for t in label.targets] == expected["targets"]
    assert [f.path for f in label.data_files] == [f["name"] for f in expected["data_files"]]
    for entry, data_file in zip(label.data_files, expected["data_files"], strict=True):
        declared = data_file["declared_size"]  # the manifest keeps the label's text
        assert entry.size == (None if declared is None else int(declared))
        assert entry.md5 == data_file["declared_md5"]
        assert set(entry.data_objects) <= set(expected["data_objects"])
    assert errors(findings) == []
    warnings = {f.code for f in findings if f.severity is Severity.WARNING}
    assert warnings == EXPECTED_WARNINGS.get(label_path, set())
    assert all(f.file == label_path for f in findings)
    assert label.properties["lidvid"] == (label.lidvid,)


def test_collection_sample_inventory_and_bundle_members() -> None:
    from lunadc.pds4 import read_inventory

    folder = SAMPLES / "bundle_clps_pitms"
    bundle_tree = parse_xml((folder / "bundle.xml").read_bytes(), source="bundle.xml")
    bundle, _ = extract_label(bundle_tree, source="bundle.xml")
    assert [(m.lid, m.status) for m in bundle.bundle_members] == [
        ("urn:nasa:pds:clps_to_2ab_pll.pitms:data_raw", "P")
    ]
    assert bundle.properties["ref_lid_collection"] == (
        "urn:nasa:pds:clps_to_2ab_pll.pitms:data_raw",
    )

    tree = parse_xml((folder / "data_raw" / "collection.xml").read_bytes(), source="c.xml")
    collection, _ = extract_label(tree, source="c.xml")
    assert collection.inventory_files == ("collection.csv",)
    data = (folder / "data_raw" / "collection.csv").read_bytes()
    members, findings = read_inventory(data, tree=tree, source="collection.csv")
    assert findings == []
    assert [(m.lid, m.vid, m.status) for m in members] == [
        ("urn:nasa:pds:clps_to_2ab_pll.pitms:data_raw:pitms_raw_aux", "1.0", "P")
    ]


def test_document_sample_file_is_found(tmp_path: Path) -> None:
    path = SAMPLES / "document_pdfa" / "document_pdfa_valid.xml"
    tree = parse_xml(path.read_bytes(), source="doc.xml")
    label, _ = extract_label(tree, source="doc.xml")
    assert [f.path for f in label.files] == ["test1_pdfa.pdf"]
    assert label.description == "Ethylene Emission in the Aftermath of Saturn's 2010 Northern Storm"
