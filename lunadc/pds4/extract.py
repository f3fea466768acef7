"""From a parsed PDS4 label to the frozen ``Label`` lunadc indexes.

Works for any PDS4 IM 1.x label whatever prefixes it binds: core elements are matched on the
namespace URI ``http://pds.nasa.gov/pds4/pds/v1`` and their local names. Extraction never
stops at the first problem: it returns a best-effort Label (empty strings for missing
identifiers) with every finding, so a producer sees all their mistakes in one run.
Structural rules (required parts, path safety, LID syntax...) live in ``validate``.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from lunadc.model.findings import Finding
from lunadc.model.product import FileEntry, Label, Member, NamedRef, Reference
from lunadc.pds4.codes import error
from lunadc.pds4.dates import normalize_date, normalize_datetime
from lunadc.pds4.geometry import extract_geometry
from lunadc.pds4.properties import harvest_properties, walk_elements
from lunadc.pds4.xmlutil import (
    PDS_NS,
    XSI_NS,
    Element,
    child,
    child_text,
    children,
    descendants,
    elements,
    is_nil,
    line_of,
    local_name,
    namespace,
    qname,
    text_of,
    xpath_of,
)

# Observing_System_Component types that carry instruments, and those that are instruments.
HOST_TYPES = frozenset(
    {"host", "spacecraft", "rover", "lander", "airborne", "observatory", "facility"}
)
INSTRUMENT_TYPES = frozenset({"instrument", "telescope"})
_STATUS = {"primary": "P", "secondary": "S"}


def extract_label(tree: etree._ElementTree, *, source: str) -> tuple[Label, list[Finding]]:
    """The Label of a parsed label, with what could not be read as findings (file ``source``).

    Times are normalised to ISO-8601 UTC (``dates``); file paths are kept exactly as written
    (``directory_path_name/file_name``) so that ``validate`` judges what the producer wrote.
    """
    root = tree.getroot()
    findings: list[Finding] = []
    if namespace(root) != PDS_NS:
        findings.append(
            error(
                "label.not_pds4",
                f"root element {root.tag!r} is not in the PDS4 namespace {PDS_NS}",
                source,
                line_of(root),
            )
        )
    ident = child(root, "Identification_Area")
    where = ident if ident is not None else root
    required = {}
    for name, code in (
        ("logical_identifier", "label.lid.missing"),
        ("version_id", "label.vid.missing"),
        ("title", "label.title.missing"),
    ):
        required[name] = child_text(ident, name)
        if not required[name]:
            findings.append(
                error(
                    code,
                    f"Identification_Area has no {name}",
                    source,
                    line_of(where),
                    xpath_of(where),
                )
            )
    area = child(root, "Observation_Area")
    if area is None:
        area = child(root, "Context_Area")
    times = _time_coordinates(root, area)
    dt = _DateReader(source, findings)
    summary = child(area, "Primary_Result_Summary")
    targets = tuple(_named(t) for t in descendants(root, "Target_Identification"))
    components = descendants(root, "Observing_System_Component")
    references = tuple(_references(root))
    bundle_members = tuple(_bundle_members(root, source, findings))
    files = tuple(_files(root, source, findings, dt))
    walked = walk_elements(root)
    geometry, geo_findings = extract_geometry(
        root, targets[0].name if targets else None, source, pixel_named=walked.pixel_named
    )
    findings.extend(geo_findings)
    lid, vid, title = required["logical_identifier"], required["version_id"], required["title"]
    label = Label(
        lid=lid,
        vid=vid,
        product_class=local_name(root),
        title=title,
        information_model_version=child_text(ident, "information_model_version") or None,
        description=_description(root, ident, area),
        start_date_time=dt.read(child(times, "start_date_time"), normalize_datetime),
        stop_date_time=dt.read(child(times, "stop_date_time"), normalize_datetime),
        processing_level=(
            child_text(summary, "processing_level")
            or child_text(summary, "processing_level_id")
            or None
        ),
        purpose=child_text(summary, "purpose") or None,
        disciplines=tuple(text_of(d) for d in descendants(root, "discipline_name") if text_of(d)),
        targets=targets,
        investigations=tuple(_named(i) for i in descendants(root, "Investigation_Area")),
        instrument_hosts=tuple(_named(c) for c in components if _type(c) in HOST_TYPES),
        instruments=tuple(_named(c) for c in components if _type(c) in INSTRUMENT_TYPES),
        files=files,
        inventory_files=tuple(_inventory_files(root)),
        bundle_members=bundle_members,
        references=references,
        geometry=geometry,
        properties=harvest_properties(
            root,
            walked=walked,
            lid=lid,
            vid=vid,
            title=title,
            product_class=local_name(root),
            references=references,
            bundle_members=bundle_members,
        ),
        schema_locations=schema_location_pairs(root),
        modification_date=_modification_date(ident, dt),
    )
    return label, findings


def schema_location_pairs(root: Element) -> tuple[tuple[str, str], ...]:
    """``xsi:schemaLocation`` as (namespace, URL) pairs, exactly as written (a dangling last
    token is dropped; ``schemas`` reports malformed lists)."""
    tokens = (root.get(qname(XSI_NS, "schemaLocation")) or "").split()
    return tuple(zip(tokens[0::2], tokens[1::2], strict=False))


class _DateReader:
    """Reads date elements, turning unreadable values into ``date.invalid`` findings."""

    def __init__(self, source: str, findings: list[Finding]) -> None:
        self.source = source
        self.findings = findings

    def read(self, el: Element | None, normalize: Callable[[str], str]) -> str | None:
        # A missing, empty or xsi:nil time means "not known", which is allowed (stop times).
        if el is None or is_nil(el) or not text_of(el):
            return None
        try:
            return normalize(text_of(el))
        except ValueError as exc:
            self.findings.append(
                error(
                    "date.invalid",
                    f"{local_name(el)}: {exc}",
                    self.source,
                    line_of(el),
                    xpath_of(el),
                )
            )
            return None


def _time_coordinates(root: Element, area: Element | None) -> Element | None:
    found = child(area, "Time_Coordinates")
    if found is None:  # e.g. a product class that keeps times elsewhere in a later IM
        found = next(iter(descendants(root, "Time_Coordinates")), None)
    return found


def _modification_date(ident: Element | None, dt: _DateReader) -> str | None:
    if ident is None:
        return None
    dates = [dt.read(el, normalize_date) for el in descendants(ident, "modification_date")]
    known = [d for d in dates if d]
    return max(known) if known else None


def _description(root: Element, ident: Element | None, area: Element | None) -> str | None:
    # The citation is the product's own abstract; the others describe the bundle, collection,
    # document or observation and are the next best thing.
    candidates = [
        child(child(ident, "Citation_Information"), "description"),
        child(child(root, "Bundle"), "description"),
        child(child(root, "Collection"), "description"),
        child(child(root, "Document"), "description"),
        child(child(area, "Primary_Result_Summary"), "description"),
    ]
    for el in candidates:
        if text_of(el):
            return text_of(el)
    return None


def _type(el: Element) -> str:
    return child_text(el, "type").lower()


def _split_reference(el: Element) -> tuple[str, str | None] | None:
    """(lid, vid) from the lid_reference or lidvid_reference child of ``el``."""
    lidvid = child_text(el, "lidvid_reference")
    if lidvid:
        lid, sep, vid = lidvid.partition("::")
        return lid, (vid if sep else None)
    lid = child_text(el, "lid_reference")
    return (lid, None) if lid else None


def _named(el: Element) -> NamedRef:
    ref = child(el, "Internal_Reference")
    split = _split_reference(ref) if ref is not None else None
    return NamedRef(
        name=child_text(el, "name"),
        type=child_text(el, "type") or None,
        lid=split[0] if split else None,
    )


def _references(root: Element) -> list[Reference]:
    out = []
    for el in descendants(root, "Internal_Reference"):
        split = _split_reference(el)
        if split:
            out.append(Reference(child_text(el, "reference_type"), split[0], split[1]))
    return out


def _bundle_members(root: Element, source: str, findings: list[Finding]) -> list[Member]:
    out = []
    for el in children(root, "Bundle_Member_Entry"):
        split = _split_reference(el)
        status = _STATUS.get(child_text(el, "member_status").lower())
        if status is None:
            findings.append(
                error(
                    "bundle.member_status_invalid",
                    f"member_status {child_text(el, 'member_status')!r} is not "
                    "Primary or Secondary",
                    source,
                    line_of(el),
                    xpath_of(el),
                )
            )
        if split is None or status is None:
            continue
        out.append(Member(split[0], split[1], status, child_text(el, "reference_type") or None))
    return out


def _files(root: Element, source: str, findings: list[Finding], dt: _DateReader) -> list[FileEntry]:
    out = []
    for el in root.iter(qname(PDS_NS, "File"), qname(PDS_NS, "Document_File")):
        area = el.getparent()
        objects: tuple[str, ...] = ()
        if local_name(el) == "File" and area is not None and area is not root:
            objects = tuple(local_name(s) for s in elements(area) if s is not el)
        out.append(
            FileEntry(
                path=_path(el),
                size=_integer(child(el, "file_size"), source, findings),
                md5=_md5(child(el, "md5_checksum"), source, findings),
                creation_date_time=dt.read(child(el, "creation_date_time"), normalize_datetime),
                records=_integer(child(el, "records"), source, findings),
                data_objects=objects,
                line=line_of(el),
            )
        )
    return out


def _path(el: Element) -> str:
    """``directory_path_name/file_name`` relative to the label, exactly as written otherwise
    (no normalisation here: ``validate`` must see a hostile name as it was given)."""
    name_el = child(el, "file_name")
    name = (name_el.text or "").strip() if name_el is not None else ""
    folder_el = child(el, "directory_path_name")
    folder = (folder_el.text or "").strip() if folder_el is not None else ""
    if folder in ("", ".", "./"):
        return name
    return f"{folder.rstrip('/')}/{name}"


def _integer(el: Element | None, source: str, findings: list[Finding]) -> int | None:
    if el is None or not text_of(el):
        return None
    text = text_of(el)
    if text.isascii() and text.isdigit():
        return int(text)
    findings.append(
        error(
            "label.value_invalid",
            f"{local_name(el)} is not a whole number: {text[:40]!r}",
            source,
            line_of(el),
            xpath_of(el),
        )
    )
    return None


def _md5(el: Element | None, source: str, findings: list[Finding]) -> str | None:
    if el is None or not text_of(el):
        return None
    text = text_of(el).lower()
    if len(text) == 32 and all(c in "0123456789abcdef" for c in text):
        return text
    findings.append(
        error(
            "label.value_invalid",
            f"md5_checksum is not 32 hex digits: {text[:40]!r}",
            source,
            line_of(el),
            xpath_of(el),
        )
    )
    return None


def _inventory_files(root: Element) -> list[str]:
    return [
        _path(f) for area in children(root, "File_Area_Inventory") for f in children(area, "File")
    ]
