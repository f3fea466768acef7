"""Turning libxml2's schema errors into findings, and recognising dictionary version drift.

A common real-world slip is naming an older version of a discipline dictionary than the one
whose classes the label uses (e.g. ``disp:Display_Settings`` with ``PDS4_DISP_1004.xsd``; the
class exists from disp 1.1.0.0 on). libxml2 reports that as "no matching global element
declaration ... demanded by the strict wildcard". When another version of the same dictionary
in the catalog does declare that element, the finding is the WARNING
``schema.dictionary_version`` (its content is not checked) rather than an ERROR: the content
is a known PDS class and only the version pin is wrong, a nuance PDS validate also treats
leniently for schematron versions. An element no version declares stays an ERROR.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from lunadc.errors import LabelError
from lunadc.model.findings import Finding
from lunadc.pds4.codes import error, warning
from lunadc.pds4.safe_xml import hardened_parser
from lunadc.pds4.xmlutil import conventional_prefix, line_of, split_tag

MAX_SCHEMA_FINDINGS = 100
# libxml2's error type for an element a strict wildcard demands but no schema declares.
_NO_DECLARATION = "SCHEMAV_CVC_ELT_1"
_XS = "{http://www.w3.org/2001/XMLSchema}"
_NS_FOLDER = re.compile(r"^https?://pds\.nasa\.gov/pds4/((?:[a-z0-9_]+/)+v\d+)$")
_CLARK = re.compile(r"\{([^}]*)\}")


@dataclass(frozen=True)
class SchemaError:
    """One libxml2 validation error, copied out of the (shared) error log."""

    line: int | None
    message: str
    kind: str
    path: str


class DictionaryIndex:
    """Global element names each PDS dictionary namespace declares in any catalog version.

    Built lazily per namespace (parsing every version of one dictionary, ~0.1 s for geom) and
    only when a strict-wildcard error needs it; the catalog is pinned, so it never goes stale.
    """

    def __init__(self, catalog_dir: Path) -> None:
        self.catalog_dir = catalog_dir
        self._names: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    def declares(self, namespace: str, name: str) -> bool:
        with self._lock:
            if namespace not in self._names:
                self._names[namespace] = self._scan(namespace)
            return name in self._names[namespace]

    def _scan(self, namespace: str) -> frozenset[str]:
        match = _NS_FOLDER.match(namespace)
        if not match:
            return frozenset()
        folder = self.catalog_dir.joinpath(*match.group(1).split("/"))
        if not folder.resolve().is_relative_to(self.catalog_dir) or not folder.is_dir():
            return frozenset()
        names: set[str] = set()
        for path in sorted(folder.glob("*.xsd")):
            try:
                root = etree.fromstring(path.read_bytes(), hardened_parser())
            except (etree.LxmlError, LabelError, OSError):
                continue  # a broken catalog file just contributes nothing
            if root.get("targetNamespace") == namespace:
                names.update(str(el.get("name")) for el in root.iterchildren(f"{_XS}element"))
        return frozenset(names)


def schema_findings(
    errors: list[SchemaError],
    tree: etree._ElementTree,
    dictionaries: dict[str, Path],
    index: DictionaryIndex,
    source: str,
) -> list[Finding]:
    findings = []
    for err in errors[:MAX_SCHEMA_FINDINGS]:
        drift = (
            _version_drift(err, tree, dictionaries, index) if err.kind == _NO_DECLARATION else None
        )
        if drift:
            findings.append(warning("schema.dictionary_version", drift, source, err.line))
        else:
            findings.append(error("schema.invalid", readable(err.message), source, err.line))
    if len(errors) > MAX_SCHEMA_FINDINGS:
        more = len(errors) - MAX_SCHEMA_FINDINGS
        findings.append(error("schema.invalid", f"{more} more XML Schema errors not shown", source))
    return findings


def _version_drift(
    err: SchemaError,
    tree: etree._ElementTree,
    dictionaries: dict[str, Path],
    index: DictionaryIndex,
) -> str | None:
    """A message if the failing element belongs to a loaded dictionary that declares it in
    another version, else None. The element is found by its line and local name (the last
    step of libxml2's path), never by parsing the message text."""
    local = err.path.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    for el in tree.getroot().iter():
        if not isinstance(el.tag, str) or line_of(el) != err.line:
            continue
        ns, name = split_tag(el.tag)
        if name == local and ns in dictionaries and index.declares(ns, name):
            prefix = conventional_prefix(ns)
            return (
                f"{prefix}:{name} is not declared in {dictionaries[ns].name}, the {prefix} "
                f"version the label names, but other {prefix} versions declare it; it was "
                "not checked (name the matching dictionary version)"
            )
    return None


def readable(message: str) -> str:
    """libxml2 writes ``{uri}name``; show the conventional ``prefix:name`` instead."""
    return _CLARK.sub(lambda m: conventional_prefix(m.group(1)) + ":", " ".join(message.split()))
