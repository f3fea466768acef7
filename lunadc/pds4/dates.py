"""PDS4 date and date-time values → one ISO-8601 UTC form, ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``.

PDS4 allows reduced precision (``2019``, ``2019-01``, ``2019-01-03``, ``2019-01-03T02``),
day-of-year dates (``2019-003T02:30:00Z``), fractional seconds of any length and leap seconds
(``:60``); labels in the wild also carry numeric offsets. Reduced values are taken at their
start (``2019`` → ``2019-01-01T00:00:00Z``), as harvest does. The fraction is kept to the
microsecond (truncated) and left out when zero.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

_DATE_TIME = re.compile(
    r"""^(?P<year>\d{4})
    (?:-(?:(?P<doy>\d{3})|(?P<month>\d{2})(?:-(?P<day>\d{2}))?))?
    (?:T(?P<hour>\d{2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<frac>\d+))?)?)?)?
    (?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?$""",
    re.VERBOSE,
)


def normalize_datetime(text: str) -> str:
    """Return ``text`` as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` or raise ``ValueError``."""
    value = text.strip()
    match = _DATE_TIME.match(value)
    if not match:
        raise ValueError(f"not a PDS4 date-time: {value[:80]!r}")
    g = match.groupdict()
    if g["hour"] is not None and g["day"] is None and g["doy"] is None:
        raise ValueError(f"a time needs a full date: {value[:80]!r}")
    year = int(g["year"])
    if g["doy"] is not None:
        doy = int(g["doy"])
        start = date(year, 1, 1)
        if not 1 <= doy <= (date(year + 1, 1, 1) - start).days:
            raise ValueError(f"day of year out of range: {value[:80]!r}")
        day = start + timedelta(days=doy - 1)
    else:
        day = date(year, int(g["month"] or 1), int(g["day"] or 1))
    hour, minute = int(g["hour"] or 0), int(g["minute"] or 0)
    second = int(g["second"] or 0)
    # A leap second is 23:59:60 UTC (in local time with an offset, HH:MM:60 at the same
    # instant); Python has no second 60, so compute with :59 and put the 60 back afterwards.
    leap = second == 60
    if second > 60:
        raise ValueError(f"seconds out of range: {value[:80]!r}")
    micro = int((g["frac"] or "0")[:6].ljust(6, "0"))
    zone = g["zone"]
    if (zone is None or zone == "Z") and not leap and day.year >= 1000:
        # Already UTC (nearly every label): the same checks, and the text written directly,
        # without the time zone conversion and strftime (which was a third of the cost).
        datetime(day.year, day.month, day.day, hour, minute, second, micro)
        frac = f".{micro:06d}" if micro else ""
        return (
            f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
            f"T{hour:02d}:{minute:02d}:{second:02d}{frac}Z"
        )
    moment = datetime(
        day.year,
        day.month,
        day.day,
        hour,
        minute,
        59 if leap else second,
        micro,
        tzinfo=_zone(g["zone"]),
    )
    utc = moment.astimezone(UTC)
    if leap and (utc.hour, utc.minute) != (23, 59):
        raise ValueError(f"a leap second can only be 23:59:60 UTC: {value[:80]!r}")
    seconds = "60" if leap else f"{utc.second:02d}"
    frac = f".{utc.microsecond:06d}" if utc.microsecond else ""
    return f"{utc:%Y-%m-%dT%H:%M}:{seconds}{frac}Z"


def normalize_date(text: str) -> str:
    """Return the UTC calendar date ``YYYY-MM-DD`` of a PDS4 date or date-time."""
    return normalize_datetime(text)[:10]


def _zone(zone: str | None) -> timezone:
    # No zone means UTC: PDS4 times are UTC whether or not they carry the "Z".
    if zone is None or zone == "Z":
        return UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"offset out of range: {zone!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
