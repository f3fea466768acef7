"""``lunadc serve``: run the node's HTTP service (uvicorn)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from lunadc.cli.app import RootOption, app, console, fail
from lunadc.errors import LunadcError
from lunadc.node import Node


@app.command()
def serve(
    root: RootOption = Path("."),
    host: Annotated[
        str | None, typer.Option("--host", help="Address to bind (default: the node's, 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="Port (default: the node's, 8700).", min=0)
    ] = None,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            help="Worker processes (one uses about one core; use the number of cores).",
            min=1,
            max=64,
        ),
    ] = 1,
) -> None:
    """Serve the PDS Search API, files and archives over HTTP (docs at /docs)."""
    import uvicorn

    from lunadc.api.app import create_app
    from lunadc.api.serving import FACTORY, ROOT_ENV, tune_gc

    try:
        node = Node.open(root)
    except LunadcError as error:
        raise fail(error) from error
    with node:
        bind_host = host or node.config.host
        bind_port = node.config.port if port is None else port
        console.print(f"lunadc node [bold]{node.node_id}[/] on http://{bind_host}:{bind_port}/")
        options: dict[str, Any] = {
            "host": bind_host,
            "port": bind_port,
            "log_level": log_level,
            "access_log": log_level == "debug",
            "proxy_headers": False,
            # Named, not "auto": auto silently falls back to h11 when httptools is missing,
            # and h11 held every keep-alive answer 44 ms here.
            "http": "httptools",
        }
        if workers == 1:
            app = create_app(node)
            tune_gc()
            uvicorn.run(app, **options)
            return
    # Each worker opens the node itself (lunadc.api.serving); this process only supervises.
    os.environ[ROOT_ENV] = str(root.resolve())
    uvicorn.run(FACTORY, factory=True, workers=workers, **options)
