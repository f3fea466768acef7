"""The ``keywords`` free-text search over titles and descriptions (the reference's no-op).

Each keyword is split into words the way ``search_index.words_of`` indexes them; a product
matches when it has every word (``moon crater``: both). A word ending in ``*`` matches as
a prefix (``crat*``), read as a range on the index so it stays an index seek.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, false, select, true

from lunadc.catalog.search_index import words_of
from lunadc.catalog.tables import product_words, products
from lunadc.errors import BadRequestError

MAX_KEYWORD_WORDS = 20


def _terms(keywords: Sequence[str]) -> list[tuple[str, bool]]:
    """(word, is_prefix) pairs; stop words and one-letter words are dropped like in the index."""
    terms: list[tuple[str, bool]] = []
    for keyword in keywords:
        for raw in keyword.split():
            words = words_of([raw.rstrip("*")])
            terms.extend(
                (word, raw.endswith("*") and i == len(words) - 1) for i, word in enumerate(words)
            )
    if len(terms) > MAX_KEYWORD_WORDS:
        raise BadRequestError(f"at most {MAX_KEYWORD_WORDS} keyword words")
    return terms


def keywords_clause(keywords: Sequence[str]) -> ColumnElement[bool]:
    """Products having every keyword word; no usable word at all matches nothing."""
    terms = _terms(keywords)
    if not terms:
        return false() if any(k.strip() for k in keywords) else true()
    parts = []
    for word, prefix in terms:
        if prefix:
            test = and_(product_words.c.word >= word, product_words.c.word < word + "\U0010ffff")
        else:
            test = product_words.c.word == word
        parts.append(products.c.id.in_(select(product_words.c.product_id).where(test)))
    return and_(*parts)
