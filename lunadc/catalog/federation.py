"""Federation's SQL for who and what: peers and their keys, grants, sharing rules, feed
cursors. (What travels, the feed and the replicas, is in ``lunadc.catalog.replicas``.)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from lunadc.catalog.tables import (
    fed_cursors,
    fed_grants,
    fed_peers,
    fed_rules,
)
from lunadc.errors import ConflictError, NotFoundError
from lunadc.model.access import Viewer


@dataclass(frozen=True, slots=True)
class PeerRow:
    name: str
    url: str
    public_key: str
    key_id: str
    key_expires_at: str | None
    added_at: str
    removed_at: str | None
    grants: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.removed_at is None


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    peer: str
    mission: str | None
    bundle_lid: str | None
    collection_lid: str | None
    access: tuple[str, ...]  # empty: any level


# --- peers and grants ---------------------------------------------------------------------


def add_peer(
    conn: Connection,
    *,
    name: str,
    url: str,
    public_key: str,
    key_id: str,
    now: str,
    key_expires_at: str | None = None,
) -> None:
    existing = conn.execute(select(fed_peers.c.removed_at).where(fed_peers.c.name == name)).first()
    if existing is not None and existing.removed_at is None:
        raise ConflictError(f"peer {name} already exists (remove it first to change its key)")
    taken = conn.execute(
        select(fed_peers.c.name).where(fed_peers.c.key_id == key_id, fed_peers.c.name != name)
    ).scalar()
    if taken:
        raise ConflictError(f"this key already belongs to peer {taken}")
    values = {
        "url": url.rstrip("/"),
        "public_key": public_key,
        "key_id": key_id,
        "key_expires_at": key_expires_at,
        "added_at": now,
        "removed_at": None,
    }
    if existing is None:
        conn.execute(insert(fed_peers).values(name=name, **values))
    else:
        conn.execute(update(fed_peers).where(fed_peers.c.name == name).values(**values))
    if conn.execute(select(fed_cursors.c.peer).where(fed_cursors.c.peer == name)).first() is None:
        conn.execute(insert(fed_cursors).values(peer=name, last_seq=0, remote_head=0))


def remove_peer(conn: Connection, name: str, now: str) -> None:
    done = conn.execute(
        update(fed_peers)
        .where(fed_peers.c.name == name, fed_peers.c.removed_at.is_(None))
        .values(removed_at=now)
    )
    if not done.rowcount:
        raise NotFoundError(f"no peer {name}")
    conn.execute(delete(fed_grants).where(fed_grants.c.peer == name))


def grant(conn: Connection, name: str, groups: Sequence[str], *, revoke: bool = False) -> None:
    get_peer(conn, name)
    if revoke:
        conn.execute(
            delete(fed_grants).where(
                fed_grants.c.peer == name, fed_grants.c.group_name.in_(list(groups))
            )
        )
        return
    have = set(grants_of(conn, name))
    new = [g for g in dict.fromkeys(groups) if g not in have]
    if new:
        conn.execute(insert(fed_grants), [{"peer": name, "group_name": g} for g in new])


def grants_of(conn: Connection, name: str) -> tuple[str, ...]:
    rows = conn.execute(
        select(fed_grants.c.group_name)
        .where(fed_grants.c.peer == name)
        .order_by(fed_grants.c.group_name)
    ).scalars()
    return tuple(rows)


def _peer(conn: Connection, row: Any) -> PeerRow:
    return PeerRow(
        name=row.name,
        url=row.url,
        public_key=row.public_key,
        key_id=row.key_id,
        key_expires_at=row.key_expires_at,
        added_at=row.added_at,
        removed_at=row.removed_at,
        grants=grants_of(conn, row.name),
    )


def get_peer(conn: Connection, name: str) -> PeerRow:
    row = conn.execute(select(fed_peers).where(fed_peers.c.name == name)).first()
    if row is None or row.removed_at is not None:
        raise NotFoundError(f"no peer {name}")
    return _peer(conn, row)


def peer_by_key_id(conn: Connection, key_id: str) -> PeerRow | None:
    """The active peer signing with ``key_id`` (a removed peer's key is unknown)."""
    row = conn.execute(
        select(fed_peers).where(fed_peers.c.key_id == key_id, fed_peers.c.removed_at.is_(None))
    ).first()
    return _peer(conn, row) if row else None


def list_peers(conn: Connection, *, include_removed: bool = False) -> list[PeerRow]:
    query = select(fed_peers).order_by(fed_peers.c.name)
    if not include_removed:
        query = query.where(fed_peers.c.removed_at.is_(None))
    return [_peer(conn, r) for r in conn.execute(query)]


def peer_viewer(peer: PeerRow) -> Viewer:
    """What a peer node may receive: partner data and the restricted groups granted to it."""
    return Viewer(peer_node=peer.name, partner=True, groups=frozenset(peer.grants))


# --- sharing rules ------------------------------------------------------------------------


def add_rule(
    conn: Connection,
    *,
    peer: str,
    now: str,
    mission: str | None = None,
    bundle_lid: str | None = None,
    collection_lid: str | None = None,
    access: Sequence[str] = (),
) -> int:
    get_peer(conn, peer)
    result = conn.execute(
        insert(fed_rules).values(
            peer=peer,
            mission=mission,
            bundle_lid=bundle_lid,
            collection_lid=collection_lid,
            access=",".join(access) or None,
            created_at=now,
        )
    )
    key = result.inserted_primary_key
    return int(key[0]) if key else 0


def remove_rule(conn: Connection, rule_id: int) -> None:
    if not conn.execute(delete(fed_rules).where(fed_rules.c.id == rule_id)).rowcount:
        raise NotFoundError(f"no rule {rule_id}")


def list_rules(conn: Connection, peer: str | None = None) -> list[Rule]:
    query = select(fed_rules).order_by(fed_rules.c.id)
    if peer is not None:
        query = query.where(fed_rules.c.peer == peer)
    return [
        Rule(
            r.id,
            r.peer,
            r.mission,
            r.bundle_lid,
            r.collection_lid,
            tuple(a for a in (r.access or "").split(",") if a),
        )
        for r in conn.execute(query)
    ]


# --- cursors ------------------------------------------------------------------------------


def cursor(conn: Connection, peer: str) -> Any:
    return conn.execute(select(fed_cursors).where(fed_cursors.c.peer == peer)).first()


def save_cursor(conn: Connection, peer: str, **values: Any) -> None:
    conn.execute(update(fed_cursors).where(fed_cursors.c.peer == peer).values(**values))
