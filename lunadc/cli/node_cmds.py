"""``lunadc init``, ``ingest``, ``show`` and ``fsck``: making a node and filling its catalog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lunadc.access.admin import check_groups_exist
from lunadc.access.policyfile import load_policy, make_setting
from lunadc.catalog import products as catalog
from lunadc.cli.app import RootOption, app, console, err_console, fail
from lunadc.cli_errors import EXIT_OK, EXIT_REJECTED
from lunadc.errors import BadRequestError, LunadcError, NotFoundError
from lunadc.ingest.pipeline import Ingestor
from lunadc.ingest.report import Outcome
from lunadc.ingest.scan import find_labels
from lunadc.maintenance.fsck import check_archive
from lunadc.model.access import Access
from lunadc.model.identifiers import parse_identifier
from lunadc.node import Node, init_node


@app.command()
def init(
    root: Annotated[Path, typer.Argument(help="Folder of the new node (created if missing).")],
    node_id: Annotated[str, typer.Option("--node-id", help="This node's id, e.g. node-cn.")],
    db: Annotated[str, typer.Option("--db", help="Catalog URL (default: SQLite in ROOT).")] = "",
    storage: Annotated[
        str, typer.Option("--storage", help="Archive URL, file://PATH (default: ROOT/archive).")
    ] = "",
    name: Annotated[str, typer.Option("--name", help="A human name for the node.")] = "",
) -> None:
    """Create a node: ROOT/lunadc.toml, the catalog and the archive."""
    try:
        node = init_node(root, node_id, db_url=db, storage_url=storage, name=name)
    except LunadcError as error:
        raise fail(error) from error
    with node:
        console.print(f"Created node [bold]{node.node_id}[/] in {node.config.root}")
        console.print(f"  catalog: {node.config.resolved_db_url}")
        console.print(f"  archive: {node.config.archive_path}")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Label files or folders (recursive).")],
    root: RootOption = Path("."),
    access: Annotated[
        Access | None,
        typer.Option("--access", help="public, partner or restricted (default: inherited)."),
    ] = None,
    group: Annotated[
        list[str] | None, typer.Option("--group", help="Group that may see restricted products.")
    ] = None,
    release_at: Annotated[
        str | None, typer.Option("--release-at", help="When the products become public.")
    ] = None,
    policy: Annotated[
        Path | None, typer.Option("--policy", help="TOML access policy file (rules by LID).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Validate and register PDS4 products; exit code 0 only if nothing was rejected.

    Access: --access/--group/--release-at apply to every product given; a --policy file
    decides per LID (its rules win); otherwise each product follows its collection or
    bundle, and is public if nothing says otherwise.
    """
    try:
        if access is None and (group or release_at):
            raise BadRequestError("--group and --release-at need --access")
        setting = (
            make_setting(access.value, group or [], release_at, "--access")
            if access is not None
            else None
        )
        access_policy = load_policy(policy) if policy is not None else None
        with Node.open(root) as node:
            check_groups_exist(node, setting, access_policy)
            labels = list(find_labels(paths))
            with Progress(
                TextColumn("[bold]ingest"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[last]}"),
                console=err_console,
                transient=True,
                disable=as_json or not err_console.is_terminal,
            ) as bar:
                task = bar.add_task("ingest", total=len(labels), last="")

                def advance(outcome: Outcome, source: Path) -> None:
                    bar.update(task, advance=1, last=f"{outcome}: {source.name}")

                report = Ingestor(node, access=setting, policy=access_policy, progress=advance).run(
                    paths, labels=labels
                )
    except LunadcError as error:
        raise fail(error) from error
    if as_json:
        console.print_json(json.dumps(report.as_dict()))
    else:
        _print_summary(report)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_REJECTED)


def _print_summary(report: object) -> None:
    from lunadc.ingest.report import IngestReport

    assert isinstance(report, IngestReport)
    for warning in report.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    for rejection in report.rejected:
        err_console.print(f"[red]rejected:[/] {rejection.file}", highlight=False, soft_wrap=True)
        for reason in rejection.reasons:
            err_console.print(f"    {reason}", highlight=False, soft_wrap=True, markup=False)
    mb = report.bytes_stored / 1e6
    console.print(
        f"[green]{len(report.ingested)} ingested[/], {len(report.unchanged)} unchanged, "
        f"[{'red' if report.rejected else 'green'}]{len(report.rejected)} rejected[/]"
        f" ({mb:.1f} MB stored in {report.seconds:.1f} s)"
    )


@app.command()
def show(
    identifier: Annotated[str, typer.Argument(help="A LIDVID, or a LID for its latest version.")],
    root: RootOption = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Print one product: its metadata, files and members."""
    try:
        lid, vid = parse_identifier(identifier)
        with Node.open(root) as node, node.engine.connect() as conn:
            product = catalog.get_product(conn, lid, vid)
            if product is None:
                raise NotFoundError(f"no product {identifier}")
            files = catalog.files_of(conn, product.id)
    except LunadcError as error:
        raise fail(error) from error
    if as_json:
        data = {
            "lidvid": product.lidvid,
            "title": product.title,
            "product_class": product.product_class,
            "start_time": product.start_time,
            "stop_time": product.stop_time,
            "target": product.target,
            "investigation": product.investigation,
            "instrument_host": product.instrument_host,
            "instrument": product.instrument,
            "processing_level": product.processing_level,
            "home_node": product.home_node,
            "is_latest": product.is_latest,
            "access": product.access,
            "files": [
                {"path": f.path, "role": f.role, "size": f.size, "md5": f.md5, "sha256": f.sha256}
                for f in files
            ],
        }
        console.print_json(json.dumps(data))
        return
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column(overflow="fold")
    rows = [
        ("LIDVID", product.lidvid),
        ("title", product.title),
        ("class", product.product_class),
        ("latest", "yes" if product.is_latest else "no (superseded)"),
        ("time", f"{product.start_time or '-'} → {product.stop_time or '-'}"),
        ("target", product.target or "-"),
        ("mission", product.investigation or "-"),
        ("host", product.instrument_host or "-"),
        ("instrument", product.instrument or "-"),
        ("level", product.processing_level or "-"),
        ("home node", product.home_node),
        ("access", product.access + (f" until {product.release_at}" if product.release_at else "")),
        ("ingested", product.ingested_at),
    ]
    for key, value in rows:
        table.add_row(key, value)
    console.print(table)
    files_table = Table("file", "role", "bytes", "md5", title="files", title_justify="left")
    for f in files:
        files_table.add_row(f.path, f.role, f"{f.size:,}", f.md5)
    console.print(files_table)


@app.command()
def fsck(root: RootOption = Path(".")) -> None:
    """Check that every registered file is in the archive with the right size and checksum."""
    try:
        with Node.open(root) as node:
            result = check_archive(node)
    except LunadcError as error:
        raise fail(error) from error
    for problem in result.problems:
        err_console.print(f"[red]{problem}[/]", highlight=False, soft_wrap=True)
    console.print(
        f"{result.files_checked} files checked, {len(result.problems)} problems, "
        f"{result.unreferenced} unreferenced blobs"
    )
    raise typer.Exit(EXIT_OK if not result.problems else EXIT_REJECTED)
