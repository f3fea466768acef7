"""XML Schema validation of labels against a local, pinned PDS4 schema catalog.

A label names its schemas in ``xsi:schemaLocation``; every ``http(s)://pds.nasa.gov/pds4/<path>``
is served from ``catalog_dir/<path>`` by a custom resolver and nothing is ever fetched.

The core schema lets discipline and mission content in through
``<xs:any namespace="##other" processContents="strict">``, so a label whose dictionary is not
in the catalog would fail on every element of it. Instead such a namespace gets a *stub*
schema declaring each local name the label uses in it as ``xs:anyType``: the rest of the label
is still fully checked, the unknown dictionary's elements are accepted unchecked, and one
WARNING says so. (Stripping those elements from a copy would also work, but the stub keeps
libxml2's line numbers and messages about the real tree.)

An element that the named dictionary version lacks but another version of that dictionary
declares is a warning, not an error (see ``schema_errors``).

Compiling the core schema costs ~10 ms; each distinct schema set is compiled once and cached
(LRU, thread-safe). libxml2 keeps the error log on the schema object, so validations with the
same compiled schema are serialised by a per-schema lock (they take well under a millisecond).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from xml.sax.saxutils import quoteattr

from lxml import etree

from lunadc.errors import ConfigError
from lunadc.model.findings import Finding
from lunadc.pds4.codes import warning
from lunadc.pds4.safe_xml import hardened_parser
from lunadc.pds4.schema_errors import DictionaryIndex, SchemaError, readable, schema_findings
from lunadc.pds4.xmlutil import PDS_NS, XSI_NS, Element, child_text, line_of, qname

# Older labels use the long form .../pds4/schema/released/<path>; both name the same file.
_PDS_URL = re.compile(r"^https?://pds\.nasa\.gov/pds4/(?:schema/released/)?(.+)$")
_STUB_URL = "https://lunadc.invalid/stub/{}.xsd"
_IGNORED_NS = frozenset({XSI_NS, "http://www.w3.org/XML/1998/namespace"})
_MAX_MEMO = 4096


@dataclass(frozen=True)
class _SchemaSet:
    """What to compile: the core file, dictionary files and stubs (namespace, local names)."""

    core: Path
    dictionaries: tuple[tuple[str, Path], ...]
    stubs: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass
class _Compiled:
    schema: etree.XMLSchema | None
    problem: str | None
    lock: threading.Lock = field(default_factory=threading.Lock)


class _CatalogResolver(etree.Resolver):
    """Serves catalog files and stubs; everything else gets a document that fails to import."""

    def __init__(self, catalog: SchemaCatalog, stubs: dict[str, str]) -> None:
        super().__init__()
        self.catalog = catalog
        self.stubs = stubs

    # lxml calls resolve() with a context argument that lxml-stubs do not know about.
    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:  # type: ignore[override]
        if system_url in self.stubs:
            return self.resolve_string(self.stubs[system_url], context, base_url=None)
        path = self.catalog.resolve_url(system_url)
        if path is not None:
            return self.resolve_filename(str(path), context)  # type: ignore[attr-defined]
        # Never return None: that would let libxml2 load the URL itself.
        return self.resolve_string("<refused/>", context, base_url=None)


class SchemaCatalog:
    """Offline XSD validation; one instance per node, shared by all ingest threads."""

    def __init__(self, catalog_dir: Path | None, *, max_cached: int = 64) -> None:
        if catalog_dir is not None and not catalog_dir.is_dir():
            raise ConfigError(f"schema catalog is not a folder: {catalog_dir}")
        self.catalog_dir = catalog_dir.resolve() if catalog_dir is not None else None
        self._max_cached = max_cached
        self._cache: OrderedDict[_SchemaSet, _Compiled] = OrderedDict()
        self._lock = threading.Lock()
        self._namespaces: dict[Path, str | None] = {}
        self._resolved: dict[str, Path | None] = {}
        self._index = DictionaryIndex(self.catalog_dir) if self.catalog_dir else None

    def resolve_url(self, url: str) -> Path | None:
        """The catalog file for a pds.nasa.gov schema URL, or None (never leaves the catalog).

        Answers are memoised: the catalog is pinned and file-system checks cost more than
        validating a typical label.
        """
        try:
            return self._resolved[url]
        except KeyError:
            path = self._lookup(url)
            if len(self._resolved) > _MAX_MEMO:  # URLs come from untrusted labels: stay bounded
                self._resolved.clear()
            self._resolved[url] = path  # a benign race: every thread computes the same answer
            return path

    def _lookup(self, url: str) -> Path | None:
        match = _PDS_URL.match(url.strip())
        if self.catalog_dir is None or not match:
            return None
        parts = match.group(1).split("/")
        if any(p in ("", ".", "..") or "\\" in p for p in parts):
            return None
        path = self.catalog_dir.joinpath(*parts)
        if path.is_file() and path.resolve().is_relative_to(self.catalog_dir):
            return path
        return None

    def validate(self, tree: etree._ElementTree, *, source: str) -> list[Finding]:
        if self.catalog_dir is None:
            return [
                warning(
                    "schema.not_configured",
                    "schema catalog not configured; XML Schema checks skipped",
                    source,
                )
            ]
        root = tree.getroot()
        findings: list[Finding] = []
        locations = self._locations(root, source, findings)
        core = locations.pop(PDS_NS, None)
        if core is None:
            core = self._core_from_version(root, source, findings)
            if core is None:
                return findings
        core_path = self.resolve_url(core)
        if core_path is None:
            findings.append(
                warning(
                    "schema.missing_core",
                    f"core schema {core} is not in the schema catalog; XML Schema checks skipped",
                    source,
                )
            )
            return findings
        dictionaries: list[tuple[str, Path]] = []
        for ns, url in sorted(locations.items()):
            path = self.resolve_url(url)
            if path is None:
                continue  # reported below, once per namespace actually used
            dictionaries.append((ns, path))
        known = {PDS_NS} | {ns for ns, _ in dictionaries}
        # Only elements of namespaces without a schema matter here, and an element's namespace
        # is declared on it or above it: when every declared one has a schema, no element
        # needs looking at (the declarations: 15 us a sample label; every element: 42 us).
        everything_known = _declared_namespaces(root) <= known | _IGNORED_NS
        used = {} if everything_known else _used_namespaces(root)
        stubs = []
        for ns, (line, names) in sorted(used.items()):
            if ns in known:
                continue
            named = locations.get(ns)
            why = (
                f"schema {named} is not in the catalog"
                if named
                else "xsi:schemaLocation names no schema for it"
            )
            findings.append(
                warning(
                    "schema.missing_dictionary",
                    f"namespace {ns} (first used at line {line}): {why}; "
                    "its elements were not checked",
                    source,
                    line,
                )
            )
            stubs.append((ns, tuple(sorted(names))))
        schema_set = _SchemaSet(core_path, tuple(dictionaries), tuple(stubs))
        compiled = self._compiled(schema_set)
        if compiled.schema is None and dictionaries:
            # The named dictionaries do not fit this core (usually built for another IM
            # version): check what we can with the core alone rather than nothing.
            findings.append(
                warning(
                    "schema.unusable",
                    f"the named schemas cannot be used together ({compiled.problem}); "
                    "checked against the core schema only",
                    source,
                )
            )
            if everything_known:
                used = _used_namespaces(root)
            fallback = stubs + [
                (ns, tuple(sorted(used[ns][1]))) for ns, _ in dictionaries if ns in used
            ]
            schema_set = _SchemaSet(core_path, (), tuple(sorted(fallback)))
            compiled = self._compiled(schema_set)
        if compiled.schema is None:
            findings.append(
                warning(
                    "schema.unusable",
                    f"schema cannot be compiled ({compiled.problem}); XML Schema checks skipped",
                    source,
                )
            )
            return findings
        errors = _run(compiled, tree)
        loaded = dict(schema_set.dictionaries)
        assert self._index is not None  # set whenever catalog_dir is
        findings += schema_findings(errors, tree, loaded, self._index, source)
        return findings

    # -- helpers ---------------------------------------------------------------------------

    def _locations(self, root: Element, source: str, findings: list[Finding]) -> dict[str, str]:
        """namespace → schema URL from xsi:schemaLocation, recovering from common slips
        (a missing namespace before a URL) by reading the URL's targetNamespace."""
        tokens = (root.get(qname(XSI_NS, "schemaLocation")) or "").split()
        pairs: list[tuple[str | None, str]] = []
        pending: str | None = None
        malformed = len(tokens) % 2 == 1
        for token in tokens:
            if token.lower().endswith(".xsd"):
                malformed |= pending is None
                pairs.append((pending, token))
                pending = None
            else:
                malformed |= pending is not None
                pending = token
        if malformed or pending is not None:
            findings.append(
                warning(
                    "schema.location_malformed",
                    "xsi:schemaLocation is not a list of namespace/schema-URL pairs; "
                    f"read as {len(pairs)} schema URL(s)",
                    source,
                    line_of(root),
                )
            )
        out: dict[str, str] = {}
        for named, url in pairs:
            ns = named or self._target_namespace(url)
            if ns and ns not in out:
                out[ns] = url
        return out

    def _target_namespace(self, url: str) -> str | None:
        path = self.resolve_url(url)
        if path is None:
            return None
        with self._lock:
            if path not in self._namespaces:
                try:  # only the root element is needed; stop reading there
                    events = etree.iterparse(
                        str(path),
                        events=("start",),
                        resolve_entities=False,
                        load_dtd=False,
                        no_network=True,
                    )
                    _, el = next(iter(events))
                    self._namespaces[path] = el.get("targetNamespace")
                except (etree.LxmlError, StopIteration, OSError):
                    self._namespaces[path] = None
            return self._namespaces[path]

    def _core_from_version(self, root: Element, source: str, findings: list[Finding]) -> str | None:
        version = child_text(
            root.find(qname(PDS_NS, "Identification_Area")), "information_model_version"
        )
        code = _version_code(version)
        if code is None:
            findings.append(
                warning(
                    "schema.location_missing",
                    "xsi:schemaLocation names no core schema and information_model_version "
                    f"{version!r} does not say which; XML Schema checks skipped",
                    source,
                    line_of(root),
                )
            )
            return None
        url = f"https://pds.nasa.gov/pds4/pds/v1/PDS4_PDS_{code}.xsd"
        findings.append(
            warning(
                "schema.location_missing",
                "xsi:schemaLocation names no core schema; "
                f"using PDS4_PDS_{code}.xsd for information_model_version {version}",
                source,
                line_of(root),
            )
        )
        return url

    def _compiled(self, schema_set: _SchemaSet) -> _Compiled:
        with self._lock:
            found = self._cache.get(schema_set)
            if found is not None:
                self._cache.move_to_end(schema_set)
                return found
            # Compiling under the catalog lock keeps two threads from compiling the same set;
            # it happens once per schema set in the life of the process.
            found = self._compile(schema_set)
            self._cache[schema_set] = found
            while len(self._cache) > self._max_cached:
                self._cache.popitem(last=False)
            return found

    def _compile(self, schema_set: _SchemaSet) -> _Compiled:
        stubs: dict[str, str] = {}
        imports = [(PDS_NS, _catalog_url(self, schema_set.core))]
        imports += [(ns, _catalog_url(self, path)) for ns, path in schema_set.dictionaries]
        for i, (ns, names) in enumerate(schema_set.stubs):
            url = _STUB_URL.format(i)
            stubs[url] = _stub_schema(ns, names)
            imports.append((ns, url))
        wrapper = "".join(
            f"<xs:import namespace={quoteattr(ns)} schemaLocation={quoteattr(u)}/>"
            for ns, u in imports
        )
        text = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{wrapper}</xs:schema>'
        parser = hardened_parser(_CatalogResolver(self, stubs))
        try:
            doc = etree.fromstring(text.encode(), parser, base_url="https://lunadc.invalid/w.xsd")
            return _Compiled(etree.XMLSchema(etree.ElementTree(doc)), None)
        except etree.LxmlError as exc:
            return _Compiled(None, readable(str(exc))[:300])


