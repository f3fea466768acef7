"""validate_label and check_files: every rejection names its code, file and line."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from lunadc.model.findings import Finding, Severity
from lunadc.model.product import FileEntry, Label
from lunadc.pds4 import check_files, extract_label, parse_xml, validate_label
from lunadc.pds4.schemas import SchemaCatalog
from lunadc.pds4.validate import unsafe_path_reason
from tests.pds4.helpers import DATA, codes, label_xml, line_of, write_product


def run(text: str, catalog: SchemaCatalog) -> tuple[Label, list[Finding]]:
    tree = parse_xml(text.encode(), source="dir/p.xml")
    label, findings = extract_label(tree, source="dir/p.xml")
    findings += validate_label(tree, label, source="dir/p.xml", schemas=catalog)
    return label, findings


def test_the_template_label_is_clean(catalog: SchemaCatalog) -> None:
    _, findings = run(label_xml(), catalog)
    assert findings == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../x.dat", "'..' segment"),
        ("sub/../../x.dat", "'..' segment"),
        ("/etc/passwd", "absolute path"),
        ("C:x.dat", "absolute path"),
        ("..\\x.dat", "backslash"),
        ("sub\\x.dat", "backslash"),
        ("a&#9;b.dat", "control character"),
        ("./x.dat", "'.' segment"),
        ("sub//x.dat", "empty or '.' segment"),
        ("", "empty"),
    ],
)
def test_unsafe_file_names_are_errors(name: str, reason: str, catalog: SchemaCatalog) -> None:
    text = label_xml(file_name=name)
    _, findings = run(text, catalog)
    unsafe = [f for f in findings if f.code == "file.path_unsafe"]
    assert len(unsafe) == 1
    assert unsafe[0].severity is Severity.ERROR
    assert reason in unsafe[0].message
    assert unsafe[0].file == "dir/p.xml"
    assert unsafe[0].line == line_of(text, "<File>")


def test_nul_and_plain_names() -> None:
    assert unsafe_path_reason("a\x00b") == "the file name contains a control character"
    assert unsafe_path_reason("docs/guide.pdf") is None
    assert unsafe_path_reason("x..y.dat") is None  # dots inside a name are fine


def test_duplicate_file_names(catalog: SchemaCatalog) -> None:
    again = (
        "<File_Area_Observational_Supplemental><File><file_name>data.txt</file_name></File>"
        '<Header><offset unit="byte">0</offset><object_length unit="byte">1'
        "</object_length><parsing_standard_id>7-Bit ASCII Text</parsing_standard_id>"
        "</Header></File_Area_Observational_Supplemental>"
    )
    _, findings = run(label_xml(extra_file_areas=again), catalog)
    assert codes(findings) == ["file.duplicate"]
    cased = again.replace("data.txt", "DATA.txt")
    _, findings = run(label_xml(extra_file_areas=cased), catalog)
    assert codes(findings) == ["file.duplicate_case"]
    assert findings[0].severity is Severity.WARNING


def test_bad_lid(catalog: SchemaCatalog) -> None:
    text = label_xml(lid="urn:nasa:pds:Bad Bundle:x")
    _, findings = run(text, catalog)
    assert "label.lid.invalid" in codes(findings)
    bad = next(f for f in findings if f.code == "label.lid.invalid")
    assert bad.line == line_of(text, "<logical_identifier>")
    assert "lower-case" in bad.message


def test_bad_vid(catalog: SchemaCatalog) -> None:
    text = label_xml(vid="1.a")
    _, findings = run(text, catalog)
    bad = [f for f in findings if f.code == "label.vid.invalid"]
    assert len(bad) == 1 and bad[0].line == line_of(text, "<version_id>")


def test_bad_reference(catalog: SchemaCatalog) -> None:
    text = label_xml().replace("mission.lro::1.1", "mission.lro::one")
    _, findings = run(text, catalog)
    bad = [f for f in findings if f.code == "reference.invalid"]
    assert len(bad) == 1 and bad[0].line == line_of(text, "<lidvid_reference>")
    assert set(codes(findings)) == {"reference.invalid", "schema.invalid"}  # the XSD agrees


def test_stop_before_start_is_a_warning(catalog: SchemaCatalog) -> None:
    text = label_xml(start="2019-01-03T02:30:00.5Z", stop="2019-01-03T02:30:00Z")
    _, findings = run(text, catalog)
    assert codes(findings) == ["date.stop_before_start"]
    assert findings[0].severity is Severity.WARNING
    assert findings[0].line == line_of(text, "<stop_date_time>")


def test_leap_second_orders_after_the_minute(catalog: SchemaCatalog) -> None:
    _, findings = run(
        label_xml(start="2016-12-31T23:59:59.9Z", stop="2016-12-31T23:59:60Z"), catalog
    )
    assert findings == []


def test_bad_date_is_reported_once(catalog: SchemaCatalog) -> None:
    _, findings = run(label_xml(stop="2019-13-01"), catalog)
    assert codes(findings, Severity.ERROR).count("date.invalid") == 1


def test_missing_required_element(catalog: SchemaCatalog) -> None:
    start = "<Target_Identification>"
    text = label_xml()
    cut = text[: text.index(start)] + text[text.index("</Target_Identification>") + 24 :]
    _, findings = run(cut, catalog)
    required = [f for f in findings if f.code == "label.required_missing"]
    assert len(required) == 1
    assert "Observation_Area / Target_Identification" in required[0].message
    assert required[0].line == line_of(cut, "<Observation_Area>")
    assert "schema.invalid" in codes(findings)  # the XSD agrees


def test_missing_area_is_reported_once(catalog: SchemaCatalog) -> None:
    text = label_xml()
    cut = text[: text.index("<Observation_Area>")] + text[text.index("</Observation_Area>") + 19 :]
    _, findings = run(cut, catalog)
    required = [f.message for f in findings if f.code == "label.required_missing"]
    assert required == ["Product_Observational needs Observation_Area"]


def test_product_class_must_match_the_root(catalog: SchemaCatalog) -> None:
    text = label_xml().replace(
        "<product_class>Product_Observational<", "<product_class>Product_Browse<"
    )
    _, findings = run(text, catalog)
    assert "label.product_class.mismatch" in codes(findings)


def test_schema_error_for_an_unknown_element(catalog: SchemaCatalog) -> None:
    text = label_xml().replace(
        "<purpose>Science</purpose>", "<purpose>Science</purpose>\n      <flavour>Vanilla</flavour>"
    )
    _, findings = run(text, catalog)
    assert codes(findings) == ["schema.invalid"]
    assert findings[0].line == line_of(text, "<flavour>")
    assert "pds:flavour" in findings[0].message and "{" not in findings[0].message


# -- check_files -----------------------------------------------------------------------------


def files_of(folder: Path, verify: bool = False, **label: object) -> list[Finding]:
    path = write_product(folder, **label)  # type: ignore[arg-type]
    tree = parse_xml(path.read_bytes(), source=str(path))
    parsed, _ = extract_label(tree, source=str(path))
    return check_files(parsed, folder, source=str(path), verify_checksums=verify)


def test_files_that_match_are_fine(tmp_path: Path) -> None:
    assert files_of(tmp_path, verify=True) == []


def test_missing_file(tmp_path: Path) -> None:
    findings = files_of(tmp_path)
    (tmp_path / "data.txt").unlink()
    label_path = tmp_path / "product.xml"
    tree = parse_xml(label_path.read_bytes(), source=str(label_path))
    label, _ = extract_label(tree, source=str(label_path))
    findings = check_files(label, tmp_path, source=str(label_path))
    assert codes(findings) == ["file.missing"]
    assert findings[0].file == str(label_path)
    assert findings[0].line == line_of(label_path.read_text(), "<File>")


def test_case_mismatch_is_reported_clearly(tmp_path: Path) -> None:
    files_of(tmp_path)
    os.rename(tmp_path / "data.txt", tmp_path / "DATA.TXT")
    label_path = tmp_path / "product.xml"
    label, _ = extract_label(parse_xml(label_path.read_bytes(), source="p"), source="p")
    findings = check_files(label, tmp_path, source="p")
    assert codes(findings) == ["file.case_mismatch"]
    assert "'DATA.TXT' differs only in letter case" in findings[0].message


def test_wrong_size(tmp_path: Path) -> None:
    findings = files_of(tmp_path, file_size=len(DATA) + 1)
    assert codes(findings) == ["file.size_mismatch"]
    assert f"is {len(DATA)} bytes, the label says {len(DATA) + 1}" in findings[0].message


def test_wrong_md5_only_when_asked(tmp_path: Path) -> None:
    wrong = hashlib.md5(b"other").hexdigest()
    assert files_of(tmp_path, md5=wrong) == []
    findings = files_of(tmp_path, verify=True, md5=wrong)
    assert codes(findings) == ["file.checksum_mismatch"]
    assert wrong in findings[0].message and hashlib.md5(DATA).hexdigest() in findings[0].message


def test_unsafe_names_are_never_opened(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("x")
    findings = files_of(tmp_path / "label", file_name="../secret.txt")
    assert findings == []  # validate_label reports it; check_files does not touch it


def test_symlink_leading_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_bytes(DATA)
    folder = tmp_path / "label"
    write_product(folder, file_name="link.txt")
    (folder / "link.txt").unlink()
    (folder / "link.txt").symlink_to(outside)
    label, _ = extract_label(
        parse_xml((folder / "product.xml").read_bytes(), source="p"), source="p"
    )
    findings = check_files(label, folder, source="p")
    assert codes(findings) == ["file.path_unsafe"]
    assert "outside the label's folder" in findings[0].message


@pytest.mark.parametrize("target_size", [len(DATA), len(DATA) + 3])
def test_symlink_inside_the_folder_is_checked_by_what_it_leads_to(
    tmp_path: Path, target_size: int
) -> None:
    folder = tmp_path / "label"
    write_product(folder, file_name="link.txt")
    (folder / "link.txt").unlink()
    (folder / "real").mkdir()
    (folder / "real" / "data.bin").write_bytes(DATA[:1] * target_size)
    (folder / "link.txt").symlink_to(folder / "real" / "data.bin")
    label, _ = extract_label(
        parse_xml((folder / "product.xml").read_bytes(), source="p"), source="p"
    )
    findings = check_files(label, folder, source="p")
    # The size compared is the file's, not the link's own (a few bytes of path).
    assert codes(findings) == ([] if target_size == len(DATA) else ["file.size_mismatch"])


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    write_product(tmp_path)
    (tmp_path / "data.txt").unlink()
    (tmp_path / "data.txt").mkdir()
    label, _ = extract_label(
        parse_xml((tmp_path / "product.xml").read_bytes(), source="p"), source="p"
    )
    assert codes(check_files(label, tmp_path, source="p")) == ["file.not_regular"]


def test_files_in_sub_folders(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.pdf").write_bytes(b"%PDF")
    label = Label(
        lid="urn:a:b:c",
        vid="1.0",
        product_class="Product_Document",
        title="t",
        files=(FileEntry("docs/guide.pdf", size=4), FileEntry("docs/none.pdf")),
    )
    findings = check_files(label, tmp_path, source="p")
    assert codes(findings) == ["file.missing"]
    assert "docs/none.pdf" in findings[0].message
