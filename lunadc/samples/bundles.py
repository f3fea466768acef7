"""Bundle-level labels: collection inventories, Product_Collection, Product_Document and
Product_Bundle (with its readme)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lunadc.samples.labels import (
    context_refs,
    file_element,
    identification_area,
    iso,
    list_author,
    md5_hex,
)
from lunadc.samples.missions import MODIFICATION_DATE, CollectionSpec, Mission
from lunadc.samples.xmlkit import esc, open_root

CREATED = datetime.fromisoformat("2025-03-01T00:00:00+00:00")  # fixed creation time of files


@dataclass(frozen=True, slots=True)
class Inventory:
    name: str
    content: bytes
    records: int


def inventory(lidvids: Sequence[str], name: str) -> Inventory:
    """The collection inventory: one ``P,<lidvid>`` row per member, CRLF-terminated."""
    body = "".join(f"P,{lidvid}\r\n" for lidvid in lidvids)
    return Inventory(name, body.encode("ascii"), len(lidvids))


def _time_summary(start: str, stop: str, level: str, description: str) -> str:
    return (
        "    <Time_Coordinates>\n"
        f"      <start_date_time>{start}</start_date_time>\n"
        f"      <stop_date_time>{stop}</stop_date_time>\n"
        "    </Time_Coordinates>\n"
        "    <Primary_Result_Summary>\n"
        "      <purpose>Science</purpose>\n"
        f"      <processing_level>{level}</processing_level>\n"
        f"      <description>{esc(description)}</description>\n"
        "    </Primary_Result_Summary>\n"
    )


def collection_label(
    mission: Mission,
    collection: CollectionSpec | None,
    inv: Inventory,
    start: str,
    stop: str,
    *,
    name: str,
    title: str,
    level: str,
) -> bytes:
    """A Product_Collection (data when ``collection`` is given, otherwise the documents)."""
    kind = "Data" if collection is not None else "Document"
    description = f"{title}: {inv.records} product(s) of the {mission.host.name} (synthetic)."
    text = (
        open_root("Product_Collection", ())
        + identification_area(
            mission.collection_lid(name),
            title,
            "Product_Collection",
            citation=mission,
            citation_text=description,
        )
        + "  <Context_Area>\n"
        + _time_summary(start, stop, level, description)
        + context_refs(mission, (collection.instrument,) if collection else (), "collection")
        + "  </Context_Area>\n"
        + "  <Collection>\n"
        + f"    <collection_type>{kind}</collection_type>\n"
        + f"    <description>{esc(description)}</description>\n"
        + "  </Collection>\n"
        + "  <File_Area_Inventory>\n"
        + file_element(inv.name, inv.content, CREATED, records=inv.records)
        + "    <Inventory>\n"
        + '      <offset unit="byte">0</offset>\n'
        + "      <parsing_standard_id>PDS DSV 1</parsing_standard_id>\n"
        + f"      <records>{inv.records}</records>\n"
        + "      <record_delimiter>Carriage-Return Line-Feed</record_delimiter>\n"
        + "      <field_delimiter>Comma</field_delimiter>\n"
        + "      <Record_Delimited>\n"
        + "        <fields>2</fields>\n"
        + "        <groups>0</groups>\n"
        + "        <Field_Delimited>\n"
        + "          <name>Member Status</name>\n"
        + "          <field_number>1</field_number>\n"
        + "          <data_type>ASCII_String</data_type>\n"
        + '          <maximum_field_length unit="byte">1</maximum_field_length>\n'
        + "        </Field_Delimited>\n"
        + "        <Field_Delimited>\n"
        + "          <name>LIDVID_LID</name>\n"
        + "          <field_number>2</field_number>\n"
        + "          <data_type>ASCII_LIDVID_LID</data_type>\n"
        + '          <maximum_field_length unit="byte">255</maximum_field_length>\n'
        + "        </Field_Delimited>\n"
        + "      </Record_Delimited>\n"
        + "      <reference_type>inventory_has_member_product</reference_type>\n"
        + "    </Inventory>\n"
        + "  </File_Area_Inventory>\n"
        + "</Product_Collection>\n"
    )
    return text.encode("utf-8")


def document_label(mission: Mission, content: bytes) -> bytes:
    """The Product_Document describing the mission's (UTF-8, bilingual) text document."""
    doc = mission.document
    lid = f"{mission.collection_lid('document')}:{doc.product_id}"
    text = (
        open_root("Product_Document", ())
        + identification_area(
            lid,
            doc.title,
            "Product_Document",
            citation=mission,
            citation_text=f"{mission.investigation} overview.",
        )
        + "  <Context_Area>\n"
        + context_refs(mission, (), "document")
        + "  </Context_Area>\n"
        + "  <Document>\n"
        + f"    <publication_date>{MODIFICATION_DATE}</publication_date>\n"
        + f"    <description>{esc(doc.title)}</description>\n"
        + "    <Document_Edition>\n"
        + "      <edition_name>Plain text edition</edition_name>\n"
        + "      <language>English</language>\n"
        + "      <files>1</files>\n"
        + "      <description>English text with a Chinese or Russian summary.</description>\n"
        + "      <Document_File>\n"
        + f"        <file_name>{esc(doc.file_name)}</file_name>\n"
        + f"        <creation_date_time>{iso(CREATED)}</creation_date_time>\n"
        + f'        <file_size unit="byte">{len(content)}</file_size>\n'
        + f"        <md5_checksum>{md5_hex(content)}</md5_checksum>\n"
        + "        <document_standard_id>UTF-8 Text</document_standard_id>\n"
        + "      </Document_File>\n"
        + "    </Document_Edition>\n"
        + list_author(mission.organization, mission.people, "    ")
        + "  </Document>\n"
        + "</Product_Document>\n"
    )
    return text.encode("utf-8")


