"""The HTTP surface in-process: shapes, negotiation, errors, visibility, files and archives."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import xml.etree.ElementTree as ET
import zipfile
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import BASIC, BUNDLE, COLLECTION, HIDDEN_LIDVID


def enc(identifier: str) -> str:
    return quote(identifier, safe="")


def test_list_shape_is_what_strict_clients_expect(client: TestClient) -> None:
    body = client.get("/products", params={"limit": 5}).json()
    assert isinstance(body["summary"]["hits"], int) and body["summary"]["hits"] >= 25
    assert len(body["data"]) == 5
    for product in body["data"]:
        assert isinstance(product["id"], str)
        assert isinstance(product["metadata"]["label_url"], str)
        for values in product["properties"].values():
            assert isinstance(values, list) and all(isinstance(v, str) for v in values)


def test_fields_repeated_or_comma_joined(client: TestClient) -> None:
    one = client.get("/products?limit=2&fields=lidvid&fields=pds:File.pds:file_name").json()
    two = client.get("/products?limit=2&fields=lidvid,pds:File.pds:file_name").json()
    assert one["data"] == two["data"]
    assert "pds:File.pds:file_name" in one["data"][0]["properties"]
    assert (
        "pds:Identification_Area.pds:information_model_version" not in one["data"][0]["properties"]
    )


def test_hidden_products_are_not_revealed(client: TestClient) -> None:
    assert client.get(f"/products/{enc(HIDDEN_LIDVID)}").status_code == 404
    found = client.get("/products", params={"q": f'lidvid eq "{HIDDEN_LIDVID}"'}).json()
    assert found["summary"]["hits"] == 0
    lid = HIDDEN_LIDVID.split("::")[0]
    assert client.get(f"/files/{enc(HIDDEN_LIDVID)}/bennu_pck_od090.tpc").status_code == 404
    assert client.get(f"/products/{enc(lid)}/archive").status_code == 404


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, "application/json"),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("application/vnd.nasa.pds.pds4+json", "application/json"),
        ("application/kvp+json", "application/json"),
        ("application/vnd.nasa.pds.pds4+xml", "application/vnd.nasa.pds.pds4+xml"),
        ("application/xml", "application/xml"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/html", "text/html; charset=utf-8"),
        ("image/png;q=1, text/csv;q=0.5", "text/csv; charset=utf-8"),
    ],
)
def test_content_negotiation(client: TestClient, accept: str | None, content_type: str) -> None:
    headers = {"Accept": accept} if accept else {}
    for path in (f"/products/{enc(BASIC)}", "/products?limit=3&fields=lidvid,title"):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == content_type


def test_pds4_formats_carry_the_label(client: TestClient) -> None:
    as_json = client.get(
        f"/products/{enc(BASIC)}", headers={"Accept": "application/vnd.nasa.pds.pds4+json"}
    ).json()
    assert as_json["id"] == BASIC and "pds:Product_Observational" in as_json["pds4"]
    assert as_json["meta"]["ops:Label_File_Info"]["ops:md5_checksum"]
    as_xml = client.get(
        f"/products/{enc(BASIC)}", headers={"Accept": "application/vnd.nasa.pds.pds4+xml"}
    ).text
    pds4 = ET.fromstring(as_xml.encode()).find("{http://pds.nasa.gov/api}pds4")
    assert pds4 is not None and pds4[0].tag.endswith("Product_Observational")
    kvp = client.get(
        "/products?limit=2&fields=lidvid,nosuch", headers={"Accept": "application/kvp+json"}
    ).json()
    assert set(kvp["data"][0]) == {"lidvid", "nosuch"} and kvp["data"][0]["nosuch"] is None


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["message"] and body["request"]
    return body


def test_errors_are_problems(client: TestClient) -> None:
    body = _problem(client.get("/products", params={"q": 'target eq "x" and'}), 400)
    assert body["position"] == 17 and "character 17" in body["detail"]
    assert "colour" in _problem(client.get("/products?colour=red"), 400)["detail"]
    _problem(client.get("/products?limit=ten"), 400)
    _problem(client.get("/products?limit=-1"), 400)
    _problem(client.get("/products", headers={"Accept": "image/png"}), 406)
    _problem(client.get("/products/urn%3Anasa%3Apds%3Anope%3A%3A1.0"), 404)
    _problem(client.get("/products/not-an-identifier"), 400)
    _problem(client.get("/no/such/route"), 404)
    _problem(client.get("/products?search-after=x&search-after=y&search-after=z"), 400)
    _problem(client.get(f"/products/{enc(BASIC)}/members"), 400)
    _problem(client.get("/classes/nonsense"), 404)


def test_lid_means_latest_and_percent_encoding(client: TestClient) -> None:
    lid = BASIC.split("::")[0]
    for path in (f"/products/{enc(lid)}", f"/products/{enc(BASIC)}", f"/products/{lid}/latest"):
        assert client.get(path).json()["id"] == BASIC
    versions = client.get(f"/products/{enc(lid)}/all").json()
    assert [p["id"] for p in versions["data"]] == [BASIC]


def test_members_walks(client: TestClient) -> None:
    def ids(path: str) -> list[str]:
        return [p["id"] for p in client.get(path).json()["data"]]

    assert ids(f"/products/{enc(BUNDLE)}/members") == [COLLECTION]
    assert ids(f"/products/{enc(COLLECTION)}/members") == [BASIC]
    assert ids(f"/products/{enc(BUNDLE)}/members/members") == [BASIC]
    assert ids(f"/products/{enc(BASIC)}/member-of") == [COLLECTION]
    assert ids(f"/products/{enc(BASIC)}/member-of/member-of") == [BUNDLE]
    assert ids(f"/products/{enc(COLLECTION)}/members/latest") == [BASIC]


def test_classes_and_properties(client: TestClient) -> None:
    names = client.get("/classes").json()
    assert {"bundle", "collection", "observational", "document", "spice-kernel"} <= set(names)
    bundles = client.get("/classes/bundle", params={"fields": "lidvid"}).json()
    assert {p["type"] for p in bundles["data"]} == {"Product_Bundle"}
    assert client.get("/classes/bundles").json()["summary"]["hits"] == bundles["summary"]["hits"]
    props = {p["property"]: p["type"] for p in client.get("/properties").json()}
    assert props["pds:Time_Coordinates.pds:start_date_time"] == "timestamp"
    assert "pds:File.pds:file_size" in props


def test_keywords_find_titles_and_descriptions(client: TestClient) -> None:
    body = client.get("/products", params={"keywords": "peregrine", "fields": "lidvid"}).json()
    assert BUNDLE in [p["id"] for p in body["data"]]


def _label(client: TestClient) -> tuple[str, bytes]:
    product = client.get(f"/products/{enc(BASIC)}").json()
    url = product["metadata"]["label_url"].removeprefix("http://testserver")
    return url, client.get(url).content


def test_file_download_headers_and_ranges(client: TestClient) -> None:
    url, whole = _label(client)
    full = client.get(url)
    assert full.headers["content-md5"] == base64.b64encode(hashlib.md5(whole).digest()).decode()
    sha = base64.b64encode(hashlib.sha256(whole).digest()).decode()
    assert f"sha-256={sha}" in full.headers["digest"]
    assert full.headers["etag"] == f'"{hashlib.sha256(whole).hexdigest()}"'
    assert full.headers["last-modified"].endswith("GMT")
    part = client.get(url, headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.content == whole[:10]
    assert part.headers["content-range"] == f"bytes 0-9/{len(whole)}"
    assert client.get(url, headers={"Range": "bytes=-7"}).content == whole[-7:]
    assert client.get(url, headers={"Range": "bytes=10-"}).content == whole[10:]
    too_far = client.get(url, headers={"Range": f"bytes={len(whole)}-"})
    assert (
        too_far.status_code == 416 and too_far.headers["content-range"] == f"bytes */{len(whole)}"
    )
    assert client.get(url, headers={"Range": "bytes=0-1,4-5"}).status_code == 200
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(whole))
    cached = client.get(url, headers={"If-None-Match": full.headers["etag"]})
    assert cached.status_code == 304
    assert client.get(url.rsplit("/", 1)[0] + "/nosuch.dat").status_code == 404


def _check_manifest(names: dict[str, bytes]) -> None:
    manifest = next(v for k, v in names.items() if k.endswith("/SHA256SUMS"))
    top = next(k for k in names if k.endswith("/SHA256SUMS")).rsplit("/", 1)[0]
    lines = manifest.decode().splitlines()
    assert len(lines) == len(names) - 2 >= 5
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(names[f"{top}/{name}"]).hexdigest() == digest


def test_archives_of_a_bundle(client: TestClient) -> None:
    response = client.get(f"/products/{enc(BUNDLE)}/archive")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        _check_manifest({n: zf.read(n) for n in zf.namelist()})
        assert any(n.endswith("data_raw/PITMS_RAW_AUX.csv") for n in zf.namelist())
    response = client.get(f"/products/{enc(BUNDLE)}/archive", params={"format": "tar"})
    with tarfile.open(fileobj=io.BytesIO(response.content)) as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
        _check_manifest(files)
    _problem(client.get(f"/products/{enc(BUNDLE)}/archive", params={"format": "rar"}), 400)


def test_openapi_and_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/products/{identifier}/member-of/member-of" in spec["paths"]
    assert client.get("/docs").status_code == 200
