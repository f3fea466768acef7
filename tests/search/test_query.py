"""The q language parser: the reference grammar, its errors with positions, hostile input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lunadc.errors import QuerySyntaxError
from lunadc.search.query import And, Comparison, Not, Or, parse_query


def test_comparisons_groups_and_not() -> None:
    tree = parse_query('(a eq 1 and b like "x*") or not (c GE -2.5)')
    assert tree == Or(
        (
            And((Comparison("a", "eq", "1", True), Comparison("b", "like", "x*"))),
            Not(Comparison("c", "ge", "-2.5", True)),
        )
    )


def test_dotted_names_and_quoted_values() -> None:
    tree = parse_query('pds:Time_Coordinates.pds:start_date_time ge "2020-01-01T00:00:00Z"')
    assert tree == Comparison(
        "pds:Time_Coordinates.pds:start_date_time", "ge", "2020-01-01T00:00:00Z"
    )


def test_blank_is_no_filter() -> None:
    assert parse_query("  ") is None


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("a eq", 4),
        ('a eq "open', 5),
        ("a eq 1 and b eq 2 or c eq 3", 18),
        ("(a eq 1", 7),
        ("a foo 1", 2),
        ("not a eq 1", 4),
        ("a like 3", 7),
        ("a eq 1 )", 7),
        ("a eq 1 ; drop table products", 7),
    ],
)
def test_syntax_errors_say_where(text: str, position: int) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(text)
    assert caught.value.position == position
    assert f"at character {position}" in str(caught.value)


def test_nesting_and_size_are_bounded() -> None:
    with pytest.raises(QuerySyntaxError):
        parse_query("(" * 500 + "a eq 1" + ")" * 500)
    with pytest.raises(QuerySyntaxError):
        parse_query(" or ".join(["a eq 1"] * 300))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='abc ()"eqnotlik0123-.:_ \t', max_size=60))
def test_any_text_parses_or_raises_a_syntax_error(text: str) -> None:
    try:
        parse_query(text)
    except QuerySyntaxError as error:
        assert error.position is not None and 0 <= error.position <= len(text)
