"""What extract_label reads from a label, whatever prefixes the label binds."""

from __future__ import annotations

from lunadc.model.findings import Finding, Severity
from lunadc.model.product import FileEntry, Label, Member, Reference
from lunadc.pds4 import extract_label, parse_xml
from tests.pds4.helpers import codes, label_xml, line_of


def extract(text: str) -> tuple[Label, list[Finding]]:
    tree = parse_xml(text.encode(), source="p.xml")
    return extract_label(tree, source="p.xml")


def test_fields_of_a_full_label() -> None:
    label, findings = extract(label_xml())
    assert findings == []
    assert label.lidvid == "urn:nasa:pds:lunadc_test:data:product_1::1.0"
    assert label.title == "A test product"  # whitespace normalised
    assert label.product_class == "Product_Observational"
    assert label.information_model_version == "1.21.0.0"
    assert label.description == "Test product for lunadc."
    assert label.start_date_time == "2019-01-03T02:30:00Z"
    assert label.stop_date_time == "2019-01-03T02:40:00.500000Z"
    assert label.modification_date == "2024-02-03"  # the latest Modification_Detail
    assert (label.processing_level, label.purpose) == ("Calibrated", "Science")
    assert label.disciplines == ("Imaging",)
    assert [(t.name, t.type, t.lid) for t in label.targets] == [
        ("Moon", "Satellite", "urn:nasa:pds:context:target:satellite.earth.moon")
    ]
    assert [(i.name, i.lid) for i in label.investigations] == [
        ("Lunar Reconnaissance Orbiter", "urn:nasa:pds:context:investigation:mission.lro")
    ]
    assert [h.lid for h in label.instrument_hosts] == [
        "urn:nasa:pds:context:instrument_host:spacecraft.lro"
    ]
    assert [i.name for i in label.instruments] == ["LROC NAC"]
    assert label.references[0] == Reference(
        "data_to_investigation", "urn:nasa:pds:context:investigation:mission.lro", "1.1"
    )
    assert label.schema_locations == (
        ("http://pds.nasa.gov/pds4/pds/v1", "https://pds.nasa.gov/pds4/pds/v1/PDS4_PDS_1L00.xsd"),
    )
    (entry,) = label.files
    text = label_xml()
    assert entry == FileEntry(
        path="data.txt",
        size=18,
        md5=entry.md5,
        creation_date_time="2024-02-20T10:00:00Z",
        data_objects=("Table_Delimited",),
        line=line_of(text, "<File>"),
    )


def test_prefixes_chosen_by_the_label_do_not_matter() -> None:
    plain, _ = extract(label_xml())
    prefixed, _ = extract(label_xml(prefix="p4"))
    assert plain == prefixed
    assert plain.properties == prefixed.properties


def test_properties_use_conventional_prefixes_and_parent_class() -> None:
    ns = 'xmlns:xyz="http://pds.nasa.gov/pds4/cart/v1"'
    disc = (
        '<xyz:Cartography><xyz:Bounding_Coordinates><xyz:west_bounding_coordinate unit="deg">'
        "10</xyz:west_bounding_coordinate></xyz:Bounding_Coordinates></xyz:Cartography>"
    )
    label, _ = extract(label_xml(prefix="p4", extra_ns=ns, discipline=disc))
    props = label.properties
    assert props["pds:Identification_Area.pds:title"] == ("A test product",)
    assert props["pds:Time_Coordinates.pds:start_date_time"] == ("2019-01-03T02:30:00Z",)
    assert props["pds:Modification_Detail.pds:modification_date"] == ("2023-05-01", "2024-02-03")
    assert props["cart:Bounding_Coordinates.cart:west_bounding_coordinate"] == ("10",)
    assert props["lid"] == ("urn:nasa:pds:lunadc_test:data:product_1",)
    assert props["vid"] == ("1.0",)
    assert props["lidvid"] == ("urn:nasa:pds:lunadc_test:data:product_1::1.0",)
    assert props["product_class"] == ("Product_Observational",)
    assert props["title"] == ("A test product",)
    assert props["description"] == ("Test product for lunadc.", "first", "second")
    assert props["ref_lid_target"] == ("urn:nasa:pds:context:target:satellite.earth.moon",)
    assert props["ref_lid_instrument_host"] == (
        "urn:nasa:pds:context:instrument_host:spacecraft.lro",
    )
    assert props["ref_lid_investigation"] == ("urn:nasa:pds:context:investigation:mission.lro",)
    assert props["ref_lidvid_investigation"] == (
        "urn:nasa:pds:context:investigation:mission.lro::1.1",
    )
    assert all(isinstance(v, tuple) for v in props.values())
    assert not any(k.startswith("p4:") or k.startswith("xyz:") for k in props)


