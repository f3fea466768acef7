"""Compiling a parsed ``q`` query (``lunadc.search.query``) to a SQLAlchemy WHERE clause.

Semantics, chosen to match what PDS users get from the reference server:
- a multi-valued property matches when ANY of its values matches (``ne``: when none does,
  so a product without the property matches ``ne``, like OpenSearch's ``must_not``);
- names (title, target, mission, ...) compare without regard to case, identifiers exactly;
- times are compared as instants: the literal is normalised like the stored times, so
  ``start_time ge "2020-01-01"`` works whatever the stored precision;
- a NUMBER literal compares numerically (values that are not numbers never match);
- ``like`` takes ``*`` and ``?`` wildcards; without any it means "contains".
Every literal is a bound parameter: nothing from the query is pasted into SQL text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, and_, func, not_, or_, true, tuple_

from lunadc.catalog import fields
from lunadc.catalog.tables import products
from lunadc.errors import BadRequestError, InvalidIdentifierError
from lunadc.model.identifiers import Vid
from lunadc.model.times import canonical_time
from lunadc.search.query import And, Comparison, Not, Or
from lunadc.search.query import Node as QueryNode

Predicate = Callable[[Any], ColumnElement[bool]]


def compile_query(node: QueryNode | None, dialect: str) -> ColumnElement[bool]:
    """The WHERE clause for a parsed query (``true`` for no query)."""
    if node is None:
        return true()
    if isinstance(node, And):
        return _conjunction(node, dialect)
    if isinstance(node, Or):
        return or_(*(compile_query(t, dialect) for t in node.terms))
    if isinstance(node, Not):
        return not_(compile_query(node.term, dialect))
    return _comparison(node, dialect)


def _conjunction(node: And, dialect: str) -> ColumnElement[bool]:
    """AND of the terms; a start-time range is folded into a name match beside it.

    ``mission eq "X" and start_time ge A and start_time lt B`` is the commonest search: the
    terms index holds (name, value, start time), so the name match reads only the products
    in the range. Terms carry exactly their product's start time, so the range then need
    not be tested on ``products`` again, which lets a narrow index answer the rest.
    """
    ranges = [
        t
        for t in node.terms
        if isinstance(t, Comparison)
        and t.op in ("eq", "gt", "ge", "lt", "le")
        and fields.resolve(t.field) is fields.START_TIME
    ]
    matches = [t for t in node.terms if isinstance(t, Comparison) and is_term_match(t)]
    if not ranges or not matches:
        return and_(*(compile_query(t, dialect) for t in node.terms))
    start_tests = [_start_test(t) for t in ranges]
    parts = []
    for term in node.terms:
        if term in matches:
            term_field = fields.resolve(term.field)
            assert term_field.term is not None
            parts.append(fields.term_in(term_field.term, term.value.lower(), start_tests))
        elif term not in ranges:
            parts.append(compile_query(term, dialect))
    return and_(*parts)


def _start_test(c: Comparison) -> Predicate:
    literal = time_literal(c.value)
    return lambda v: _compare(v, c.op, literal)


def is_term_match(c: Comparison) -> bool:
    """A case-insensitive ``eq`` on a term field: what ``term_in`` answers."""
    return c.op == "eq" and not c.numeric and fields.resolve(c.field).kind == "term"


def like_pattern(value: str) -> str:
    """A q ``like`` value (``*``/``?`` wildcards) as a LIKE pattern with ``\\`` as escape."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if "*" not in value and "?" not in value:
        return f"%{escaped}%"
    return escaped.replace("*", "%").replace("?", "_")


_PARTIAL_DATE = re.compile(r"^\s*([0-9]{4})(?:-([0-9]{2}))?\s*$")


def time_literal(value: str) -> str:
    """A time literal in the stored form; a bare year or year-month means its first instant."""
    partial = _PARTIAL_DATE.match(value)
    if partial:
        value = f"{partial.group(1)}-{partial.group(2) or '01'}-01"
    try:
        result = canonical_time(value)
    except (BadRequestError, ValueError, OverflowError) as exc:
        raise BadRequestError(f"not an ISO-8601 time: {value[:60]!r}") from exc
    if result is None:
        raise BadRequestError("an empty time")
    return result


def _number(value: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise BadRequestError(f"number out of range: {value[:40]}")
    return number


def _predicate(field: fields.Field, c: Comparison, dialect: str) -> Predicate:
    """How one value expression is tested; ``ne`` is built by the caller from ``eq``."""
    op = "eq" if c.op == "ne" else c.op
    if op == "like":
        pattern = like_pattern(c.value)
        return lambda v: v.ilike(pattern, escape="\\")
    if c.numeric and not field.is_time:
        number = _number(c.value)
        return lambda v: _compare(fields.as_number(dialect, v), op, number)
    literal: str = time_literal(c.value) if field.is_time else c.value
    if op == "eq" and not field.case_sensitive:
        lowered = literal.lower()
        return lambda v: func.lower(v) == lowered
    return lambda v: _compare(v, op, literal)


def _compare(v: Any, op: str, literal: Any) -> ColumnElement[bool]:
    result: ColumnElement[bool]
    if op == "eq":
        result = v == literal
    elif op == "gt":
        result = v > literal
    elif op == "ge":
        result = v >= literal
    elif op == "lt":
        result = v < literal
    else:
        result = v <= literal
    return result


def _vid_comparison(c: Comparison) -> ColumnElement[bool]:
    try:
        vid = Vid.parse(c.value.strip())
    except InvalidIdentifierError as exc:
        raise BadRequestError(f"not a version id: {c.value[:40]!r}") from exc
    pair = tuple_(products.c.vid_major, products.c.vid_minor)
    if c.op == "like":
        return products.c.vid.ilike(like_pattern(c.value), escape="\\")
    if c.op == "ne":
        return not_(pair == (vid.major, vid.minor))
    return _compare(pair, c.op, (vid.major, vid.minor))


def _comparison(c: Comparison, dialect: str) -> ColumnElement[bool]:
    field = fields.resolve(c.field)
    if field.kind == "vid":
        return _vid_comparison(c)
    test = _predicate(field, c, dialect)
    matched: ColumnElement[bool]
    if field.kind == "column":
        col = fields.column(field)
        matched = test(col)
        if c.op == "ne":
            return or_(col.is_(None), not_(matched)) if col.nullable else not_(matched)
        return matched
    if field.kind == "term" and c.op in ("eq", "ne") and not c.numeric:  # see is_term_match
        # An index range on (name, lower(value)): cheap however many products match.
        assert field.term is not None
        matched = fields.term_in(field.term, c.value.lower())
    elif field.kind == "term":
        assert field.term is not None
        matched = fields.term_exists(field.term, test)
    else:
        matched = fields.json_exists(dialect, field.name, test)
    return not_(matched) if c.op == "ne" else matched
