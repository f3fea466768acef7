"""The PDS Search API ``q`` language: a tokenizer and a recursive-descent parser to an AST.

Grammar (as the reference server's ``Search.g4``, keywords case-insensitive)::

    query      : expression EOF    -- the reference demands a single term here
    term       : comparison | like | group
    group      : NOT? '(' expression ')'
    expression : term ((AND term)+ | (OR term)+)?      -- no mixing AND/OR at one level
    comparison : FIELD (EQ|NE|GT|GE|LT|LE) (NUMBER | STRING)
    like       : FIELD LIKE STRING

The AST is made of frozen value objects; the catalog layer compiles it to SQL. Every syntax
error raises ``QuerySyntaxError`` with the 0-based character position where it went wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from lunadc.errors import QuerySyntaxError

MAX_QUERY_LENGTH = 10_000
MAX_DEPTH = 50  # nesting of groups: bounded so hostile input cannot exhaust the stack
MAX_TERMS = 200  # comparisons in one query: bounded so the SQL stays a reasonable size

Op = Literal["eq", "ne", "gt", "ge", "lt", "le", "like"]
_COMPARISON_OPS = {"eq", "ne", "gt", "ge", "lt", "le"}


@dataclass(frozen=True, slots=True)
class Comparison:
    """``field op value``; ``numeric`` says the literal was a NUMBER, not a quoted string."""

    field: str
    op: Op
    value: str
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class And:
    terms: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    terms: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    term: Node


Node = Comparison | And | Or | Not


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # FIELD STRING NUMBER LPAREN RPAREN OP AND OR NOT EOF
    text: str
    pos: int


_TOKEN = re.compile(
    r"""
    (?P<WS>\s+)
  | (?P<LPAREN>\()
  | (?P<RPAREN>\))
  | (?P<STRING>"[^"\r\n]*")
  | (?P<NUMBER>-?[0-9]+(?:\.[0-9]*)?(?![A-Za-z0-9_.:/]))
  | (?P<WORD>[A-Za-z_][A-Za-z0-9_.:/\-]*)
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and": "AND", "or": "OR", "not": "NOT", **{op: "OP" for op in _COMPARISON_OPS}}
_KEYWORDS["like"] = "OP"


def tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            if text[pos] == '"':
                raise QuerySyntaxError("unterminated string (no closing '\"')", position=pos)
            raise QuerySyntaxError(f"unexpected character {text[pos]!r}", position=pos)
        kind = match.lastgroup or ""
        if kind == "WORD":
            kind = _KEYWORDS.get(match.group().lower(), "FIELD")
        if kind != "WS":
            tokens.append(_Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(_Token("EOF", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.terms = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self, kind: str, what: str) -> _Token:
        token = self.peek()
        if token.kind != kind:
            found = f"{token.text!r}" if token.kind != "EOF" else "the end of the query"
            raise QuerySyntaxError(f"expected {what}, found {found}", position=token.pos)
        self.index += 1
        return token

    def query(self) -> Node:
        # Lenient beyond the reference grammar: a top-level ``a eq 1 and b eq 2`` needs no
        # parentheses (users write it that way; the meaning is unambiguous).
        node = self.expression(0)
        token = self.peek()
        if token.kind != "EOF":
            hint = " (use parentheses to combine terms)" if token.kind in ("AND", "OR") else ""
            raise QuerySyntaxError(f"unexpected {token.text!r}{hint}", position=token.pos)
        return node

    def term(self, depth: int) -> Node:
        token = self.peek()
        if token.kind in ("NOT", "LPAREN"):
            return self.group(depth)
        return self.comparison()

    def group(self, depth: int) -> Node:
        if depth >= MAX_DEPTH:
            raise QuerySyntaxError("too deeply nested", position=self.peek().pos)
        negate = self.peek().kind == "NOT"
        if negate:
            self.index += 1
        self.take("LPAREN", "'('" if negate else "a field name, 'not' or '('")
        inner = self.expression(depth + 1)
        self.take("RPAREN", "')' or 'and'/'or'")
        return Not(inner) if negate else inner

    def expression(self, depth: int) -> Node:
        first = self.term(depth)
        joiner = self.peek()
        if joiner.kind not in ("AND", "OR"):
            return first
        terms = [first]
        while self.peek().kind in ("AND", "OR"):
            token = self.peek()
            if token.kind != joiner.kind:
                raise QuerySyntaxError(
                    "'and' and 'or' cannot be mixed without parentheses", position=token.pos
                )
            self.index += 1
            terms.append(self.term(depth))
        return And(tuple(terms)) if joiner.kind == "AND" else Or(tuple(terms))

    def comparison(self) -> Node:
        field = self.take("FIELD", "a field name, 'not' or '('")
        op = self.take("OP", "an operator (eq ne gt ge lt le like)")
        name = op.text.lower()
        value = self.peek()
        if value.kind == "STRING":
            self.index += 1
            literal, numeric = value.text[1:-1], False
        elif value.kind == "NUMBER" and name != "like":
            self.index += 1
            literal, numeric = value.text, True
        else:
            what = "a quoted string" if name == "like" else "a quoted string or a number"
            self.take("STRING", what)
            raise AssertionError("unreachable")  # pragma: no cover
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QuerySyntaxError(f"more than {MAX_TERMS} comparisons", position=field.pos)
        return Comparison(field.text, name, literal, numeric)  # type: ignore[arg-type]


def parse_query(text: str) -> Node | None:
    """Parse a ``q`` string to its AST; an empty or blank string is no filter (None)."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"query longer than {MAX_QUERY_LENGTH} characters", position=0)
    if not text.strip():
        return None
    return _Parser(tokenize(text)).query()


def fields_of(node: Node) -> set[str]:
    """Every field name the query compares (for validation and caching)."""
    if isinstance(node, Comparison):
        return {node.field}
    if isinstance(node, Not):
        return fields_of(node.term)
    return set().union(*(fields_of(t) for t in node.terms))