def test_mission_dictionary_prefix_comes_from_the_uri() -> None:
    ns = 'xmlns:m="http://pds.nasa.gov/pds4/mission/lro/v1"'
    label, _ = extract(
        label_xml(
            extra_ns=ns,
            observation_extra=(
                "<Mission_Area><m:LRO_Parameters><m:mission_phase_name>NOMINAL</m:mission_phase_name>"
                "</m:LRO_Parameters></Mission_Area>"
            ),
        )
    )
    assert label.properties["lro:LRO_Parameters.lro:mission_phase_name"] == ("NOMINAL",)


def test_missing_identifiers_are_all_reported_with_a_best_effort_label() -> None:
    text = (
        label_xml()
        .replace(
            "<logical_identifier>urn:nasa:pds:lunadc_test:data:product_1</logical_identifier>", ""
        )
        .replace("<version_id>1.0</version_id>\n    <title>", "<title>")
        .replace("<title>A  test\n   product</title>", "<title>  </title>")
    )
    label, findings = extract(text)
    assert codes(findings) == ["label.lid.missing", "label.vid.missing", "label.title.missing"]
    assert all(f.severity is Severity.ERROR for f in findings)
    assert all(f.line == line_of(text, "<Identification_Area>") for f in findings)
    assert (label.lid, label.vid, label.title) == ("", "", "")
    assert label.targets  # everything else is still there


def test_unreadable_date_is_an_error_with_its_line() -> None:
    text = label_xml(start="2019-02-30T00:00:00Z")
    label, findings = extract(text)
    assert codes(findings) == ["date.invalid"]
    assert findings[0].line == line_of(text, "<start_date_time>")
    assert findings[0].xpath == (
        "/pds:Product_Observational/pds:Observation_Area/pds:Time_Coordinates/pds:start_date_time"
    )
    assert label.start_date_time is None


def test_nil_and_empty_stop_times_are_none() -> None:
    nil = label_xml(stop="").replace(
        "<stop_date_time></stop_date_time>", '<stop_date_time xsi:nil="true" nilReason="unknown"/>'
    )
    label, findings = extract(nil)
    assert findings == [] and label.stop_date_time is None
    label, findings = extract(label_xml(stop="  "))
    assert findings == [] and label.stop_date_time is None


def test_md5_is_lower_cased_and_bad_numbers_are_reported() -> None:
    label, findings = extract(label_xml(md5="CE2EF4EF9B74FD6DE015E2B9E9632413"))
    assert label.files[0].md5 == "ce2ef4ef9b74fd6de015e2b9e9632413" and findings == []
    label, findings = extract(label_xml(md5="xyz", file_size=-3))
    assert codes(findings) == ["label.value_invalid", "label.value_invalid"]
    assert label.files[0].size is None and label.files[0].md5 is None


def test_every_kind_of_file_area_and_document_files() -> None:
    extra = """
  <File_Area_Browse><File><file_name>browse.png</file_name></File>
    <Encoded_Image><offset unit="byte">0</offset><encoding_standard_id>PNG</encoding_standard_id>
    </Encoded_Image></File_Area_Browse>
  <File_Area_Observational_Supplemental><File><file_name>extra.tab</file_name>
    <records>7</records></File><Table_Character/><Header/></File_Area_Observational_Supplemental>
  <Document><Document_Edition><Document_Format>
    <Document_File><file_name>guide.pdf</file_name><directory_path_name>docs/</directory_path_name>
      <file_size unit="byte">12</file_size></Document_File>
    <Document_File><file_name>notes.txt</file_name><directory_path_name>.</directory_path_name>
    </Document_File>
  </Document_Format></Document_Edition></Document>"""
    label, _ = extract(label_xml(extra_file_areas=extra))
    by_path = {f.path: f for f in label.files}
    assert list(by_path) == ["data.txt", "browse.png", "extra.tab", "docs/guide.pdf", "notes.txt"]
    assert by_path["browse.png"].data_objects == ("Encoded_Image",)
    assert by_path["extra.tab"].data_objects == ("Table_Character", "Header")
    assert by_path["extra.tab"].records == 7
    assert by_path["docs/guide.pdf"].size == 12
    assert label.properties["pds:File.pds:file_name"] == ("data.txt", "browse.png", "extra.tab")


