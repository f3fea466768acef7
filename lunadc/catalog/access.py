"""Access of products: set explicitly, inherited from a bundle or collection, cascaded down.

A product's access is *explicit* when it was given for that product (ingest flags, a policy
file, ``lunadc access set``, or its home node for a replica); otherwise it follows the
parents that list it (collections, bundles) and is public when none does. When several
parents list one product, the most restrictive one wins: a product is never shown more
widely than one of its parents intends. A change of a parent flows down to every member
that does not say otherwise, and each change is an ``access_changed`` event in the feed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, insert, or_, select, update

from lunadc.catalog.tables import changes, product_groups, product_members, products
from lunadc.model.access import Access

_STRICTNESS = {Access.PUBLIC.value: 0, Access.PARTNER.value: 1, Access.RESTRICTED.value: 2}
_MAX_DEPTH = 4  # bundle → collection → product, and a little slack; guards against cycles
_CHUNK = 400


@dataclass(frozen=True, slots=True)
class AccessSetting:
    access: str
    groups: frozenset[str] = frozenset()
    release_at: str | None = None

    def __post_init__(self) -> None:
        if self.access not in _STRICTNESS:
            raise ValueError(f"unknown access level {self.access!r}")


PUBLIC = AccessSetting(Access.PUBLIC.value)


def strictest(settings: Iterable[AccessSetting]) -> AccessSetting | None:
    """The most restrictive setting; among equals, the one released last (or never)."""
    ordered = sorted(
        settings,
        key=lambda s: (
            _STRICTNESS[s.access],
            s.release_at is None,
            s.release_at or "",
            sorted(s.groups),
        ),
    )
    return ordered[-1] if ordered else None


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def settings_of(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[AccessSetting, bool]]:
    """Each product's current setting and whether it is explicit."""
    groups: dict[int, set[str]] = defaultdict(set)
    rows: list[Any] = []
    for chunk in _chunks(sorted(set(ids))):
        rows.extend(
            conn.execute(
                select(
                    products.c.id,
                    products.c.access,
                    products.c.release_at,
                    products.c.access_explicit,
                ).where(products.c.id.in_(chunk))
            ).all()
        )
        for pid, name in conn.execute(
            select(product_groups.c.product_id, product_groups.c.group_name).where(
                product_groups.c.product_id.in_(chunk)
            )
        ):
            groups[pid].add(name)
    return {
        r.id: (
            AccessSetting(r.access, frozenset(groups[r.id]), r.release_at),
            bool(r.access_explicit),
        )
        for r in rows
    }


def parent_ids(
    conn: Connection, members: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], set[int]]:
    """For each (lid, vid), the registered products whose member lists name it."""
    wanted = set(members)
    by_lid: dict[str, set[str]] = defaultdict(set)
    for lid, vid in wanted:
        by_lid[lid].add(vid)
    found: dict[tuple[str, str], set[int]] = defaultdict(set)
    lids = sorted(by_lid)
    for start in range(0, len(lids), _CHUNK):
        for parent, lid, vid in conn.execute(
            select(
                product_members.c.parent_id,
                product_members.c.member_lid,
                product_members.c.member_vid,
            ).where(product_members.c.member_lid.in_(lids[start : start + _CHUNK]))
        ):
            for wanted_vid in by_lid[lid]:
                if vid is None or vid == wanted_vid:
                    found[(lid, wanted_vid)].add(parent)
    return found


def member_ids(conn: Connection, parents: Sequence[int]) -> list[int]:
    """Registered products listed by ``parents`` (a LID-only entry means every version)."""
    entries: list[tuple[str, str | None]] = []
    for chunk in _chunks(sorted(set(parents))):
        entries.extend(
            (str(lid), vid)
            for lid, vid in conn.execute(
                select(product_members.c.member_lid, product_members.c.member_vid).where(
                    product_members.c.parent_id.in_(chunk)
                )
            )
        )
    lid_only = sorted({lid for lid, vid in entries if vid is None})
    exact = sorted({(lid, vid) for lid, vid in entries if vid is not None})
    ids: set[int] = set()
    for start in range(0, len(lid_only), _CHUNK):
        ids.update(
            conn.execute(
                select(products.c.id).where(products.c.lid.in_(lid_only[start : start + _CHUNK]))
            ).scalars()
        )
    for start in range(0, len(exact), _CHUNK):
        ids.update(
            conn.execute(
                select(products.c.id).where(
                    or_(
                        *(
                            and_(products.c.lid == lid, products.c.vid == vid)
                            for lid, vid in exact[start : start + _CHUNK]
                        )
                    )
                )
            ).scalars()
        )
    return sorted(ids)


