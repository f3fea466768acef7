"""The ``keywords`` free-text search over titles and descriptions (the reference's no-op).

Each keyword is split into words the way ``search_index.words_of`` indexes them; a product
matches when it has every word (``moon crater``: both). A word ending in ``*`` matches as
a prefix (``crat*``), read as a range on the index so it stays an index seek.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, and_, exists, false, func, select, true

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


def _word_test(words: Any, word: str, prefix: bool) -> ColumnElement[bool]:
    if prefix:
        return and_(words.c.word >= word, words.c.word < word + "\U0010ffff")
    return cast(ColumnElement[bool], words.c.word == word)


def keywords_clause(keywords: Sequence[str], *, probe: bool = False) -> ColumnElement[bool]:
    """Products having every keyword word; no usable word at all matches nothing.

    Two equivalent forms for two plans. By default the postings of each word are the set the
    query starts from (``id IN (postings)``): best when a word is rare. With ``probe`` each
    row that the sort order reaches is checked against the postings (``EXISTS``), so a page
    of a common word reads the sort index and stops after ``limit`` matches, instead of
    fetching and sorting every product that has the word. ``prefer_probe`` chooses.
    """
    terms = _terms(keywords)
    if not terms:
        return false() if any(k.strip() for k in keywords) else true()
    parts: list[ColumnElement[bool]] = []
    for word, prefix in terms:
        if probe:
            w = product_words.alias("kw")
            test = and_(w.c.product_id == products.c.id, _word_test(w, word, prefix))
            parts.append(exists(select(w.c.product_id).where(test)))
        else:
            postings = select(product_words.c.product_id).where(
                _word_test(product_words, word, prefix)
            )
            parts.append(products.c.id.in_(postings))
    return and_(*parts)


def prefer_probe(conn: Connection, keywords: Sequence[str], limit: int) -> bool:
    """Whether a page is cheaper read in sort order, probing each row's words.

    With ``n`` postings for the rarest word among ``total`` products, reading in sort order
    visits about ``limit * total / n`` rows before it has a page; starting from the postings
    costs ``n`` lookups and a sort. So probe when ``n * n > limit * total``. Postings are
    counted only up to that bound, so asking stays cheap however common a word is.
    """
    terms = _terms(keywords)
    if not terms or limit <= 0:
        return False
    total = int(conn.execute(select(func.coalesce(func.max(products.c.id), 0))).scalar_one())
    bound = math.isqrt(limit * total) + 1
    for word, prefix in terms:
        capped = (
            select(product_words.c.product_id)
            .where(_word_test(product_words, word, prefix))
            .limit(bound)
            .subquery()
        )
        if int(conn.execute(select(func.count()).select_from(capped)).scalar_one()) < bound:
            return False
    return True
