"""Numbers, sizes and dates per language, from Babel's CLDR data.

Server-side the templates use ``format_number`` and ``format_datetime``; the browser gets
the same CLDR data (``locale_data``) so the numbers and dates it formats match.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from babel import Locale, dates, numbers


@cache
def _locale(name: str) -> Locale:
    return Locale.parse(name)


def format_number(value: float, locale: str) -> str:
    return numbers.format_decimal(value, locale=_locale(locale))


def format_datetime(value: datetime, locale: str) -> str:
    return dates.format_datetime(value, "medium", tzinfo=dates.UTC, locale=_locale(locale))


@cache
def locale_data(locale: str) -> dict[str, Any]:
    """What the browser needs to format like Babel: symbols, patterns, month names."""
    loc = _locale(locale)
    return {
        "decimal": numbers.get_decimal_symbol(loc),
        "group": numbers.get_group_symbol(loc),
        "percent": loc.number_symbols["latn"]["percentSign"],
        "date_pattern": loc.date_formats["medium"].pattern,
        # Mission times are read in UTC on a 24-hour clock in every language.
        "time_pattern": "HH:mm:ss",
        "datetime_pattern": str(loc.datetime_formats["medium"]),
        "months": [loc.months["format"]["abbreviated"][m] for m in range(1, 13)],
    }
