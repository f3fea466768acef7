"""The ``[ingest]`` table of lunadc.toml: defaults, accepted values, clear refusals."""

from __future__ import annotations

import pytest

from lunadc.errors import ConfigError
from lunadc.ingest.settings import IngestSettings


def test_absent_table_gives_the_defaults() -> None:
    assert IngestSettings.from_config({}) == IngestSettings()


def test_values_are_read() -> None:
    settings = IngestSettings.from_config(
        {"ingest": {"batch_products": 16, "batch_seconds": 2, "workers": 0}}
    )
    assert settings.batch_products == 16
    assert settings.batch_seconds == 2.0
    assert settings.workers == 0


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"batch_products": 0}, "batch_products must be positive"),
        ({"batch_products": 2.5}, "batch_products must be a whole number"),
        ({"batch_seconds": "1"}, "batch_seconds must be a number"),
        ({"workers": -1}, "workers must be positive"),
        ({"workers": True}, "workers must be a whole number"),
        ({"batch": 3}, "unknown setting [ingest] batch"),
    ],
)
def test_bad_values_are_refused(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        IngestSettings.from_config({"ingest": table})


def test_ingest_must_be_a_table() -> None:
    with pytest.raises(ConfigError, match="must be a table"):
        IngestSettings.from_config({"ingest": 3})
