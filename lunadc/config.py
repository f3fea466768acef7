"""Node configuration: ``ROOT/lunadc.toml`` plus ``LUNADC_*`` environment, loaded once, passed down.

Settings are declared here as data. Nothing reads the environment or the file anywhere else.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from lunadc.errors import ConfigError, NotInitialisedError

CONFIG_NAME = "lunadc.toml"
_NODE_ID = re.compile(r"^[a-z0-9][a-z0-9\-]{0,62}$")


def default_schema_catalog() -> Path | None:
    """The PDS4 schema catalog to validate against when the config names none.

    ``LUNADC_SCHEMA_CATALOG`` first, then the ``shared/schemas/pds4/catalog`` folder beside a
    source checkout (how developers and CI run), else none (XSD checks become a warning).
    """
    env = os.environ.get("LUNADC_SCHEMA_CATALOG")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "shared", here / "shared"):
        catalog = candidate / "schemas" / "pds4" / "catalog"
        if catalog.is_dir():
            return catalog
    return None


@dataclass(frozen=True)
class NodeConfig:
    """Everything a node needs to know about itself."""

    root: Path
    node_id: str
    name: str = ""
    contact: str = ""
    db_url: str = ""
    storage_url: str = ""
    schema_catalog: Path | None = None
    max_label_bytes: int = 10 * 1024 * 1024
    host: str = "127.0.0.1"
    port: int = 8700
    base_url: str = ""
    sync_interval_s: float = 60.0
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def resolved_db_url(self) -> str:
        return self.db_url or f"sqlite:///{self.root / 'catalog.sqlite'}"

    @property
    def archive_path(self) -> Path:
        """Where the local blob store keeps its files (``file://`` storage URL or the default)."""
        if self.storage_url.startswith("file://"):
            return Path(self.storage_url.removeprefix("file://"))
        if self.storage_url:
            raise ConfigError(f"unsupported storage URL {self.storage_url!r} (use file://PATH)")
        return self.root / "archive"


def validate_node_id(node_id: str) -> str:
    if not _NODE_ID.match(node_id):
        raise ConfigError(
            f"node id {node_id!r} must be lower-case letters, digits and '-', at most 63 long"
        )
    return node_id


_SCALARS = {f.name for f in fields(NodeConfig)} - {"root", "extra", "schema_catalog"}


def load_config(root: Path, env: Mapping[str, str] | None = None) -> NodeConfig:
    """Read ``ROOT/lunadc.toml``; ``LUNADC_DB_URL`` and friends override single settings."""
    env = os.environ if env is None else env
    path = root / CONFIG_NAME
    if not path.is_file():
        raise NotInitialisedError(
            f"no lunadc node here (run 'lunadc init {root}')", where=str(root)
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the configuration: {exc}", where=str(path)) from exc
    node = dict(raw.get("node", {}))
    values: dict[str, Any] = {}
    for key in _SCALARS:
        if key in node:
            values[key] = node[key]
        env_key = f"LUNADC_{key.upper()}"
        if env_key in env:
            values[key] = env[env_key]
    if "node_id" not in values:
        raise ConfigError("the configuration has no node.node_id", where=str(path))
    catalog = node.get("schema_catalog") or env.get("LUNADC_SCHEMA_CATALOG")
    try:
        config = NodeConfig(
            root=root.resolve(),
            schema_catalog=Path(catalog) if catalog else default_schema_catalog(),
            extra={k: v for k, v in raw.items() if k != "node"},
            **values,
        )
        return replace(
            config,
            port=int(config.port),
            max_label_bytes=int(config.max_label_bytes),
            sync_interval_s=float(config.sync_interval_s),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"invalid setting: {exc}", where=str(path)) from exc


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def write_config(config: NodeConfig) -> Path:
    """Write ``ROOT/lunadc.toml`` (the ``[node]`` table and any extra tables)."""
    lines = ["# lunadc node configuration", "[node]"]
    for key in sorted(_SCALARS):
        value = getattr(config, key)
        if value not in ("", None):
            lines.append(f"{key} = {_toml_value(value)}")
    if config.schema_catalog is not None:
        lines.append(f"schema_catalog = {_toml_value(config.schema_catalog)}")
    for table, entries in config.extra.items():
        lines.append(f"\n[{table}]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in entries.items())
    path = config.root / CONFIG_NAME
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