def store(
    conn: Connection, changes_to_make: dict[int, AccessSetting], *, explicit: bool, now: str
) -> list[int]:
    """Write settings; an ``access_changed`` event for each product whose access changed."""
    if not changes_to_make:
        return []
    before = settings_of(conn, list(changes_to_make))
    changed = [pid for pid, s in changes_to_make.items() if before[pid][0] != s]
    flags_only = [pid for pid in changes_to_make if before[pid][1] != explicit]
    touched = sorted(set(changed) | set(flags_only))
    if touched:
        conn.execute(
            update(products)
            .where(products.c.id == bindparam("pid"))
            .values(
                access=bindparam("new_access"),
                release_at=bindparam("new_release"),
                access_explicit=bindparam("new_explicit"),
            ),
            [
                {
                    "pid": pid,
                    "new_access": changes_to_make[pid].access,
                    "new_release": changes_to_make[pid].release_at,
                    "new_explicit": explicit,
                }
                for pid in touched
            ],
        )
    regrouped = [pid for pid in changed if before[pid][0].groups != changes_to_make[pid].groups]
    for chunk in _chunks(regrouped):
        conn.execute(delete(product_groups).where(product_groups.c.product_id.in_(chunk)))
    group_rows = [
        {"product_id": pid, "group_name": g}
        for pid in regrouped
        for g in sorted(changes_to_make[pid].groups)
    ]
    if group_rows:
        conn.execute(insert(product_groups), group_rows)
    if changed:
        lidvids = dict(
            conn.execute(
                select(products.c.id, products.c.lidvid).where(products.c.id.in_(changed))
            ).all()
        )
        conn.execute(
            insert(changes),
            [
                {
                    "at": now,
                    "kind": "access_changed",
                    "lidvid": lidvids[pid],
                    "payload": json.dumps(
                        {
                            "access": changes_to_make[pid].access,
                            "groups": sorted(changes_to_make[pid].groups),
                            "release_at": changes_to_make[pid].release_at,
                            "was": before[pid][0].access,
                        }
                    ),
                }
                for pid in changed
            ],
        )
    return changed


def _recompute(conn: Connection, ids: Sequence[int], now: str) -> list[int]:
    """Re-derive the access of the non-explicit products among ``ids`` from their parents."""
    current = settings_of(conn, ids)
    inheriting = [pid for pid, (_s, explicit) in current.items() if not explicit]
    if not inheriting:
        return []
    keys = dict(
        (r.id, (r.lid, r.vid))
        for chunk in _chunks(inheriting)
        for r in conn.execute(
            select(products.c.id, products.c.lid, products.c.vid).where(products.c.id.in_(chunk))
        )
    )
    parents = parent_ids(conn, keys.values())
    parent_settings = settings_of(conn, [p for ps in parents.values() for p in ps])
    wanted = {
        pid: strictest(parent_settings[p][0] for p in parents.get(keys[pid], ())) or PUBLIC
        for pid in inheriting
    }
    return store(conn, wanted, explicit=False, now=now)


def cascade(
    conn: Connection, parents: Sequence[int], now: str, *, skip: set[int] | None = None
) -> list[int]:
    """Let every non-explicit member below ``parents`` follow them; the ids that changed."""
    changed: list[int] = []
    seen = set(parents) | (skip or set())
    frontier = list(parents)
    for _depth in range(_MAX_DEPTH):
        below = [m for m in member_ids(conn, frontier) if m not in seen]
        if not below:
            break
        seen.update(below)
        changed.extend(_recompute(conn, below, now))
        frontier = below
    return changed


def set_access(
    conn: Connection, product_ids: Sequence[int], setting: AccessSetting, now: str
) -> list[int]:
    """``lunadc access set``: explicit on the given products, followed by their members."""
    changed = store(conn, {pid: setting for pid in product_ids}, explicit=True, now=now)
    return changed + [c for c in cascade(conn, product_ids, now) if c not in changed]
