"""Products with many or large files, written as valid PDS4 ``Product_Document`` labels
(for replication tests and ``bench/replicate.py``)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from lunadc.samples.labels import identification_area
from lunadc.samples.xmlkit import open_root

CHUNK = 4 * 1024 * 1024


def write_random(path: Path, size: int, seed: int) -> str:
    """``size`` pseudo-random bytes (cheap, incompressible); returns their MD5."""
    md5 = hashlib.md5(usedforsecurity=False)
    block = hashlib.sha256(str(seed).encode()).digest() * (CHUNK // 32)
    counter = 0
    with open(path, "wb") as out:
        left = size
        while left > 0:
            # Each chunk differs (a counter mixed in), so no two files or chunks dedupe.
            head = hashlib.sha256(f"{seed}:{counter}".encode()).digest()
            chunk = (head + block)[: min(CHUNK, left)]
            out.write(chunk)
            md5.update(chunk)
            left -= len(chunk)
            counter += 1
    return md5.hexdigest()


def document_product(
    folder: Path, lid: str, files: Sequence[tuple[str, int]], *, seed: int = 0
) -> Path:
    """A label ``folder/NAME.xml`` describing ``files`` (name, size) of random bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for n, (name, size) in enumerate(files):
        md5 = write_random(folder / name, size, seed * 100_003 + n)
        entries.append(
            "      <Document_File>\n"
            f"        <file_name>{name}</file_name>\n"
            f'        <file_size unit="byte">{size}</file_size>\n'
            f"        <md5_checksum>{md5}</md5_checksum>\n"
            "        <document_standard_id>7-Bit ASCII Text</document_standard_id>\n"
            "      </Document_File>\n"
        )
    text = (
        open_root("Product_Document", ())
        + identification_area(lid, f"Test document {lid.rsplit(':', 1)[-1]}", "Product_Document")
        + "  <Document>\n"
        + "    <publication_date>2024-01-01</publication_date>\n"
        + "    <Document_Edition>\n"
        + "      <edition_name>Test</edition_name>\n"
        + "      <language>English</language>\n"
        + f"      <files>{len(files)}</files>\n"
        + "".join(entries)
        + "    </Document_Edition>\n"
        + "  </Document>\n"
        + "</Product_Document>\n"
    )
    label = folder / (lid.rsplit(":", 1)[-1] + ".xml")
    label.write_text(text, encoding="utf-8")
    return label
