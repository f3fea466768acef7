"""Write complete synthetic PDS4 bundles to a folder: ``generate_samples(out)``.

Layout (one folder per bundle, named after the bundle id)::

    OUT/change4_surface/bundle_change4_surface.xml, readme.txt
    OUT/change4_surface/data_pcam/collection_data_pcam.xml, .csv
    OUT/change4_surface/data_pcam/lunar day 01/CE4_GRAS_PCAML-C_..._A_2B.xml, .img
    OUT/change4_surface/document/任务文档/ce4_mission_overview.xml, mission overview.txt
    OUT/luna25_lander/document/Описание миссии.xml, luna25 mission description.txt

Folder names and label file names never appear inside a label, so they are where the
non-ASCII names live; data file names (``file_name``) must be ASCII in PDS4 but may contain
spaces. The output depends only on the seed, the count and the missions (no clock, no
unseeded randomness), byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lunadc.errors import BadRequestError, ConflictError
from lunadc.samples.bundles import (
    bundle_label,
    collection_label,
    document_label,
    inventory,
    readme_text,
)
from lunadc.samples.missions import Mission
from lunadc.samples.products import allocate, build_product, select_missions, write_product


@dataclass(frozen=True, slots=True)
class BundleInfo:
    mission: str  # mission key, e.g. "change4"
    lid: str  # bundle LID
    folder: Path  # the bundle's root folder (holds the bundle label)
    products: int  # basic (observational) products
    total_bytes: int  # bytes of every file in the bundle
    home: str  # home node of the mission ("cn" or "ru")


@dataclass(frozen=True, slots=True)
class SampleSet:
    root: Path
    bundles: tuple[BundleInfo, ...]
    label_count: int  # every XML label written (bundle, collection, document, observational)
    total_bytes: int

    @property
    def products(self) -> int:
        return sum(b.products for b in self.bundles)


def generate_samples(
    out: Path, *, seed: int = 42, products: int = 60, missions: Sequence[str] | None = None
) -> SampleSet:
    """Write one bundle per mission under ``out`` with about ``products`` basic products in
    all (at least one per data collection). ``out`` must be absent or empty."""
    out = Path(out)
    if products < 0:
        raise BadRequestError(f"products must not be negative: {products}")
    chosen = select_missions(missions)
    _prepare(out)
    plan = [(m, c) for m in chosen for c in m.collections]
    counts = dict(
        zip(
            [(m.key, c.name) for m, c in plan],
            allocate(products, [c for _, c in plan]),
            strict=True,
        )
    )
    infos: list[BundleInfo] = []
    labels = 0
    for mission in chosen:
        info, n_labels = _write_bundle(out, mission, counts, seed)
        infos.append(info)
        labels += n_labels
    return SampleSet(out, tuple(infos), labels, sum(b.total_bytes for b in infos))


def _prepare(out: Path) -> None:
    if out.exists():
        if not out.is_dir():
            raise ConflictError("output exists and is not a folder", where=str(out))
        if any(out.iterdir()):
            raise ConflictError(
                "output folder is not empty; give a new or empty folder", where=str(out)
            )
    out.mkdir(parents=True, exist_ok=True)


def _write(path: Path, content: bytes) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return len(content)


def _write_bundle(
    out: Path, mission: Mission, counts: dict[tuple[str, str], int], seed: int
) -> tuple[BundleInfo, int]:
    root = out / mission.bundle_id
    written = labels = basic = 0
    members: list[tuple[str, str]] = []
    summary: list[tuple[str, int]] = []
    starts: list[str] = []
    stops: list[str] = []
    for coll in mission.collections:
        coll_dir = root / coll.name
        lidvids: list[str] = []
        c_start = c_stop = ""
        for index in range(counts[(mission.key, coll.name)]):
            product = build_product(mission, coll, index, seed)
            written += write_product(coll_dir, product)
            lidvids.append(product.lidvid)
            c_start = min(c_start, product.start) if c_start else product.start
            c_stop = max(c_stop, product.stop)
        inv = inventory(lidvids, f"collection_{coll.name}.csv")
        written += _write(coll_dir / inv.name, inv.content)
        written += _write(
            coll_dir / f"collection_{coll.name}.xml",
            collection_label(
                mission,
                coll,
                inv,
                c_start,
                c_stop,
                name=coll.name,
                title=coll.title,
                level=coll.processing_level,
            ),
        )
        labels += 1 + len(lidvids)
        basic += len(lidvids)
        members.append((coll.name, "bundle_has_data_collection"))
        summary.append((coll.name, len(lidvids)))
        starts.append(c_start)
        stops.append(c_stop)
    start, stop = min(starts), max(stops)
    written += _write_documents(root, mission, start, stop)
    labels += 3  # document product, document collection, bundle
    members.append(("document", "bundle_has_document_collection"))
    summary.append(("document", 1))
    readme = readme_text(mission, summary)
    written += _write(root / "readme.txt", readme)
    written += _write(
        root / f"bundle_{mission.bundle_id}.xml",
        bundle_label(mission, readme, members, start, stop),
    )
    info = BundleInfo(mission.key, mission.bundle_lid, root, basic, written, mission.home)
    return info, labels


def _write_documents(root: Path, mission: Mission, start: str, stop: str) -> int:
    doc = mission.document
    coll_dir = root / "document"
    folder = coll_dir / doc.folder if doc.folder else coll_dir
    content = doc.text.encode("utf-8")
    written = _write(folder / doc.file_name, content)
    written += _write(folder / doc.label_name, document_label(mission, content))
    lidvid = f"{mission.collection_lid('document')}:{doc.product_id}::1.0"
    inv = inventory([lidvid], "collection_document.csv")
    written += _write(coll_dir / inv.name, inv.content)
    written += _write(
        coll_dir / "collection_document.xml",
        collection_label(
            mission,
            None,
            inv,
            start,
            stop,
            name="document",
            title=f"{mission.investigation} Documentation",
            level="Derived",
        ),
    )
    return written
