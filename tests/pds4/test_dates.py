"""PDS4 date and date-time values normalise to one ISO-8601 UTC form."""

from __future__ import annotations

import pytest

from lunadc.pds4.dates import normalize_date, normalize_datetime


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2019-01-03T02:30:00Z", "2019-01-03T02:30:00Z"),
        ("2019-01-03T02:30:00", "2019-01-03T02:30:00Z"),  # no zone: PDS4 times are UTC
        ("  2019-01-03T02:30:00Z\n", "2019-01-03T02:30:00Z"),
        ("2019-01-03", "2019-01-03T00:00:00Z"),
        ("2019-01-03Z", "2019-01-03T00:00:00Z"),
        ("2019-01", "2019-01-01T00:00:00Z"),
        ("2019", "2019-01-01T00:00:00Z"),
        ("2019Z", "2019-01-01T00:00:00Z"),
        ("2019-01-03T02", "2019-01-03T02:00:00Z"),
        ("2019-01-03T02:30Z", "2019-01-03T02:30:00Z"),
        ("2019-003T02:30:00Z", "2019-01-03T02:30:00Z"),  # day of year
        ("2020-366", "2020-12-31T00:00:00Z"),
        ("2019-01-03T02:30:00.5Z", "2019-01-03T02:30:00.500000Z"),
        ("2019-01-03T02:30:00.123456789Z", "2019-01-03T02:30:00.123456Z"),
        ("2019-01-03T02:30:00.000Z", "2019-01-03T02:30:00Z"),
        ("2019-01-03T02:30:00+05:30", "2019-01-02T21:00:00Z"),
        ("2019-01-03T02:30:00-0100", "2019-01-03T03:30:00Z"),
        ("2016-12-31T23:59:60Z", "2016-12-31T23:59:60Z"),  # leap second kept
        ("2016-12-31T23:59:60.25Z", "2016-12-31T23:59:60.250000Z"),
        ("2017-01-01T00:59:60+01:00", "2016-12-31T23:59:60Z"),
    ],
)
def test_normalize_datetime(given: str, expected: str) -> None:
    assert normalize_datetime(given) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "yesterday",
        "2019-13-01",
        "2019-02-30",
        "2019-366",
        "2019-01-03T25:00:00Z",
        "2019-01-03T02:61:00Z",
        "2019-01-03T12:30:60Z",
        "2019T02",
        "2019-01T02:00",
        "2019-01-03T02:30:00+24:00",
        "19-01-03",
        "2019-01-03 02:30:00",
    ],
)
def test_unreadable_dates_raise_value_error(bad: str) -> None:
    with pytest.raises(ValueError):
        normalize_datetime(bad)


def test_normalize_date_gives_the_utc_calendar_day() -> None:
    assert normalize_date("2024-01-27T22:53:08.112700Z") == "2024-01-27"
    assert normalize_date("2024-01-27T23:30:00-01:00") == "2024-01-28"
    assert normalize_date("2024-02-03") == "2024-02-03"
