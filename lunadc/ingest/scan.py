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
    # A file is known by its device and inode: one stat call, where resolving the path costs
    # one per folder above it (and the same file reached twice is caught either way).
    seen: set[tuple[int, int]] = set()
    for path in paths:
        if not path.exists():
            raise BadRequestError("no such file or folder", where=str(path))
        if path.is_file():
            candidates: Iterable[Path] = [path]
        else:
            candidates = _walk(path)
        for candidate in candidates:
            try:
                info = os.stat(candidate)
            except OSError:  # a dangling link, or gone since listed: its check says so
                yield candidate
                continue
            key = (info.st_dev, info.st_ino)
            if key not in seen:
                seen.add(key)
                yield candidate


def _walk(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if is_label_name(name):
                yield Path(dirpath) / name