def test_hostile_file_names_are_kept_as_written_for_validation() -> None:
    label, _ = extract(label_xml(file_name="  ../../etc/passwd "))
    assert label.files[0].path == "../../etc/passwd"


BUNDLE = """<?xml version="1.0" encoding="UTF-8"?>
<Product_Bundle xmlns="http://pds.nasa.gov/pds4/pds/v1">
  <Identification_Area>
    <logical_identifier>urn:nasa:pds:b</logical_identifier>
    <version_id>2.0</version_id>
    <title>B</title>
    <information_model_version>1.21.0.0</information_model_version>
    <product_class>Product_Bundle</product_class>
  </Identification_Area>
  <Bundle><bundle_type>Archive</bundle_type><description>The bundle.</description></Bundle>
  <Bundle_Member_Entry>
    <lidvid_reference>urn:nasa:pds:b:data::1.0</lidvid_reference>
    <member_status>Primary</member_status>
    <reference_type>bundle_has_data_collection</reference_type>
  </Bundle_Member_Entry>
  <Bundle_Member_Entry>
    <lid_reference>urn:nasa:pds:other:document</lid_reference>
    <member_status>Secondary</member_status>
    <reference_type>bundle_has_document_collection</reference_type>
  </Bundle_Member_Entry>
  <Bundle_Member_Entry>
    <lid_reference>urn:nasa:pds:b:odd</lid_reference>
    <member_status>Maybe</member_status>
    <reference_type>bundle_has_data_collection</reference_type>
  </Bundle_Member_Entry>
</Product_Bundle>
"""


def test_bundle_members_and_their_harvest_fields() -> None:
    label, findings = extract(BUNDLE)
    assert label.bundle_members == (
        Member("urn:nasa:pds:b:data", "1.0", "P", "bundle_has_data_collection"),
        Member("urn:nasa:pds:other:document", None, "S", "bundle_has_document_collection"),
    )
    assert codes(findings) == ["bundle.member_status_invalid"]
    odd = "<Bundle_Member_Entry>\n    <lid_reference>urn:nasa:pds:b:odd"
    assert findings[0].line == line_of(BUNDLE, odd)
    props = label.properties
    assert props["ref_lid_collection"] == ("urn:nasa:pds:b:data",)
    assert props["ref_lidvid_collection"] == ("urn:nasa:pds:b:data::1.0",)
    assert props["ref_lid_collection_secondary"] == ("urn:nasa:pds:other:document",)
    assert label.description == "The bundle."
    assert label.start_date_time is None and label.targets == ()


def test_inventory_file_of_a_collection() -> None:
    text = BUNDLE.replace("Product_Bundle", "Product_Collection").replace(
        "<Bundle><bundle_type>Archive</bundle_type><description>The bundle.</description></Bundle>",
        "<Collection><collection_type>Data</collection_type></Collection>"
        "<File_Area_Inventory><File><file_name>inv.csv</file_name></File>"
        "<Inventory><field_delimiter>Comma</field_delimiter></Inventory></File_Area_Inventory>",
    )
    label, _ = extract(text)
    assert label.inventory_files == ("inv.csv",)
    assert label.files[0].data_objects == ("Inventory",)


def test_a_root_outside_the_pds4_namespace_is_reported() -> None:
    label, findings = extract('<Product_Observational xmlns="urn:not-pds"/>')
    assert "label.not_pds4" in codes(findings)
    assert label.product_class == "Product_Observational"
