"""Registering and reading product versions: the catalog's write path and simple lookups."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, CursorResult, case, func, insert, select, update

from lunadc.catalog.records import NewProduct, ProductRow, StoredFile
from lunadc.catalog.tables import (
    changes,
    ingest_runs,
    product_files,
    products,
)
from lunadc.errors import ImmutableVersionError
from lunadc.model.identifiers import Vid


def find_lidvid(conn: Connection, lidvid: str) -> ProductRow | None:
    row = conn.execute(select(products).where(products.c.lidvid == lidvid)).mappings().first()
    return _row(row) if row else None


def latest_version(conn: Connection, lid: str) -> ProductRow | None:
    row = (
        conn.execute(
            select(products)
            .where(products.c.lid == lid)
            .order_by(products.c.vid_major.desc(), products.c.vid_minor.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return _row(row) if row else None


def get_product(conn: Connection, lid: str, vid: Vid | None) -> ProductRow | None:
    """The product version ``lid::vid``, or the latest version of ``lid`` when ``vid`` is None."""
    if vid is None:
        return latest_version(conn, lid)
    return find_lidvid(conn, f"{lid}::{vid}")


def files_of(conn: Connection, product_id: int) -> list[StoredFile]:
    rows = conn.execute(
        select(product_files)
        .where(product_files.c.product_id == product_id)
        .order_by(product_files.c.role.desc(), product_files.c.path)
    ).mappings()
    return [
        StoredFile(
            path=r["path"],
            role=r["role"],
            size=r["size"],
            md5=r["md5"],
            sha256=r["sha256"],
            blob_key=r["blob_key"],
            creation_time=r["creation_time"],
            records=r["records"],
            mime_type=r["mime_type"],
        )
        for r in rows
    ]


def register(conn: Connection, new: NewProduct) -> int:
    """Register one product version (see ``lunadc.catalog.register.register_batch``).

    Raises ``ImmutableVersionError`` if its LIDVID is already registered.
    """
    from lunadc.catalog.register import register_batch

    (outcome,) = register_batch(conn, [new])
    if outcome.product_id is None:
        raise ImmutableVersionError(f"{new.label.lidvid} is already registered")
    return outcome.product_id


def add_change(conn: Connection, at: str, kind: str, lidvid: str, payload: dict[str, Any]) -> int:
    return _new_id(
        conn.execute(
            insert(changes).values(
                at=at, kind=kind, lidvid=lidvid, payload=json.dumps(payload, ensure_ascii=False)
            )
        )
    )


def product_ids(conn: Connection, lid: str, vid: Vid | None) -> list[int]:
    """The ids of ``lid::vid``, or of every version of ``lid`` when ``vid`` is None."""
    query = select(products.c.id).where(products.c.lid == lid)
    if vid is not None:
        query = query.where(products.c.vid == str(vid))
    return list(conn.execute(query.order_by(products.c.id)).scalars())


def lidvids_of(conn: Connection, ids: Sequence[int]) -> list[str]:
    """The LIDVIDs of these product ids, in the same order."""
    found: dict[int, str] = {}
    for start in range(0, len(ids), 400):
        chunk = list(ids[start : start + 400])
        found.update(
            (int(pid), str(lidvid))
            for pid, lidvid in conn.execute(
                select(products.c.id, products.c.lidvid).where(products.c.id.in_(chunk))
            )
        )
    return [found[i] for i in ids if i in found]


def registered_lidvids(conn: Connection, lidvids: Sequence[str]) -> set[str]:
    """Which of these LIDVIDs are registered."""
    wanted = sorted(set(lidvids))
    found: set[str] = set()
    for start in range(0, len(wanted), 400):
        found.update(
            conn.execute(
                select(products.c.lidvid).where(products.c.lidvid.in_(wanted[start : start + 400]))
            ).scalars()
        )
    return found


def existing_lids(conn: Connection, lids: Iterable[str]) -> set[str]:
    """Which of these LIDs have at least one registered version."""
    wanted = sorted(set(lids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            conn.execute(select(products.c.lid).where(products.c.lid.in_(chunk)).distinct())
            .scalars()
            .all()
        )
    return found


def all_files(conn: Connection) -> list[tuple[str, StoredFile]]:
    """Every (lidvid, file) pair: for consistency checks (fsck, crash tests)."""
    rows = conn.execute(
        select(products.c.lidvid, product_files).join(
            product_files, product_files.c.product_id == products.c.id
        )
    ).mappings()
    return [
        (
            r["lidvid"],
            StoredFile(
                path=r["path"],
                role=r["role"],
                size=r["size"],
                md5=r["md5"],
                sha256=r["sha256"],
                blob_key=r["blob_key"],
            ),
        )
        for r in rows
    ]


def referenced_blob_keys(conn: Connection) -> set[str]:
    return set(conn.execute(select(product_files.c.blob_key).distinct()).scalars())


def counts(conn: Connection) -> dict[str, int]:
    """Catalog size: products (all versions), latest versions, files, bytes."""
    total, latest = conn.execute(
        select(func.count(), func.coalesce(func.sum(case((products.c.is_latest, 1), else_=0)), 0))
    ).one()
    files, size = conn.execute(
        select(func.count(), func.coalesce(func.sum(product_files.c.size), 0))
    ).one()
    return {"products": total, "latest": latest, "files": files, "bytes": int(size)}


def start_ingest_run(conn: Connection, at: str, source: str) -> int:
    return _new_id(
        conn.execute(
            insert(ingest_runs).values(
                started_at=at, ingested=0, unchanged=0, rejected=0, bytes=0, source=source
            )
        )
    )


def finish_ingest_run(
    conn: Connection,
    run_id: int,
    at: str,
    *,
    ingested: int,
    unchanged: int,
    rejected: int,
    size: int,
) -> None:
    conn.execute(
        update(ingest_runs)
        .where(ingest_runs.c.id == run_id)
        .values(
            finished_at=at, ingested=ingested, unchanged=unchanged, rejected=rejected, bytes=size
        )
    )


def _new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None  # an INSERT of one row always has one
    return int(key[0])


def _row(row: Any) -> ProductRow:
    return ProductRow(
        id=row["id"],
        lid=row["lid"],
        vid=row["vid"],
        lidvid=row["lidvid"],
        product_class=row["product_class"],
        title=row["title"],
        description=row["description"],
        im_version=row["im_version"],
        start_time=row["start_time"],
        stop_time=row["stop_time"],
        processing_level=row["processing_level"],
        target=row["target"],
        investigation=row["investigation"],
        instrument=row["instrument"],
        instrument_host=row["instrument_host"],
        properties=orjson.loads(row["properties"]),
        label_sha256=row["label_sha256"],
        home_node=row["home_node"],
        ingested_at=row["ingested_at"],
        is_latest=bool(row["is_latest"]),
        status=row["status"],
        access=row["access"],
        release_at=row["release_at"],
    )
