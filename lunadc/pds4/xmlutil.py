"""Small helpers for walking PDS4 labels by namespace URI and local name.

Labels may bind any prefix (or none) to any namespace, so nothing here looks at the prefixes
a label chose: elements are matched on ``{namespace URI}local_name`` and named in output with
the conventional PDS prefix derived from the URI (``.../pds4/geom/v1`` → ``geom``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from lxml import etree

PDS_NS = "http://pds.nasa.gov/pds4/pds/v1"
CART_NS = "http://pds.nasa.gov/pds4/cart/v1"
GEOM_NS = "http://pds.nasa.gov/pds4/geom/v1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

Element = etree._Element

# PDS namespace URIs end in ".../<dictionary>/v<major>"; mission dictionaries sit one level
# deeper (".../mission/lro/v1"), which the same pattern covers.
_PDS_URI = re.compile(r"^https?://pds\.nasa\.gov/pds4/(?:[a-z0-9_]+/)*([a-z0-9_]+)/v\d+$")


@lru_cache(maxsize=256)
def conventional_prefix(uri: str, fallback: str | None = None) -> str:
    """The PDS prefix for a namespace URI, independent of the label's own prefix choice.

    URIs outside pds.nasa.gov have no convention: the label's prefix (``fallback``) is used,
    else a name made from the URI so the result is still a usable, stable token.
    """
    match = _PDS_URI.match(uri)
    if match:
        return match.group(1)
    if fallback:
        return fallback
    tokens = [t for t in re.split(r"[^a-z0-9]+", uri.lower()) if t and not re.fullmatch(r"v\d+", t)]
    return tokens[-1] if tokens else "ns"


def split_tag(tag: str) -> tuple[str, str]:
    """``{uri}name`` → ``(uri, name)``; a tag without namespace gives ``("", name)``."""
    if tag.startswith("{"):
        uri, _, name = tag[1:].partition("}")
        return uri, name
    return "", tag


def line_of(el: Element | None) -> int | None:
    """The source line of an element (typed wrapper: lxml-stubs leave ``sourceline`` untyped)."""
    value: object = el.sourceline if el is not None else None
    return value if isinstance(value, int) else None


def local_name(el: Element) -> str:
    return split_tag(str(el.tag))[1]


def namespace(el: Element) -> str:
    return split_tag(str(el.tag))[0]


def prefixed_name(el: Element) -> str:
    """``geom:Pixel_Intercept`` with the conventional prefix of the element's namespace."""
    return prefixed_tag(str(el.tag), el.prefix)


@lru_cache(maxsize=4096)
def prefixed_tag(tag: str, prefix: str | None) -> str:
    """``prefixed_name`` from a tag and the label's prefix for it (memoised: a label repeats
    a few hundred tags, and every label of a mission repeats the same ones)."""
    uri, name = split_tag(tag)
    if not uri:
        return name
    return f"{conventional_prefix(uri, prefix)}:{name}"


def qname(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def elements(el: Element) -> Iterator[Element]:
    """The element children of ``el`` (comments and PIs skipped)."""
    for child in el:
        if isinstance(child.tag, str):
            yield child


def children(el: Element, name: str, ns: str = PDS_NS) -> list[Element]:
    return list(el.iterchildren(qname(ns, name)))


def child(el: Element | None, name: str, ns: str = PDS_NS) -> Element | None:
    # iterchildren with a tag runs in C; ``find`` goes through ElementPath in Python and
    # costs ten times more, which adds up over the ~100 look-ups of a label.
    if el is None:
        return None
    return next(el.iterchildren(f"{{{ns}}}{name}"), None)


def descendants(el: Element, name: str, ns: str = PDS_NS) -> list[Element]:
    return list(el.iter(qname(ns, name)))


def norm(text: str | None) -> str:
    """Collapse runs of whitespace to one space and strip, as harvest does for text values."""
    if not text:
        return ""
    # str.split() splits on exactly the characters ``\s`` matches, and is faster.
    return " ".join(text.split())


def text_of(el: Element | None) -> str:
    """Whitespace-normalised text of an element (its direct text; labels never mix content)."""
    if el is None:
        return ""
    if len(el) == 0:  # a leaf (no child of any kind): its text is all there is
        text = el.text
        # ``norm`` inline: this runs for nearly every element of every label.
        return " ".join(text.split()) if text else ""
    return norm("".join(t for t in el.itertext() if isinstance(t, str)))


def child_text(el: Element | None, name: str, ns: str = PDS_NS) -> str:
    return text_of(child(el, name, ns))


_NIL = f"{{{XSI_NS}}}nil"


def is_nil(el: Element) -> bool:
    value = el.get(_NIL)
    return value is not None and value.strip().lower() in ("true", "1")


def xpath_of(el: Element) -> str:
    """A readable XPath with conventional prefixes, e.g. ``/pds:Product_Observational/...``.

    A position ``[n]`` is added only where siblings share the name, to keep paths short.
    """
    steps: list[str] = []
    node: Element | None = el
    while node is not None:
        step = prefixed_name(node)
        parent = node.getparent()
        if parent is not None:
            same = [c for c in parent.iterchildren(node.tag)]
            if len(same) > 1:
                step += f"[{same.index(node) + 1}]"
        steps.append(step)
        node = parent
    return "/" + "/".join(reversed(steps))
