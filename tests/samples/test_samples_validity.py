"""Every generated label is schema-valid, describes its files exactly, and the bundles hang
together: inventories list exactly the products present, LIDs nest."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import pytest

from lunadc.model.identifiers import LidVid, is_under, parse_lid
from lunadc.samples import MISSION_SPECS, SampleSet, iter_products

from .helpers import NS, LabelValidator, iter_files, parse


def test_every_label_validates_against_the_schemas_it_names(
    labels: list[Path], validator: LabelValidator
) -> None:
    assert len(labels) > 60
    failures = {str(p): errs for p in labels if (errs := validator.errors(p))}
    assert failures == {}
    # the schemas came from the offline catalog, core + cart (+ the geom it imports) + disp
    assert {url.rsplit("/", 1)[1] for url in validator.resolver.used} >= {
        "PDS4_PDS_1M00.xsd",
        "PDS4_CART_1M00_1970.xsd",
        "PDS4_GEOM_1M00_1970.xsd",
        "PDS4_DISP_1M00_1510.xsd",
    }


def test_validation_really_checks_the_dictionaries(
    labels: list[Path], validator: LabelValidator
) -> None:
    """A wrong cart unit and an element the dictionary lacks are both caught."""
    label = next(p for p in labels if b"geom:Footprint_Vertices" in p.read_bytes())
    good = label.read_bytes()
    bad_unit = good.replace(
        b'<cart:west_bounding_coordinate unit="deg">',
        b'<cart:west_bounding_coordinate unit="m">',
        1,
    )
    bad_element = good.replace(
        b"<geom:Footprint_Vertices>", b"<geom:Footprint_Polygon>", 1
    ).replace(b"</geom:Footprint_Vertices>", b"</geom:Footprint_Polygon>", 1)
    assert validator.errors(good) == []
    assert validator.errors(bad_unit)
    assert validator.errors(bad_element)


def test_labels_use_im_1_22_and_its_dictionaries(labels: list[Path]) -> None:
    allowed = {
        "https://pds.nasa.gov/pds4/pds/v1/PDS4_PDS_1M00.xsd",
        "https://pds.nasa.gov/pds4/cart/v1/PDS4_CART_1M00_1970.xsd",
        "https://pds.nasa.gov/pds4/geom/v1/PDS4_GEOM_1M00_1970.xsd",
        "https://pds.nasa.gov/pds4/disp/v1/PDS4_DISP_1M00_1510.xsd",
    }
    used: set[str] = set()
    for path in labels:
        doc = parse(path)
        assert (
            doc.findtext("pds:Identification_Area/pds:information_model_version", namespaces=NS)
            == "1.22.0.0"
        )
        words = (
            doc.getroot()
            .get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation", "")
            .split()
        )
        used.update(words[1::2])
        # every dictionary whose elements appear is named in schemaLocation
        for prefix in ("cart", "geom", "disp"):
            if doc.find(f".//{prefix}:*", NS) is not None:
                assert NS[prefix] in words[::2], (path, prefix)
    assert used == allowed


def test_files_have_the_size_and_md5_their_labels_give(labels: list[Path]) -> None:
    checked = 0
    for path in labels:
        for element in iter_files(parse(path)):
            name = element.findtext("pds:file_name", namespaces=NS)
            assert name is not None and name.isascii()
            data = (path.parent / name).read_bytes()
            assert int(element.findtext("pds:file_size", namespaces=NS) or -1) == len(data)
            assert (
                element.findtext("pds:md5_checksum", namespaces=NS) == hashlib.md5(data).hexdigest()
            )
            checked += 1
    assert checked == len(labels)  # every label describes exactly one file


def test_every_file_is_described_by_a_label(sample_set: SampleSet, labels: list[Path]) -> None:
    described = {p.resolve() for p in labels}
    for path in labels:
        for element in iter_files(parse(path)):
            described.add(
                (path.parent / str(element.findtext("pds:file_name", namespaces=NS))).resolve()
            )
    present = {p.resolve() for p in sample_set.root.rglob("*") if p.is_file()}
    assert present == described


def _products_by_collection(labels: list[Path]) -> dict[str, set[str]]:
    members: dict[str, set[str]] = defaultdict(set)
    for path in labels:
        doc = parse(path)
        if doc.getroot().tag.endswith(("Product_Bundle", "Product_Collection")):
            continue
        lid = doc.findtext("pds:Identification_Area/pds:logical_identifier", namespaces=NS)
        vid = doc.findtext("pds:Identification_Area/pds:version_id", namespaces=NS)
        assert lid and vid
        members[lid.rsplit(":", 1)[0]].add(f"{lid}::{vid}")
    return members


def test_inventories_list_exactly_the_products(labels: list[Path]) -> None:
    products = _products_by_collection(labels)
    collections = [p for p in labels if parse(p).getroot().tag.endswith("Product_Collection")]
    assert len(collections) == sum(len(m.collections) + 1 for m in MISSION_SPECS.values())
    for path in collections:
        doc = parse(path)
        lid = doc.findtext("pds:Identification_Area/pds:logical_identifier", namespaces=NS)
        area = doc.find("pds:File_Area_Inventory", NS)
        assert area is not None and lid is not None
        inv = area.find("pds:Inventory", NS)
        assert inv is not None
        assert inv.findtext("pds:field_delimiter", namespaces=NS) == "Comma"
        csv_name = str(area.findtext("pds:File/pds:file_name", namespaces=NS))
        csv = (path.parent / csv_name).read_bytes()
        rows = csv.decode("ascii").split("\r\n")
        assert rows[-1] == ""  # every record ends with CRLF
        rows = rows[:-1]
        assert int(inv.findtext("pds:records", namespaces=NS) or -1) == len(rows)
        assert all(row.startswith("P,") for row in rows)
        listed = {row[2:] for row in rows}
        assert len(listed) == len(rows)
        assert listed == products[lid], path
        for lidvid in listed:
            assert LidVid.parse(lidvid).lid.startswith(lid + ":")


def test_lids_nest_bundle_collection_product(sample_set: SampleSet, labels: list[Path]) -> None:
    for info in sample_set.bundles:
        mission = MISSION_SPECS[info.mission]
        prefix = {"cn": "urn:cnsa:clep:", "ru": "urn:ros:rssa:"}[mission.home]
        bundle = parse(info.folder / f"bundle_{mission.bundle_id}.xml")
        assert (
            bundle.findtext("pds:Identification_Area/pds:logical_identifier", namespaces=NS)
            == info.lid
        )
        assert info.lid.startswith(prefix)
        members = [
            e.findtext("pds:lid_reference", namespaces=NS)
            for e in bundle.iterfind("pds:Bundle_Member_Entry", NS)
        ]
        expected = [f"{info.lid}:{c.name}" for c in mission.collections] + [f"{info.lid}:document"]
        assert members == expected
        for path in info.folder.rglob("*.xml"):
            doc = parse(path)
            lid = doc.findtext("pds:Identification_Area/pds:logical_identifier", namespaces=NS)
            assert lid is not None and parse_lid(lid) == lid and lid == lid.lower()
            if lid != info.lid:
                assert is_under(lid, info.lid)
                depth = lid.count(":") - info.lid.count(":")
                kind = doc.getroot().tag.rsplit("}", 1)[1]
                assert depth == (1 if kind == "Product_Collection" else 2), (path, lid)
                if depth == 2:
                    # a product sits inside its collection's folder
                    collection = lid.split(":")[-2]
                    assert collection in path.relative_to(info.folder).parts[0]
    assert sum(1 for _ in labels) == sample_set.label_count


def test_context_references(labels: list[Path]) -> None:
    for path in labels:
        doc = parse(path)
        area = doc.find("pds:Observation_Area", NS)
        if area is None:
            area = doc.find("pds:Context_Area", NS)
        assert area is not None
        target = area.findtext(
            "pds:Target_Identification/pds:Internal_Reference/pds:lid_reference", namespaces=NS
        )
        assert target in (
            "urn:nasa:pds:context:target:satellite.earth.moon",
            "urn:nasa:pds:context:target:planet.mars",
        )
        refs = {
            e.findtext("pds:reference_type", namespaces=NS)
            for e in area.iterfind(".//pds:Internal_Reference", NS)
        }
        assert "is_instrument_host" in refs
        kind = doc.getroot().tag.rsplit("}", 1)[1]
        if kind == "Product_Observational":
            assert refs == {
                "data_to_investigation",
                "is_instrument_host",
                "is_instrument",
                "data_to_target",
            }


@pytest.mark.parametrize("mission", list(MISSION_SPECS))
def test_in_memory_products_validate(mission: str, validator: LabelValidator) -> None:
    """The low-level builders (used by the benchmarks) make valid labels too."""
    for collection in MISSION_SPECS[mission].collections:
        for product in iter_products(mission, collection.name, 9, seed=11, start=20):
            assert validator.errors(product.label) == [], product.lid
            assert [f.name for f in product.files]
            assert product.size == len(product.label) + sum(len(f.content) for f in product.files)
