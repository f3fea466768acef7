"""Place and time search, GeoJSON and /coverage through the real app, SQLite and PostgreSQL.

Expected sets are hand-checked (see tests/spatial/world.py): Von Kármán 177.6°E 45.4°S,
Boguslawsky 43.5°E 72.2°S, a 10 km circle at 89.5°S 0°E; a restricted footprint over the
south pole must never show in any list, count, facet, GeoJSON or coverage answer of a
viewer who may not see it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lunadc.api.app import create_app
from lunadc.node import Node
from tests.spatial.world import HIDDEN, LID, build_world

Client = tuple[TestClient, dict[str, str]]


@pytest.fixture
def world(node: Node) -> Iterator[Client]:
    tokens = build_world(node)
    with TestClient(create_app(node), raise_server_exceptions=False) as client:
        yield client, tokens


def names(client: TestClient, query: str, token: str | None = None) -> tuple[set[str], int]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = client.get(f"/products?limit=100&{query}", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    found = {p["id"].split("::")[0].removeprefix(LID + ":") for p in body["data"]}
    assert body["summary"]["hits"] == len(found)
    return found, body["summary"]["hits"]


CASES = [
    ("point=177.6,-45.4&target=Moon", {"ce4_lander", "lro_vk_box"}),
    ("point=537.6,-45.4&target=Moon", None),  # longitude out of range: 400
    ("point=-182.4,-45.4&target=moon", None),
    ("circle=177.6,-45.4,1&target=Moon", {"ce4_lander", "lro_vk_box"}),
    # the rover stop is 1.41 km west of the lander
    ("circle=177.6,-45.4,1.5&target=Moon", {"ce4_lander", "ce4_rover", "lro_vk_box"}),
    ("bbox=170,-50,-170,-40&target=Moon", {"ce4_lander", "ce4_rover", "lro_vk_box"}),
    ("bbox=170,-50,190,-40&target=Moon", {"ce4_lander", "ce4_rover", "lro_vk_box"}),
    (
        "bbox=170,-50,-170,-40",
        {"ce4_lander", "ce4_rover", "lro_vk_box", "mars_same_place"},
    ),
    ("bbox=-170,-50,170,-40&target=Moon", set()),  # the complement of the 180° strip
    ("bbox=-178,-46,-177.5,-44&target=Moon", {"lro_vk_box"}),  # only the part past 180°
    ("point=43.5,-72.2&target=Moon", {"luna25_lander"}),
    (
        "circle=0,-89.5,10&target=Moon",
        {"wac_pole_cap", "lstk_pole_frame", "hrc_near_pole"},
    ),
    # 10 km around 89.5°S 90°E: the HRC frame at 1..3°E is ≈ 21 km away
    ("circle=90,-89.5,10&target=Moon", {"wac_pole_cap", "lstk_pole_frame"}),
    (
        "polygon=0,-80,120,-80,240,-80&target=Moon",
        {"wac_pole_cap", "lstk_pole_frame", "hrc_near_pole"},
    ),
    (
        "bbox=0,-90,360,-89.9&target=Moon",
        {"wac_pole_cap", "lstk_pole_frame"},
    ),
    (
        "intersects=" + json.dumps({"type": "Point", "coordinates": [43.5, -72.2]}),
        {"luna25_lander"},
    ),
    ("start=2019-01-01&stop=2019-01-10&target=Moon", {"ce4_lander", "ce4_rover"}),
    ("start=2019-01-01&stop=2019-01-10", {"ce4_lander", "ce4_rover", "mars_same_place"}),
    ("start=2027-01-01", {"lstk_pole_frame"}),
    ("circle=177.6,-45.4,1.5&target=Moon&start=2019-01-04T13:00:00Z", {"ce4_rover", "lro_vk_box"}),
    ("target=Mars", {"mars_same_place"}),
]


def test_place_queries_match_hand_checked_answers(world: Client) -> None:
    client, tokens = world
    for query, expected in CASES:
        if expected is None:
            r = client.get(f"/products?{query}")
            assert r.status_code == 400 and r.headers["content-type"].startswith(
                "application/problem+json"
            ), query
            continue
        for token in (None, tokens["outsider"]):
            got, _ = names(client, query, token)
            assert got == expected, query


def test_restricted_footprint_only_for_its_group(world: Client) -> None:
    client, tokens = world
    pole = "circle=0,-89.5,10&target=Moon"
    assert HIDDEN not in names(client, pole)[0]
    assert HIDDEN not in names(client, pole, tokens["outsider"])[0]
    assert HIDDEN in names(client, pole, tokens["g1-member"])[0]
    for token in (None, tokens["outsider"]):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = client.get(f"/products?{pole}&facet-fields=instrument&limit=0", headers=headers)
        facets = json.dumps(r.json()["summary"])
        assert "SECRETCAM" not in facets and r.json()["summary"]["hits"] == 3
        geo = client.get(f"/products?{pole}", headers={**headers, "Accept": "application/geo+json"})
        assert HIDDEN not in geo.text and geo.json()["numberMatched"] == 3
        cov = client.get(f"/coverage?{pole}", headers=headers).json()
        assert cov["products"] == 3 and "SECRETCAM" not in json.dumps(cov)
    cov = client.get(
        f"/coverage?{pole}", headers={"Authorization": f"Bearer {tokens['g1-member']}"}
    ).json()
    assert cov["products"] == 4 and cov["best_resolution_m"] == 0.3


def test_paging_walk_is_exact(world: Client) -> None:
    client, _ = world
    query = [("bbox", "170,-50,-170,-40")]  # 4 products, on two bodies
    seen: list[str] = []
    after: list[str] = []
    for _ in range(10):  # bounded: 4 pages expected
        params = [*query, ("limit", "1"), *(("search-after", v) for v in after)]
        body = client.get("/products", params=params).json()
        assert body["summary"]["hits"] == 4, body
        if not body["data"]:
            break
        seen.append(body["data"][0]["id"])
        after = body["summary"]["search_after"]
    assert len(seen) == len(set(seen)) == 4


def test_classes_endpoint_takes_place_parameters(world: Client) -> None:
    client, _ = world
    r = client.get("/classes/observationals?point=43.5,-72.2&target=Moon")
    assert r.status_code == 200, r.text
    assert [p["id"] for p in r.json()["data"]] == [f"{LID}:luna25_lander::1.0"]


def _coords(geometry: dict[str, Any]) -> list[list[float]]:
    out: list[list[float]] = []

    def walk(x: Any) -> None:
        if isinstance(x, list) and x and isinstance(x[0], (int, float)):
            out.append(x)
        elif isinstance(x, list):
            for y in x:
                walk(y)

    walk(geometry.get("coordinates", []))
    for g in geometry.get("geometries", []):
        out.extend(_coords(g))
    return out


def test_geojson_feature_collection(world: Client) -> None:
    client, _ = world
    r = client.get(
        "/products?bbox=170,-50,-170,-40&target=Moon",
        headers={"Accept": "application/geo+json"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/geo+json"
    fc = r.json()
    assert fc["type"] == "FeatureCollection" and fc["numberMatched"] == 3
    by_name = {f["id"].split("::")[0].removeprefix(LID + ":"): f for f in fc["features"]}
    box = by_name["lro_vk_box"]
    # split at 180°: two polygons, every longitude within [-180, 180]
    assert box["geometry"]["type"] == "MultiPolygon"
    lons = [c[0] for c in _coords(box["geometry"])]
    assert all(-180.0 <= x <= 180.0 for x in lons) and 180.0 in lons and -180.0 in lons
    assert box["bbox"][0] > box["bbox"][2]  # west > east: crosses 180°
    assert by_name["ce4_lander"]["geometry"] == {"type": "Point", "coordinates": [177.6, -45.4]}
    assert box["properties"]["resolution_m"] == 0.5 and box["properties"]["body"] == "Moon"
    # the pole cap is a valid polygon that runs along latitude -90
    one = client.get(
        f"/products/{LID}:wac_pole_cap", headers={"Accept": "application/geo+json"}
    ).json()
    assert one["type"] == "Feature"
    lats = [c[1] for c in _coords(one["geometry"])]
    assert min(lats) == -90.0 and max(lats) == -88.0


def test_coverage_of_a_south_pole_landing_circle(world: Client) -> None:
    client, _ = world
    r = client.get("/coverage?circle=0,-89.5,10&target=Moon")
    assert r.status_code == 200, r.text
    cov = r.json()
    # the WAC cap (90°S..88°S) holds the whole circle
    assert cov["fraction"] == 1.0 and cov["products"] == 3
    assert abs(cov["region_area_km2"] - 314.16) < 0.5  # π·10² on a sphere this size
    per = {i["instrument"]: i for i in cov["instruments"]}
    assert per["WAC"]["fraction"] == 1.0 and per["WAC"]["best_resolution_m"] == 100.0
    assert 0.0 < per["HRC"]["fraction"] < 0.2
    assert cov["moc"]["covered"] and cov["uncovered"]["coordinates"] == []
    # images finer than 2 m/pixel only: the LSTK frame (polygon within 89.2°S) covers part
    fine = client.get("/coverage?circle=0,-89.5,10&target=Moon&max-resolution=2").json()
    assert fine["products"] == 1 and fine["best_resolution_m"] == 1.5
    assert 0.5 < fine["fraction"] < 1.0
    assert fine["covered"]["type"] in ("Polygon", "MultiPolygon")
    assert fine["uncovered"]["coordinates"]
    assert abs(fine["covered_area_km2"] - fine["fraction"] * fine["region_area_km2"]) < 1e-6


def test_bad_place_parameters_are_400(world: Client) -> None:
    client, _ = world
    for query in (
        "circle=0,-89.5,10",  # km need a body
        "circle=0,-89.5,10&target=Vulcan",
        "bbox=10,20,30",
        "bbox=10,-40,20,-50",  # south north of north
        "polygon=0,0,10,10,10,0,0,10",  # crossing edges
        "polygon=0,0,1,1",
        "intersects={not json",
        "point=1,2&bbox=0,0,3,3",  # one spatial parameter at a time
        "start=yesterday",
        "start=2020-01-02&stop=2020-01-01",
        "point=1,2&point=3,4",
    ):
        r = client.get(f"/products?{query}")
        assert r.status_code == 400, (query, r.text)
        assert r.json()["detail"], query
    assert client.get(f"/products/{LID}:ce4_lander/all?point=1,2").status_code == 400
    assert client.get("/coverage?point=1,2&target=Moon").status_code == 400
    assert client.get("/coverage?target=Moon").status_code == 400
    assert client.get("/coverage?circle=0,0,10&target=Moon&limit=-1").status_code == 400
