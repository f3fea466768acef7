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
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, select, text, update

from lunadc.catalog import access as access_rules
from lunadc.catalog.access import AccessSetting
from lunadc.catalog.footprints import write_footprints
from lunadc.catalog.records import LABEL_COLUMNS, NewProduct
from lunadc.catalog.search_index import register_property_names
from lunadc.catalog.tables import (
    changes,
    product_files,
    product_groups,
    product_members,
    product_terms,
    product_words,
    products,
)
from lunadc.catalog.terms import label_rows
from lunadc.model.identifiers import Vid

_CHUNK = 400
_PRODUCT_COLUMNS = (
    *LABEL_COLUMNS,
    "label_sha256",
    "home_node",
    "ingested_at",
    "is_latest",
    "status",
    "access",
    "release_at",
    "access_explicit",
)
_FILE_COLUMNS = (
    "product_id",
    "role",
    "path",
    "size",
    "md5",
    "sha256",
    "blob_key",
    "creation_time",
    "records",
    "mime_type",
)
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


def _insert_sql(conn: Connection, table: Table, columns: Sequence[str], mark: str) -> str:
    # Only names from our own schema (quoted by the dialect) go into the text; every value
    # is a bound parameter.
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join([mark] * len(columns))
    return f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"  # noqa: S608


def _insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """One executemany of ready tuples, handed to the driver as they are.

    Through SQLAlchemy's ``insert()`` every row is a dict that is checked and converted
    column by column, which cost more than the database's own work for the narrow rows of a
    batch (terms, words, files): here the statement is built once and the tuples go as is.
    """
    if not rows:
        return
    mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(conn.dialect.paramstyle)
    if mark is None:  # a driver with named parameters only: let SQLAlchemy bind them
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    conn.exec_driver_sql(_insert_sql(conn, table, columns, mark), list(rows))


def _insert_products(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> list[int]:
    """Insert product rows (``_PRODUCT_COLUMNS``); their new ids, in order."""
    if conn.dialect.name != "sqlite":
        # RETURNING with sort_by_parameter_order: one statement, ids in parameter order.
        statement = insert(products).returning(products.c.id, sort_by_parameter_order=True)
        values = [dict(zip(_PRODUCT_COLUMNS, row, strict=True)) for row in rows]
        return list(conn.execute(statement, values).scalars())
    # SQLite: one prepared statement run per row (its cache keeps it compiled), each new id
    # read from the cursor; no per-row work in SQLAlchemy.
    sql = _insert_sql(conn, products, _PRODUCT_COLUMNS, "?")
    cursor = conn.connection.cursor()
    try:
        ids = []
        for row in rows:
            cursor.execute(sql, row)
            ids.append(int(cursor.lastrowid))
        return ids
    finally:
        cursor.close()


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
    prepared = [item.rows or label_rows(item.label) for item in fresh]
    product_rows = []
    for item, rows in zip(fresh, prepared, strict=True):
        setting, explicit = settings[item.label.lidvid]
        product_rows.append(
            (
                *rows.product,
                item.label_sha256,
                item.home_node,
                item.ingested_at,
                latest.get(item.label.lidvid, False),
                "active",
                setting.access,
                setting.release_at,
                explicit,
            )
        )
    ids = _insert_products(conn, product_rows)
    file_rows, term_rows, member_rows, group_rows, word_rows = [], [], [], [], []
    for item, rows, pid in zip(fresh, prepared, ids, strict=True):
        file_rows += [
            (
                pid,
                f.role,
                f.path,
                f.size,
                f.md5,
                f.sha256,
                f.blob_key,
                f.creation_time,
                f.records,
                f.mime_type,
            )
            for f in item.files
        ]
        start = item.label.start_date_time
        term_rows += [(pid, name, value, start) for name, value in rows.terms]
        word_rows += [(word, pid) for word in rows.words]
        member_rows += [
            (pid, m.lid, m.vid, m.status) for m in (*item.members, *item.label.bundle_members)
        ]
        group_rows += [(pid, g) for g in sorted(settings[item.label.lidvid][0].groups)]
    _insert_rows(conn, product_files, _FILE_COLUMNS, file_rows)
    _insert_rows(conn, product_terms, ("product_id", "name", "value", "start_time"), term_rows)
    _insert_rows(
        conn, product_members, ("parent_id", "member_lid", "member_vid", "status"), member_rows
    )
    _insert_rows(conn, product_groups, ("product_id", "group_name"), group_rows)
    _insert_rows(conn, product_words, ("word", "product_id"), word_rows)
    _record_events(conn, fresh, settings, latest, superseded)
    by_id = [(pid, item.label) for item, pid in zip(fresh, ids, strict=True)]
    register_property_names(conn, by_id)
    write_footprints(conn, by_id)
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
    events = [(now, "superseded", old, json.dumps({"by": new})) for _id, old, new in superseded]
    for item in fresh:
        label = item.label
        setting, _explicit = settings[label.lidvid]
        events.append(
            (
                item.ingested_at,
                "added",
                label.lidvid,
                json.dumps(
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
            )
        )
    _insert_rows(conn, changes, ("at", "kind", "lidvid", "payload"), events)
