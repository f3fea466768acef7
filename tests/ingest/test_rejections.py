"""Bad input gets a clear reason naming the file, and leaves nothing stored (one test each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lunadc.ingest.pipeline import ingest
from lunadc.ingest.report import IngestReport
from lunadc.node import Node
from tests.ingest.helpers import assert_nothing_stored, copy_sample

LABEL = "data1.xml"  # orex_otes_binary: declares both file_size and md5_checksum
DATA = "data1.bt"


@pytest.fixture
def orex(tmp_path: Path) -> Path:
    return copy_sample("orex_otes_binary", tmp_path / "in")


def _edit(label: Path, old: str, new: str) -> None:
    text = label.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    label.write_text(text.replace(old, new, 1), encoding="utf-8")


def _rejected_once(report: IngestReport, label: Path, *words: str) -> str:
    assert report.ingested == [] and report.unchanged == []
    assert len(report.rejected) == 1
    rejection = report.rejected[0]
    assert rejection.file == str(label)
    reasons = " | ".join(rejection.reasons)
    assert str(label) in reasons, reasons
    for word in words:
        assert word.lower() in reasons.lower(), reasons
    return reasons


def test_malformed_xml(sqlite_node: Node, orex: Path) -> None:
    _edit(orex / LABEL, "</Product_Observational>", "</Product_Observationa>")
    reasons = _rejected_once(ingest(sqlite_node, [orex / LABEL]), orex / LABEL, "line")
    assert "mismatch" in reasons.lower() or "tag" in reasons.lower()
    assert_nothing_stored(sqlite_node)


def test_entity_expansion_attack(sqlite_node: Node, orex: Path) -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
    )
    text = (orex / LABEL).read_text(encoding="utf-8")
    body = text[text.index("<Product_Observational") :]
    (orex / LABEL).write_text(bomb + body.replace("<title>", "<title>&lol3;", 1), encoding="utf-8")
    _rejected_once(ingest(sqlite_node, [orex / LABEL]), orex / LABEL, "doctype")
    assert_nothing_stored(sqlite_node)


def test_external_entity_attack(sqlite_node: Node, orex: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xxe = f'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
    text = (orex / LABEL).read_text(encoding="utf-8")
    body = text[text.index("<Product_Observational") :]
    (orex / LABEL).write_text(xxe + body.replace("<title>", "<title>&xxe;", 1), encoding="utf-8")
    reasons = _rejected_once(ingest(sqlite_node, [orex / LABEL]), orex / LABEL, "doctype")
    assert "TOP SECRET" not in reasons
    assert_nothing_stored(sqlite_node)


def test_path_traversal_in_file_name(sqlite_node: Node, orex: Path, tmp_path: Path) -> None:
    outside = tmp_path / "in" / "escaped.bt"
    outside.write_bytes((orex / DATA).read_bytes())
    _edit(orex / LABEL, f"<file_name>{DATA}</file_name>", "<file_name>../escaped.bt</file_name>")
    _rejected_once(ingest(sqlite_node, [orex / LABEL]), orex / LABEL, "../escaped.bt")
    assert_nothing_stored(sqlite_node)


def test_wrong_size(sqlite_node: Node, orex: Path) -> None:
    _edit(orex / LABEL, '<file_size unit="byte">216072<', '<file_size unit="byte">216071<')
    _rejected_once(ingest(sqlite_node, [orex / LABEL]), orex / LABEL, DATA, "216071")
    assert_nothing_stored(sqlite_node)


def test_wrong_checksum(sqlite_node: Node, orex: Path) -> None:
    data = bytearray((orex / DATA).read_bytes())
    data[1000] ^= 0xFF  # same size, one flipped byte
    (orex / DATA).write_bytes(bytes(data))
    _rejected_once(ingest(sqlite_node, [orex / LABEL]), orex / LABEL, DATA, "md5")
    assert_nothing_stored(sqlite_node)


def test_missing_file(sqlite_node: Node, orex: Path) -> None:
    (orex / DATA).unlink()
    _rejected_once(ingest(sqlite_node, [orex / LABEL]), orex / LABEL, DATA)
    assert_nothing_stored(sqlite_node)


def test_oversized_label(tmp_path: Path, orex: Path) -> None:
    from dataclasses import replace

    from lunadc.node import init_node

    with init_node(tmp_path / "node", "node-small") as node:
        node.config = replace(node.config, max_label_bytes=4096)
        _rejected_once(ingest(node, [orex / LABEL]), orex / LABEL, "4096")
        assert_nothing_stored(node)


def test_non_utf8_text(sqlite_node: Node, orex: Path) -> None:
    raw = (orex / LABEL).read_bytes().replace(b"<title>", b"<title>caf\xe9 ", 1)
    (orex / LABEL).write_bytes(raw)
    _rejected_once(ingest(sqlite_node, [orex / LABEL]), orex / LABEL, "utf-8")
    assert_nothing_stored(sqlite_node)


def test_duplicate_lidvid_with_other_bytes(sqlite_node: Node, orex: Path) -> None:
    assert ingest(sqlite_node, [orex / LABEL]).ingested
    blobs_before = set(sqlite_node.store.iter_keys())
    _edit(orex / LABEL, "<title>", "<title>Changed ")
    reasons = _rejected_once(
        ingest(sqlite_node, [orex / LABEL]), orex / LABEL, "already registered"
    )
    assert "version" in reasons
    assert set(sqlite_node.store.iter_keys()) == blobs_before


def test_one_bad_product_does_not_stop_the_others(sqlite_node: Node, tmp_path: Path) -> None:
    good = copy_sample("times_table_delimited", tmp_path / "in")
    bad = copy_sample("orex_otes_binary", tmp_path / "in")
    (bad / DATA).unlink()
    report = ingest(sqlite_node, [tmp_path / "in"])
    assert len(report.ingested) == 1 and len(report.rejected) == 1
    assert report.rejected[0].file == str(bad / LABEL)
    assert good.exists()
