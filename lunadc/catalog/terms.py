"""The multi-valued search terms of a label: names, context references, member entries."""

from __future__ import annotations

from collections.abc import Sequence

from lunadc.model.product import Label, NamedRef

# Names under which multi-valued search terms are stored (filters and facets use them).
TERM_FIELDS = ("target", "investigation", "instrument", "instrument_host", "discipline")


def terms_of(label: Label) -> list[tuple[str, str]]:
    terms: list[tuple[str, str]] = []
    groups = {
        "target": label.targets,
        "investigation": label.investigations,
        "instrument": label.instruments,
        "instrument_host": label.instrument_hosts,
    }
    for name, refs in groups.items():
        terms.extend((name, ref.name) for ref in refs if ref.name)
        if name == "target":
            terms.extend(("target_type", ref.type) for ref in refs if ref.type)
    terms.extend(("discipline", d) for d in label.disciplines)
    for ref in label.references:
        terms.append((ref.field_name, ref.lid))
        if ref.vid:
            terms.append(
                (ref.field_name.replace("ref_lid_", "ref_lidvid_"), f"{ref.lid}::{ref.vid}")
            )
    for member in label.bundle_members:
        suffix = "" if member.status == "P" else "_secondary"
        terms.append((f"ref_lid_collection{suffix}", member.lid))
        if member.vid:
            terms.append((f"ref_lidvid_collection{suffix}", f"{member.lid}::{member.vid}"))
    return sorted(set(terms))


def first_name(refs: Sequence[NamedRef]) -> str | None:
    return refs[0].name if refs else None
