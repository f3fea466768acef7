"""How an ingest groups its work: the ``[ingest]`` table of ``lunadc.toml``.

``batch_products`` products (or ``batch_bytes`` of data, or whatever was staged within
``batch_seconds``) are made durable with one file-system barrier and registered in one
catalog transaction. Bigger batches amortise the barrier and the per-statement cost; the time
bound keeps progress durable and visible every so often on a slow or huge ingest.
``workers`` processes read and validate labels (0: one per CPU, at most 4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from lunadc.errors import ConfigError


@dataclass(frozen=True, slots=True)
class IngestSettings:
    batch_products: int = 500
    batch_bytes: int = 256 * 1024 * 1024
    batch_seconds: float = 1.0
    workers: int = 0

    @classmethod
    def from_config(cls, extra: Mapping[str, Any]) -> IngestSettings:
        """Read the ``[ingest]`` table (absent: the defaults); a bad value is a ConfigError."""
        table = extra.get("ingest", {})
        if not isinstance(table, Mapping):
            raise ConfigError("[ingest] must be a table")
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in known:
                raise ConfigError(f"unknown setting [ingest] {key}")
            whole = key != "batch_seconds"
            kinds = (int,) if whole else (int, float)
            if isinstance(value, bool) or not isinstance(value, kinds):
                what = "a whole number" if whole else "a number"
                raise ConfigError(f"[ingest] {key} must be {what}, not {value!r}")
            if value < 0 or (value == 0 and key != "workers"):
                raise ConfigError(f"[ingest] {key} must be positive, not {value!r}")
            values[key] = value if whole else float(value)
        return cls(**values)
