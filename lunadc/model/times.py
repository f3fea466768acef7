"""Times as lunadc stores them: ISO-8601 UTC text of fixed width, so text order is time order.

``2019-01-03T02:30:00.000000Z``: always six fractional digits and a ``Z``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from lunadc.errors import BadRequestError


def format_time(moment: datetime) -> str:
    """A timezone-aware datetime as canonical text (naive ones are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    """Parse ISO-8601 (date or date-time, ``Z`` or offset, naive = UTC) to an aware datetime."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadRequestError(f"not an ISO-8601 date or time: {text!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def canonical_time(text: str | None) -> str | None:
    """Re-format any ISO-8601 text to the canonical stored form (None stays None).

    A leap second (``:60``) is kept as the last microsecond of the minute before, which keeps
    the order right without inventing a time that does not exist in Python.
    """
    if text is None:
        return None
    value = text.strip()
    if not value:
        return None
    if ":60" in value:
        head, _sep, _rest = value.partition(":60")
        return format_time(parse_time(head + ":59.999999Z"))
    return format_time(parse_time(value))


def now_utc() -> datetime:
    return datetime.now(UTC)
