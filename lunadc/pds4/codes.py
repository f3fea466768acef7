"""Every finding code lunadc.pds4 emits, with a one-line description.

Codes are stable dotted strings: tools and people filter on them, so a code is never renamed
or reused for another meaning. ``docs/findings.md`` documents the same list (a test checks).
"""

from __future__ import annotations

from lunadc.model.findings import Finding, Severity

FINDING_CODES: dict[str, str] = {
    # label content
    "label.not_pds4": "The root element is not in the PDS4 core namespace.",
    "label.lid.missing": "Identification_Area has no logical_identifier.",
    "label.lid.invalid": "The logical_identifier does not follow the PDS4 LID syntax.",
    "label.vid.missing": "Identification_Area has no version_id.",
    "label.vid.invalid": "The version_id is not <major>.<minor>.",
    "label.title.missing": "Identification_Area has no title.",
    "label.product_class.mismatch": "Identification_Area/product_class is not the root's name.",
    "label.required_missing": "An element the product class requires is absent.",
    "label.value_invalid": "A file_size, records or md5_checksum value cannot be read.",
    "geometry.invalid": "A bounding box or coordinate is not a number or out of range; ignored.",
    "reference.invalid": "A lid_reference or lidvid_reference is not a valid LID or LIDVID.",
    # emitted by lunadc.ingest (it needs the inventory too); listed so all codes are in one place
    "lid.not_under_parent": "A primary member's LID does not extend its bundle or collection LID.",
    "bundle.member_status_invalid": "A Bundle_Member_Entry member_status is not Primary/Secondary.",
    # dates
    "date.invalid": "A date or date-time value cannot be read as a PDS4 date.",
    "date.stop_before_start": "stop_date_time is earlier than start_date_time.",
    # files described by the label
    "file.path_unsafe": "A file name is empty, absolute, has '..', a backslash or control chars.",
    "file.duplicate": "The label describes the same file more than once.",
    "file.duplicate_case": "Two file names in the label differ only in letter case.",
    "file.missing": "A file the label describes is not beside the label.",
    "file.case_mismatch": "A described file exists only with different letter case.",
    "file.not_regular": "A described file name is a folder or another non-regular file.",
    "file.size_mismatch": "A file's size differs from the label's file_size.",
    "file.checksum_mismatch": "A file's MD5 differs from the label's md5_checksum.",
    "file.unreadable": "A described file exists but cannot be read.",
    # XML Schema
    "schema.invalid": "The label does not conform to its XML Schemas.",
    "schema.not_configured": "No schema catalog is configured; XML Schema checks were skipped.",
    "schema.missing_core": "The PDS4 core schema the label needs is not in the catalog.",
    "schema.missing_dictionary": "A dictionary schema the label uses is not available; its "
    "elements were not checked.",
    "schema.location_missing": "The label names no schema for the core namespace.",
    "schema.location_malformed": "xsi:schemaLocation is not a list of namespace/URL pairs.",
    "schema.dictionary_version": "An element is missing from the dictionary version named but "
    "declared by other versions of it; not checked.",
    "schema.unusable": "The named schemas could not be compiled together.",
    # collection inventory
    "inventory.encoding": "The inventory table is not ASCII/UTF-8 text.",
    "inventory.row_invalid": "An inventory row does not have the member status and LID(VID).",
    "inventory.status_invalid": "An inventory member status is not P or S.",
    "inventory.identifier_invalid": "An inventory row's LID or LIDVID is malformed.",
    "inventory.primary_without_vid": "A primary inventory member is a LID without version.",
    "inventory.duplicate_member": "The same LIDVID or LID appears more than once.",
    "inventory.duplicate_lid": "One LID is listed with more than one version.",
    "inventory.records_mismatch": "The number of rows differs from the Inventory records value.",
    "inventory.delimiter_unknown": "The Inventory field_delimiter is not one PDS4 allows.",
    "inventory.empty": "The inventory table lists no members.",
    "inventory.too_many_findings": "The table has so many bad rows that the rest are not listed.",
}


def finding(
    code: str,
    severity: Severity,
    message: str,
    file: str,
    line: int | None = None,
    xpath: str | None = None,
) -> Finding:
    """Build a Finding; a one-line message keeps CLI output and logs greppable."""
    return Finding(code, severity, " ".join(message.split()), file, line, xpath)


def error(
    code: str, message: str, file: str, line: int | None = None, xpath: str | None = None
) -> Finding:
    return finding(code, Severity.ERROR, message, file, line, xpath)


def warning(
    code: str, message: str, file: str, line: int | None = None, xpath: str | None = None
) -> Finding:
    return finding(code, Severity.WARNING, message, file, line, xpath)
