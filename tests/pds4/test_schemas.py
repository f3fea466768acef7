"""XSD validation against the offline catalog: missing dictionaries, caching, no network."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from lunadc.errors import ConfigError
from lunadc.model.findings import Finding, Severity
from lunadc.pds4 import parse_xml
from lunadc.pds4.schema_errors import MAX_SCHEMA_FINDINGS
from lunadc.pds4.schemas import SchemaCatalog
from tests.pds4.helpers import CATALOG, CORE_NS, CORE_XSD, codes, label_xml, line_of

GEOM_NS = "http://pds.nasa.gov/pds4/geom/v1"
GEOM_XSD = "https://pds.nasa.gov/pds4/geom/v1/PDS4_GEOM_1L00_1970.xsd"
CART_NS = "http://pds.nasa.gov/pds4/cart/v1"


def validate(catalog: SchemaCatalog, text: str) -> list[Finding]:
    return catalog.validate(parse_xml(text.encode(), source="s.xml"), source="s.xml")


def test_not_configured_is_one_warning() -> None:
    findings = SchemaCatalog(None).validate(parse_xml(b"<r/>", source="s.xml"), source="s.xml")
    assert [(f.code, f.severity, f.message) for f in findings] == [
        (
            "schema.not_configured",
            Severity.WARNING,
            "schema catalog not configured; XML Schema checks skipped",
        )
    ]


def test_catalog_must_be_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        SchemaCatalog(tmp_path / "nothing")


def test_urls_map_into_the_catalog_only(catalog: SchemaCatalog) -> None:
    assert catalog.resolve_url(CORE_XSD) == CATALOG / "pds/v1/PDS4_PDS_1L00.xsd"
    assert catalog.resolve_url(CORE_XSD.replace("https:", "http:")) is not None
    old_form = "http://pds.nasa.gov/pds4/schema/released/pds/v1/PDS4_PDS_1101.xsd"
    assert catalog.resolve_url(old_form) == CATALOG / "pds/v1/PDS4_PDS_1101.xsd"
    assert catalog.resolve_url("https://pds.nasa.gov/pds4/../../etc/passwd") is None
    assert catalog.resolve_url("https://pds.nasa.gov/pds4/pds/v1/../../../x.xsd") is None
    assert catalog.resolve_url("https://example.org/pds4/pds/v1/PDS4_PDS_1L00.xsd") is None
    assert catalog.resolve_url("file:///etc/passwd") is None


def test_dictionary_elements_are_checked(catalog: SchemaCatalog) -> None:
    ns = f'xmlns:geom="{GEOM_NS}"'
    text = label_xml(
        extra_ns=ns,
        schema_location=f"{CORE_NS} {CORE_XSD} {GEOM_NS} {GEOM_XSD}",
        discipline="<geom:Geometry>\n<geom:Bogus/></geom:Geometry>",
    )
    findings = validate(catalog, text)
    assert codes(findings) == ["schema.invalid"]
    assert findings[0].line == line_of(text, "<geom:Bogus/>")
    assert "geom:Bogus" in findings[0].message


def test_element_from_another_dictionary_version_is_a_warning(catalog: SchemaCatalog) -> None:
    disp_ns = "http://pds.nasa.gov/pds4/disp/v1"
    old_disp = "http://pds.nasa.gov/pds4/disp/v1/PDS4_DISP_1004.xsd"
    settings = (
        "<disp:Display_Settings>\n<disp:Local_Internal_Reference>"
        "<disp:local_identifier_reference>x</disp:local_identifier_reference>"
        "</disp:Local_Internal_Reference></disp:Display_Settings>"
    )
    text = label_xml(
        extra_ns=f'xmlns:disp="{disp_ns}"',
        schema_location=f"{CORE_NS} {CORE_XSD} {disp_ns} {old_disp}",
        discipline=settings,
    )
    findings = validate(catalog, text)
    assert codes(findings) == ["schema.dictionary_version"]
    assert findings[0].severity is Severity.WARNING
    assert findings[0].line == line_of(text, "<disp:Display_Settings>")
    assert "PDS4_DISP_1004.xsd" in findings[0].message
    # A name no disp version declares is still an error.
    bogus = text.replace("Display_Settings", "Display_Setings")
    assert codes(validate(catalog, bogus)) == ["schema.invalid"]


MISSING_DISC = "<cart:Cartography><cart:anything>1</cart:anything></cart:Cartography>"


def test_missing_dictionary_is_a_warning_and_the_rest_is_still_checked(
    catalog: SchemaCatalog,
) -> None:
    ns = f'xmlns:cart="{CART_NS}"'
    missing = "https://pds.nasa.gov/pds4/cart/v1/PDS4_CART_9Z99_9999.xsd"
    text = label_xml(
        extra_ns=ns,
        schema_location=f"{CORE_NS} {CORE_XSD} {CART_NS} {missing}",
        discipline=MISSING_DISC,
    )
    findings = validate(catalog, text)
    assert codes(findings) == ["schema.missing_dictionary"]
    assert findings[0].severity is Severity.WARNING
    assert missing in findings[0].message
    assert findings[0].line == line_of(text, "<cart:Cartography>")
    # A core mistake elsewhere in the same label is still found.
    broken = text.replace("<purpose>Science</purpose>", "<purpose>Science</purpose><oops/>")
    assert codes(validate(catalog, broken)) == ["schema.missing_dictionary", "schema.invalid"]


def test_namespace_used_without_any_schema_named(catalog: SchemaCatalog) -> None:
    text = label_xml(extra_ns=f'xmlns:cart="{CART_NS}"', discipline=MISSING_DISC)
    findings = validate(catalog, text)
    assert codes(findings) == ["schema.missing_dictionary"]
    assert "names no schema for it" in findings[0].message


def test_namespace_declared_below_the_root_without_a_schema_is_reported(
    catalog: SchemaCatalog,
) -> None:
    declared = f'<cart:Cartography xmlns:cart="{CART_NS}">'
    nested = MISSING_DISC.replace("<cart:Cartography>", declared)
    findings = validate(catalog, label_xml(discipline=nested))
    assert codes(findings) == ["schema.missing_dictionary"]
    # Declared below the root but not used: nothing to report.
    unused = label_xml().replace("<purpose>", f'<purpose xmlns:cart="{CART_NS}">')
    assert f'xmlns:cart="{CART_NS}"' in unused
    assert codes(validate(catalog, unused)) == []


def test_schema_location_outside_pds_is_never_loaded(
    tmp_path: Path, catalog: SchemaCatalog
) -> None:
    xsd = tmp_path / "evil.xsd"
    xsd.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'targetNamespace="urn:evil" elementFormDefault="qualified">'
        '<xs:element name="x" type="xs:int"/></xs:schema>'
    )
    text = label_xml(
        extra_ns='xmlns:e="urn:evil"',
        schema_location=f"{CORE_NS} {CORE_XSD} urn:evil {xsd.as_uri()}",
        discipline="<e:x>not an int</e:x>",
    )
    findings = validate(catalog, text)
    # Had the file been loaded, "not an int" would be a schema.invalid error.
    assert codes(findings) == ["schema.missing_dictionary"]


def test_malformed_schema_location_is_recovered(catalog: SchemaCatalog) -> None:
    ns = f'xmlns:geom="{GEOM_NS}"'
    text = label_xml(
        extra_ns=ns,
        schema_location=f"{CORE_NS} {CORE_XSD} {GEOM_XSD}",
        discipline="<geom:Geometry><geom:Bogus/></geom:Geometry>",
    )
    findings = validate(catalog, text)
    # The namespace was read from the schema file, so geom is really checked.
    assert codes(findings) == ["schema.location_malformed", "schema.invalid"]


def test_missing_core_schema(catalog: SchemaCatalog) -> None:
    text = label_xml(
        schema_location=f"{CORE_NS} https://pds.nasa.gov/pds4/pds/v1/PDS4_PDS_9Z00.xsd"
    )
    findings = validate(catalog, text)
    assert codes(findings) == ["schema.missing_core"]


def test_core_inferred_from_information_model_version(catalog: SchemaCatalog) -> None:
    findings = validate(catalog, label_xml(schema_location=""))
    assert codes(findings) == ["schema.location_missing"]
    assert "PDS4_PDS_1L00.xsd" in findings[0].message
    text = label_xml(schema_location="").replace("<purpose>", "<oops/><purpose>")
    assert codes(validate(catalog, text)) == ["schema.location_missing", "schema.invalid"]
    odd = label_xml(schema_location="").replace("1.21.0.0", "one")
    assert codes(validate(catalog, odd)) == ["schema.location_missing"]


def test_dictionaries_that_do_not_fit_fall_back_to_the_core(catalog: SchemaCatalog) -> None:
    # A geom dictionary built for IM 1.21 needs core types that IM 1.0 does not have.
    old_core = "https://pds.nasa.gov/pds4/pds/v1/PDS4_PDS_1000.xsd"
    text = label_xml(
        extra_ns=f'xmlns:geom="{GEOM_NS}"',
        schema_location=f"{CORE_NS} {old_core} {GEOM_NS} {GEOM_XSD}",
        discipline="<geom:Geometry/>",
    )
    findings = validate(catalog, text)
    assert codes(findings)[0] == "schema.unusable"
    assert findings[0].severity is Severity.WARNING
    assert "core schema only" in findings[0].message
    # ... and the core check still runs: this IM 1.21 label is not valid IM 1.0.
    assert set(codes(findings)[1:]) == {"schema.invalid"}


def test_many_errors_are_capped(catalog: SchemaCatalog) -> None:
    junk = "".join(f"<junk{i}/>" for i in range(MAX_SCHEMA_FINDINGS + 50))
    text = label_xml().replace("<purpose>", junk + "<purpose>")
    findings = validate(catalog, text)
    assert len(findings) <= MAX_SCHEMA_FINDINGS + 1


def test_each_schema_set_is_compiled_once() -> None:
    fresh = SchemaCatalog(CATALOG)
    tree = parse_xml(label_xml().encode(), source="s.xml")
    fresh.validate(tree, source="s.xml")
    fresh.validate(tree, source="s.xml")
    assert len(fresh._cache) == 1
    ns = f'xmlns:geom="{GEOM_NS}"'
    other = label_xml(extra_ns=ns, schema_location=f"{CORE_NS} {CORE_XSD} {GEOM_NS} {GEOM_XSD}")
    fresh.validate(parse_xml(other.encode(), source="s.xml"), source="s.xml")
    assert len(fresh._cache) == 2


def test_concurrent_validations_keep_their_own_errors() -> None:
    fresh = SchemaCatalog(CATALOG)
    good = parse_xml(label_xml().encode(), source="good.xml")
    bad_text = label_xml().replace("<purpose>", "<oops/><purpose>")
    bad = parse_xml(bad_text.encode(), source="bad.xml")
    problems: list[str] = []

    def work(n: int) -> None:
        for _ in range(30):
            if n % 2:
                if fresh.validate(good, source="good.xml"):
                    problems.append("good label got findings")
            elif codes(fresh.validate(bad, source="bad.xml")) != ["schema.invalid"]:
                problems.append("bad label lost or gained findings")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    assert len(fresh._cache) == 1
