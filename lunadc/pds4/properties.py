"""The harvest-style property map of a label: what the PDS Search API can filter on.

Every leaf element becomes ``{prefix}:{ParentClass}.{prefix}:{element}`` (harvest writes
``/`` between the two; the PDS Search API and lunadc use ``.``), e.g.
``pds:Time_Coordinates.pds:start_date_time``, with its whitespace-normalised text,
multi-valued in document order (empty and ``xsi:nil`` elements are skipped). Prefixes
are the conventional ones for each namespace URI, so two labels that bind different prefixes
produce the same keys. On top come the fields harvest adds itself (``lid``, ``vid``,
``lidvid``, ``title``, ``product_class``, ``description`` and ``ref_lid_*``/``ref_lidvid_*``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from lunadc.model.product import Member, Reference, reference_kind
from lunadc.pds4.xmlutil import PDS_NS, Element, is_nil, prefixed_tag, text_of


def leaf_properties(root: Element) -> dict[str, list[str]]:
    return walk_elements(root).props


def descriptions(root: Element) -> list[str]:
    """Every non-empty ``description`` leaf of any namespace, for full-text search."""
    return walk_elements(root).texts


@dataclass(frozen=True, slots=True)
class Walked:
    """What one pass over a label's elements collects for the label's fields."""

    props: dict[str, list[str]]  # the leaf properties (see the module doc)
    texts: list[str]  # the descriptions
    # Elements outside the core named ``...pixel_...``: the candidates for the resolution
    # (``geometry``), found in this pass instead of a second walk over every element.
    pixel_named: list[Element]


_CORE = "{" + PDS_NS + "}"


def walk_elements(root: Element) -> Walked:
    """The leaf properties, the descriptions and the ``pixel_`` elements, in one pass."""
    props: dict[str, list[str]] = {}
    texts: list[str] = []
    pixel_named: list[Element] = []
    for el in root.iter(etree.Element):  # elements only: no comments or PIs
        tag = str(el.tag)
        if "pixel_" in tag and not tag.startswith(_CORE):
            pixel_named.append(el)
        if len(el) and next(el.iterchildren(etree.Element), None) is not None:
            continue  # not a leaf
        parent = el.getparent()
        if parent is None:
            continue
        value = text_of(el)
        if not value or is_nil(el):  # harvest skips empty and nil elements
            continue
        key = _key(str(parent.tag), parent.prefix, tag, el.prefix)
        props.setdefault(key, []).append(value)
        if tag.endswith("}description"):
            texts.append(value)
    return Walked(props, texts, pixel_named)


@lru_cache(maxsize=4096)
def _key(parent_tag: str, parent_prefix: str | None, tag: str, prefix: str | None) -> str:
    return f"{prefixed_tag(parent_tag, parent_prefix)}.{prefixed_tag(tag, prefix)}"


def harvest_properties(
    root: Element,
    *,
    walked: Walked | None = None,
    lid: str,
    vid: str,
    title: str,
    product_class: str,
    references: tuple[Reference, ...],
    bundle_members: tuple[Member, ...],
) -> dict[str, tuple[str, ...]]:
    found = walked if walked is not None else walk_elements(root)
    props, texts = found.props, found.texts
    own = {
        "lid": [lid] if lid else [],
        "vid": [vid] if vid else [],
        "lidvid": [f"{lid}::{vid}"] if lid and vid else [],
        "title": [title] if title else [],
        "product_class": [product_class] if product_class else [],
        "description": texts,
    }
    for key, values in own.items():
        if values:
            props[key] = values
    refs: dict[str, list[str]] = {}
    for ref in references:
        if ref.reference_type:  # without a type there is no field to put it in
            _add_ref(refs, reference_kind(ref.reference_type), ref.lid, ref.vid)
    for member in bundle_members:
        kind = "collection" if member.status == "P" else "collection_secondary"
        _add_ref(refs, kind, member.lid, member.vid)
    props.update(refs)
    return {key: tuple(values) for key, values in props.items()}


def _add_ref(refs: dict[str, list[str]], kind: str, lid: str, vid: str | None) -> None:
    # A LIDVID reference also lands in the LID field, so "everything about X" finds it.
    lids = refs.setdefault(f"ref_lid_{kind}", [])
    if lid not in lids:
        lids.append(lid)
    if vid:
        lidvids = refs.setdefault(f"ref_lidvid_{kind}", [])
        if f"{lid}::{vid}" not in lidvids:
            lidvids.append(f"{lid}::{vid}")
