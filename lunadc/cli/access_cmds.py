"""``lunadc user``, ``group``, ``token``, ``access set`` and ``audit``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lunadc.access import admin
from lunadc.access.tokens import split_token
from lunadc.catalog import accounts, audit
from lunadc.cli.app import RootOption, app, console, fail
from lunadc.errors import LunadcError
from lunadc.model.access import Access, Role
from lunadc.model.times import format_time, parse_time
from lunadc.node import Node

user_app = typer.Typer(help="Accounts of this node.", no_args_is_help=True)
group_app = typer.Typer(help="Groups that may see restricted products.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (sent as 'Authorization: Bearer').", no_args_is_help=True)
access_app = typer.Typer(help="Who may see a product.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(group_app, name="group")
app.add_typer(token_app, name="token")
app.add_typer(access_app, name="access")


@user_app.command("add")
def user_add(
    name: str,
    role: Annotated[Role, typer.Option("--role", help="reader, archivist or admin.")] = Role.READER,
    partner: Annotated[bool, typer.Option("--partner", help="A partner scientist.")] = False,
    root: RootOption = Path("."),
) -> None:
    """Register a user."""
    try:
        with Node.open(root) as node:
            admin.add_user(node, name, role, partner)
    except LunadcError as error:
        raise fail(error) from error
    console.print(f"Added user {name} ({role.value}{', partner' if partner else ''})")


@user_app.command("list")
def user_list(root: RootOption = Path(".")) -> None:
    """List users with their role, partner flag and groups."""
    try:
        with Node.open(root) as node, node.engine.connect() as conn:
            users = accounts.list_users(conn)
    except LunadcError as error:
        raise fail(error) from error
    table = Table("user", "role", "partner", "groups", "status", "created")
    for user in users:
        table.add_row(
            user.name,
            user.role.value,
            "yes" if user.partner else "no",
            ", ".join(user.groups) or "-",
            "disabled" if user.disabled else "active",
            user.created_at,
        )
    console.print(table)


@user_app.command("disable")
def user_disable(name: str, root: RootOption = Path(".")) -> None:
    """Disable a user: their tokens stop working at once."""
    try:
        with Node.open(root) as node:
            admin.disable_user(node, name)
    except LunadcError as error:
        raise fail(error) from error
    console.print(f"Disabled user {name}")


@group_app.command("add")
def group_add(group: str, root: RootOption = Path(".")) -> None:
    """Create a group."""
    try:
        with Node.open(root) as node:
            admin.add_group(node, group)
    except LunadcError as error:
        raise fail(error) from error
    console.print(f"Added group {group}")


@group_app.command("member")
def group_member(group: str, user: str, root: RootOption = Path(".")) -> None:
    """Add USER to GROUP."""
    try:
        with Node.open(root) as node:
            admin.add_member(node, group, user)
    except LunadcError as error:
        raise fail(error) from error
    console.print(f"{user} is now a member of {group}")


@token_app.command("create")
def token_create(
    user: str,
    expires: Annotated[
        str | None, typer.Option("--expires", help="30d, 12h, 90m, or an ISO date/time.")
    ] = None,
    root: RootOption = Path("."),
) -> None:
    """Create an API token; it is printed once, alone on the last line."""
    try:
        with Node.open(root) as node:
            token = admin.create_token(node, user, expires)
    except LunadcError as error:
        raise fail(error) from error
    console.print(f"Token {token.token_id} for {user} (shown once; only its hash is kept):")
    print(token.token)


@token_app.command("revoke")
def token_revoke(
    token: Annotated[str, typer.Argument(help="The token id (or the whole token).")],
    root: RootOption = Path("."),
) -> None:
    """Revoke a token at once."""
    parts = split_token(token)
    token_id = parts[0] if parts else token
    try:
        with Node.open(root) as node:
            admin.revoke_token(node, token_id)
    except LunadcError as error:
        raise fail(error) from error
    console.print(f"Revoked token {token_id}")


@token_app.command("list")
def token_list(
    user: Annotated[str | None, typer.Option("--user")] = None, root: RootOption = Path(".")
) -> None:
    """List tokens (ids only: secrets are never stored)."""
    try:
        with Node.open(root) as node, node.engine.connect() as conn:
            tokens = accounts.list_tokens(conn, user)
    except LunadcError as error:
        raise fail(error) from error
    table = Table("token id", "user", "created", "expires", "last used", "status")
    for t in tokens:
        status = "revoked" if t.revoked_at else "active"
        table.add_row(
            t.token_id, t.user, t.created_at, t.expires_at or "never", t.last_used_at or "-", status
        )
    console.print(table)


@access_app.command("set")
def access_set(
    identifier: Annotated[str, typer.Argument(help="A LIDVID, or a LID for all its versions.")],
    access: Annotated[Access, typer.Option("--access", help="public, partner or restricted.")],
    group: Annotated[
        list[str] | None, typer.Option("--group", help="Group that may see it (restricted).")
    ] = None,
    release_at: Annotated[
        str | None, typer.Option("--release-at", help="When it becomes public by itself.")
    ] = None,
    root: RootOption = Path("."),
) -> None:
    """Set who may see a product; its members follow unless they say otherwise."""
    try:
        with Node.open(root) as node:
            changed = admin.set_access(node, identifier, access, frozenset(group or ()), release_at)
    except LunadcError as error:
        raise fail(error) from error
    for lidvid in changed:
        console.print(f"  {lidvid}")
    console.print(f"Access of {len(changed)} product(s) changed to {access.value}")


@app.command("audit")
def audit_cmd(
    user: Annotated[str | None, typer.Option("--user", help="Only this actor.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="ISO date or time.")] = None,
    lidvid: Annotated[str | None, typer.Option("--lidvid")] = None,
    action: Annotated[str | None, typer.Option("--action")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 200,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    root: RootOption = Path("."),
) -> None:
    """Show the audit trail: downloads, access changes, failed token uses, account changes."""
    try:
        since_text = format_time(parse_time(since)) if since else None
        with Node.open(root) as node, node.engine.connect() as conn:
            rows = audit.entries(
                conn, actor=user, since=since_text, lidvid=lidvid, action=action, limit=limit
            )
    except LunadcError as error:
        raise fail(error) from error
    if as_json:
        console.print_json(json.dumps([dataclasses.asdict(r) for r in rows]))
        return
    table = Table("at", "who", "action", "what", "from")
    for r in rows:
        table.add_row(
            r.at, r.actor or "anonymous", r.action, r.lidvid or r.target or "-", r.client or "-"
        )
    console.print(table)
