"""Federation's SQL for what travels: the change-feed queries a peer is answered from, and
the replicas of peers' products kept here (their state, files, failures, removal).

The feed filters with ``visible_clause`` for a peer viewer: the same policy check as every
other read path. Only products whose home is this node are exported.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, case, delete, func, insert, select, update

from lunadc.catalog.products import add_change
from lunadc.catalog.records import NewProduct
from lunadc.catalog.register import register_batch
from lunadc.catalog.tables import (
    changes,
    fed_failures,
    fed_replicas,
    product_files,
    product_groups,
    products,
)
from lunadc.catalog.visibility import visible_clause
from lunadc.errors import ImmutableVersionError
from lunadc.model.access import Viewer

# The sentinel ``register`` stores for a file whose bytes are not here; turned into NULL at
# once, in the same transaction (``register`` wants a key per file, a replica has none yet).
_NO_BLOB = "-"


# --- the change feed (sending side) -------------------------------------------------------


def feed_rows(
    conn: Connection, viewer: Viewer, now: str, after: int, limit: int
) -> tuple[list[Any], int]:
    """Events after ``after`` with their product (if any) and whether ``viewer`` sees it."""
    visible = case((visible_clause(viewer, now), 1), else_=0).label("visible")
    query = (
        select(
            changes.c.seq,
            changes.c.at,
            changes.c.kind,
            changes.c.lidvid,
            changes.c.payload,
            products.c.id.label("product_id"),
            products.c.home_node,
            products.c.access,
            products.c.release_at,
            products.c.label_sha256,
            visible,
        )
        .select_from(changes.outerjoin(products, products.c.lidvid == changes.c.lidvid))
        .where(changes.c.seq > after)
        .order_by(changes.c.seq)
        .limit(limit)
    )
    rows = list(conn.execute(query))
    head = conn.execute(select(func.coalesce(func.max(changes.c.seq), 0))).scalar_one()
    return rows, int(head)


def released_rows(conn: Connection, viewer: Viewer, home: str, since: str, now: str) -> list[Any]:
    """Products whose embargo ended in (since, now]: no event marks that moment."""
    query = select(
        products.c.id.label("product_id"),
        products.c.lidvid,
        products.c.access,
        products.c.release_at,
        products.c.label_sha256,
    ).where(
        products.c.home_node == home,
        products.c.release_at > since,
        products.c.release_at <= now,
        visible_clause(viewer, now),
    )
    return list(conn.execute(query))


def groups_of(conn: Connection, product_ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for start in range(0, len(product_ids), 500):
        rows = conn.execute(
            select(product_groups.c.product_id, product_groups.c.group_name).where(
                product_groups.c.product_id.in_(list(product_ids[start : start + 500]))
            )
        )
        for pid, group in rows:
            found.setdefault(pid, []).append(group)
    return found


def manifests(conn: Connection, product_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Each product's files as a peer needs them to fetch and verify (no blob keys)."""
    found: dict[int, list[dict[str, Any]]] = {}
    for start in range(0, len(product_ids), 500):
        rows = conn.execute(
            select(
                product_files.c.product_id,
                product_files.c.path,
                product_files.c.role,
                product_files.c.size,
                product_files.c.md5,
                product_files.c.sha256,
            )
            .where(product_files.c.product_id.in_(list(product_ids[start : start + 500])))
            .order_by(product_files.c.product_id, product_files.c.path)
        )
        for r in rows:
            found.setdefault(r.product_id, []).append(
                {"path": r.path, "role": r.role, "size": r.size, "md5": r.md5, "sha256": r.sha256}
            )
    return found


def visible_file(
    conn: Connection, viewer: Viewer, now: str, home: str, lidvid: str, path: str
) -> Any:
    """One file of a product homed here that ``viewer`` may see, with its blob key, or None."""
    return conn.execute(
        select(product_files.c.blob_key, product_files.c.size, product_files.c.sha256)
        .join(products, products.c.id == product_files.c.product_id)
        .where(
            products.c.lidvid == lidvid,
            products.c.home_node == home,
            product_files.c.path == path,
            product_files.c.blob_key.is_not(None),
            visible_clause(viewer, now),
        )
    ).first()


def visible_files(
    conn: Connection, viewer: Viewer, now: str, home: str, wanted: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], Any]:
    """``visible_file`` for many (lidvid, path) pairs at once: one query per 500 products,
    not one per file (a batch of small files would otherwise pay a query for each)."""
    lidvids = sorted({lidvid for lidvid, _path in wanted})
    pairs = set(wanted)
    found: dict[tuple[str, str], Any] = {}
    for start in range(0, len(lidvids), 500):
        rows = conn.execute(
            select(
                products.c.lidvid,
                product_files.c.path,
                product_files.c.blob_key,
                product_files.c.size,
                product_files.c.sha256,
            )
            .join(products, products.c.id == product_files.c.product_id)
            .where(
                products.c.lidvid.in_(lidvids[start : start + 500]),
                products.c.home_node == home,
                product_files.c.blob_key.is_not(None),
                visible_clause(viewer, now),
            )
        )
        for row in rows:
            if (row.lidvid, row.path) in pairs:
                found[(row.lidvid, row.path)] = row
    return found


