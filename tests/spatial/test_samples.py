"""Real PDS4 labels of the sample missions, ingested: the extractor's geometry becomes
footprints, and the missions' real sites answer as a planetary scientist expects.

Hand-checked: Chang'e-4 surface products sit in Von Kármán (177.6°E 45.4°S), Luna-25's at
Boguslawsky (43.5°E 72.2°S); Luna-26 frames and Chang'e-7 images lie near the south pole.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from lunadc.api.app import create_app
from lunadc.ingest.pipeline import ingest
from lunadc.node import init_node
from lunadc.samples import generate_samples


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    base = tmp_path_factory.mktemp("spatial-samples")
    generate_samples(
        base / "samples", products=40, missions=["change4", "change7", "luna25", "luna26", "mars"]
    )
    with init_node(base / "node", "node-samples") as node:
        ingest(node, [base / "samples"])
        with TestClient(create_app(node), raise_server_exceptions=False) as c:
            yield c


def _missions(client: TestClient, query: str) -> tuple[set[str], int]:
    body = client.get(f"/products?limit=500&{query}").json()
    return {p["id"].split(":")[3] for p in body["data"]}, body["summary"]["hits"]


def test_sites_of_the_sample_missions(client: TestClient) -> None:
    vk, vk_hits = _missions(client, "circle=177.6,-45.4,20&target=Moon")
    assert vk_hits > 0 and all(b.startswith("change4") for b in vk), vk
    bog, bog_hits = _missions(client, "circle=43.5,-72.2,20&target=Moon")
    assert bog_hits > 0 and all(b.startswith("luna25") for b in bog), bog
    pole, pole_hits = _missions(client, "circle=0,-90,150&target=Moon")
    assert pole_hits > 0 and pole <= {"change7_orbiter", "luna26_orbiter"}, pole
    assert {"change7_orbiter", "luna26_orbiter"} & pole
    # The same place on Mars is another body
    assert _missions(client, "circle=177.6,-45.4,20&target=Mars")[1] == 0
    mars, mars_hits = _missions(client, "target=Mars")
    assert mars_hits > 0 and mars == {"tianwen1_orbiter"}, mars


def test_coverage_near_the_pole_from_sample_labels(client: TestClient) -> None:
    cov = client.get("/coverage?circle=0,-89.5,10&target=Moon").json()
    assert cov["products"] > 0 and 0.0 < cov["fraction"] <= 1.0
    assert cov["best_resolution_m"] is None or cov["best_resolution_m"] > 0
    fc = client.get(
        "/products?circle=0,-90,150&target=Moon&limit=20",
        headers={"Accept": "application/geo+json"},
    ).json()
    assert fc["features"] and all(f["geometry"] for f in fc["features"])
