"""Bulk rows for the search benchmark: the shapes ``register()`` writes, without label files.

One bundle per mission, three collections each (raw, calibrated, derived), and basic
products spread over them, with the same columns, terms, members, files, property JSON,
keyword words and change events an ingest would write. A small share is partner-only or
embargoed so the visibility filter has something to filter.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from lunadc.catalog.records import LABEL_COLUMNS
from lunadc.catalog.search_index import value_type, words_of
from lunadc.model.times import format_time

MISSIONS = [
    ("change4", "Chang'e 4", "Chang'e 4 Lander", ["PCAM", "VNIS", "LPR"], "Moon"),
    ("change5", "Chang'e 5", "Chang'e 5 Lander", ["LMS", "PCAM", "LRPR"], "Moon"),
    ("luna25", "Luna 25", "Luna 25 Lander", ["LIS-TV-RPM", "ADRON-LR", "LASMA-LR"], "Moon"),
    ("luna26", "Luna 26", "Luna 26 Orbiter", ["LRK", "LORD", "METEOR-L"], "Moon"),
    ("lro", "Lunar Reconnaissance Orbiter", "LRO", ["LROC", "Diviner", "LEND"], "Moon"),
    ("ch2", "Chandrayaan-2", "Chandrayaan-2 Orbiter", ["OHRC", "IIRS", "DFSAR"], "Moon"),
    ("kplo", "Korea Pathfinder Lunar Orbiter", "KPLO", ["ShadowCam", "LUTI", "KMAG"], "Moon"),
    ("slim", "SLIM", "SLIM Lander", ["MBC", "LEV-1", "LEV-2"], "Moon"),
    ("tianwen1", "Tianwen-1", "Tianwen-1 Orbiter", ["HiRIC", "MoRIC", "MMS"], "Mars"),
    ("exomars", "ExoMars TGO", "TGO", ["CaSSIS", "FREND", "ACS"], "Mars"),
]
LEVELS = [("raw", "Raw"), ("calibrated", "Calibrated"), ("derived", "Derived")]
# A vocabulary with a long tail, so keyword frequencies range from common to rare.
VOCAB = [
    f"{a}{b}"
    for a in (
        "crater",
        "regolith",
        "basalt",
        "highland",
        "mare",
        "polar",
        "ice",
        "dust",
        "plasma",
        "thermal",
        "albedo",
        "slope",
        "boulder",
        "rille",
        "ejecta",
        "shadow",
    )
    for b in (
        "",
        "s",
        "field",
        "zone",
        "map",
        "edge",
        "rim",
        "floor",
        "wall",
        "ray",
        "belt",
        "patch",
        "flow",
        "dome",
        "ridge",
        "scarp",
        "pit",
        "lobe",
        "bench",
        "apron",
    )
]
# Bumped whenever the generated rows change, so that cached catalogs are rebuilt.
GENERATOR_VERSION = "2"
T0 = datetime(2010, 1, 1, tzinfo=UTC)
SPAN_S = 15 * 365 * 86400
INGEST0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Batch:
    products: list[tuple[object, ...]] = field(default_factory=list)
    files: list[tuple[object, ...]] = field(default_factory=list)
    terms: list[tuple[object, ...]] = field(default_factory=list)
    members: list[tuple[object, ...]] = field(default_factory=list)
    changes: list[tuple[object, ...]] = field(default_factory=list)
    words: list[tuple[str, int]] = field(default_factory=list)
    properties: dict[str, tuple[str, int]] = field(default_factory=dict)  # name: type, witness


# The label's columns in registration's own order (``LabelRows.product``), then the rest.
PRODUCT_COLUMNS = [
    "id",
    *LABEL_COLUMNS,
    *("label_sha256", "home_node", "ingested_at", "is_latest", "status", "access", "release_at"),
]
FILE_COLUMNS = [
    "product_id",
    "role",
    "path",
    "size",
    "md5",
    "sha256",
    "blob_key",
    "creation_time",
    "records",
    "mime_type",
]
TERM_COLUMNS = ["product_id", "name", "value", "start_time"]
MEMBER_COLUMNS = ["parent_id", "member_lid", "member_vid", "status"]
CHANGE_COLUMNS = ["at", "kind", "lidvid", "payload"]


def _ctx(kind: str, name: str) -> str:
    return f"urn:nasa:pds:context:{kind}:{name.lower().replace(' ', '_').replace(chr(39), '')}"


class Generator:
    def __init__(self, products: int, seed: int = 7) -> None:
        self.total = products
        self.rng = random.Random(seed)
        self.next_id = 1
        self.tick = 0
        self.seen_properties: set[str] = set()

    def _product(
        self,
        batch: Batch,
        lid: str,
        cls: str,
        title: str,
        mission: tuple[object, ...],
        instrument: str | None,
        level: str | None,
        start: datetime | None,
    ) -> int:
        key, name, host, _instruments, target = mission
        pid = self.next_id
        self.next_id += 1
        self.tick += 1
        ingested = format_time(INGEST0 + timedelta(microseconds=self.tick * 7))
        rng = self.rng
        description = " ".join(rng.choice(VOCAB) for _ in range(6)) + f" observed by {name}"
        stop = start + timedelta(seconds=rng.randint(10, 3600)) if start else None
        start_text = format_time(start) if start else None
        props: dict[str, list[str]] = {
            "lid": [lid],
            "vid": ["1.0"],
            "lidvid": [f"{lid}::1.0"],
            "title": [title],
            "product_class": [cls],
            "description": [description],
            "pds:Identification_Area.pds:logical_identifier": [lid],
            "pds:Identification_Area.pds:version_id": ["1.0"],
            "pds:Identification_Area.pds:title": [title],
            "pds:Identification_Area.pds:information_model_version": ["1.21.0.0"],
            "pds:Identification_Area.pds:product_class": [cls],
            "pds:Investigation_Area.pds:name": [str(name)],
            "pds:Target_Identification.pds:name": [str(target)],
            "pds:Target_Identification.pds:type": ["Satellite" if target == "Moon" else "Planet"],
            "pds:Observing_System_Component.pds:name": [
                str(host),
                *([instrument] if instrument else []),
            ],
            "ref_lid_investigation": [_ctx("investigation", f"mission.{key}")],
            "ref_lid_target": [_ctx("target", str(target))],
            "ref_lid_instrument_host": [_ctx("instrument_host", str(key))],
        }
        if instrument:
            props["ref_lid_instrument"] = [_ctx("instrument", f"{key}.{instrument}")]
        if start and stop:
            props["pds:Time_Coordinates.pds:start_date_time"] = [
                start.strftime("%Y-%m-%dT%H:%M:%SZ")
            ]
            props["pds:Time_Coordinates.pds:stop_date_time"] = [stop.strftime("%Y-%m-%dT%H:%M:%SZ")]
        if level:
            props["pds:Primary_Result_Summary.pds:processing_level"] = [level]
        access, release = "public", None
        draw = rng.random()
        if draw < 0.02:
            access = "partner"
        elif draw < 0.03:
            access, release = "restricted", format_time(INGEST0 + timedelta(days=3650))
        sha = hashlib.sha256(f"{lid}-label".encode()).hexdigest()
        batch.products.append(
            (
                pid,
                lid,
                "1.0",
                1,
                0,
                f"{lid}::1.0",
                cls,
                title,
                description,
                "1.21.0.0",
                start_text,
                format_time(stop) if stop else None,
                level,
                target,
                name,
                instrument,
                host,
                json.dumps(props),
                sha,
                "node-bench",
                ingested,
                True,
                "active",
                access,
                release,
            )
        )
        leaf = lid.rsplit(":", 1)[-1]
        for role, path, mime in (
            ("label", f"{leaf}.xml", "application/xml"),
            ("data", f"{leaf}.img", "application/octet-stream"),
        ):
            digest = hashlib.sha256(f"{lid}-{role}".encode()).hexdigest()
            batch.files.append(
                (
                    pid,
                    role,
                    path,
                    4096,
                    digest[:32],
                    digest,
                    f"sha256/{digest[:2]}/{digest[2:4]}/{digest}",
                    ingested,
                    None,
                    mime,
                )
            )
        terms = {
            ("target", target),
            ("target_type", props["pds:Target_Identification.pds:type"][0]),
            ("investigation", name),
            ("instrument_host", host),
            ("discipline", "Geosciences"),
        }
        if instrument:
            terms.add(("instrument", instrument))
        for ref in (
            "ref_lid_investigation",
            "ref_lid_target",
            "ref_lid_instrument_host",
            "ref_lid_instrument",
        ):
            terms.update((ref, v) for v in props.get(ref, []))
        batch.terms.extend((pid, n, v, start_text) for n, v in sorted(terms))
        batch.words.extend((w, pid) for w in words_of([title, description]))
        for pname, values in props.items():
            if pname not in self.seen_properties:  # typed once, as the index does it
                self.seen_properties.add(pname)
                batch.properties[pname] = (value_type(values), pid)
        payload = json.dumps({"lid": lid, "vid": "1.0", "product_class": cls, "latest": True})
        batch.changes.append((ingested, "added", f"{lid}::1.0", payload))
        return pid

    def batches(self, size: int = 20_000) -> Iterator[Batch]:
        """Rows in batches; collections list their products (inventory rows) as they come."""
        per_collection = max(1, self.total // (len(MISSIONS) * len(LEVELS)))
        batch = Batch()
        made = 0
        for mission in MISSIONS:
            key, name = mission[0], mission[1]
            bundle_lid = f"urn:lunadc:bench:{key}"
            bundle_id = self._product(
                batch, bundle_lid, "Product_Bundle", f"{name} bundle", mission, None, None, None
            )
            for level_key, level in LEVELS:
                coll_lid = f"{bundle_lid}:data_{level_key}"
                coll_id = self._product(
                    batch,
                    coll_lid,
                    "Product_Collection",
                    f"{name} {level} data collection",
                    mission,
                    None,
                    level,
                    None,
                )
                batch.members.append((bundle_id, coll_lid, "1.0", "P"))
                for n in range(per_collection):
                    if made >= self.total:
                        break
                    instrument = self.rng.choice(mission[3])
                    start = T0 + timedelta(seconds=self.rng.randrange(SPAN_S))
                    lid = f"{coll_lid}:{instrument.lower()}_{n:07d}"
                    title = f"{name} {instrument} {level} observation {n}"
                    self._product(
                        batch,
                        lid,
                        "Product_Observational",
                        title,
                        mission,
                        instrument,
                        level,
                        start,
                    )
                    batch.members.append((coll_id, lid, "1.0", "P"))
                    made += 1
                    if len(batch.products) >= size:
                        yield batch
                        batch = Batch()
        yield batch
