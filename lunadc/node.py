"""The node object: one node's configuration, catalog, blob store and clock, passed explicitly."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from lunadc.catalog.db import is_current, open_engine, upgrade
from lunadc.config import (
    CONFIG_NAME,
    NodeConfig,
    default_schema_catalog,
    load_config,
    validate_node_id,
    write_config,
)
from lunadc.errors import ConfigError
from lunadc.federation.identity import create_identity
from lunadc.model.times import now_utc
from lunadc.pds4.schemas import SchemaCatalog
from lunadc.storage.local import LocalBlobStore

Clock = Callable[[], datetime]


@dataclass
class Node:
    """A running node's parts. Create with ``Node.open`` or ``init_node``; close when done."""

    config: NodeConfig
    engine: Engine
    store: LocalBlobStore
    schemas: SchemaCatalog
    clock: Clock = now_utc
    hash_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="hash")
    )

    @classmethod
    def open(cls, root: Path, *, clock: Clock = now_utc, migrate: bool = True) -> Node:
        """Open the node at ``root``: load its config, bring the catalog schema up to date."""
        config = load_config(root)
        return cls.from_config(config, clock=clock, migrate=migrate)

    @classmethod
    def from_config(
        cls, config: NodeConfig, *, clock: Clock = now_utc, migrate: bool = True
    ) -> Node:
        engine = open_engine(config.resolved_db_url)
        if migrate:
            upgrade(engine)
        elif not is_current(engine):
            raise ConfigError("the catalog schema is out of date (run any lunadc write command)")
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hash")
        store = LocalBlobStore(config.archive_path, hash_pool=pool)
        store.create()
        # Bytes a crashed writer left half-written are garbage: remove them now.
        store.clean_partial()
        return cls(
            config=config,
            engine=engine,
            store=store,
            schemas=SchemaCatalog(config.schema_catalog),
            clock=clock,
            hash_pool=pool,
        )

    @property
    def node_id(self) -> str:
        return self.config.node_id

    def close(self) -> None:
        self.hash_pool.shutdown(wait=True)
        self.engine.dispose()

    def __enter__(self) -> Node:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def init_node(
    root: Path,
    node_id: str,
    *,
    db_url: str = "",
    storage_url: str = "",
    name: str = "",
    schema_catalog: Path | None = None,
) -> Node:
    """Create a new node at ``root``: its config file, catalog and archive."""
    validate_node_id(node_id)
    if (root / CONFIG_NAME).exists():
        raise ConfigError("a node already exists here", where=str(root))
    created = not root.exists()
    root.mkdir(parents=True, exist_ok=True)
    config = NodeConfig(
        root=root.resolve(),
        node_id=node_id,
        name=name or node_id,
        db_url=db_url,
        storage_url=storage_url,
        schema_catalog=schema_catalog,
    )
    try:
        node = Node.from_config(
            replace(config, schema_catalog=schema_catalog or default_schema_catalog())
        )
        # The node's Ed25519 identity, which its peers trust (``lunadc node show``).
        create_identity(config.root)
        write_config(config)
    except BaseException:
        # Leave nothing half-made behind: a failed init is as if it never ran.
        if created:
            shutil.rmtree(root, ignore_errors=True)
        raise
    return node
