"""Reading a collection's inventory table: ``<P|S><delimiter><LIDVID or LID>`` per record.

The delimiter comes from the collection label's ``Inventory/field_delimiter``. Records end in
CR LF as PDS4 requires, but a bare LF is read too (it is harmless and common in hand-made
test bundles); trailing blank lines are ignored. Fields may be double-quoted (PDS DSV 1).
"""

from __future__ import annotations

from lxml import etree

from lunadc.errors import InvalidIdentifierError
from lunadc.model.findings import Finding
from lunadc.model.identifiers import parse_identifier
from lunadc.model.product import Member
from lunadc.pds4.codes import error, warning
from lunadc.pds4.xmlutil import child, child_text, line_of, norm

DELIMITERS = {"comma": ",", "horizontal tab": "\t", "semicolon": ";", "vertical bar": "|"}
MAX_FINDINGS = 1000  # a hostile table must not turn into millions of findings


def read_inventory(
    data: bytes, *, tree: etree._ElementTree, source: str
) -> tuple[list[Member], list[Finding]]:
    """Members listed in the inventory ``data``; ``tree`` is the collection label."""
    findings: list[Finding] = []
    inventory = child(child(tree.getroot(), "File_Area_Inventory"), "Inventory")
    delimiter = _delimiter(inventory, source, findings)
    reference_type = child_text(inventory, "reference_type") or None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return [], [
            error(
                "inventory.encoding",
                f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not ASCII/UTF-8 text",
                source,
                line,
            )
        ]
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    members: list[Member] = []
    first_seen: dict[tuple[str, str | None], int] = {}
    versions: dict[str, tuple[str | None, int]] = {}
    for number, raw in enumerate(lines, start=1):
        row = _row(raw.removesuffix("\r"), delimiter, number, source, findings)
        if row is None:
            continue
        status, lid, vid = row
        key = (lid, vid)
        if key in first_seen:
            findings.append(
                error(
                    "inventory.duplicate_member",
                    f"{_show(lid, vid)} is listed again (first at line {first_seen[key]})",
                    source,
                    number,
                )
            )
            continue
        first_seen[key] = number
        if lid in versions:
            findings.append(
                error(
                    "inventory.duplicate_lid",
                    f"{lid} is listed with version "
                    f"{vid or '(none)'} and with {versions[lid][0] or '(none)'} "
                    f"at line {versions[lid][1]}",
                    source,
                    number,
                )
            )
        versions.setdefault(lid, (vid, number))
        if status == "P" and vid is None:
            findings.append(
                warning(
                    "inventory.primary_without_vid",
                    f"primary member {lid} has no version (primary members should be LIDVIDs)",
                    source,
                    number,
                )
            )
        members.append(Member(lid, vid, status, reference_type))
    _check_count(inventory, len(lines), source, findings)
    if not lines:
        findings.append(warning("inventory.empty", "the inventory lists no members", source))
    if len(findings) > MAX_FINDINGS:
        extra = len(findings) - MAX_FINDINGS
        findings = findings[:MAX_FINDINGS]
        findings.append(
            error(
                "inventory.too_many_findings", f"{extra} more inventory findings not shown", source
            )
        )
    return members, findings


def _delimiter(inventory: etree._Element | None, source: str, findings: list[Finding]) -> str:
    name = norm(child_text(inventory, "field_delimiter")).lower()
    if name in DELIMITERS:
        return DELIMITERS[name]
    # The finding is about this table (``source``); the label line goes into the message.
    where = f" (collection label line {line_of(inventory)})" if inventory is not None else ""
    findings.append(
        error(
            "inventory.delimiter_unknown",
            f"field_delimiter {name!r}{where} is "
            "not Comma, Horizontal Tab, Semicolon or Vertical Bar; reading as Comma",
            source,
        )
    )
    return ","


def _row(
    raw: str, delimiter: str, number: int, source: str, findings: list[Finding]
) -> tuple[str, str, str | None] | None:
    fields = [_unquote(f) for f in raw.split(delimiter)]
    if len(fields) != 2 or not fields[0] or not fields[1]:
        shown = raw.strip()[:120] or "(blank line)"
        findings.append(
            error(
                "inventory.row_invalid",
                f"expected '<P|S>{delimiter}<LIDVID>', got {shown!r}",
                source,
                number,
            )
        )
        return None
    status = fields[0].upper()
    if status not in ("P", "S"):
        findings.append(
            error(
                "inventory.status_invalid",
                f"member status {fields[0][:20]!r} is not P or S",
                source,
                number,
            )
        )
        return None
    try:
        lid, vid = parse_identifier(fields[1])
    except InvalidIdentifierError as exc:
        findings.append(error("inventory.identifier_invalid", str(exc), source, number))
        return None
    return status, lid, None if vid is None else str(vid)


def _unquote(field: str) -> str:
    field = field.strip()
    if len(field) >= 2 and field[0] == field[-1] == '"':
        field = field[1:-1].replace('""', '"').strip()
    return field


def _check_count(
    inventory: etree._Element | None, rows: int, source: str, findings: list[Finding]
) -> None:
    records_el = child(inventory, "records")
    stated = child_text(inventory, "records")
    if records_el is None or not stated.isdigit() or int(stated) == rows:
        return
    findings.append(
        warning(
            "inventory.records_mismatch",
            f"the table has {rows} rows, the "
            f"collection label's Inventory records (line {line_of(records_el)}) "
            f"says {stated}",
            source,
        )
    )


def _show(lid: str, vid: str | None) -> str:
    return f"{lid}::{vid}" if vid else lid
