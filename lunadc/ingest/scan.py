"""Finding label files under the paths an archivist names."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from lunadc.errors import BadRequestError

LABEL_SUFFIXES = (".xml", ".lblx")


def is_label_name(name: str) -> bool:
    """A label is a file ending in ``.xml`` or ``.lblx``, in any letter case."""
    return name.lower().endswith(LABEL_SUFFIXES) and not name.startswith(".")


def find_labels(paths: Iterable[Path]) -> Iterator[Path]:
    """Yield every label file under ``paths`` (files are taken as given), in a stable order.

    Hidden folders (``.git``, an archive's ``.tmp``) are skipped; symbolic links to folders
    are not followed, so a link cannot pull in a tree twice or loop.
    """
    seen: set[Path] = set()
    for path in paths:
        if not path.exists():
            raise BadRequestError("no such file or folder", where=str(path))
        if path.is_file():
            candidates: Iterable[Path] = [path]
        else:
            candidates = _walk(path)
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield candidate


def _walk(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if is_label_name(name):
                yield Path(dirpath) / name
