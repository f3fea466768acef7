"""A small catalog of footprints at the sample missions' real sites, for HTTP and CLI tests.

Products are registered straight through ``register_batch`` (the path ingest and
federation use), with geometry as the PDS4 extractor gives it. Expected answers were
worked out by hand (see each item's comment).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from lunadc.access import admin
from lunadc.catalog.db import begin_write
from lunadc.catalog.records import NewProduct, StoredFile
from lunadc.catalog.register import register_batch
from lunadc.model.access import Role
from lunadc.model.product import BoundingBox, Geometry, Label, NamedRef
from lunadc.model.times import format_time
from lunadc.node import Node

LID = "urn:test:spatial"


@dataclass(frozen=True)
class Spot:
    name: str
    geometry: Geometry
    instrument: str
    start: str
    stop: str
    target: str = "Moon"
    access: str = "public"
    groups: frozenset[str] = frozenset()

    @property
    def lidvid(self) -> str:
        return f"{LID}:{self.name}::1.0"


def _box(w: float, s: float, e: float, n: float) -> BoundingBox:
    return BoundingBox(west=w, east=e, north=n, south=s)


SPOTS = [
    # Chang'e-4 lander in Von Kármán (177.6°E 45.4°S) and a rover stop 2 km west.
    Spot(
        "ce4_lander", Geometry("Moon", points=((177.6, -45.4),)), "PCAM", "2019-01-03", "2019-01-04"
    ),
    Spot(
        "ce4_rover",
        Geometry("Moon", points=((177.534, -45.4),)),
        "PCAM",
        "2019-01-05",
        "2019-01-06",
    ),
    # An orbital box across 180°: 177°E → 178°W, 46°S..44°S (holds Von Kármán).
    Spot(
        "lro_vk_box",
        Geometry("Moon", boxes=(_box(177.0, -46.0, -178.0, -44.0),), resolution_m=0.5),
        "NAC",
        "2019-02-01",
        "2019-02-01",
    ),
    # Luna-25 at Boguslawsky (43.5°E 72.2°S).
    Spot(
        "luna25_lander",
        Geometry("Moon", points=((43.5, -72.2),)),
        "STS-L",
        "2023-08-21",
        "2023-08-22",
    ),
    # A south polar cap: every longitude, 90°S..88°S (the pole inside, no corners).
    Spot(
        "wac_pole_cap",
        Geometry("Moon", boxes=(_box(-180.0, -90.0, 180.0, -88.0),), resolution_m=100.0),
        "WAC",
        "2010-01-01",
        "2010-12-31",
    ),
    # A frame polygon that encloses the south pole (its box would be the whole cap).
    Spot(
        "lstk_pole_frame",
        Geometry(
            "Moon",
            boxes=(_box(-180.0, -90.0, 180.0, -89.0),),
            polygons=(((0.0, -89.2), (90.0, -89.2), (180.0, -89.2), (270.0, -89.2)),),
            resolution_m=1.5,
        ),
        "LSTK",
        "2027-03-01",
        "2027-03-01",
    ),
    # A narrow frame 10 km from the pole along 0°E: 89.8°S..89.6°S, 1°..3°E.
    Spot(
        "hrc_near_pole",
        Geometry("Moon", boxes=(_box(1.0, -89.8, 3.0, -89.6),), resolution_m=2.5),
        "HRC",
        "2026-11-20",
        "2026-11-20",
    ),
    # Restricted to group g1: covers the south pole. Never visible to others.
    Spot(
        "secret_pole",
        Geometry("Moon", boxes=(_box(-180.0, -90.0, 180.0, -87.0),), resolution_m=0.3),
        "SECRETCAM",
        "2026-01-01",
        "2026-01-02",
        access="restricted",
        groups=frozenset({"g1"}),
    ),
    # The same coordinates as Von Kármán, on Mars: never a Moon answer.
    Spot(
        "mars_same_place",
        Geometry("Mars", boxes=(_box(177.0, -46.0, -178.0, -44.0),), resolution_m=6.0),
        "CTX",
        "2019-01-03",
        "2019-01-04",
        target="Mars",
    ),
]

HIDDEN = "secret_pole"


def _label(spot: Spot) -> Label:
    return Label(
        lid=f"{LID}:{spot.name}",
        vid="1.0",
        product_class="Product_Observational",
        title=f"Spot {spot.name}",
        start_date_time=f"{spot.start}T00:00:00.000000Z",
        stop_date_time=f"{spot.stop}T12:00:00.000000Z",
        targets=(NamedRef(spot.target, "Satellite"),),
        investigations=(NamedRef("Spatial Test", "Mission"),),
        instruments=(NamedRef(spot.instrument, "Instrument"),),
        geometry=spot.geometry,
        properties={"title": (f"Spot {spot.name}",)},
    )


def build_world(node: Node) -> dict[str, str]:
    """Register the spots; make users ``g1-member`` and ``outsider``; return their tokens."""
    news = []
    for spot in SPOTS:
        staged = node.store.stage(io.BytesIO(spot.name.encode()))
        key = staged.commit()
        news.append(
            NewProduct(
                label=_label(spot),
                label_sha256=staged.digests.sha256,
                files=(
                    StoredFile(
                        path=f"{spot.name}.dat",
                        role="data",
                        size=staged.digests.size,
                        md5=staged.digests.md5,
                        sha256=staged.digests.sha256,
                        blob_key=key,
                    ),
                ),
                members=(),
                home_node=node.node_id,
                ingested_at=format_time(node.clock()),
                access=spot.access,
                groups=spot.groups,
            )
        )
    with begin_write(node.engine) as conn:
        register_batch(conn, news)
    admin.add_group(node, "g1")
    tokens = {}
    for name, groups in (("g1-member", ("g1",)), ("outsider", ())):
        admin.add_user(node, name, Role.READER, False)
        for g in groups:
            admin.add_member(node, g, name)
        tokens[name] = admin.create_token(node, name, None).token
    return tokens
