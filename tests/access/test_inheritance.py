"""Access set at ingest or later, inherited by members, cascaded, recorded in the feed."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from lunadc.access import admin
from lunadc.access.policyfile import load_policy, make_setting
from lunadc.catalog.tables import changes, products
from lunadc.ingest.pipeline import ingest
from lunadc.model.access import Access
from lunadc.node import Node
from tests.conftest import SAMPLES

BUNDLE = "urn:nasa:pds:clps_to_2ab_pll.pitms"
COLLECTION = f"{BUNDLE}:data_raw"
PRODUCT = f"{COLLECTION}:pitms_raw_aux"


def _access(node: Node) -> dict[str, tuple[str, bool]]:
    with node.engine.connect() as conn:
        return {
            r.lid: (r.access, bool(r.access_explicit))
            for r in conn.execute(
                select(products.c.lid, products.c.access, products.c.access_explicit)
            )
        }


def _events(node: Node, kind: str) -> list[tuple[str, dict[str, object]]]:
    with node.engine.connect() as conn:
        return [
            (r.lidvid, json.loads(r.payload))
            for r in conn.execute(
                select(changes).where(changes.c.kind == kind).order_by(changes.c.seq)
            )
        ]


def test_members_inherit_the_bundle_access_given_at_ingest(node: Node, tmp_path: Path) -> None:
    admin.add_group(node, "pitms-team")
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(
        f'[[rule]]\nlid = "{BUNDLE}"\naccess = "restricted"\ngroups = ["pitms-team"]\n'
    )
    report = ingest(node, [SAMPLES / "bundle_clps_pitms"], policy=load_policy(policy_file))
    assert not report.rejected
    assert _access(node) == {
        BUNDLE: ("restricted", True),
        COLLECTION: ("restricted", False),
        PRODUCT: ("restricted", False),
    }
    # Every "added" event already carries the final access: a peer never sees it public.
    added = {lidvid: payload["access"] for lidvid, payload in _events(node, "added")}
    assert set(added.values()) == {"restricted"}
    assert _events(node, "access_changed") == []


def test_access_set_cascades_but_respects_explicit_members(node: Node) -> None:
    ingest(node, [SAMPLES / "bundle_clps_pitms"])
    assert set(_access(node).values()) == {("public", False)}
    admin.set_access(node, PRODUCT, Access.PARTNER, frozenset(), None)
    changed = admin.set_access(node, BUNDLE, Access.PARTNER, frozenset(), "2030-01-01T00:00:00Z")
    assert set(changed) == {f"{BUNDLE}::1.0", f"{COLLECTION}::1.0", f"{PRODUCT}::1.0"} - {
        f"{PRODUCT}::1.0"
    }
    state = _access(node)
    assert state[BUNDLE] == ("partner", True)
    assert state[COLLECTION] == ("partner", False)
    assert state[PRODUCT] == ("partner", True)  # its own setting, kept
    changed_events = _events(node, "access_changed")
    assert [lidvid for lidvid, _p in changed_events][-2:] == [
        f"{BUNDLE}::1.0",
        f"{COLLECTION}::1.0",
    ]
    assert changed_events[-1][1]["release_at"] == "2030-01-01T00:00:00.000000Z"


def test_a_member_ingested_after_its_collection_inherits(node: Node, tmp_path: Path) -> None:
    folder = SAMPLES / "bundle_clps_pitms"
    setting = make_setting("partner", [], None, "test")
    ingest(node, [folder / "bundle.xml", folder / "data_raw" / "collection.xml"], access=setting)
    ingest(node, [folder / "data_raw" / "PITMS_RAW_AUX.xml"])
    assert _access(node)[PRODUCT] == ("partner", False)
