"""``lunadc node show``, ``peer``, ``rule``, ``sync`` and ``status``: the federation commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lunadc.catalog import federation as fed
from lunadc.catalog.db import begin_write
from lunadc.cli.app import RootOption, app, console, err_console, fail
from lunadc.cli_errors import EXIT_OK, EXIT_REJECTED
from lunadc.config import validate_node_id
from lunadc.errors import BadRequestError, LunadcError
from lunadc.federation import status as fed_status
from lunadc.federation.identity import fingerprint, key_id, load_identity
from lunadc.federation.sync import run_once
from lunadc.model.access import Access
from lunadc.model.times import format_time, parse_time
from lunadc.node import Node

node_app = typer.Typer(help="This node's identity.", no_args_is_help=True)
peer_app = typer.Typer(
    help="Peer nodes: add (both sides must), list, remove, grant.", no_args_is_help=True
)
rule_app = typer.Typer(
    help="Sharing rules: whose bytes this node replicates.", no_args_is_help=True
)
app.add_typer(node_app, name="node")
app.add_typer(peer_app, name="peer")
app.add_typer(rule_app, name="rule")


def _now(node: Node) -> str:
    return format_time(node.clock())


@node_app.command("show")
def node_show(root: RootOption = Path(".")) -> None:
    """Print this node's id, public key and its fingerprint (to exchange out of band)."""
    try:
        with Node.open(root) as node:
            identity = load_identity(node.config.root, node.node_id)
    except LunadcError as error:
        raise fail(error) from error
    console.print(f"node id:     {identity.node_id}", highlight=False)
    console.print(f"fingerprint: {identity.fingerprint}", highlight=False)
    console.print(f"key id:      {identity.key_id}", highlight=False)
    console.print(f"public key:  {identity.public_key}", highlight=False, soft_wrap=True)


@peer_app.command("add")
def peer_add(
    name: Annotated[str, typer.Argument(help="The peer's node id, e.g. node-ru.")],
    url: Annotated[str, typer.Argument(help="The peer's base URL, e.g. http://127.0.0.1:8701")],
    key: Annotated[str, typer.Option("--key", help="The peer's public key (ed25519:...).")],
    grants: Annotated[
        list[str] | None, typer.Option("--grant", help="A restricted group it may receive.")
    ] = None,
    expires: Annotated[
        str | None, typer.Option("--expires", help="When the peer's key stops being trusted.")
    ] = None,
    root: RootOption = Path("."),
) -> None:
    """Trust a peer node (it must add this node too)."""
    try:
        validate_node_id(name)
        if not url.startswith(("http://", "https://")):
            raise BadRequestError(f"the URL must start with http:// or https://, not {url!r}")
        with Node.open(root) as node, begin_write(node.engine) as conn:
            if name == node.node_id:
                raise BadRequestError("a node cannot peer with itself")
            fed.add_peer(
                conn,
                name=name,
                url=url,
                public_key=key.strip(),
                key_id=key_id(key),
                now=_now(node),
                key_expires_at=format_time(parse_time(expires)) if expires else None,
            )
            fed.grant(conn, name, grants or [])
    except LunadcError as error:
        raise fail(error) from error
    console.print(f"peer {name} added ({url}, key {fingerprint(key)})", highlight=False)


