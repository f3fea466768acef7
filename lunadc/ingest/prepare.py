"""Reading, validating and staging one product, before anything is registered.

``check_label`` reads the label once and runs every check that needs no catalog;
``stage_files`` then copies each described file into the blob store under a temporary name
while hashing it (each byte is read once). The result is either a ``Prepared`` product ready
to register (``HandedOver`` while it crosses from a worker process), or a ``Rejection`` with
every reason found; a rejected product leaves no staged bytes behind.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from lunadc.catalog.records import LabelRows, StoredFile
from lunadc.catalog.terms import label_rows
from lunadc.errors import LabelError, LunadcError
from lunadc.ingest.report import Rejection
from lunadc.model.findings import Finding, Severity
from lunadc.model.identifiers import is_under
from lunadc.model.product import FileEntry, Label, Member
from lunadc.model.times import canonical_time
from lunadc.pds4.extract import extract_label
from lunadc.pds4.inventory import read_inventory
from lunadc.pds4.safe_xml import parse_xml
from lunadc.pds4.schemas import SchemaCatalog
from lunadc.pds4.validate import check_files, validate_label
from lunadc.storage.base import BlobStore, Digests, StagedBlob

PDS4_NAMESPACE = "http://pds.nasa.gov/pds4/pds/v1"


@dataclass
class Prepared:
    """A valid product with its files staged (not yet committed) in the blob store."""

    source: Path
    label: Label
    label_sha256: str
    members: tuple[Member, ...]
    files: list[tuple[FileEntry | None, StagedBlob]]  # None entry: the label itself
    warnings: list[Finding]
    rows: LabelRows

    def discard(self) -> None:
        for _entry, blob in self.files:
            blob.discard()

    def stored_files(self, keys: list[str]) -> tuple[StoredFile, ...]:
        result = []
        for (entry, blob), key in zip(self.files, keys, strict=True):
            path = entry.path if entry else self.source.name
            mime, _enc = mimetypes.guess_type(path)
            result.append(
                StoredFile(
                    path=path,
                    role="data" if entry else "label",
                    size=blob.digests.size,
                    md5=blob.digests.md5,
                    sha256=blob.digests.sha256,
                    blob_key=key,
                    creation_time=canonical_time(entry.creation_date_time) if entry else None,
                    records=entry.records if entry else None,
                    mime_type=mime or ("application/xml" if entry is None else None),
                )
            )
        return tuple(result)


@dataclass(frozen=True)
class LabelCheck:
    """A label that was read and checked, before any data byte was copied."""

    source: Path
    label: Label
    label_bytes: bytes
    label_sha256: str
    members: tuple[Member, ...]
    warnings: list[Finding]
    rows: LabelRows  # what registration writes from the label alone, computed here


@dataclass(frozen=True)
class HandedOver:
    """A product a worker process checked and staged, as it crosses to the writer process.

    The staged files stay where the worker wrote them, in the store's temporary folder; the
    writer takes them over by name (``claim``) and commits or discards them. The label's bytes
    were staged already, so they do not cross again.
    """

    source: Path
    label: Label
    label_sha256: str
    members: tuple[Member, ...]
    warnings: list[Finding]
    rows: LabelRows
    files: tuple[tuple[FileEntry | None, str, Digests], ...]  # (entry, staged name, digests)

    def claim(self, store: BlobStore) -> Prepared:
        return Prepared(
            source=self.source,
            label=self.label,
            label_sha256=self.label_sha256,
            members=self.members,
            files=[(entry, store.claim(name, digests)) for entry, name, digests in self.files],
            warnings=self.warnings,
            rows=self.rows,
        )

    def digests_of(self, path: str) -> Digests | None:
        """The digests of the data file at ``path`` (as the label names it)."""
        for entry, _name, digests in self.files:
            if entry is not None and entry.path == path:
                return digests
        return None


@dataclass(frozen=True)
class NotStaged:
    """A valid label whose files a worker could not stage (a checksum or size mismatch, an
    unreadable file): the writer decides, since a registered LIDVID is reported as such."""

    check: LabelCheck
    rejection: Rejection


def _reject(source: Path, findings: list[Finding], lidvid: str | None = None) -> Rejection:
    errors = [f for f in findings if f.severity is Severity.ERROR]
    return Rejection(file=str(source), reasons=tuple(str(f) for f in errors), lidvid=lidvid)


def _normalised(label: Label) -> Label:
    # Canonical fixed-width UTC text, so that text order is time order in the catalog.
    from dataclasses import replace

    return replace(
        label,
        start_date_time=canonical_time(label.start_date_time),
        stop_date_time=canonical_time(label.stop_date_time),
    )


def check_label(source: Path, *, schemas: SchemaCatalog, max_bytes: int) -> LabelCheck | Rejection:
    """Read and validate a label and its inventory; no bytes are stored."""
    where = str(source)
    try:
        size = source.stat().st_size
        if size > max_bytes:
            raise LabelError(f"label is {size} bytes, more than the limit of {max_bytes}")
        data = source.read_bytes()
        tree = parse_xml(data, source=where, max_bytes=max_bytes)
    except LabelError as exc:
        exc.where = exc.where or where
        return Rejection(file=where, reasons=(str(exc),))
    except OSError as exc:
        return Rejection(file=where, reasons=(f"{where}: cannot read: {exc.strerror}",))
    root = tree.getroot()
    if not isinstance(root.tag, str) or not root.tag.startswith("{" + PDS4_NAMESPACE + "}"):
        return Rejection(
            file=where, reasons=(f"{where}: not a PDS4 product label (root element {root.tag})",)
        )
    label, findings = extract_label(tree, source=where)
    findings = list(findings)
    findings += validate_label(tree, label, source=where, schemas=schemas)
    findings += check_files(label, source.parent, source=where)
    try:
        label = _normalised(label)
    except LunadcError as exc:
        findings.append(Finding("date.invalid", Severity.ERROR, exc.message, where))
    members: list[Member] = []
    for inventory in label.inventory_files:
        inventory_path = source.parent / inventory
        if not inventory_path.is_file():
            continue  # check_files already reported it missing
        rows, inventory_findings = read_inventory(
            inventory_path.read_bytes(), tree=tree, source=str(inventory_path)
        )
        members.extend(rows)
        findings += inventory_findings
    findings += _hierarchy_findings(label, members, where)
    if any(f.severity is Severity.ERROR for f in findings):
        return _reject(source, findings, label.lidvid if label.lid else None)
    return LabelCheck(
        source=source,
        label=label,
        label_bytes=data,
        label_sha256=hashlib.sha256(data).hexdigest(),
        members=tuple(members),
        warnings=[f for f in findings if f.severity is not Severity.ERROR],
        rows=label_rows(label),
    )


def _hierarchy_findings(label: Label, members: list[Member], where: str) -> list[Finding]:
    """A primary member's LID must extend its collection's (or bundle's) LID."""
    findings = []
    for member in [*members, *label.bundle_members]:
        if member.status == "P" and not is_under(member.lid, label.lid):
            findings.append(
                Finding(
                    "lid.not_under_parent",
                    Severity.ERROR,
                    f"primary member {member.lid} is not under {label.lid}",
                    where,
                )
            )
    return findings


def stage_files(check: LabelCheck, store: BlobStore) -> Prepared | Rejection:
    """Copy the label and its files into the store, verifying size and MD5 while copying."""
    staged: list[tuple[FileEntry | None, StagedBlob]] = []
    findings: list[Finding] = []
    where = str(check.source)
    try:
        staged.append((None, store.stage(io.BytesIO(check.label_bytes))))
        for entry in check.label.data_files:
            path = check.source.parent / entry.path
            with open(path, "rb") as handle:
                blob = store.stage(handle)
            staged.append((entry, blob))
            findings += _digest_findings(entry, blob, where)
    except OSError as exc:
        findings.append(
            Finding("file.unreadable", Severity.ERROR, f"cannot read: {exc.strerror}", where)
        )
    except BaseException:
        for _entry, blob in staged:
            blob.discard()
        raise
    if findings:
        for _entry, blob in staged:
            blob.discard()
        return _reject(check.source, findings, check.label.lidvid)
    return Prepared(
        source=check.source,
        label=check.label,
        label_sha256=check.label_sha256,
        members=check.members,
        files=staged,
        warnings=check.warnings,
        rows=check.rows,
    )


def hand_over(prepared: Prepared) -> HandedOver:
    """``prepared`` as it crosses to another process (see ``HandedOver``)."""
    return HandedOver(
        source=prepared.source,
        label=prepared.label,
        label_sha256=prepared.label_sha256,
        members=prepared.members,
        warnings=prepared.warnings,
        rows=prepared.rows,
        files=tuple((entry, blob.name, blob.digests) for entry, blob in prepared.files),
    )


def _digest_findings(entry: FileEntry, blob: StagedBlob, where: str) -> list[Finding]:
    findings = []
    if entry.size is not None and blob.digests.size != entry.size:
        findings.append(
            Finding(
                "file.size_mismatch",
                Severity.ERROR,
                f"{entry.path}: {blob.digests.size} bytes, the label says {entry.size}",
                where,
                entry.line,
            )
        )
    if entry.md5 is not None and blob.digests.md5 != entry.md5.lower():
        findings.append(
            Finding(
                "file.checksum_mismatch",
                Severity.ERROR,
                f"{entry.path}: MD5 {blob.digests.md5}, the label says {entry.md5}",
                where,
                entry.line,
            )
        )
    return findings
