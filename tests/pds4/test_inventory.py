"""Collection inventory tables: members, delimiters, and every bad row with its line."""

from __future__ import annotations

import pytest

from lunadc.model.findings import Finding, Severity
from lunadc.model.product import Member
from lunadc.pds4 import parse_xml, read_inventory
from tests.pds4.helpers import codes

COLLECTION = """<?xml version="1.0" encoding="UTF-8"?>
<Product_Collection xmlns="http://pds.nasa.gov/pds4/pds/v1">
  <Identification_Area>
    <logical_identifier>urn:nasa:pds:b:data</logical_identifier>
    <version_id>1.0</version_id>
    <title>Data</title>
    <information_model_version>1.21.0.0</information_model_version>
    <product_class>Product_Collection</product_class>
  </Identification_Area>
  <Collection><collection_type>Data</collection_type></Collection>
  <File_Area_Inventory>
    <File><file_name>inv.csv</file_name></File>
    <Inventory>
      <offset unit="byte">0</offset>
      <parsing_standard_id>PDS DSV 1</parsing_standard_id>
      <records>{records}</records>
      <record_delimiter>Carriage-Return Line-Feed</record_delimiter>
      <field_delimiter>{delimiter}</field_delimiter>
      <reference_type>inventory_has_member_product</reference_type>
    </Inventory>
  </File_Area_Inventory>
</Product_Collection>
"""


def read(
    rows: str, delimiter: str = "Comma", records: int | None = None
) -> tuple[list[Member], list[Finding]]:
    count = records if records is not None else len([r for r in rows.splitlines() if r.strip()])
    tree = parse_xml(COLLECTION.format(delimiter=delimiter, records=count).encode(), source="c.xml")
    return read_inventory(rows.encode(), tree=tree, source="inv.csv")


def test_members_with_crlf_and_trailing_blank_lines() -> None:
    members, findings = read(
        "P,urn:nasa:pds:b:data:p1::1.0\r\nS,urn:nasa:pds:x:y:z\r\n\r\n\n", records=2
    )
    assert findings == []
    assert members == [
        Member("urn:nasa:pds:b:data:p1", "1.0", "P", "inventory_has_member_product"),
        Member("urn:nasa:pds:x:y:z", None, "S", "inventory_has_member_product"),
    ]


@pytest.mark.parametrize(
    ("name", "char"),
    [
        ("Comma", ","),
        ("Horizontal Tab", "\t"),
        ("Semicolon", ";"),
        ("Vertical Bar", "|"),
        ("vertical  bar", "|"),
    ],
)
def test_every_pds4_delimiter(name: str, char: str) -> None:
    members, findings = read(f"P{char}urn:nasa:pds:b:data:p1::2.10\n", delimiter=name)
    assert findings == []
    assert members[0].vid == "2.10"


def test_quoted_fields_and_lower_case_status() -> None:
    members, findings = read('"p", "urn:nasa:pds:b:data:p1::1.0"\n')
    assert findings == [] and members[0].status == "P"


def test_bad_rows_are_reported_with_their_lines() -> None:
    rows = (
        "P,urn:nasa:pds:b:data:p1::1.0\n"
        "X,urn:nasa:pds:b:data:p2::1.0\n"
        "P,urn:nasa:pds:B:data:p3::1.0\n"
        "P urn:nasa:pds:b:data:p4::1.0\n"
        "\n"
        "P,urn:nasa:pds:b:data:p5::1.0,extra\n"
        "P,urn:nasa:pds:b:data:p6::1.x\n"
        "P,urn:nasa:pds:b:data:p7::1.0\n"
    )
    members, findings = read(rows, records=8)
    assert [(f.code, f.line) for f in findings] == [
        ("inventory.status_invalid", 2),
        ("inventory.identifier_invalid", 3),
        ("inventory.row_invalid", 4),
        ("inventory.row_invalid", 5),
        ("inventory.row_invalid", 6),
        ("inventory.identifier_invalid", 7),
    ]
    assert all(f.file == "inv.csv" and f.severity is Severity.ERROR for f in findings)
    assert [m.lid.rsplit(":", 1)[1] for m in members] == ["p1", "p7"]


def test_duplicates() -> None:
    rows = (
        "P,urn:nasa:pds:b:data:p1::1.0\n"
        "P,urn:nasa:pds:b:data:p1::1.0\n"
        "P,urn:nasa:pds:b:data:p1::2.0\n"
    )
    members, findings = read(rows)
    assert [(f.code, f.line) for f in findings] == [
        ("inventory.duplicate_member", 2),
        ("inventory.duplicate_lid", 3),
    ]
    assert "first at line 1" in findings[0].message
    assert len(members) == 2


def test_primary_lid_without_version_is_a_warning() -> None:
    _, findings = read("P,urn:nasa:pds:b:data:p1\n")
    assert codes(findings, Severity.WARNING) == ["inventory.primary_without_vid"]


def test_record_count_and_empty_table() -> None:
    _, findings = read("P,urn:nasa:pds:b:data:p1::1.0\n", records=3)
    assert codes(findings) == ["inventory.records_mismatch"]
    assert "1 rows" in findings[0].message and "line 16" in findings[0].message
    members, findings = read("\r\n", records=0)
    assert members == [] and codes(findings) == ["inventory.empty"]


def test_unknown_delimiter_falls_back_to_comma() -> None:
    members, findings = read("P,urn:nasa:pds:b:data:p1::1.0\n", delimiter="Colon")
    assert codes(findings) == ["inventory.delimiter_unknown"] and len(members) == 1


def test_non_utf8_table() -> None:
    members, findings = read("P,urn:nasa:pds:b:data:p1::1.0\n")  # sanity
    tree = parse_xml(COLLECTION.format(delimiter="Comma", records=1).encode(), source="c.xml")
    members, findings = read_inventory(b"P,urn:nasa:pds:b\n\xff\xfe\n", tree=tree, source="i")
    assert members == [] and [(f.code, f.line) for f in findings] == [("inventory.encoding", 2)]


def test_a_flood_of_bad_rows_is_capped() -> None:
    _, findings = read("bad\n" * 5000, records=5000)
    assert len(findings) == 1001
