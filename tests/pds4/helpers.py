"""Small PDS4 labels built by the tests themselves, so each case shows what it changes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from lunadc.model.findings import Finding, Severity

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO.parent / "shared" / "samples" / "pds4"
CATALOG = REPO.parent / "shared" / "schemas" / "pds4" / "catalog"

CORE_NS = "http://pds.nasa.gov/pds4/pds/v1"
CORE_XSD = "https://pds.nasa.gov/pds4/pds/v1/PDS4_PDS_1L00.xsd"
DATA = b"01:20:33\n02:04:51\n"


def label_xml(
    *,
    lid: str = "urn:nasa:pds:lunadc_test:data:product_1",
    vid: str = "1.0",
    title: str = "A  test\n   product",
    start: str = "2019-01-03T02:30:00Z",
    stop: str = "2019-01-03T02:40:00.5Z",
    file_name: str = "data.txt",
    file_size: int | None = len(DATA),
    md5: str | None = hashlib.md5(DATA).hexdigest(),
    prefix: str = "",
    extra_ns: str = "",
    schema_location: str = f"{CORE_NS} {CORE_XSD}",
    discipline: str = "",
    extra_file_areas: str = "",
    observation_extra: str = "",
) -> str:
    """A valid Product_Observational (IM 1.21) unless a parameter makes it otherwise.

    ``prefix`` binds the core namespace to a prefix ("pds:" style) instead of the default
    namespace, to show that nothing depends on the label's prefix choice.
    """
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{CORE_NS}"' if prefix else f'xmlns="{CORE_NS}"'
    size = f'<{p}file_size unit="byte">{file_size}</{p}file_size>' if file_size is not None else ""
    checksum = f"<{p}md5_checksum>{md5}</{p}md5_checksum>" if md5 else ""
    disc = f"<{p}Discipline_Area>{discipline}</{p}Discipline_Area>" if discipline else ""
    location = f'xsi:schemaLocation="{schema_location}"' if schema_location else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{p}Product_Observational {xmlns} {extra_ns}
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    {location}>
  <{p}Identification_Area>
    <{p}logical_identifier>{lid}</{p}logical_identifier>
    <{p}version_id>{vid}</{p}version_id>
    <{p}title>{title}</{p}title>
    <{p}information_model_version>1.21.0.0</{p}information_model_version>
    <{p}product_class>Product_Observational</{p}product_class>
    <{p}Citation_Information>
      <{p}publication_year>2024</{p}publication_year>
      <{p}description>Test   product
        for lunadc.</{p}description>
    </{p}Citation_Information>
    <{p}Modification_History>
      <{p}Modification_Detail>
        <{p}modification_date>2023-05-01</{p}modification_date>
        <{p}version_id>1.0</{p}version_id>
        <{p}description>first</{p}description>
      </{p}Modification_Detail>
      <{p}Modification_Detail>
        <{p}modification_date>2024-02-03</{p}modification_date>
        <{p}version_id>1.0</{p}version_id>
        <{p}description>second</{p}description>
      </{p}Modification_Detail>
    </{p}Modification_History>
  </{p}Identification_Area>
  <{p}Observation_Area>
    <{p}Time_Coordinates>
      <{p}start_date_time>{start}</{p}start_date_time>
      <{p}stop_date_time>{stop}</{p}stop_date_time>
    </{p}Time_Coordinates>
    <{p}Primary_Result_Summary>
      <{p}purpose>Science</{p}purpose>
      <{p}processing_level>Calibrated</{p}processing_level>
      <{p}Science_Facets>
        <{p}discipline_name>Imaging</{p}discipline_name>
      </{p}Science_Facets>
    </{p}Primary_Result_Summary>
    <{p}Investigation_Area>
      <{p}name>Lunar Reconnaissance Orbiter</{p}name>
      <{p}type>Mission</{p}type>
      <{p}Internal_Reference>
        <{p}lidvid_reference>urn:nasa:pds:context:investigation:mission.lro::1.1</{p}lidvid_reference>
        <{p}reference_type>data_to_investigation</{p}reference_type>
      </{p}Internal_Reference>
    </{p}Investigation_Area>
    <{p}Observing_System>
      <{p}Observing_System_Component>
        <{p}name>Lunar Reconnaissance Orbiter</{p}name>
        <{p}type>Spacecraft</{p}type>
        <{p}Internal_Reference>
          <{p}lid_reference>urn:nasa:pds:context:instrument_host:spacecraft.lro</{p}lid_reference>
          <{p}reference_type>is_instrument_host</{p}reference_type>
        </{p}Internal_Reference>
      </{p}Observing_System_Component>
      <{p}Observing_System_Component>
        <{p}name>LROC NAC</{p}name>
        <{p}type>Instrument</{p}type>
        <{p}Internal_Reference>
          <{p}lid_reference>urn:nasa:pds:context:instrument:lro.lroc.nac</{p}lid_reference>
          <{p}reference_type>is_instrument</{p}reference_type>
        </{p}Internal_Reference>
      </{p}Observing_System_Component>
    </{p}Observing_System>
    <{p}Target_Identification>
      <{p}name>Moon</{p}name>
      <{p}type>Satellite</{p}type>
      <{p}Internal_Reference>
        <{p}lid_reference>urn:nasa:pds:context:target:satellite.earth.moon</{p}lid_reference>
        <{p}reference_type>data_to_target</{p}reference_type>
      </{p}Internal_Reference>
    </{p}Target_Identification>
    {observation_extra}{disc}
  </{p}Observation_Area>
  <{p}File_Area_Observational>
    <{p}File>
      <{p}file_name>{file_name}</{p}file_name>
      <{p}creation_date_time>2024-02-20T10:00:00Z</{p}creation_date_time>
      {size}
      {checksum}
    </{p}File>
    <{p}Table_Delimited>
      <{p}offset unit="byte">0</{p}offset>
      <{p}parsing_standard_id>PDS DSV 1</{p}parsing_standard_id>
      <{p}records>2</{p}records>
      <{p}record_delimiter>Line-Feed</{p}record_delimiter>
      <{p}field_delimiter>Comma</{p}field_delimiter>
      <{p}Record_Delimited>
        <{p}fields>1</{p}fields>
        <{p}groups>0</{p}groups>
        <{p}Field_Delimited>
          <{p}name>time</{p}name>
          <{p}data_type>ASCII_Time</{p}data_type>
        </{p}Field_Delimited>
      </{p}Record_Delimited>
    </{p}Table_Delimited>
  </{p}File_Area_Observational>{extra_file_areas}
</{p}Product_Observational>
"""


def write_product(
    folder: Path, *, data: bytes = DATA, name: str = "product.xml", **label: object
) -> Path:
    """Write a label (``label_xml(**label)``) and its data file into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    text = label_xml(**label)  # type: ignore[arg-type]
    file_name = str(label.get("file_name", "data.txt"))
    if "/" not in file_name and "\\" not in file_name and file_name:
        (folder / file_name).write_bytes(data)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def codes(findings: list[Finding], severity: Severity | None = None) -> list[str]:
    return [f.code for f in findings if severity is None or f.severity is severity]


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]


def line_of(text: str, needle: str) -> int:
    """1-based line of the first occurrence of ``needle`` in ``text``."""
    return text[: text.index(needle)].count("\n") + 1
