"""Accounts from the command line: users, groups, tokens shown once, audit trail."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from lunadc.access.authenticate import authenticate
from lunadc.errors import AuthenticationError
from lunadc.model.times import format_time, now_utc
from lunadc.node import Node
from tests.cli.test_cli import run


@pytest.fixture
def root(tmp_path: Path) -> Path:
    node_root = tmp_path / "node"
    assert run("init", str(node_root), "--node-id", "node-cn").returncode == 0
    return node_root


def test_users_groups_tokens_round_trip(root: Path) -> None:
    env = {"LUNADC_ROOT": str(root)}
    assert run("user", "add", "li", "--role", "archivist", env=env).returncode == 0
    assert run("user", "add", "ivanov", "--partner", env=env).returncode == 0
    assert run("group", "add", "ce7-team", env=env).returncode == 0
    assert run("group", "member", "ce7-team", "li", env=env).returncode == 0
    listing = run("user", "list", env=env)
    assert "li" in listing.stdout and "ce7-team" in listing.stdout and "archivist" in listing.stdout

    created = run("token", "create", "ivanov", "--expires", "30d", env=env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("ldc_") and " " not in token

    now = format_time(now_utc())
    with Node.open(root) as node, node.engine.connect() as conn:
        viewer, _token_id = authenticate(conn, token, now)
        assert viewer.name == "ivanov" and viewer.partner and not viewer.sees_everything
        stored = conn.execute(text("SELECT secret_sha256 FROM api_tokens")).scalars().all()
    assert all(token.split("_")[-1] not in s for s in stored)  # only a hash is kept

    assert run("token", "revoke", token, env=env).returncode == 0
    with Node.open(root) as node, node.engine.connect() as conn:
        with pytest.raises(AuthenticationError, match="revoked"):
            authenticate(conn, token, now)

    audit = run("audit", "--json", env=env)
    assert audit.returncode == 0
    for action in (
        "user_added",
        "group_added",
        "group_member_added",
        "token_created",
        "token_revoked",
    ):
        assert action in audit.stdout
    assert token not in audit.stdout


def test_disabled_user_and_expired_token_are_refused(root: Path) -> None:
    env = {"LUNADC_ROOT": str(root)}
    assert run("user", "add", "wang", env=env).returncode == 0
    token = run("token", "create", "wang", env=env).stdout.strip().splitlines()[-1]
    assert run("user", "disable", "wang", env=env).returncode == 0
    with Node.open(root) as node, node.engine.connect() as conn:
        with pytest.raises(AuthenticationError, match="disabled"):
            authenticate(conn, token, format_time(now_utc()))

    assert run("user", "add", "chen", env=env).returncode == 0
    token = run("token", "create", "chen", "--expires", "1h", env=env).stdout.splitlines()[-1]
    later = "2999-01-01T00:00:00.000000Z"
    with Node.open(root) as node, node.engine.connect() as conn:
        with pytest.raises(AuthenticationError, match="expired"):
            authenticate(conn, token, later)


def test_errors_name_what_is_wrong(root: Path) -> None:
    env = {"LUNADC_ROOT": str(root)}
    assert run("user", "add", "li", env=env).returncode == 0
    dup = run("user", "add", "li", env=env)
    assert dup.returncode == 6 and "already exists" in dup.stderr
    missing = run("group", "member", "nogroup", "li", env=env)
    assert missing.returncode == 4 and "nogroup" in missing.stderr
    bad = run("token", "create", "li", "--expires", "yesterday", env=env)
    assert bad.returncode == 5


def test_audit_log_is_append_only_in_the_database(node: Node) -> None:
    from lunadc.access.admin import add_user
    from lunadc.model.access import Role

    add_user(node, "li", Role.READER, False)
    for statement in ("UPDATE audit_log SET actor = 'someone'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), node.engine.begin() as conn:
            conn.execute(text(statement))
