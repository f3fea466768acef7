"""What a label contributes to search, from the label alone: its multi-valued terms (names,
context references, member entries), its keyword words, and its ready-made product row.

Pure functions of a ``Label`` (no SQL, nothing heavier than the standard library to import):
an ingest computes them in its worker processes, so the single catalog writer does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import orjson

from lunadc.catalog.records import LabelRows
from lunadc.model.identifiers import Vid
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


MAX_WORD = 64
MAX_WORDS_PER_PRODUCT = 400
_WORD = re.compile(r"\w+", re.UNICODE)
# Words too common to narrow a search; dropping them keeps the index small.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "with",
        "which",
    ]
)


def words_of(texts: Iterable[str | None]) -> list[str]:
    """The distinct lower-case words of ``texts`` as the keyword index stores them."""
    seen: dict[str, None] = {}
    for text in texts:
        # findall: the words as strings, without a match object each (half the time).
        for found in _WORD.findall(text.lower()) if text else ():
            word = found[:MAX_WORD]
            if len(word) > 1 and word not in STOPWORDS:
                seen.setdefault(word, None)
                if len(seen) >= MAX_WORDS_PER_PRODUCT:
                    return list(seen)
    return list(seen)


def label_rows(label: Label) -> LabelRows:
    """The catalog values that depend on the label alone, in ``LABEL_COLUMNS`` order."""
    vid = Vid.parse(label.vid)
    product = (
        label.lid,
        label.vid,
        vid.major,
        vid.minor,
        label.lidvid,
        label.product_class,
        label.title,
        label.description,
        label.information_model_version,
        label.start_date_time,
        label.stop_date_time,
        label.processing_level,
        first_name(label.targets),
        first_name(label.investigations),
        first_name(label.instruments),
        first_name(label.instrument_hosts),
        # Tuples are written as JSON arrays: the same text as from lists, without copying.
        # orjson: 1.8 against 22 us a label with the standard library.
        orjson.dumps(label.properties).decode(),
    )
    words = words_of([label.title, label.description, *label.properties.get("description", ())])
    return LabelRows(product=product, terms=tuple(terms_of(label)), words=tuple(words))