def readme_text(mission: Mission, members: Sequence[tuple[str, int]]) -> bytes:
    lines = [
        mission.title,
        "=" * len(mission.title),
        "",
        mission.description,
        "",
        f"Bundle LID: {mission.bundle_lid}",
        "Collections:",
        *(f"  {name}: {count} product(s)" for name, count in members),
        "",
        "SYNTHETIC TEST DATA generated by lunadc (lunadc.samples); not real mission data.",
        "",
    ]
    return "\r\n".join(lines).encode("ascii")


def bundle_label(
    mission: Mission, readme: bytes, collections: Sequence[tuple[str, str]], start: str, stop: str
) -> bytes:
    """The Product_Bundle: context, readme (File_Area_Text), one member entry per collection.

    ``collections`` holds (collection name, reference type) pairs.
    """
    members = "".join(
        "  <Bundle_Member_Entry>\n"
        f"    <lid_reference>{mission.collection_lid(name)}</lid_reference>\n"
        "    <member_status>Primary</member_status>\n"
        f"    <reference_type>{ref}</reference_type>\n"
        "  </Bundle_Member_Entry>\n"
        for name, ref in collections
    )
    text = (
        open_root("Product_Bundle", ())
        + identification_area(
            mission.bundle_lid,
            mission.title,
            "Product_Bundle",
            citation=mission,
            citation_text=mission.description,
        )
        + "  <Context_Area>\n"
        + _time_summary(start, stop, mission.collections[0].processing_level, mission.description)
        + context_refs(mission, [c.instrument for c in mission.collections], "bundle")
        + "  </Context_Area>\n"
        + "  <Bundle>\n"
        + "    <bundle_type>Archive</bundle_type>\n"
        + f"    <description>{esc(mission.description)}</description>\n"
        + "  </Bundle>\n"
        + "  <File_Area_Text>\n"
        + file_element("readme.txt", readme, CREATED)
        + "    <Stream_Text>\n"
        + '      <offset unit="byte">0</offset>\n'
        + "      <parsing_standard_id>7-Bit ASCII Text</parsing_standard_id>\n"
        + "      <record_delimiter>Carriage-Return Line-Feed</record_delimiter>\n"
        + "    </Stream_Text>\n"
        + "  </File_Area_Text>\n"
        + members
        + "</Product_Bundle>\n"
    )
    return text.encode("utf-8")
