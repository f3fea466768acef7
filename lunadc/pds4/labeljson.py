"""A label as JSON, for the PDS API ``pds4+json`` format.

Harvest stores ``json_blob`` made by org.json's ``XML.toJSONObject(xml, keepStrings=true)``.
We keep its shape where it is sound and fix the two places where it loses information:

* An element becomes a key named ``prefix:Local_Name`` with the conventional PDS prefix of
  its namespace (``pds:``, ``geom:``, ...), so the JSON does not depend on the prefixes a
  label happened to bind (org.json keeps the label's own, often none for core elements).
* An element that occurs more than once under the same parent becomes a list, in order.
* A leaf element without attributes becomes its text as a string (values are never turned
  into numbers: ``"1.0"`` stays ``"1.0"``, as with ``keepStrings``); text is stripped.
* Attributes become keys with an ``@`` prefix (``"@unit": "byte"``, ``"@xsi:nil": "true"``)
  and the text of an element that has attributes or children goes under ``"#text"``.
  org.json mixes attributes in with child elements under the bare name and calls the text
  ``content``, which can collide with a child element of that name.
* The root object carries ``@xmlns:<prefix>`` for every namespace used, so prefixes can be
  mapped back to URIs. Comments and processing instructions are dropped.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from lunadc.pds4.xmlutil import Element, conventional_prefix, elements, prefixed_name, split_tag

JSONValue = str | dict[str, Any] | list[Any]
_XML_NS = "http://www.w3.org/XML/1998/namespace"


def label_to_json(tree: etree._ElementTree) -> dict[str, Any]:
    root = tree.getroot()
    body = _convert(root)
    namespaces = _namespaces(root)
    if namespaces:
        if not isinstance(body, dict):
            body = {"#text": body} if body else {}
        body = {**namespaces, **body}
    return {prefixed_name(root): body}


def _convert(el: Element) -> JSONValue:
    attributes = {f"@{_attribute_name(el, str(k))}": str(v) for k, v in el.attrib.items()}
    kids = list(elements(el))
    text = " ".join(t.strip() for t in _texts(el) if t and t.strip())
    if not kids and not attributes:
        return text
    out: dict[str, Any] = dict(attributes)
    repeated = _repeated(kids)
    for kid in kids:
        key = prefixed_name(kid)
        if key in repeated:
            out.setdefault(key, []).append(_convert(kid))
        else:
            out[key] = _convert(kid)
    if text:
        out["#text"] = text
    return out


def _texts(el: Element) -> list[str]:
    """The element's own text and the text between its children (tails), never comments."""
    parts = [el.text or ""]
    parts += [node.tail or "" for node in el]
    return parts


def _repeated(kids: list[Element]) -> set[str]:
    counts: dict[str, int] = {}
    for kid in kids:
        key = prefixed_name(kid)
        counts[key] = counts.get(key, 0) + 1
    return {k for k, n in counts.items() if n > 1}


def _attribute_name(el: Element, name: str) -> str:
    uri, local = split_tag(name)
    if not uri:
        return local
    if uri == _XML_NS:
        return f"xml:{local}"
    return f"{conventional_prefix(uri, _label_prefix(el, uri))}:{local}"


def _namespaces(root: Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name in (el.tag, *el.attrib.keys()):
            uri, _ = split_tag(str(name))
            if uri and uri != _XML_NS:
                found.setdefault(f"@xmlns:{conventional_prefix(uri, _label_prefix(el, uri))}", uri)
    return dict(sorted(found.items()))


def _label_prefix(el: Element, uri: str) -> str | None:
    for prefix, bound in el.nsmap.items():
        if bound == uri and prefix:
            return str(prefix)
    return None
