"""A small synthetic catalog for access tests: a bundle, collections, products, versions.

Products are registered straight through the catalog (no label files), each with one small
data file in the blob store, and every text that could leak carries a unique marker.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from lunadc.catalog.db import begin_write
from lunadc.catalog.records import NewProduct, StoredFile
from lunadc.catalog.register import register_batch
from lunadc.model.product import Label, Member, NamedRef
from lunadc.model.times import format_time
from lunadc.node import Node

BUNDLE_LID = "urn:nasa:pds:acc"


@dataclass(frozen=True)
class Item:
    lid: str
    vid: str
    product_class: str
    marker: str  # unique text in title, description, target and data file name

    @property
    def lidvid(self) -> str:
        return f"{self.lid}::{self.vid}"

    @property
    def file_name(self) -> str:
        return f"{self.marker.lower()}.dat"


def catalog_items(collections: int = 2, per_collection: int = 3) -> list[Item]:
    items = [Item(BUNDLE_LID, "1.0", "Product_Bundle", "MKBUNDLE")]
    for c in range(collections):
        clid = f"{BUNDLE_LID}:col{c}"
        items.append(Item(clid, "1.0", "Product_Collection", f"MKCOL{c}X"))
        for p in range(per_collection):
            plid = f"{clid}:p{p}"
            items.append(Item(plid, "1.0", "Product_Observational", f"MKP{c}{p}VONE"))
            if p == 0:  # a second version: "latest" must never reveal a hidden newer one
                items.append(Item(plid, "2.0", "Product_Observational", f"MKP{c}{p}VTWO"))
    return items


def _label(item: Item, items: list[Item]) -> Label:
    bundle_members = ()
    if item.product_class == "Product_Bundle":
        bundle_members = tuple(
            Member(i.lid, None, "P", "bundle_has_data_collection")
            for i in items
            if i.product_class == "Product_Collection"
        )
    return Label(
        lid=item.lid,
        vid=item.vid,
        product_class=item.product_class,
        title=f"Title {item.marker}",
        description=f"About {item.marker}",
        start_date_time="2024-01-01T00:00:00.000000Z",
        stop_date_time="2024-01-02T00:00:00.000000Z",
        targets=(NamedRef(f"Target{item.marker}", "Satellite"),),
        investigations=(NamedRef("Access Mission", "Mission"),),
        bundle_members=bundle_members,
        properties={
            "lid": (item.lid,),
            "vid": (item.vid,),
            "lidvid": (item.lidvid,),
            "title": (f"Title {item.marker}",),
            "product_class": (item.product_class,),
            f"pds:Target_Identification.pds:name_{item.marker.lower()}": (item.marker,),
        },
    )


def build_catalog(node: Node, items: list[Item]) -> None:
    news = []
    for item in items:
        data = f"bytes of {item.marker}\n".encode()
        staged = node.store.stage(io.BytesIO(data))
        key = staged.commit()
        members: tuple[Member, ...] = ()
        if item.product_class == "Product_Collection":
            members = tuple(
                Member(i.lid, None, "P")
                for i in items
                if i.lid.startswith(item.lid + ":") and i.product_class == "Product_Observational"
            )
        news.append(
            NewProduct(
                label=_label(item, items),
                label_sha256=staged.digests.sha256,
                files=(
                    StoredFile(
                        path=item.file_name,
                        role="data",
                        size=staged.digests.size,
                        md5=staged.digests.md5,
                        sha256=staged.digests.sha256,
                        blob_key=key,
                    ),
                ),
                members=members,
                home_node=node.node_id,
                ingested_at=format_time(node.clock()),
            )
        )
    with begin_write(node.engine) as conn:
        register_batch(conn, news)
