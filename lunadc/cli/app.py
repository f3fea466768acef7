"""The root ``lunadc`` Typer application, shared options and the error boundary."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from lunadc.cli_errors import exit_code_for
from lunadc.errors import LunadcError

app = typer.Typer(
    name="lunadc",
    help="lunadc: a node of the Joint Data Center for Lunar and Deep Space Research.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

RootOption = Annotated[
    Path,
    typer.Option(
        "--root",
        envvar="LUNADC_ROOT",
        help="The node's folder (holds lunadc.toml). Default: LUNADC_ROOT or the current folder.",
        file_okay=False,
    ),
]


def fail(error: LunadcError) -> typer.Exit:
    """Print one line saying what and where, and exit with the code for this error."""
    err_console.print(f"[bold red]error:[/] {error}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(exit_code_for(error))


def _register_commands() -> None:
    # Imported here so that each command module can use ``app`` and the helpers above.
    from lunadc.cli import (  # noqa: F401
        access_cmds,
        coverage_cmds,
        federation_cmds,
        node_cmds,
        samples_cmds,
        search_cmds,
        serve_cmds,
    )


def main() -> None:
    _register_commands()
    try:
        app()
    except LunadcError as error:  # a command that did not translate it itself
        raise SystemExit(exit_code_for(error)) from fail(error)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
