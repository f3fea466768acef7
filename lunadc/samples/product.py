"""One generated product in memory (label bytes + data files) and the observational label."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from lunadc.model.product import Geometry
from lunadc.samples.labels import context_refs, identification_area, iso, time_and_summary
from lunadc.samples.missions import CollectionSpec, Mission
from lunadc.samples.xmlkit import Dictionary, open_root


@dataclass(frozen=True, slots=True)
class DataFile:
    """A data file of a product: its name as the label gives it, and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True, slots=True)
class ProductFiles:
    """A basic product ready to write: where, the label, the data files, what it covers.

    ``folder`` is relative to the collection folder (``/``-separated, ``""`` for none).
    ``geometry`` is what the label states: boxes from ``cart:Bounding_Coordinates``, the point
    of a degenerate box (west == east, north == south) also in ``points``, and the
    ``geom:Footprint_Vertices`` ring (without repeating the first vertex) in ``polygons``.
    """

    lid: str
    folder: str
    label_name: str
    label: bytes
    files: tuple[DataFile, ...]
    start: str
    stop: str
    geometry: Geometry = field(default_factory=Geometry)
    vid: str = "1.0"

    @property
    def lidvid(self) -> str:
        return f"{self.lid}::{self.vid}"

    @property
    def size(self) -> int:
        """Bytes of the label and its data files."""
        return len(self.label) + sum(len(f.content) for f in self.files)


@dataclass(frozen=True, slots=True)
class Slot:
    """The place of one product being built: mission, collection, index, its own RNG."""

    mission: Mission
    collection: CollectionSpec
    index: int
    rng: np.random.Generator

    def lid(self, product_id: str) -> str:
        return f"{self.mission.collection_lid(self.collection)}:{product_id.lower()}"


def file_area(file_xml: str, object_xml: str) -> str:
    return f"  <File_Area_Observational>\n{file_xml}{object_xml}  </File_Area_Observational>\n"


def observational_label(
    slot: Slot,
    *,
    lid: str,
    title: str,
    start: datetime,
    stop: datetime,
    description: str,
    dictionaries: tuple[Dictionary, ...],
    discipline: str,
    file_areas: str,
    discipline_name: str | None = None,
    wavelength_range: str | None = None,
) -> bytes:
    """A complete Product_Observational label (UTF-8 bytes)."""
    disc = f"    <Discipline_Area>\n{discipline}    </Discipline_Area>\n" if discipline else ""
    text = (
        open_root("Product_Observational", dictionaries)
        + identification_area(lid, title, "Product_Observational")
        + "  <Observation_Area>\n"
        + time_and_summary(
            start,
            stop,
            slot.collection.processing_level,
            description,
            discipline=discipline_name,
            wavelength_range=wavelength_range,
        )
        + context_refs(slot.mission, (slot.collection.instrument,), "data")
        + disc
        + "  </Observation_Area>\n"
        + file_areas
        + "</Product_Observational>\n"
    )
    return text.encode("utf-8")


def times(start: datetime, stop: datetime) -> tuple[str, str]:
    return iso(start), iso(stop)
