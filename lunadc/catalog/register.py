"""Registering a batch of product versions in one transaction, with set-based SQL.

Per product the work is the same as registering it alone (its row, files, terms, members,
access, the "latest" flag, change events, search index); doing it for a batch with one
statement per table instead of a dozen per product is what lets an ingest reach thousands
of products per second. Products already registered are reported, never overwritten.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, insert, select, text, update

from lunadc.catalog import access as access_rules
from lunadc.catalog.access import AccessSetting
from lunadc.catalog.footprints import write_footprints
from lunadc.catalog.records import NewProduct
from lunadc.catalog.search_index import index_products
from lunadc.catalog.tables import (
    changes,
    product_files,
    product_groups,
    product_members,
    product_terms,
    products,
)
from lunadc.catalog.terms import first_name, terms_of
from lunadc.model.identifiers import Vid

_CHUNK = 400
# Parents before their members, so that members inherit within one batch.
_RANK = {"Product_Bundle": 0, "Product_Collection": 1}


@dataclass(frozen=True, slots=True)
class Registered:
    """The outcome for one item: its new id, or the label hash of the version already there."""

    lidvid: str
    product_id: int | None
    existing_label_sha256: str | None = None


def _lock_lids(conn: Connection, lids: Sequence[str]) -> None:
    # SQLite write transactions are exclusive already (BEGIN IMMEDIATE). On PostgreSQL two
    # ingests of versions of one LID must not both believe they are the latest; locks are
    # taken in a fixed order so that two batches cannot deadlock.
    if conn.dialect.name == "postgresql" and lids:
        conn.execute(
            text(
                "SELECT pg_advisory_xact_lock(h) FROM "
                "(SELECT DISTINCT hashtext(x) AS h FROM unnest(CAST(:lids AS text[])) AS x "
                "ORDER BY h) AS ordered"
            ),
            {"lids": list(lids)},
        )


def _existing(conn: Connection, lidvids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    unique = sorted(set(lidvids))
    for start in range(0, len(unique), _CHUNK):
        found.update(
            conn.execute(
                select(products.c.lidvid, products.c.label_sha256).where(
                    products.c.lidvid.in_(unique[start : start + _CHUNK])
                )
            ).all()
        )
    return found


def _resolve_access(
    conn: Connection, items: Sequence[NewProduct]
) -> dict[str, tuple[AccessSetting, bool]]:
    """Each new product's access and whether it is explicit (see ``lunadc.catalog.access``)."""
    resolved: dict[str, tuple[AccessSetting, bool]] = {}
    inheriting = [n for n in items if n.inherit_access]
    catalog_parents = access_rules.parent_ids(
        conn, [(n.label.lid, n.label.vid) for n in inheriting]
    )
    parent_settings = access_rules.settings_of(
        conn, [p for ps in catalog_parents.values() for p in ps]
    )
    batch_parents: dict[str, list[tuple[str | None, str]]] = defaultdict(list)
    for item in sorted(items, key=lambda n: _RANK.get(n.label.product_class, 2)):
        label = item.label
        if item.inherit_access:
            candidates = [
                parent_settings[p][0] for p in catalog_parents.get((label.lid, label.vid), ())
            ]
            candidates += [
                resolved[parent][0]
                for vid, parent in batch_parents.get(label.lid, ())
                if (vid is None or vid == label.vid) and parent in resolved
            ]
            setting = access_rules.strictest(candidates) or access_rules.PUBLIC
            resolved[label.lidvid] = (setting, False)
        else:
            setting = AccessSetting(item.access, item.groups, item.release_at)
            resolved[label.lidvid] = (setting, True)
        for member in (*item.members, *label.bundle_members):
            batch_parents[member.lid].append((member.vid, label.lidvid))
    return resolved


def _latest_flags(
    conn: Connection, items: Sequence[NewProduct]
) -> tuple[dict[str, bool], list[tuple[int, str, str]]]:
    """Which new versions become latest, and which registered ones they supersede."""
    lids = sorted({n.label.lid for n in items})
    current: dict[str, tuple[int, Vid, str]] = {}
    for start in range(0, len(lids), _CHUNK):
        for row in conn.execute(
            select(products.c.id, products.c.lid, products.c.vid, products.c.lidvid).where(
                products.c.lid.in_(lids[start : start + _CHUNK]), products.c.is_latest
            )
        ):
            current[row.lid] = (row.id, Vid.parse(row.vid), row.lidvid)
    best: dict[str, tuple[Vid, str]] = {}
    for item in items:
        vid = Vid.parse(item.label.vid)
        if item.label.lid not in best or best[item.label.lid][0] < vid:
            best[item.label.lid] = (vid, item.label.lidvid)
    latest: dict[str, bool] = {}
    superseded: list[tuple[int, str, str]] = []
    for lid, (vid, lidvid) in best.items():
        old = current.get(lid)
        wins = old is None or old[1] < vid
        latest[lidvid] = wins
        if wins and old is not None:
            superseded.append((old[0], old[2], lidvid))
    return latest, superseded


