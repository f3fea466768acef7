"""Small synthetic catalogs registered straight through ``register()`` (fast, exact)."""

from __future__ import annotations

from lunadc.catalog.db import begin_write
from lunadc.catalog.products import register
from lunadc.catalog.records import NewProduct
from lunadc.model.product import Label, Member, NamedRef, Reference
from lunadc.model.times import canonical_time
from lunadc.node import Node

BUNDLE = "urn:test:lunadc:b1"
COLL = f"{BUNDLE}:data"


def label(
    lid: str,
    vid: str = "1.0",
    *,
    cls: str = "Product_Observational",
    title: str = "",
    description: str | None = None,
    start: str | None = None,
    target: str = "Moon",
    mission: str = "Chang'e 4",
    level: str | None = "Raw",
    members: tuple[Member, ...] = (),
    extra: dict[str, tuple[str, ...]] | None = None,
) -> Label:
    title = title or f"Product {lid.rsplit(':', 1)[-1]} v{vid}"
    props: dict[str, tuple[str, ...]] = {
        "lid": (lid,),
        "vid": (vid,),
        "lidvid": (f"{lid}::{vid}",),
        "title": (title,),
        "product_class": (cls,),
        "pds:Target_Identification.pds:name": (target,),
        "ref_lid_target": (f"urn:nasa:pds:context:target:satellite.{target.lower()}",),
        **(extra or {}),
    }
    if start:
        props["pds:Time_Coordinates.pds:start_date_time"] = (start,)
    return Label(
        lid=lid,
        vid=vid,
        product_class=cls,
        title=title,
        description=description,
        start_date_time=canonical_time(start),
        stop_date_time=canonical_time(start),
        processing_level=level,
        targets=(NamedRef(target),),
        investigations=(NamedRef(mission),),
        references=(
            Reference("data_to_target", f"urn:nasa:pds:context:target:satellite.{target.lower()}"),
        ),
        bundle_members=members if cls == "Product_Bundle" else (),
        properties=props,
    )


def add(
    node: Node,
    lab: Label,
    *,
    at: str,
    members: tuple[Member, ...] = (),
    access: str = "public",
    release_at: str | None = None,
) -> int:
    with begin_write(node.engine) as conn:
        return register(
            conn,
            NewProduct(
                label=lab,
                label_sha256="0" * 64,
                files=(),
                members=members,
                home_node="node-test",
                ingested_at=at,
                access=access,
                release_at=release_at,
            ),
        )


def at(n: int) -> str:
    return f"2026-01-01T00:00:{n:02d}.000000Z"


def small_catalog(node: Node) -> None:
    """A bundle, a collection listing p1 v1.0 and p2 (any version), p1 in two versions,
    a hidden (restricted) product, and an embargoed one released in 2030."""
    add(
        node,
        label(
            BUNDLE, cls="Product_Bundle", title="Test bundle", members=(Member(COLL, None, "P"),)
        ),
        at=at(1),
    )
    add(
        node,
        label(COLL, cls="Product_Collection", title="Test data collection"),
        at=at(2),
        members=(Member(f"{COLL}:p1", "1.0", "P"), Member(f"{COLL}:p2", None, "P")),
    )
    add(
        node,
        label(f"{COLL}:p1", start="2020-01-01T00:00:00Z", description="Crater rims near the pole"),
        at=at(3),
    )
    add(
        node,
        label(
            f"{COLL}:p2",
            start="2021-06-01T00:00:00Z",
            target="Mars",
            mission="Tianwen-1",
            level="Calibrated",
            description="Dust storms",
            extra={"pds:Array.pds:axes": ("2",)},
        ),
        at=at(4),
    )
    add(node, label(f"{COLL}:p1", "2.0", start="2020-01-02T00:00:00Z"), at=at(5))
    add(node, label(f"{COLL}:secret", title="Secret crater"), at=at(6), access="restricted")
    add(
        node,
        label(f"{COLL}:later", title="Embargoed crater"),
        at=at(7),
        access="partner",
        release_at="2030-01-01T00:00:00.000000Z",
    )
