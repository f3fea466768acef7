"""Users, groups and API tokens of this node (SQL side)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError as SAIntegrityError

from lunadc.catalog.tables import api_tokens, group_members, groups, users
from lunadc.errors import ConflictError, NotFoundError
from lunadc.model.access import Role, Viewer


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    name: str
    role: Role
    partner: bool
    disabled: bool
    created_at: str
    groups: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TokenRow:
    token_id: str
    user: str
    secret_sha256: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    last_used_at: str | None
    user_disabled: bool
    user_id: int = 0
    user_role: Role = Role.READER
    user_partner: bool = False


def add_user(conn: Connection, name: str, role: Role, partner: bool, now: str) -> int:
    try:
        with conn.begin_nested():
            result = conn.execute(
                insert(users).values(
                    name=name, role=role.value, partner=partner, disabled=False, created_at=now
                )
            )
    except SAIntegrityError as exc:
        raise ConflictError(f"user {name!r} already exists") from exc
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _user_groups(conn: Connection, user_id: int) -> tuple[str, ...]:
    rows = conn.execute(
        select(groups.c.name)
        .join(group_members, group_members.c.group_id == groups.c.id)
        .where(group_members.c.user_id == user_id)
        .order_by(groups.c.name)
    ).scalars()
    return tuple(rows)


def get_user(conn: Connection, name: str) -> UserRow:
    row = conn.execute(select(users).where(users.c.name == name)).mappings().first()
    if row is None:
        raise NotFoundError(f"no user {name!r}")
    return UserRow(
        id=row["id"],
        name=row["name"],
        role=Role(row["role"]),
        partner=bool(row["partner"]),
        disabled=bool(row["disabled"]),
        created_at=row["created_at"],
        groups=_user_groups(conn, row["id"]),
    )


def list_users(conn: Connection) -> list[UserRow]:
    names = conn.execute(select(users.c.name).order_by(users.c.name)).scalars().all()
    return [get_user(conn, name) for name in names]


def disable_user(conn: Connection, name: str) -> None:
    if conn.execute(update(users).where(users.c.name == name).values(disabled=True)).rowcount == 0:
        raise NotFoundError(f"no user {name!r}")


def add_group(conn: Connection, name: str, now: str) -> None:
    try:
        with conn.begin_nested():
            conn.execute(insert(groups).values(name=name, created_at=now))
    except SAIntegrityError as exc:
        raise ConflictError(f"group {name!r} already exists") from exc


def group_exists(conn: Connection, name: str) -> bool:
    return conn.execute(select(groups.c.id).where(groups.c.name == name)).first() is not None


def add_member(conn: Connection, group: str, user: str) -> None:
    group_id = conn.execute(select(groups.c.id).where(groups.c.name == group)).scalar()
    if group_id is None:
        raise NotFoundError(f"no group {group!r}")
    user_row = get_user(conn, user)
    if group in user_row.groups:
        return
    conn.execute(insert(group_members).values(group_id=group_id, user_id=user_row.id))


def token_viewer(conn: Connection, token: TokenRow) -> Viewer:
    """The viewer a token's user is, from the token row and one query for the groups."""
    return Viewer(
        name=token.user,
        role=token.user_role,
        partner=token.user_partner,
        groups=frozenset(_user_groups(conn, token.user_id)),
    )


def viewer_of(user: UserRow) -> Viewer:
    return Viewer(
        name=user.name, role=user.role, partner=user.partner, groups=frozenset(user.groups)
    )


def add_token(
    conn: Connection, user: str, token_id: str, secret_sha256: str, now: str, expires_at: str | None
) -> None:
    user_row = get_user(conn, user)
    conn.execute(
        insert(api_tokens).values(
            token_id=token_id,
            user_id=user_row.id,
            secret_sha256=secret_sha256,
            created_at=now,
            expires_at=expires_at,
        )
    )


def find_token(conn: Connection, token_id: str) -> TokenRow | None:
    row = (
        conn.execute(
            select(
                api_tokens,
                users.c.name.label("user"),
                users.c.disabled,
                users.c.role,
                users.c.partner,
            )
            .join(users, users.c.id == api_tokens.c.user_id)
            .where(api_tokens.c.token_id == token_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return TokenRow(
        token_id=row["token_id"],
        user=row["user"],
        secret_sha256=row["secret_sha256"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        last_used_at=row["last_used_at"],
        user_disabled=bool(row["disabled"]),
        user_id=row["user_id"],
        user_role=Role(row["role"]),
        user_partner=bool(row["partner"]),
    )


def list_tokens(conn: Connection, user: str | None = None) -> list[TokenRow]:
    query = select(api_tokens.c.token_id).join(users, users.c.id == api_tokens.c.user_id)
    if user is not None:
        query = query.where(users.c.name == user)
    ids = conn.execute(query.order_by(api_tokens.c.id)).scalars().all()
    return [row for token_id in ids if (row := find_token(conn, token_id)) is not None]


def revoke_token(conn: Connection, token_id: str, now: str) -> None:
    done = conn.execute(
        update(api_tokens)
        .where(api_tokens.c.token_id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if done.rowcount == 0 and find_token(conn, token_id) is None:
        raise NotFoundError(f"no token {token_id!r}")


def touch_token(conn: Connection, token_id: str, now: str) -> None:
    conn.execute(
        update(api_tokens).where(api_tokens.c.token_id == token_id).values(last_used_at=now)
    )
