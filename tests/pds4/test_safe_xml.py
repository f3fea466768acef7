"""Hostile and broken label bytes are refused with one line saying what and where."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from lunadc.errors import LabelError
from lunadc.pds4.safe_xml import hardened_parser, parse_xml
from lunadc.pds4.xmlutil import line_of
from tests.pds4.helpers import label_xml


def refuse(data: bytes, **kwargs: int) -> str:
    with pytest.raises(LabelError) as caught:
        parse_xml(data, source="in/label.xml", **kwargs)
    message = str(caught.value)
    assert message.startswith("in/label.xml: ")
    assert "\n" not in message
    assert caught.value.where == "in/label.xml"
    return message


def test_a_valid_label_parses_with_source_lines() -> None:
    tree = parse_xml(label_xml().encode(), source="x.xml")
    assert tree.getroot().tag == "{http://pds.nasa.gov/pds4/pds/v1}Product_Observational"
    assert line_of(tree.getroot()[0]) == 5  # Identification_Area


def test_utf8_bom_and_utf8_text_are_fine() -> None:
    data = b"\xef\xbb\xbf" + label_xml(title="Lune \u00e9t\u00e9 \u6708").encode()
    tree = parse_xml(data, source="x.xml")
    assert "\u6708" in etree.tostring(tree, encoding="unicode")


def test_malformed_xml_names_line_and_column() -> None:
    message = refuse(b"<a>\n  <b>\n</a>\n")
    assert "malformed XML at line 3, column" in message
    assert "mismatch" in message


def test_empty_input_is_malformed() -> None:
    assert "malformed XML at line 1" in refuse(b"")


def test_billion_laughs_is_refused_before_expansion() -> None:
    entities = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY l0 "lol">{entities}]>\n<r>&l9;</r>'
    ).encode()
    assert "DOCTYPE declaration at line 2 is not allowed" in refuse(data)


def test_external_entity_does_not_leak_a_local_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]><r>&x;</r>'
    ).encode()
    message = refuse(data)
    assert "DOCTYPE" in message and "TOP-SECRET" not in message


def test_external_parameter_entity_is_refused(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "boom">')
    data = f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{dtd.as_uri()}"> %p;]><r>&leak;</r>'.encode()
    assert "DOCTYPE" in refuse(data)


def test_a_doctype_alone_is_refused_even_after_comments_and_pis() -> None:
    data = b'<?xml version="1.0"?>\n<!-- c -->\n<?pi x?>\n<!DOCTYPE Product_Observational>\n<r/>'
    assert "DOCTYPE declaration at line 4" in refuse(data)


def test_undefined_entity_is_malformed_not_silently_dropped() -> None:
    assert "Entity 'x' not defined" in refuse(b"<r>\n<t>&x;</t></r>")


def test_xinclude_is_never_processed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (
        f'<r xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="{secret.as_uri()}"'
        ' parse="text"/></r>'
    ).encode()
    tree = parse_xml(data, source="x.xml")
    assert b"TOP-SECRET" not in etree.tostring(tree)


def test_oversized_label_is_refused_before_parsing() -> None:
    data = b"<r>" + b"x" * 200 + b"</r>"
    assert "207 bytes, more than the limit of 100 bytes" in refuse(data, max_bytes=100)


def test_default_limit_is_ten_megabytes() -> None:
    data = b"<r>" + b" " * (10 * 1024 * 1024) + b"</r>"
    assert "more than the limit of 10485760 bytes" in refuse(data)


def test_absurd_nesting_is_refused() -> None:
    assert "Excessive depth" in refuse(b"<a>" * 5000 + b"</a>" * 5000)


def test_latin1_declaration_is_refused() -> None:
    data = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<r>caf\u00e9</r>'.encode("latin-1")
    assert "declares encoding 'ISO-8859-1' at line 1; PDS4 labels must be UTF-8" in refuse(data)


def test_invalid_utf8_bytes_give_line_and_offset() -> None:
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n<r>\n  caf\xe9</r>'
    message = refuse(data)
    assert "invalid UTF-8 byte 0xe9 at line 3, column 6 (byte offset 48)" in message


def test_utf16_is_refused() -> None:
    assert "UTF-16" in refuse("<r/>".encode("utf-16"))


def test_hardened_parser_refuses_external_loads(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = f'<!DOCTYPE r SYSTEM "{secret.as_uri()}"><r/>'.encode()
    # Even handed a DTD directly (bypassing parse_xml's DOCTYPE check) nothing is loaded:
    # the deny-all resolver refuses the request loudly.
    with pytest.raises(LabelError, match="external resource refused"):
        etree.fromstring(data, hardened_parser())


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_label_error(data: bytes) -> None:
    try:
        parse_xml(data, source="fuzz.xml", max_bytes=300)
    except LabelError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="<>/?!=\"' &;#x[]abcDOCTYPE-\n\u00e9", max_size=200))
def test_random_xml_like_text_raises_only_label_error(text: str) -> None:
    try:
        parse_xml(text.encode(), source="fuzz.xml")
    except LabelError as exc:
        assert "\n" not in str(exc)
