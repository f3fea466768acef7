"""Every real PDS4 product in shared/samples ingests, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from lunadc.catalog import products as catalog
from lunadc.ingest.pipeline import ingest
from lunadc.maintenance.fsck import check_archive
from lunadc.model.identifiers import parse_identifier
from lunadc.node import Node
from tests.conftest import SAMPLES


def _manifest_products() -> list[dict[str, str]]:
    manifest = json.loads((SAMPLES / "manifest.json").read_text())
    return [p for folder in manifest["products"] for p in folder["products"]]


def test_all_real_samples_ingest_then_reingest_is_unchanged(node: Node) -> None:
    expected = {f"{p['lid']}::{p['vid']}" for p in _manifest_products()}
    report = ingest(node, [SAMPLES])
    assert report.rejected == []
    assert set(report.ingested) == expected
    assert fsck_clean(node)

    again = ingest(node, [SAMPLES])
    assert again.ingested == [] and again.rejected == []
    assert set(again.unchanged) == expected


def test_registered_sample_keeps_its_fields_and_files(node: Node) -> None:
    ingest(node, [SAMPLES / "orex_otes_binary"])
    lid, vid = parse_identifier("urn:nasa:pds:orex.otes.prelaunch:data:data_raw_116.02583_1.0")
    with node.engine.connect() as conn:
        product = catalog.get_product(conn, lid, vid)
        assert product is not None
        files = catalog.files_of(conn, product.id)
    assert product.vid == "1.0" and product.product_class == "Product_Observational"
    assert product.properties["lidvid"] == [product.lidvid]
    by_path = {f.path: f for f in files}
    assert by_path["data1.bt"].size == 216072
    assert by_path["data1.xml"].role == "label"
    assert by_path["data1.xml"].size == (SAMPLES / "orex_otes_binary" / "data1.xml").stat().st_size


def fsck_clean(node: Node) -> bool:
    result = check_archive(node)
    return result.problems == [] and result.unreferenced == 0
