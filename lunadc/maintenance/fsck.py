"""Compare the catalog with the blob store: every registered file present and intact.

A problem is *lost* (registered, absent), *corrupt* (present, other bytes); a blob that no
product references is *unreferenced* (left by an ingest that died between storing and
registering; harmless).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lunadc.catalog import products as catalog
from lunadc.errors import NotFoundError
from lunadc.node import Node
from lunadc.storage.base import copy_and_hash


@dataclass
class FsckResult:
    files_checked: int = 0
    problems: list[str] = field(default_factory=list)
    unreferenced: int = 0


def check_archive(node: Node, *, verify_checksums: bool = True) -> FsckResult:
    result = FsckResult()
    with node.engine.connect() as conn:
        registered = catalog.all_files(conn)
    verified: dict[str, bool] = {}
    for lidvid, stored in registered:
        if stored.blob_key is None:
            continue  # metadata of a peer's file whose bytes are not replicated here
        result.files_checked += 1
        if stored.blob_key in verified:
            ok = verified[stored.blob_key]
        else:
            ok = _blob_ok(node, stored.blob_key, stored.size, stored.sha256, verify_checksums)
            verified[stored.blob_key] = ok
        if not ok:
            result.problems.append(
                f"{lidvid}: {stored.path} is lost or corrupt ({stored.blob_key})"
            )
    referenced = {stored.blob_key for _lidvid, stored in registered}
    result.unreferenced = sum(1 for key in node.store.iter_keys() if key not in referenced)
    return result


def _blob_ok(node: Node, key: str, size: int, sha256: str, verify: bool) -> bool:
    try:
        if node.store.size(key) != size:
            return False
        if not verify:
            return True
        with node.store.open(key) as handle:
            return copy_and_hash(handle, None).sha256 == sha256
    except NotFoundError:
        return False
