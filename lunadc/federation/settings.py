"""The ``[federation]`` table of lunadc.toml, read once into a frozen value.

```toml
[node]
sync_interval_s = 60          # the background sync loop of ``lunadc serve`` (0: off)

[federation]
parallel_transfers = 4        # downloads from one peer at a time
max_fetch_mb_s = 0            # cap per large download, MB/s (0: no cap)
search_deadline_s = 3.0       # how long federated search waits for peers
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lunadc.config import NodeConfig
from lunadc.errors import ConfigError


@dataclass(frozen=True, slots=True)
class FederationSettings:
    parallel_transfers: int = 4
    max_fetch_mb_s: float = 0.0
    search_deadline_s: float = 3.0


_BOUNDS: dict[str, tuple[float, float]] = {
    "parallel_transfers": (1, 64),
    "max_fetch_mb_s": (0, 1e6),
    "search_deadline_s": (0.1, 60),
}


def federation_settings(config: NodeConfig) -> FederationSettings:
    """The settings, or ``ConfigError`` naming the bad one."""
    raw = config.extra.get("federation", {})
    if not isinstance(raw, dict):
        raise ConfigError("[federation] must be a table", where=str(config.root))
    unknown = sorted(set(raw) - set(_BOUNDS))
    if unknown:
        raise ConfigError(
            f"unknown [federation] setting(s): {', '.join(unknown)}", where=str(config.root)
        )
    values: dict[str, Any] = {}
    for name, (low, high) in _BOUNDS.items():
        if name not in raw:
            continue
        kind = int if name == "parallel_transfers" else float
        try:
            value = kind(raw[name])
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"[federation] {name} must be a number", where=str(config.root)
            ) from exc
        if not low <= value <= high:
            raise ConfigError(
                f"[federation] {name} must be between {low:g} and {high:g}", where=str(config.root)
            )
        values[name] = value
    return FederationSettings(**values)