def visible_lidvids(
    conn: Connection, viewer: Viewer, now: str, home: str, lidvids: Sequence[str]
) -> set[str]:
    return set(
        conn.execute(
            select(products.c.lidvid).where(
                products.c.lidvid.in_(list(lidvids)),
                products.c.home_node == home,
                visible_clause(viewer, now),
            )
        ).scalars()
    )


# --- replicas (receiving side) ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewReplica:
    """A peer's product to register here, with its groups and its replica state."""

    product: NewProduct
    state: str


def register_replicas(
    conn: Connection, items: Sequence[NewReplica], *, peer: str, now: str
) -> None:
    """Register a page of a peer's products with only the bytes already here (the labels,
    inventories): one set-based ``register_batch`` and a few statements, not a dozen per
    product. Raises ``ImmutableVersionError`` if one is registered meanwhile."""
    if not items:
        return
    outcomes = register_batch(conn, [i.product for i in items])
    taken = [o.lidvid for o in outcomes if o.product_id is None]
    if taken:
        raise ImmutableVersionError(f"{taken[0]} is already registered")
    ids = [int(o.product_id) for o in outcomes if o.product_id is not None]
    for start in range(0, len(ids), 500):
        conn.execute(
            update(product_files)
            .where(
                product_files.c.product_id.in_(ids[start : start + 500]),
                product_files.c.blob_key == _NO_BLOB,
            )
            .values(blob_key=None)
        )
    rows = {
        i.product.label.lidvid: {
            "lidvid": i.product.label.lidvid,
            "peer": peer,
            "state": i.state,
            "files": len(i.product.files),
            "bytes": sum(f.size for f in i.product.files),
            "updated_at": now,
        }
        for i in items
    }
    lidvids = sorted(rows)
    known: set[str] = set()
    for start in range(0, len(lidvids), 500):
        known.update(
            conn.execute(
                select(fed_replicas.c.lidvid).where(
                    fed_replicas.c.lidvid.in_(lidvids[start : start + 500])
                )
            ).scalars()
        )
    for lidvid in sorted(known):  # rare: a replica removed once and shared again
        values = {k: v for k, v in rows[lidvid].items() if k != "lidvid"}
        conn.execute(update(fed_replicas).where(fed_replicas.c.lidvid == lidvid).values(**values))
    fresh = [{**rows[lv], "attempts": 0} for lv in lidvids if lv not in known]
    if fresh:
        conn.execute(insert(fed_replicas), fresh)


NO_BLOB = _NO_BLOB


def homes_of(conn: Connection, lidvids: Sequence[str]) -> dict[str, str]:
    """The home node of each of these LIDVIDs registered here (absent: not here)."""
    unique = sorted(set(lidvids))
    found: dict[str, str] = {}
    for start in range(0, len(unique), 500):
        found.update(
            conn.execute(
                select(products.c.lidvid, products.c.home_node).where(
                    products.c.lidvid.in_(unique[start : start + 500])
                )
            ).all()
        )
    return found


def replica_state(conn: Connection, lidvid: str) -> Any:
    return conn.execute(select(fed_replicas).where(fed_replicas.c.lidvid == lidvid)).first()


def set_replica_state(
    conn: Connection, lidvid: str, state: str, now: str, *, error: str | None = None
) -> None:
    values: dict[str, Any] = {"state": state, "updated_at": now, "last_error": error}
    if state == "failed":
        values["attempts"] = fed_replicas.c.attempts + 1
    conn.execute(update(fed_replicas).where(fed_replicas.c.lidvid == lidvid).values(**values))


def pending_replicas(conn: Connection, peer: str, limit: int, max_attempts: int) -> list[str]:
    return list(
        conn.execute(
            select(fed_replicas.c.lidvid)
            .where(
                fed_replicas.c.peer == peer,
                fed_replicas.c.state.in_(("queued", "failed")),
                fed_replicas.c.attempts < max_attempts,
            )
            .order_by(fed_replicas.c.updated_at)
            .limit(limit)
        ).scalars()
    )


