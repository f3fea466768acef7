"""The audit trail: append rows, read them back. There is deliberately no update or delete."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select

from lunadc.catalog.tables import audit_log


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: str
    actor: str | None
    action: str
    lidvid: str | None
    target: str | None
    client: str | None
    detail: dict[str, Any]


def record(
    conn: Connection,
    *,
    at: str,
    actor: str | None,
    action: str,
    lidvid: str | None = None,
    target: str | None = None,
    client: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        insert(audit_log).values(
            at=at,
            actor=actor,
            action=action,
            lidvid=lidvid,
            target=target,
            client=client,
            detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
        )
    )


def entries(
    conn: Connection,
    *,
    actor: str | None = None,
    since: str | None = None,
    lidvid: str | None = None,
    action: str | None = None,
    limit: int = 1000,
) -> list[AuditEntry]:
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if actor is not None:
        query = query.where(audit_log.c.actor == actor)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    if lidvid is not None:
        query = query.where(audit_log.c.lidvid == lidvid)
    if action is not None:
        query = query.where(audit_log.c.action == action)
    return [
        AuditEntry(
            at=r["at"],
            actor=r["actor"],
            action=r["action"],
            lidvid=r["lidvid"],
            target=r["target"],
            client=r["client"],
            detail=json.loads(r["detail"] or "{}"),
        )
        for r in conn.execute(query).mappings()
    ]
