"""Checks on one label: what the label says (``validate_label``) and whether the files it
describes are really there (``check_files``).

``extract_label`` already reports what it could not read (missing identifiers, unreadable
dates and numbers); the findings here complement those, and callers concatenate both.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

from lxml import etree

from lunadc.errors import InvalidIdentifierError
from lunadc.model.findings import Finding
from lunadc.model.identifiers import LidVid, Vid, parse_lid
from lunadc.model.product import Label
from lunadc.pds4.codes import error, warning
from lunadc.pds4.schemas import SchemaCatalog
from lunadc.pds4.xmlutil import (
    PDS_NS,
    Element,
    child,
    descendants,
    line_of,
    namespace,
    text_of,
    xpath_of,
)

# What each product class must contain besides Identification_Area, as paths of core
# elements below the root. This is the part of the PDS4 core schema (IM 1.0 - 1.24) that holds
# in every version, so it still applies when no schema catalog is available, and it says what
# is missing in plainer words than an XSD error.
REQUIRED: dict[str, tuple[str, ...]] = {
    "Product_Observational": (
        "Observation_Area",
        "Observation_Area/Time_Coordinates",
        "Observation_Area/Investigation_Area",
        "Observation_Area/Observing_System",
        "Observation_Area/Target_Identification",
        "File_Area_Observational",
    ),
    "Product_Collection": ("Collection", "File_Area_Inventory"),
    "Product_Bundle": ("Bundle", "Bundle_Member_Entry"),
    "Product_Document": ("Document",),
    "Product_Browse": ("File_Area_Browse",),
    "Product_Ancillary": ("File_Area_Ancillary",),
    "Product_SPICE_Kernel": ("Context_Area", "File_Area_SPICE_Kernel"),
    "Product_Metadata_Supplemental": ("File_Area_Metadata",),
    "Product_Thumbnail": ("File_Area_Encoded_Image",),
    "Product_File_Text": ("File_Area_Text",),
    "Product_Native": ("File_Area_Native",),
}
COMMON_REQUIRED = (
    "Identification_Area",
    "Identification_Area/information_model_version",
    "Identification_Area/product_class",
)
_CHUNK = 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def validate_label(
    tree: etree._ElementTree, label: Label, *, source: str, schemas: SchemaCatalog
) -> list[Finding]:
    """Every check that needs only the label: identifiers, structure, dates, file names, XSD."""
    root = tree.getroot()
    findings: list[Finding] = []
    if namespace(root) == PDS_NS:
        findings += _required(root, label.product_class, source)
        findings += _product_class(root, label.product_class, source)
    findings += _identifiers(root, label, source)
    findings += _dates(root, label, source)
    findings += _file_names(label, source)
    findings += schemas.validate(tree, source=source)
    return findings


def unsafe_path_reason(path: str) -> str | None:
    """Why ``path`` may not be used as a file below the label's folder, or None if it is fine.

    Only plain relative paths are accepted: names joined by single ``/``, no ``.`` or ``..``
    segments (so one file has one spelling and nothing climbs out), no backslash (a separator
    on Windows), no drive letter, no control characters.
    """
    if not path:
        return "the file name is empty"
    if _CONTROL.search(path):
        return "the file name contains a control character"
    if "\\" in path:
        return "the file name contains a backslash"
    if path.startswith("/") or (len(path) > 1 and path[0].isalpha() and path[1] == ":"):
        return "the file name is an absolute path"
    segments = path.split("/")
    if ".." in segments:
        return "the file name has a '..' segment"
    if any(s in ("", ".") for s in segments):
        return "the file name has an empty or '.' segment"
    return None


def check_files(
    label: Label, folder: Path, *, source: str, verify_checksums: bool = False
) -> list[Finding]:
    """Every data file the label describes exists beside it (exact case) with the stated size,
    and with ``verify_checksums`` the stated MD5. Unsafe names are skipped (``validate_label``
    reports them) so nothing outside ``folder`` is ever opened."""
    findings: list[Finding] = []
    base = _resolved(folder)
    for entry in label.data_files:
        if unsafe_path_reason(entry.path) is not None:
            continue
        located = _find_exact(base, entry.path, source, entry.line, findings)
        if located is None:
            continue
        found, info, linked = located
        # Without a link on the way, base/entry.path cannot lead anywhere but below base.
        if linked and not found.resolve().is_relative_to(base):
            findings.append(
                error(
                    "file.path_unsafe",
                    f"{entry.path} is a link that leads outside the label's folder",
                    source,
                    entry.line,
                )
            )
            continue
        try:
            if linked:
                info = found.stat()  # what the link leads to
            if not stat.S_ISREG(info.st_mode):
                findings.append(
                    error(
                        "file.not_regular",
                        f"{entry.path} is not a regular file",
                        source,
                        entry.line,
                    )
                )
                continue
            if entry.size is not None and info.st_size != entry.size:
                findings.append(
                    error(
                        "file.size_mismatch",
                        f"{entry.path} is {info.st_size} bytes, the label says {entry.size}",
                        source,
                        entry.line,
                    )
                )
            elif verify_checksums and entry.md5:
                actual = _md5(found)
                if actual != entry.md5:
                    findings.append(
                        error(
                            "file.checksum_mismatch",
                            f"{entry.path} has MD5 {actual}, the label says {entry.md5}",
                            source,
                            entry.line,
                        )
                    )
        except OSError as exc:
            findings.append(
                error(
                    "file.unreadable",
                    f"{entry.path} cannot be read: {exc.strerror or exc}",
                    source,
                    entry.line,
                )
            )
    return findings


def _find_exact(
    base: Path, path: str, source: str, line: int | None, findings: list[Finding]
) -> tuple[Path, os.stat_result, bool] | None:
    """Walk ``path`` below ``base`` matching names exactly, also on case-insensitive file
    systems, so that a label naming ``A.DAT`` for ``a.dat`` is caught everywhere. Returns
    the path, the ``lstat`` of its last segment, and whether any segment is a link.

    Collections often keep 10^5 files in one folder, so folders are listed only when a name
    is missing (to find a case twin) or the file system ignores case; a plain lookup on a
    case-sensitive file system costs one ``stat`` call per path segment (and one more per
    folder, once, to learn that it tells cases apart).
    """
    current = base
    found: os.stat_result | None = None
    linked = False
    for segment in path.split("/"):
        candidate = current / segment
        try:
            found = os.lstat(candidate)
        except OSError:
            found = None
        if found is None or (
            _ignores_case(current, segment, found) and segment not in _listing(current)
        ):
            twins = [n for n in _listing(current) if n.casefold() == segment.casefold()]
            if twins:
                message = f"{path} not found; {twins[0]!r} differs only in letter case"
                findings.append(error("file.case_mismatch", message, source, line))
            else:
                message = f"{path} not found beside the label"
                findings.append(error("file.missing", message, source, line))
            return None
        linked |= stat.S_ISLNK(found.st_mode)
        current = candidate
    assert found is not None  # a safe path has at least one segment
    return current, found, linked


# Folders known to tell letter cases apart (whether a folder does is fixed for its life):
# labels come by the thousand from few folders, and each would cost a stat call more.
_CASE_SENSITIVE: set[str] = set()
_MAX_REMEMBERED = 4096


def _ignores_case(folder: Path, name: str, found: os.stat_result) -> bool:
    """True if ``folder`` sits on a case-insensitive file system (the name in other case
    reaches the same file)."""
    other = name.swapcase()
    if other == name:
        return False
    key = str(folder)
    if key in _CASE_SENSITIVE:
        return False
    try:
        ignores = os.path.samestat(found, os.lstat(folder / other))
    except OSError:
        ignores = False
    if not ignores:
        if len(_CASE_SENSITIVE) >= _MAX_REMEMBERED:
            _CASE_SENSITIVE.clear()
        _CASE_SENSITIVE.add(key)
    return ignores


_RESOLVED: dict[tuple[str, int, int], Path] = {}


def _resolved(folder: Path) -> Path:
    """``folder`` with every link resolved. Remembered, as a label's siblings share it, under
    the identity of the folder it leads to now: a link changed since is resolved again."""
    try:
        info = os.stat(folder)
    except OSError:
        return folder.resolve()  # gone meanwhile: its files are reported missing
    key = (str(folder), info.st_dev, info.st_ino)
    found = _RESOLVED.get(key)
    if found is None:
        if len(_RESOLVED) >= _MAX_REMEMBERED:
            _RESOLVED.clear()
        found = _RESOLVED[key] = folder.resolve()
    return found


def _listing(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _required(root: Element, product_class: str, source: str) -> list[Finding]:
    findings = []
    missing: set[str] = set()
    for path in COMMON_REQUIRED + REQUIRED.get(product_class, ()):
        parts = path.split("/")
        if "/".join(parts[:-1]) in missing:
            continue  # the parent is already reported
        parent: Element | None = root
        for part in parts[:-1]:
            parent = child(parent, part)
        if parent is not None and child(parent, parts[-1]) is None:
            missing.add(path)
            findings.append(
                error(
                    "label.required_missing",
                    f"{product_class} needs {path.replace('/', ' / ')}",
                    source,
                    line_of(parent),
                    xpath_of(parent),
                )
            )
    return findings


def _product_class(root: Element, product_class: str, source: str) -> list[Finding]:
    el = child(child(root, "Identification_Area"), "product_class")
    if el is None or not text_of(el) or text_of(el) == product_class:
        return []
    return [
        error(
            "label.product_class.mismatch",
            f"product_class says {text_of(el)!r} but the root element is {product_class}",
            source,
            line_of(el),
            xpath_of(el),
        )
    ]


def _identifiers(root: Element, label: Label, source: str) -> list[Finding]:
    findings = []
    ident = child(root, "Identification_Area")
    checks = (
        ("logical_identifier", "label.lid.invalid", parse_lid),
        ("version_id", "label.vid.invalid", Vid.parse),
    )
    for name, code, parse in checks:
        el = child(ident, name)
        if el is not None and text_of(el):
            try:
                parse(text_of(el))
            except InvalidIdentifierError as exc:
                findings.append(error(code, f"{name}: {exc}", source, line_of(el), xpath_of(el)))
    refs = ((el, parse_lid) for el in descendants(root, "lid_reference"))
    refs_vid = ((el, LidVid.parse) for el in descendants(root, "lidvid_reference"))
    for el, parse_ref in [*refs, *refs_vid]:
        try:
            parse_ref(text_of(el))
        except InvalidIdentifierError as exc:
            findings.append(
                error(
                    "reference.invalid",
                    f"{el.tag.split('}')[-1]}: {exc}",
                    source,
                    line_of(el),
                    xpath_of(el),
                )
            )
    return findings


def _dates(root: Element, label: Label, source: str) -> list[Finding]:
    start, stop = label.start_date_time, label.stop_date_time
    if not start or not stop or _instant_key(stop) >= _instant_key(start):
        return []
    stop_el = next(iter(descendants(root, "stop_date_time")), None)
    # A warning, not an error: PDS validate accepts such labels and archived products have them.
    return [
        warning(
            "date.stop_before_start",
            f"stop_date_time {stop} is before start_date_time {start}",
            source,
            line_of(stop_el),
        )
    ]


def _instant_key(iso: str) -> tuple[str, float]:
    """Order normalised times (``...:SS[.ffffff]Z``) correctly, leap seconds included."""
    return iso[:17], float(iso[17:-1])


def _file_names(label: Label, source: str) -> list[Finding]:
    findings = []
    seen: dict[str, str] = {}
    for entry in label.files:
        reason = unsafe_path_reason(entry.path)
        if reason:
            findings.append(
                error("file.path_unsafe", f"{reason}: {entry.path[:200]!r}", source, entry.line)
            )
            continue
        folded = entry.path.casefold()
        if folded not in seen:
            seen[folded] = entry.path
        elif seen[folded] == entry.path:
            findings.append(
                error(
                    "file.duplicate",
                    f"{entry.path} is described more than once",
                    source,
                    entry.line,
                )
            )
        else:
            findings.append(
                warning(
                    "file.duplicate_case",
                    f"{entry.path} and {seen[folded]} differ only in letter case",
                    source,
                    entry.line,
                )
            )
    return findings
