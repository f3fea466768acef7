"""Nothing a user may not see appears anywhere, on any read path (property-based).

Hypothesis draws, for every product of a small catalog, an access level, groups and an
embargo date in the past or the future; then every read endpoint is called as each kind of
user, and no response may mention a hidden product: not its LIDVID, title, description,
target, file name, property name, nor count it in ``hits`` or a facet.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lunadc.access import admin
from lunadc.api.app import create_app
from lunadc.catalog import access as access_rules
from lunadc.catalog.db import begin_write
from lunadc.catalog.products import product_ids
from lunadc.model.access import Access, Role, may_see
from lunadc.model.identifiers import Vid
from lunadc.model.times import format_time
from lunadc.node import Node, init_node
from tests.access.factory import Item, build_catalog, catalog_items

NOW = datetime(2026, 6, 1, tzinfo=UTC)
PAST, FUTURE = "2026-01-01T00:00:00.000000Z", "2027-01-01T00:00:00.000000Z"
ITEMS = catalog_items()
USERS = {
    "reader": (Role.READER, False, ()),
    "partner": (Role.READER, True, ()),
    "g1-member": (Role.READER, False, ("g1",)),
    "g2-partner": (Role.READER, True, ("g2",)),
    "archivist": (Role.ARCHIVIST, False, ()),
}


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Node, TestClient, dict[str, str]]]:
    root: Path = tmp_path_factory.mktemp("visibility") / "node"
    with init_node(root, "node-acc") as node:
        node.clock = lambda: NOW
        build_catalog(node, ITEMS)
        for group in ("g1", "g2"):
            admin.add_group(node, group)
        tokens = {}
        for name, (role, partner, groups) in USERS.items():
            admin.add_user(node, name, role, partner)
            for group in groups:
                admin.add_member(node, group, name)
            tokens[name] = admin.create_token(node, name, None).token
        with TestClient(create_app(node), raise_server_exceptions=False) as client:
            yield node, client, tokens


setting_strategy = st.one_of(
    st.just(access_rules.AccessSetting("public")),
    st.builds(
        access_rules.AccessSetting,
        st.just("partner"),
        st.just(frozenset()),
        st.sampled_from([None, PAST, FUTURE]),
    ),
    st.builds(
        access_rules.AccessSetting,
        st.just("restricted"),
        st.sampled_from([frozenset({"g1"}), frozenset({"g2"}), frozenset({"g1", "g2"})]),
        st.sampled_from([None, PAST, FUTURE]),
    ),
)


def _apply(node: Node, settings_by_item: list[access_rules.AccessSetting]) -> None:
    with begin_write(node.engine) as conn:
        wanted = {}
        for item, setting in zip(ITEMS, settings_by_item, strict=True):
            (pid,) = product_ids(conn, item.lid, Vid.parse(item.vid))
            wanted[pid] = setting
        access_rules.store(conn, wanted, explicit=True, now=format_time(NOW))


def _visible(
    viewer_name: str | None, settings_by_item: list[access_rules.AccessSetting]
) -> set[str]:
    from lunadc.model.access import ANONYMOUS, Viewer

    if viewer_name is None:
        viewer = ANONYMOUS
    else:
        role, partner, groups = USERS[viewer_name]
        viewer = Viewer(name=viewer_name, role=role, partner=partner, groups=frozenset(groups))
    now = format_time(NOW)
    return {
        item.lidvid
        for item, s in zip(ITEMS, settings_by_item, strict=True)
        if may_see(viewer, access=s.access, release_at=s.release_at, groups=s.groups, now=now)
    }


def _paths() -> list[str]:
    paths = [
        "/products?limit=100&facet-fields=target&facet-fields=product_class&facet-limit=100",
        "/products?keywords=about&limit=100",
        "/properties",
        "/classes/observational?limit=100",
        "/products?q=" + quote('title like "Title*"') + "&limit=100",
    ]
    for item in ITEMS:
        for ident in {item.lid, item.lidvid}:
            enc = quote(ident, safe="")
            paths += [
                f"/products/{enc}",
                f"/products/{enc}/latest",
                f"/products/{enc}/all",
                f"/products/{enc}/member-of",
                f"/products/{enc}/member-of/member-of",
            ]
            if item.product_class != "Product_Observational":
                paths += [
                    f"/products/{enc}/members",
                    f"/products/{enc}/members/members",
                    f"/products/{enc}/archive?format=tar",
                ]
        paths.append(f"/files/{quote(item.lidvid, safe='')}/{item.file_name}")
    return paths


PATHS = _paths()


def _latest_visible(visible: set[str]) -> set[str]:
    best: dict[str, Item] = {}
    for item in ITEMS:
        if item.lidvid in visible and (
            item.lid not in best or Vid.parse(best[item.lid].vid) < Vid.parse(item.vid)
        ):
            best[item.lid] = item
    return {i.lidvid for i in best.values()}


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(setting_strategy, min_size=len(ITEMS), max_size=len(ITEMS)),
    st.sampled_from([None, *USERS]),
)
def test_hidden_products_never_appear(
    world: tuple[Node, TestClient, dict[str, str]],
    settings_by_item: list[access_rules.AccessSetting],
    walker: str | None,
) -> None:
    node, client, tokens = world
    _apply(node, settings_by_item)
    for viewer_name in [None, *USERS]:
        visible = _visible(viewer_name, settings_by_item)
        headers = {"Authorization": f"Bearer {tokens[viewer_name]}"} if viewer_name else {}
        hidden = [i for i in ITEMS if i.lidvid not in visible]
        # Every read path for one viewer per example (the walk is the slow part); the list,
        # hits and facets below for every viewer.
        for path in PATHS if viewer_name == walker else ():
            response = client.get(path, headers=headers)
            assert response.status_code < 500, (path, response.text)
            body = response.content.decode("utf-8", "replace")
            for item in hidden:
                if item.lidvid in unquote(path):
                    # Asked for by name: the same answer as for an identifier never registered
                    # (which echoes what was asked for, file name included, and nothing else).
                    ghost = item.lid + "::99.0"
                    other = client.get(
                        path.replace(quote(item.lidvid, safe=""), ghost), headers=headers
                    )
                    assert response.status_code == other.status_code, (viewer_name, path)
                    assert body.replace(item.lidvid, "ID") == other.text.replace(ghost, "ID")
                    body = body.replace(item.lidvid, "").replace(unquote(path), "")
                    body = body.replace(item.file_name, "")
            for item in hidden:
                for secret in (item.lidvid, item.marker, item.marker.lower()):
                    assert secret not in body, (viewer_name, path, secret)
        listing = client.get(
            "/products?limit=100&facet-fields=product_class&facet-limit=100", headers=headers
        ).json()
        expected = _latest_visible(visible)
        assert {p["id"] for p in listing["data"]} == expected
        assert listing["summary"]["hits"] == len(expected)
        counts = listing["summary"]["facets"][0]["counts"]
        assert sum(counts.values()) == len(expected)


def test_an_embargo_lifts_at_its_date_by_the_clock(
    world: tuple[Node, TestClient, dict[str, str]],
) -> None:
    node, client, _tokens = world
    release = "2026-06-01T12:00:00.000000Z"
    _apply(
        node, [access_rules.AccessSetting("restricted", frozenset({"g1"}), release)] * len(ITEMS)
    )
    before = client.get("/products?limit=100").json()
    assert before["summary"]["hits"] == 0 and before["data"] == []
    target = ITEMS[-1]
    url = f"/files/{quote(target.lidvid, safe='')}/{target.file_name}"
    assert client.get(url).status_code == 404
    node.clock = lambda: datetime(2026, 6, 1, 12, 0, 1, tzinfo=UTC)  # one second after release
    try:
        after = client.get("/products?limit=100").json()
        assert after["summary"]["hits"] == len(_latest_visible({i.lidvid for i in ITEMS}))
        assert client.get(url).status_code == 200
    finally:
        node.clock = lambda: NOW


def test_archivists_see_everything(world: tuple[Node, TestClient, dict[str, str]]) -> None:
    node, client, tokens = world
    _apply(node, [access_rules.AccessSetting("restricted", frozenset({"g2"}))] * len(ITEMS))
    body = client.get(
        "/products?limit=100", headers={"Authorization": f"Bearer {tokens['archivist']}"}
    ).json()
    assert body["summary"]["hits"] == len(_latest_visible({i.lidvid for i in ITEMS}))
    assert client.get("/products?limit=100").json()["summary"]["hits"] == 0
    assert re.search(r"MK", json.dumps(client.get("/properties").json())) is None
    assert Access.RESTRICTED.value == "restricted"


def test_a_hidden_product_answers_exactly_like_a_missing_one(
    world: tuple[Node, TestClient, dict[str, str]],
) -> None:
    node, client, _tokens = world
    _apply(node, [access_rules.AccessSetting("restricted", frozenset({"g1"}))] * len(ITEMS))
    hidden = ITEMS[-1]
    ghost = hidden.lid + "::99.0"  # never registered
    for template in ("/products/{}", "/products/{}/members", "/files/{}/" + hidden.file_name):
        seen = client.get(template.format(quote(hidden.lidvid, safe="")))
        missing = client.get(template.format(quote(ghost, safe="")))
        assert seen.status_code == missing.status_code == 404
        assert seen.headers["content-type"] == missing.headers["content-type"]
        assert seen.text.replace(hidden.lidvid, "ID") == missing.text.replace(ghost, "ID")
