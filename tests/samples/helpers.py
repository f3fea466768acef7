"""Helpers of the sample generator tests: offline XSD validation, label parsing, tree hash."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

SCHEMA_SITE = "https://pds.nasa.gov/pds4/"
XSI_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"
NS = {
    "pds": "http://pds.nasa.gov/pds4/pds/v1",
    "cart": "http://pds.nasa.gov/pds4/cart/v1",
    "geom": "http://pds.nasa.gov/pds4/geom/v1",
    "disp": "http://pds.nasa.gov/pds4/disp/v1",
}


def catalog() -> Path:
    """The offline schema catalog: $LUNADC_PDS4_CATALOG or shared/ beside the repository."""
    env = os.environ.get("LUNADC_PDS4_CATALOG")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[2]
    return repo.parent / "shared" / "schemas" / "pds4" / "catalog"


class OfflineResolver(etree.Resolver):
    """Maps https://pds.nasa.gov/pds4/<path> to <catalog>/<path>; refuses any other URL."""

    def __init__(self, catalog: Path) -> None:
        super().__init__()
        self.catalog = catalog
        self.used: list[str] = []

    def resolve(  # type: ignore[override]  # lxml passes a context the stubs omit
        self, system_url: str, public_id: str, context: object
    ) -> object:
        self.used.append(system_url)
        if system_url.startswith(SCHEMA_SITE):
            path = self.catalog / system_url[len(SCHEMA_SITE) :]
            if not path.is_file():
                raise FileNotFoundError(f"schema not in the offline catalog: {system_url}")
            return self.resolve_filename(str(path), context)  # type: ignore[attr-defined]
        if "://" in system_url and not system_url.startswith("file:"):
            raise ValueError(f"refusing to fetch {system_url} (tests never use the network)")
        return None


class LabelValidator:
    """Validates a label against exactly the XSDs its xsi:schemaLocation names."""

    def __init__(self, catalog: Path) -> None:
        self.catalog = catalog
        self._schemas: dict[tuple[tuple[str, str], ...], etree.XMLSchema] = {}
        self.resolver = OfflineResolver(catalog)

    def schema(self, locations: tuple[tuple[str, str], ...]) -> etree.XMLSchema:
        if locations not in self._schemas:
            imports = "".join(
                f'<xs:import namespace="{ns}" schemaLocation="{url}"/>' for ns, url in locations
            )
            wrapper = (
                '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
                f'targetNamespace="urn:lunadc:test:wrapper">{imports}</xs:schema>'
            )
            parser = etree.XMLParser(no_network=True, resolve_entities=False)
            parser.resolvers.add(self.resolver)
            doc = etree.fromstring(wrapper.encode(), parser, base_url=self.catalog.as_uri() + "/")
            self._schemas[locations] = etree.XMLSchema(doc)
        return self._schemas[locations]

    def errors(self, label: Path | bytes) -> list[str]:
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        if isinstance(label, bytes):
            doc = etree.fromstring(label, parser).getroottree()
        else:
            doc = etree.parse(str(label), parser)
        words = (doc.getroot().get(XSI_LOCATION) or "").split()
        locations = tuple(zip(words[::2], words[1::2], strict=True))
        assert locations, "label names no schema"
        assert all(url.startswith(SCHEMA_SITE) for _, url in locations), locations
        schema = self.schema(locations)
        if schema.validate(doc):
            return []
        return [f"line {e.line}: {e.message}" for e in schema.error_log]  # type: ignore[attr-defined]


def parse(path: Path) -> etree._ElementTree:
    return etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False))


def tree_digest(root: Path) -> str:
    """SHA-256 over every file's relative path and bytes, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def iter_files(label: etree._ElementTree) -> Iterator[etree._Element]:
    """Every File / Document_File element of a label."""
    yield from label.iterfind(".//pds:File", NS)
    yield from label.iterfind(".//pds:Document_File", NS)
