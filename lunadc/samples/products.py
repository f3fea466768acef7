"""Low-level product builders: make basic products in memory, fast, without writing a bundle.

Each product gets its own random generator seeded from ``(seed, mission/collection, index)``,
so product *n* of a collection is the same whatever the total count (asking for 100 products
gives the first 60 of a 60-product run plus 40 more).

>>> p = next(iter_products("change4", "data_pcam", 1))
>>> p.lid
'urn:cnsa:clep:change4_surface:data_pcam:ce4_gras_pcaml-c_sci_n_20190105045900_0001_a_2b'
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from lunadc.errors import BadRequestError
from lunadc.samples import orbital, surface
from lunadc.samples.missions import MISSION_SPECS, MISSIONS, CollectionSpec, Mission
from lunadc.samples.product import ProductFiles, Slot

Builder = Callable[[Slot], ProductFiles]

BUILDERS: dict[str, Builder] = {
    "pcam": surface.pcam,
    "lpr": surface.lpr,
    "vnis": surface.vnis,
    "lcam": surface.lcam,
    "sts": surface.sts,
    "adron": surface.adron,
    "lasma": surface.lasma,
    "hrc": orbital.hrc,
    "wac": orbital.wac,
    "lstk": orbital.lstk,
    "moric": orbital.moric,
}


def select_missions(missions: Sequence[str] | None) -> tuple[Mission, ...]:
    """The requested missions in the fixed order of ``MISSIONS`` (all when None)."""
    if missions is None:
        return tuple(MISSION_SPECS[key] for key in MISSIONS)
    unknown = sorted(set(missions) - set(MISSIONS))
    if unknown:
        raise BadRequestError(
            f"unknown mission(s) {', '.join(unknown)}; choose from {', '.join(MISSIONS)}"
        )
    if not missions:
        raise BadRequestError("no mission selected")
    return tuple(MISSION_SPECS[key] for key in MISSIONS if key in missions)


def allocate(total: int, collections: Sequence[CollectionSpec]) -> list[int]:
    """Split ``total`` products over collections by weight, at least one each."""
    if not collections:
        return []
    total = max(total, len(collections))
    weight = sum(c.weight for c in collections)
    quotas = [total * c.weight / weight for c in collections]
    counts = [max(1, int(q)) for q in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda k: (-(quotas[k] - int(quotas[k])), k))
    k = 0
    while sum(counts) < total:
        counts[by_remainder[k % len(counts)]] += 1
        k += 1
    while sum(counts) > total:
        largest = max(range(len(counts)), key=lambda j: (counts[j], -j))
        counts[largest] -= 1
    return counts


def product_rng(
    seed: int, mission: Mission, collection: CollectionSpec, index: int
) -> np.random.Generator:
    tag = zlib.crc32(f"{mission.key}/{collection.name}".encode())
    return np.random.default_rng([seed % 2**63, tag, index])


def build_product(
    mission: Mission, collection: CollectionSpec, index: int, seed: int = 42
) -> ProductFiles:
    """The ``index``-th (from 0) product of a collection."""
    slot = Slot(mission, collection, index, product_rng(seed, mission, collection, index))
    return BUILDERS[collection.kind](slot)


def iter_products(
    mission: str, collection: str, count: int, *, seed: int = 42, start: int = 0
) -> Iterator[ProductFiles]:
    """Products ``start`` .. ``start + count - 1`` of one collection, e.g.
    ``iter_products("luna26", "data_lstk", 100)``."""
    spec = select_missions([mission])[0]
    try:
        coll = spec.collection(collection)
    except KeyError:
        names = ", ".join(c.name for c in spec.collections)
        raise BadRequestError(
            f"mission {mission} has no collection {collection!r}; choose from {names}"
        ) from None
    for index in range(start, start + count):
        yield build_product(spec, coll, index, seed)


def iter_product_labels(
    count: int, *, seed: int = 42, missions: Sequence[str] | None = None
) -> Iterator[ProductFiles]:
    """``count`` products spread over the data collections of the missions as
    :func:`generate_samples` spreads them, interleaved (one of each collection in turn)."""
    plan = [(m, c) for m in select_missions(missions) for c in m.collections]
    counts = allocate(count, [c for _, c in plan]) if count > 0 else [0] * len(plan)
    made = 0
    for index in range(max(counts, default=0)):
        for (mission, coll), n in zip(plan, counts, strict=True):
            if index < n and made < count:
                made += 1
                yield build_product(mission, coll, index, seed)


def write_product(collection_dir: Path, product: ProductFiles) -> int:
    """Write a product's label and data files under its collection folder; bytes written."""
    folder = collection_dir / product.folder if product.folder else collection_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / product.label_name).write_bytes(product.label)
    for data in product.files:
        (folder / data.name).write_bytes(data.content)
    return product.size
