"""Parsing untrusted label bytes: the only place lunadc turns bytes into an XML tree.

Labels come from producers and peers we do not control. PDS4 never needs a DTD, so any
DOCTYPE is refused outright: that closes entity expansion (billion laughs), external entities
(XXE) and external parameter entities in one step, and fails loudly instead of silently
dropping entities the way a merely "hardened" parser would (federation notes §5.3).
The parser itself is also locked down in case some other path ever hands it a DTD.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from lunadc.errors import LabelError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # the limit harvest uses for labels

_UTF8_BOM = b"\xef\xbb\xbf"
# The XML declaration, if any, is the very first thing in the document.
_DECL = re.compile(rb"^<\?xml\s[^>]*?\?>")
_ENCODING = re.compile(rb"""\sencoding\s*=\s*["']([^"']*)["']""")
# What may come before the root element: whitespace, comments, processing instructions.
_PROLOG_ITEM = re.compile(rb"\s+|<!--.*?-->|<\?.*?\?>", re.DOTALL)
_LIBXML_WHERE = re.compile(r",?\s*line \d+, column \d+\s*$")


class DenyAllResolver(etree.Resolver):
    """Refuses every external resource a parser might ask for (never file, never network)."""

    # lxml calls resolve() with a context argument that lxml-stubs do not know about.
    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:  # type: ignore[override]
        raise LabelError(f"external resource refused: {system_url[:200]}")


def hardened_parser(resolver: etree.Resolver | None = None) -> etree.XMLParser:
    """A new lxml parser that loads nothing from outside and expands no entities.

    Parsers keep state and are not safe to share between threads, so callers make one per
    parse (it is cheap). ``resolver`` replaces the deny-all resolver, e.g. the schema catalog's
    offline resolver. XInclude is never processed: lxml only does it on ``tree.xinclude()``,
    which lunadc never calls.
    """
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        recover=False,
        remove_blank_text=False,
        collect_ids=False,
    )
    parser.resolvers.add(resolver if resolver is not None else DenyAllResolver())
    return parser


def parse_xml(
    data: bytes, *, source: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> etree._ElementTree:
    """Parse label bytes into a tree, or raise ``LabelError`` saying what and where.

    Refused: more than ``max_bytes``; any DOCTYPE; an encoding other than UTF-8 (declared or
    actual); anything that is not well-formed XML. Error messages are one line.
    """
    if len(data) > max_bytes:
        raise LabelError(
            f"label is {len(data)} bytes, more than the limit of {max_bytes} bytes", where=source
        )
    body = data[len(_UTF8_BOM) :] if data.startswith(_UTF8_BOM) else data
    _check_encoding(body, source)
    _check_no_doctype(body, source)
    try:
        root = etree.fromstring(body, hardened_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, exc.offset)
        raise LabelError(
            f"malformed XML at line {line}, column {column}: {_clean(exc.msg)}", where=source
        ) from None
    except (etree.LxmlError, ValueError) as exc:  # e.g. a resolver refusal, odd input
        raise LabelError(f"unreadable XML: {_clean(str(exc))}", where=source) from None
    tree = root.getroottree()
    # Belt and braces: the prolog scan above should already have refused any DOCTYPE.
    if getattr(tree.docinfo, "doctype", ""):
        raise LabelError("DOCTYPE declarations are not allowed in PDS4 labels", where=source)
    return tree


def _check_encoding(body: bytes, source: str) -> None:
    if body.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00")):
        raise LabelError(
            "label is UTF-16 or UTF-32 encoded; PDS4 labels must be UTF-8", where=source
        )
    decl = _DECL.match(body)
    if decl:
        enc = _ENCODING.search(decl.group(0))
        if enc and enc.group(1).strip().lower() not in (b"utf-8", b"utf8"):
            name = enc.group(1).decode("ascii", "replace")
            raise LabelError(
                f"label declares encoding {name!r} at line 1; PDS4 labels must be UTF-8",
                where=source,
            )
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        column = exc.start - (body.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LabelError(
            f"invalid UTF-8 byte 0x{body[exc.start]:02x} at line {line}, column {column} "
            f"(byte offset {exc.start}); PDS4 labels must be UTF-8",
            where=source,
        ) from None


def _check_no_doctype(body: bytes, source: str) -> None:
    """Refuse a DOCTYPE before libxml2 ever sees it (it can only stand in the prolog)."""
    pos = 0
    decl = _DECL.match(body)
    if decl:
        pos = decl.end()
    while True:
        item = _PROLOG_ITEM.match(body, pos)
        if not item or item.end() == pos:
            break
        pos = item.end()
    if body[pos : pos + 9].upper() == b"<!DOCTYPE":
        line = body.count(b"\n", 0, pos) + 1
        raise LabelError(
            f"DOCTYPE declaration at line {line} is not allowed in PDS4 labels "
            "(no DTDs or entities are ever loaded)",
            where=source,
        )


def _clean(message: str) -> str:
    """libxml2 messages repeat the position and may span lines; keep one clean line."""
    return _LIBXML_WHERE.sub("", " ".join(message.split())) or "syntax error"
