"""``python -m lunadc`` runs the command line."""

from lunadc.cli import main

main()
