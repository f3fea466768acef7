"""PDS4 logical identifiers (LID), version identifiers (VID) and their pair (LIDVID).

A LID is ``urn:<agency>:<authority>:<bundle>[:<collection>[:<product>]]`` (context products
use further fields), lower case letters, digits and ``-._``, at most 255 characters.
A VID is ``<major>.<minor>`` with non-negative integers; versions compare numerically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

from lunadc.errors import InvalidIdentifierError

LID_MAX_LENGTH = 255
_LID_FIELD = re.compile(r"^[a-z0-9][a-z0-9._\-]*$")
_VID = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


def parse_lid(text: str) -> str:
    """Return ``text`` as a LID or raise ``InvalidIdentifierError`` saying what is wrong."""
    if len(text) > LID_MAX_LENGTH:
        raise InvalidIdentifierError(f"LID longer than {LID_MAX_LENGTH} characters: {text[:60]}...")
    fields = text.split(":")
    if fields[0] != "urn":
        raise InvalidIdentifierError(f"LID must start with 'urn:': {text!r}")
    if len(fields) < 4:
        raise InvalidIdentifierError(
            f"LID needs at least urn:<agency>:<authority>:<bundle>: {text!r}"
        )
    for field in fields[1:]:
        if not _LID_FIELD.match(field):
            raise InvalidIdentifierError(
                f"LID field {field!r} must be lower-case letters, digits, '-', '.', '_': {text!r}"
            )
    return text


@total_ordering
@dataclass(frozen=True, slots=True)
class Vid:
    """A PDS4 version identifier ``major.minor``; ordered numerically (1.10 > 1.9)."""

    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> Vid:
        match = _VID.match(text)
        if not match:
            raise InvalidIdentifierError(
                f"VID must be <major>.<minor> with whole numbers: {text!r}"
            )
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Vid):
            return NotImplemented
        return (self.major, self.minor) < (other.major, other.minor)


@dataclass(frozen=True, slots=True)
class LidVid:
    """A versioned product identifier ``<lid>::<vid>``."""

    lid: str
    vid: Vid

    @classmethod
    def parse(cls, text: str) -> LidVid:
        lid, sep, vid = text.partition("::")
        if not sep:
            raise InvalidIdentifierError(f"LIDVID must be <lid>::<vid>: {text!r}")
        return cls(parse_lid(lid), Vid.parse(vid))

    def __str__(self) -> str:
        return f"{self.lid}::{self.vid}"


def parse_identifier(text: str) -> tuple[str, Vid | None]:
    """Parse a LID or a LIDVID: ``(lid, vid)`` with ``vid`` None for a bare LID."""
    text = text.strip()
    if "::" in text:
        lidvid = LidVid.parse(text)
        return lidvid.lid, lidvid.vid
    return parse_lid(text), None


def is_under(child_lid: str, parent_lid: str) -> bool:
    """True if ``child_lid`` extends ``parent_lid`` by one or more fields."""
    return child_lid.startswith(parent_lid + ":")