def _product_row(
    item: NewProduct, setting: AccessSetting, explicit: bool, latest: bool
) -> dict[str, object]:
    label = item.label
    vid = Vid.parse(label.vid)
    return {
        "lid": label.lid,
        "vid": label.vid,
        "vid_major": vid.major,
        "vid_minor": vid.minor,
        "lidvid": label.lidvid,
        "product_class": label.product_class,
        "title": label.title,
        "description": label.description,
        "im_version": label.information_model_version,
        "start_time": label.start_date_time,
        "stop_time": label.stop_date_time,
        "processing_level": label.processing_level,
        "target": first_name(label.targets),
        "investigation": first_name(label.investigations),
        "instrument": first_name(label.instruments),
        "instrument_host": first_name(label.instrument_hosts),
        "properties": json.dumps(
            {k: list(v) for k, v in label.properties.items()}, ensure_ascii=False
        ),
        "label_sha256": item.label_sha256,
        "home_node": item.home_node,
        "ingested_at": item.ingested_at,
        "is_latest": latest,
        "status": "active",
        "access": setting.access,
        "release_at": setting.release_at,
        "access_explicit": explicit,
    }


def register_batch(conn: Connection, items: Sequence[NewProduct]) -> list[Registered]:
    """Register every item not yet in the catalog; report the others. Caller's transaction."""
    if not items:
        return []
    _lock_lids(conn, sorted({n.label.lid for n in items}))
    existing = _existing(conn, [n.label.lidvid for n in items])
    outcomes: dict[int, Registered] = {}
    fresh: list[NewProduct] = []
    first_of: dict[str, int] = {}
    for index, item in enumerate(items):
        lidvid = item.label.lidvid
        if lidvid in existing:
            outcomes[index] = Registered(lidvid, None, existing[lidvid])
        elif lidvid in first_of:
            outcomes[index] = Registered(lidvid, None, items[first_of[lidvid]].label_sha256)
        else:
            first_of[lidvid] = index
            fresh.append(item)
    if fresh:
        ids = _insert(conn, fresh)
        for item, product_id in zip(fresh, ids, strict=True):
            outcomes[first_of[item.label.lidvid]] = Registered(item.label.lidvid, product_id)
    return [outcomes[i] for i in range(len(items))]


def _insert(conn: Connection, fresh: Sequence[NewProduct]) -> list[int]:
    settings = _resolve_access(conn, fresh)
    latest, superseded = _latest_flags(conn, fresh)
    rows = [
        _product_row(n, *settings[n.label.lidvid], latest.get(n.label.lidvid, False)) for n in fresh
    ]
    ids = list(
        conn.execute(
            insert(products).returning(products.c.id, sort_by_parameter_order=True), rows
        ).scalars()
    )
    file_rows, term_rows, member_rows, group_rows = [], [], [], []
    for item, pid in zip(fresh, ids, strict=True):
        file_rows += [
            {
                "product_id": pid,
                "role": f.role,
                "path": f.path,
                "size": f.size,
                "md5": f.md5,
                "sha256": f.sha256,
                "blob_key": f.blob_key,
                "creation_time": f.creation_time,
                "records": f.records,
                "mime_type": f.mime_type,
            }
            for f in item.files
        ]
        term_rows += [
            {"product_id": pid, "name": n, "value": v, "start_time": item.label.start_date_time}
            for n, v in terms_of(item.label)
        ]
        member_rows += [
            {"parent_id": pid, "member_lid": m.lid, "member_vid": m.vid, "status": m.status}
            for m in (*item.members, *item.label.bundle_members)
        ]
        group_rows += [
            {"product_id": pid, "group_name": g}
            for g in sorted(settings[item.label.lidvid][0].groups)
        ]
    for table, values in (
        (product_files, file_rows),
        (product_terms, term_rows),
        (product_members, member_rows),
        (product_groups, group_rows),
    ):
        if values:
            conn.execute(insert(table), values)
    _record_events(conn, fresh, settings, latest, superseded)
    index_products(conn, [(pid, item.label) for item, pid in zip(fresh, ids, strict=True)])
    write_footprints(conn, [(pid, item.label) for item, pid in zip(fresh, ids, strict=True)])
    parents = [
        pid
        for item, pid in zip(fresh, ids, strict=True)
        if item.members or item.label.bundle_members
    ]
    if parents:
        access_rules.cascade(conn, parents, fresh[0].ingested_at, skip=set(ids))
    return ids


def _record_events(
    conn: Connection,
    fresh: Sequence[NewProduct],
    settings: dict[str, tuple[AccessSetting, bool]],
    latest: dict[str, bool],
    superseded: list[tuple[int, str, str]],
) -> None:
    if superseded:
        conn.execute(
            update(products).where(products.c.id == bindparam("old_id")).values(is_latest=False),
            [{"old_id": old_id} for old_id, _old, _new in superseded],
        )
    now = fresh[0].ingested_at
    events = [
        {"at": now, "kind": "superseded", "lidvid": old, "payload": json.dumps({"by": new})}
        for _id, old, new in superseded
    ]
    for item in fresh:
        label = item.label
        setting, _explicit = settings[label.lidvid]
        events.append(
            {
                "at": item.ingested_at,
                "kind": "added",
                "lidvid": label.lidvid,
                "payload": json.dumps(
                    {
                        "lid": label.lid,
                        "vid": label.vid,
                        "product_class": label.product_class,
                        "title": label.title,
                        "access": setting.access,
                        "groups": sorted(setting.groups),
                        "release_at": setting.release_at,
                        "label_sha256": item.label_sha256,
                        "home_node": item.home_node,
                        "latest": latest.get(label.lidvid, False),
                    },
                    ensure_ascii=False,
                ),
            }
        )
    conn.execute(insert(changes), events)