@peer_app.command("list")
def peer_list(
    root: RootOption = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The peers this node trusts."""
    try:
        with Node.open(root) as node, node.engine.connect() as conn:
            peers = fed.list_peers(conn)
    except LunadcError as error:
        raise fail(error) from error
    if as_json:
        rows = [
            {"name": p.name, "url": p.url, "public_key": p.public_key, "grants": list(p.grants)}
            for p in peers
        ]
        console.print_json(json.dumps(rows))
        return
    table = Table("name", "url", "fingerprint", "grants", "added")
    for p in peers:
        table.add_row(p.name, p.url, fingerprint(p.public_key), ", ".join(p.grants), p.added_at)
    console.print(table)


@peer_app.command("remove")
def peer_remove(name: str, root: RootOption = Path(".")) -> None:
    """Stop trusting a peer: its signatures are refused from now on."""
    try:
        with Node.open(root) as node, begin_write(node.engine) as conn:
            fed.remove_peer(conn, name, _now(node))
    except LunadcError as error:
        raise fail(error) from error
    console.print(f"peer {name} removed")


@peer_app.command("grant")
def peer_grant(
    name: str,
    groups: Annotated[list[str], typer.Argument(help="Restricted groups it may receive.")],
    revoke: Annotated[bool, typer.Option("--revoke", help="Take the groups away.")] = False,
    root: RootOption = Path("."),
) -> None:
    """Let a peer receive (or no longer receive) restricted products of these groups."""
    try:
        with Node.open(root) as node, begin_write(node.engine) as conn:
            fed.grant(conn, name, groups, revoke=revoke)
            now_granted = fed.grants_of(conn, name)
    except LunadcError as error:
        raise fail(error) from error
    console.print(f"peer {name} may receive: {', '.join(now_granted) or '(no restricted group)'}")


@rule_app.command("add")
def rule_add(
    peer: Annotated[str, typer.Option("--from", help="The peer whose products to replicate.")],
    mission: Annotated[str | None, typer.Option("--mission")] = None,
    bundle: Annotated[str | None, typer.Option("--bundle", help="A bundle LID.")] = None,
    collection: Annotated[
        str | None, typer.Option("--collection", help="A collection LID.")
    ] = None,
    access: Annotated[
        str | None, typer.Option("--access", help="Levels, e.g. public,partner (default: any).")
    ] = None,
    root: RootOption = Path("."),
) -> None:
    """Replicate the bytes of a peer's products that match (metadata always syncs)."""
    levels = [a.strip() for a in (access or "").split(",") if a.strip()]
    try:
        bad = [a for a in levels if a not in {x.value for x in Access}]
        if bad:
            raise BadRequestError(f"unknown access level(s): {', '.join(bad)}")
        with Node.open(root) as node, begin_write(node.engine) as conn:
            rule_id = fed.add_rule(
                conn,
                peer=peer,
                now=_now(node),
                mission=mission,
                bundle_lid=bundle,
                collection_lid=collection,
                access=levels,
            )
    except LunadcError as error:
        raise fail(error) from error
    console.print(f"rule {rule_id} added")


@rule_app.command("list")
def rule_list(root: RootOption = Path(".")) -> None:
    """The sharing rules of this node."""
    try:
        with Node.open(root) as node, node.engine.connect() as conn:
            rules = fed.list_rules(conn)
    except LunadcError as error:
        raise fail(error) from error
    table = Table("id", "from", "mission", "bundle", "collection", "access")
    for r in rules:
        table.add_row(
            str(r.id),
            r.peer,
            r.mission or "*",
            r.bundle_lid or "*",
            r.collection_lid or "*",
            ",".join(r.access) or "*",
        )
    console.print(table)


@rule_app.command("remove")
def rule_remove(rule_id: int, root: RootOption = Path(".")) -> None:
    """Remove a sharing rule (bytes already replicated stay)."""
    try:
        with Node.open(root) as node, begin_write(node.engine) as conn:
            fed.remove_rule(conn, rule_id)
    except LunadcError as error:
        raise fail(error) from error
    console.print(f"rule {rule_id} removed")


@app.command()
def sync(
    peer: Annotated[str | None, typer.Option("--peer", help="Only this peer.")] = None,
    root: RootOption = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Pull peers' changes once, register replicas, fetch bytes the rules ask for."""
    try:
        with Node.open(root) as node:
            report = run_once(node, peer)
    except LunadcError as error:
        raise fail(error) from error
    if as_json:
        console.print_json(json.dumps([vars(p) for p in report.peers]))
    for p in report.peers if not as_json else []:
        line = (
            f"{p.peer}: {p.events} events (to {p.last_seq} of {p.head}), {p.added} added, "
            f"{p.updated} updated, {p.removed} removed; {p.completed} replicas completed, "
            f"{p.files} files, {p.bytes / 1e6:.1f} MB"
        )
        console.print(line, highlight=False)
        if p.error:
            err_console.print(f"[red]{p.peer}: {p.error}[/]", highlight=False)
        for problem in [*p.refused, *p.failures][:20]:
            err_console.print(f"[yellow]{p.peer}: {problem}[/]", highlight=False, markup=False)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_REJECTED)


@app.command()
def status(
    root: RootOption = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    probe: Annotated[bool, typer.Option(help="Check that each peer answers.")] = True,
) -> None:
    """Peers, reachability, feed lag, replication queue, bytes and failures (per file)."""
    try:
        with Node.open(root) as node:
            report = fed_status.collect(node, probe=probe)
    except LunadcError as error:
        raise fail(error) from error
    if as_json:
        console.print_json(json.dumps(report.as_dict()))
        return
    table = Table(
        "peer", "reachable", "applied", "lag", "last ok", "replicas", "queue", "MB", "error"
    )
    for p in report.peers:
        reachable = {True: "yes", False: "NO", None: "?"}[p.reachable]
        lag = f"{p.lag_events} events" + (
            f", {p.lag_seconds:.0f} s" if p.lag_seconds is not None else ""
        )
        replicas = ", ".join(f"{k} {v}" for k, v in sorted(p.replicas.items())) or "-"
        table.add_row(
            p.name,
            reachable,
            f"{p.last_seq}/{p.remote_head}",
            lag,
            p.last_ok_at or "never",
            replicas,
            f"{p.queue} ({p.queue_bytes / 1e6:.1f} MB)",
            f"{p.bytes_replicated / 1e6:.1f}",
            p.last_error or "",
        )
    console.print(table)
    for p in report.peers:
        for f in p.failures:
            err_console.print(
                f"{p.name}: {f['lidvid']} {f['path']}: {f['reason']} ({f['at']})",
                highlight=False,
                markup=False,
            )
