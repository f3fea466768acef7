"""``lunadc samples generate``: synthetic PDS4 missions for demos, tests and benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lunadc.cli.app import app, console, fail
from lunadc.errors import LunadcError

samples_app = typer.Typer(help="Sample PDS4 missions.", no_args_is_help=True)
app.add_typer(samples_app, name="samples")


@samples_app.command("generate")
def generate(
    out: Annotated[Path, typer.Argument(help="Folder to write (must be empty or absent).")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same bytes).")] = 42,
    products: Annotated[
        int, typer.Option("--products", min=1, help="About how many observational products.")
    ] = 60,
) -> None:
    """Write valid PDS4 bundles modelled on Chang'e, Luna and Mars missions."""
    from lunadc.samples.generate import generate_samples

    try:
        result = generate_samples(out, seed=seed, products=products)
    except LunadcError as error:
        raise fail(error) from error
    for bundle in result.bundles:
        console.print(f"  {bundle.mission:<10} {bundle.lid}  ({bundle.products} products)")
    console.print(
        f"Wrote {result.label_count} labels ({result.total_bytes / 1e6:.1f} MB) to {result.root}"
    )