def replicas_files(conn: Connection, lidvids: Sequence[str]) -> dict[str, list[Any]]:
    """The files of each of these replicas: one query per 500 products."""
    found: dict[str, list[Any]] = {lv: [] for lv in lidvids}
    unique = sorted(found)
    for start in range(0, len(unique), 500):
        rows = conn.execute(
            select(products.c.lidvid, product_files)
            .join(products, products.c.id == product_files.c.product_id)
            .where(products.c.lidvid.in_(unique[start : start + 500]))
            .order_by(products.c.lidvid, product_files.c.path)
        )
        for row in rows:
            found[row.lidvid].append(row)
    return found


def complete_replica(conn: Connection, lidvid: str, keys: dict[str, str], now: str) -> None:
    """Every file of ``lidvid`` verified: make them all available at once."""
    product_id = conn.execute(select(products.c.id).where(products.c.lidvid == lidvid)).scalar()
    if product_id is None:
        return  # removed meanwhile (withdrawn at home)
    conn.execute(
        update(product_files)
        .where(product_files.c.product_id == product_id, product_files.c.path == bindparam("p"))
        .values(blob_key=bindparam("k")),
        [{"p": path, "k": key} for path, key in keys.items()],
    )
    set_replica_state(conn, lidvid, "complete", now)


def record_failure(
    conn: Connection, peer: str, lidvid: str, path: str, reason: str, now: str
) -> None:
    conn.execute(
        insert(fed_failures).values(
            peer=peer, lidvid=lidvid, path=path, reason=reason[:500], at=now
        )
    )


def update_replica_access(
    conn: Connection,
    lidvid: str,
    *,
    access: str,
    release_at: str | None,
    groups: Sequence[str],
    now: str,
) -> bool:
    row = conn.execute(
        select(products.c.id, products.c.home_node).where(products.c.lidvid == lidvid)
    ).first()
    if row is None:
        return False
    conn.execute(
        update(products).where(products.c.id == row.id).values(access=access, release_at=release_at)
    )
    conn.execute(delete(product_groups).where(product_groups.c.product_id == row.id))
    if groups:
        conn.execute(
            insert(product_groups),
            [{"product_id": row.id, "group_name": g} for g in sorted(set(groups))],
        )
    # Recorded locally so that cached counts and facets are recomputed (never exported:
    # the feed only carries products homed here).
    add_change(conn, now, "access_changed", lidvid, {"access": access, "home_node": row.home_node})
    return True


def remove_replica(conn: Connection, lidvid: str, now: str) -> bool:
    """Forget a replica whose home withdrew it or no longer shares it; blobs stay for gc."""
    row = conn.execute(
        select(products.c.id, products.c.lid, products.c.is_latest, products.c.home_node).where(
            products.c.lidvid == lidvid
        )
    ).first()
    if row is None:
        return False
    conn.execute(delete(products).where(products.c.id == row.id))
    if row.is_latest:
        newest = conn.execute(
            select(products.c.id)
            .where(products.c.lid == row.lid)
            .order_by(products.c.vid_major.desc(), products.c.vid_minor.desc())
            .limit(1)
        ).scalar()
        if newest is not None:
            conn.execute(update(products).where(products.c.id == newest).values(is_latest=True))
    set_replica_state(conn, lidvid, "removed", now)
    add_change(conn, now, "withdrawn", lidvid, {"home_node": row.home_node, "replica": True})
    return True


def replicas_of(conn: Connection, peer: str, *, access: str | None = None) -> list[str]:
    query = select(products.c.lidvid).where(products.c.home_node == peer)
    if access is not None:
        query = query.where(products.c.access == access)
    return list(conn.execute(query).scalars())


def payload_of(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def replicas_in_state(conn: Connection, peer: str, state: str) -> list[Any]:
    """(lidvid, lid, investigation, access) of a peer's replicas in ``state``."""
    return list(
        conn.execute(
            select(products.c.lidvid, products.c.lid, products.c.investigation, products.c.access)
            .join(fed_replicas, fed_replicas.c.lidvid == products.c.lidvid)
            .where(fed_replicas.c.peer == peer, fed_replicas.c.state == state)
        )
    )


# --- status -------------------------------------------------------------------------------


def replica_counts(conn: Connection, peer: str) -> dict[str, tuple[int, int]]:
    """For each replica state of ``peer``'s products: (how many, how many bytes)."""
    rows = conn.execute(
        select(fed_replicas.c.state, func.count(), func.coalesce(func.sum(fed_replicas.c.bytes), 0))
        .where(fed_replicas.c.peer == peer)
        .group_by(fed_replicas.c.state)
    )
    return {str(state): (int(n), int(size)) for state, n, size in rows}


def recent_failures(conn: Connection, peer: str, limit: int) -> list[Any]:
    """The newest per-file failures of transfers from ``peer`` (lidvid, path, reason, at)."""
    return list(
        conn.execute(
            select(fed_failures)
            .where(fed_failures.c.peer == peer)
            .order_by(fed_failures.c.id.desc())
            .limit(limit)
        )
    )
