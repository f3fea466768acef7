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

from lunadc.model.product import Member, Reference, reference_kind
from lunadc.pds4.xmlutil import Element, elements, is_nil, prefixed_name, text_of


def leaf_properties(root: Element) -> dict[str, list[str]]:
    props: dict[str, list[str]] = {}
    for el in root.iter():
        if not isinstance(el.tag, str) or next(elements(el), None) is not None:
            continue
        parent = el.getparent()
        if parent is None or is_nil(el):
            continue
        value = text_of(el)
        if value:  # harvest skips empty elements
            key = f"{prefixed_name(parent)}.{prefixed_name(el)}"
            props.setdefault(key, []).append(value)
    return props


def descriptions(root: Element) -> list[str]:
    """Every non-empty ``description`` leaf of any namespace, for full-text search."""
    out = []
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.endswith("}description"):
            text = text_of(el)
            if text and next(elements(el), None) is None:
                out.append(text)
    return out


def harvest_properties(
    root: Element,
    *,
    lid: str,
    vid: str,
    title: str,
    product_class: str,
    references: tuple[Reference, ...],
    bundle_members: tuple[Member, ...],
) -> dict[str, tuple[str, ...]]:
    props = leaf_properties(root)
    own = {
        "lid": [lid] if lid else [],
        "vid": [vid] if vid else [],
        "lidvid": [f"{lid}::{vid}"] if lid and vid else [],
        "title": [title] if title else [],
        "product_class": [product_class] if product_class else [],
        "description": descriptions(root),
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
