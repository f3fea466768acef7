"""Account and access administration: each action in one write transaction, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from lunadc.access.policyfile import AccessPolicy
from lunadc.access.tokens import NewToken, new_token
from lunadc.catalog import access as product_access
from lunadc.catalog import accounts, audit
from lunadc.catalog import products as catalog
from lunadc.catalog.access import AccessSetting
from lunadc.catalog.db import begin_write
from lunadc.errors import BadRequestError, NotFoundError
from lunadc.model.access import Access, Role
from lunadc.model.identifiers import parse_identifier
from lunadc.model.times import format_time, parse_time
from lunadc.node import Node

CLI_CLIENT = "cli"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs an administrative action (the operator at the CLI by default)."""

    name: str = "operator"
    client: str = CLI_CLIENT


def _now(node: Node) -> str:
    return format_time(node.clock())


def add_user(node: Node, name: str, role: Role, partner: bool, actor: Actor = Actor()) -> None:
    if (
        not name
        or len(name) > 64
        or not name.replace("-", "").replace("_", "").replace(".", "").isalnum()
    ):
        raise BadRequestError(f"user name {name!r}: letters, digits, '-', '_', '.', at most 64")
    with begin_write(node.engine) as conn:
        accounts.add_user(conn, name, role, partner, _now(node))
        audit.record(
            conn,
            at=_now(node),
            actor=actor.name,
            action="user_added",
            target=name,
            client=actor.client,
            detail={"role": role.value, "partner": partner},
        )


def disable_user(node: Node, name: str, actor: Actor = Actor()) -> None:
    with begin_write(node.engine) as conn:
        accounts.disable_user(conn, name)
        audit.record(
            conn,
            at=_now(node),
            actor=actor.name,
            action="user_disabled",
            target=name,
            client=actor.client,
        )


def add_group(node: Node, name: str, actor: Actor = Actor()) -> None:
    with begin_write(node.engine) as conn:
        accounts.add_group(conn, name, _now(node))
        audit.record(
            conn,
            at=_now(node),
            actor=actor.name,
            action="group_added",
            target=name,
            client=actor.client,
        )


def add_member(node: Node, group: str, user: str, actor: Actor = Actor()) -> None:
    with begin_write(node.engine) as conn:
        accounts.add_member(conn, group, user)
        audit.record(
            conn,
            at=_now(node),
            actor=actor.name,
            action="group_member_added",
            target=f"{group}:{user}",
            client=actor.client,
        )


def parse_expiry(text: str | None, now_text: str) -> str | None:
    """``30d``, ``12h``, ``90m`` from now, or an ISO date/time; None means never."""
    if not text:
        return None
    units = {"d": "days", "h": "hours", "m": "minutes"}
    if text[-1:] in units and text[:-1].isdigit():
        delta = timedelta(**{units[text[-1]]: int(text[:-1])})
        return format_time(parse_time(now_text) + delta)
    return format_time(parse_time(text))


def create_token(node: Node, user: str, expires: str | None, actor: Actor = Actor()) -> NewToken:
    now = _now(node)
    expires_at = parse_expiry(expires, now)
    if expires_at is not None and expires_at <= now:
        raise BadRequestError(f"the expiry {expires_at} is already past")
    token = new_token()
    with begin_write(node.engine) as conn:
        accounts.add_token(conn, user, token.token_id, token.secret_sha256, now, expires_at)
        audit.record(
            conn,
            at=now,
            actor=actor.name,
            action="token_created",
            target=f"{user}:{token.token_id}",
            client=actor.client,
            detail={"expires_at": expires_at},
        )
    return token


def revoke_token(node: Node, token_id: str, actor: Actor = Actor()) -> None:
    with begin_write(node.engine) as conn:
        accounts.revoke_token(conn, token_id, _now(node))
        audit.record(
            conn,
            at=_now(node),
            actor=actor.name,
            action="token_revoked",
            target=token_id,
            client=actor.client,
        )


def check_groups_exist(
    node: Node, setting: AccessSetting | None, policy: AccessPolicy | None
) -> None:
    """Refuse an ingest that names a group this node does not have (before any work)."""
    wanted = set(setting.groups if setting else ()) | set(policy.groups if policy else ())
    with node.engine.connect() as conn:
        missing = sorted(g for g in wanted if not accounts.group_exists(conn, g))
    if missing:
        raise NotFoundError(f"no group {', '.join(missing)} (create it with 'lunadc group add')")


def set_access(
    node: Node,
    identifier: str,
    access: Access,
    groups: frozenset[str],
    release_at: str | None,
    actor: Actor = Actor(),
) -> list[str]:
    """Set access on a LIDVID (or every version of a LID); returns the LIDVIDs changed."""
    if access is Access.RESTRICTED and not groups:
        raise BadRequestError("restricted access needs at least one --group")
    if access is not Access.RESTRICTED and groups:
        raise BadRequestError("--group applies to restricted access only")
    release = format_time(parse_time(release_at)) if release_at else None
    setting = product_access.AccessSetting(access.value, groups, release)
    lid, vid = parse_identifier(identifier)
    now = _now(node)
    with begin_write(node.engine) as conn:
        for group in groups:
            if not accounts.group_exists(conn, group):
                raise NotFoundError(f"no group {group!r} (create it with 'lunadc group add')")
        ids = catalog.product_ids(conn, lid, vid)
        if not ids:
            raise NotFoundError(f"no product {identifier}")
        changed = product_access.set_access(conn, ids, setting, now)
        lidvids = catalog.lidvids_of(conn, changed)
        for lidvid in lidvids:
            audit.record(
                conn,
                at=now,
                actor=actor.name,
                action="access_changed",
                lidvid=lidvid,
                client=actor.client,
                detail={"access": access.value, "groups": sorted(groups), "release_at": release},
            )
    return lidvids