def _catalog_url(catalog: SchemaCatalog, path: Path) -> str:
    assert catalog.catalog_dir is not None
    return "https://pds.nasa.gov/pds4/" + path.relative_to(catalog.catalog_dir).as_posix()


def _run(compiled: _Compiled, tree: etree._ElementTree) -> list[SchemaError]:
    assert compiled.schema is not None
    with compiled.lock:
        compiled.schema.validate(tree)
        log = cast("Iterable[Any]", compiled.schema.error_log)  # lxml-stubs: not iterable
        return [
            SchemaError(int(e.line) or None, str(e.message), str(e.type_name), str(e.path or ""))
            for e in log
        ]


def _declared_namespaces(root: Element) -> set[str]:
    """Every namespace URI declared on ``root`` or any element below it."""
    return {
        cast("tuple[str, str]", declared)[1]
        for _event, declared in etree.iterwalk(root, events=("start-ns",))
    }


def _used_namespaces(root: Element) -> dict[str, tuple[int, set[str]]]:
    """namespace → (first line, local names) for every element namespace other than core."""
    used: dict[str, tuple[int, set[str]]] = {}
    core = "{" + PDS_NS + "}"
    for el in root.iter(etree.Element):  # elements only
        tag = str(el.tag)
        if tag.startswith(core) or not tag.startswith("{"):
            continue
        ns, _, name = tag[1:].partition("}")
        if ns in _IGNORED_NS:
            continue
        if ns not in used:
            used[ns] = (line_of(el) or 0, set())
        used[ns][1].add(name)
    return used


def _stub_schema(ns: str, names: tuple[str, ...]) -> str:
    # An element declared without a type is xs:anyType: any attributes, any content (lax).
    decls = "".join(f"<xs:element name={quoteattr(n)}/>" for n in names)
    return (
        f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        f'targetNamespace={quoteattr(ns)} elementFormDefault="qualified">{decls}</xs:schema>'
    )


def _version_code(version: str) -> str | None:
    """IM ``1.22.0.0`` → ``1M00``: each part one base-36 digit, as in the schema file names."""
    parts = version.split(".")
    if len(parts) != 4 or not all(p.isdigit() and int(p) < 36 for p in parts):
        return None
    return "".join("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[int(p)] for p in parts)
