"""The ``lunadc`` command: a thin shell over the library, one module per group of commands."""

from lunadc.cli.app import app, main

__all__ = ["app", "main"]
