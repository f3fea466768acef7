"""The UI's pages, assets and JSON views through an in-process client (no browser)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from lunadc.web.staticfiles import BUILD_DIR
from tests.web.conftest import Tokens


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """Every view here on both catalog back-ends."""
    return str(request.param)


PAGES = ["/", "/ui/signin", "/ui/operator", "/ui/operator/federation", "/ui/product/urn:x:y:z::1.0"]
CH2 = "urn:isro:isda:ch2_cho:sar_calibrated:ch2_sar_ncxs_20090107t163003745_d_sli_xx_fp_hh_pb1::1.0"


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(
    ("accept", "lang", "word"),
    [("en-GB", "en", "Sign in"), ("ru", "ru", "Войти"), ("zh-CN", "zh-Hans", "登录")],
)
def test_pages_in_three_languages(
    client: TestClient, path: str, accept: str, lang: str, word: str
) -> None:
    response = client.get(path, headers={"Accept-Language": accept})
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    assert word in response.text
    assert response.headers["content-language"] == lang
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    # Every page carries the language switch and no address of another host.
    for code in ("en", "ru", "zh-Hans"):
        assert f'hreflang="{code}"' in response.text
    assert "http://" not in response.text and "https://" not in response.text


def test_language_switch_sets_a_cookie(client: TestClient) -> None:
    response = client.get("/?lang=ru&mission=Luna-25", headers={"Accept-Language": "en"})
    assert '<html lang="ru">' in response.text
    assert response.cookies.get("lunadc_lang") == "ru"
    assert "mission=Luna-25&amp;lang=zh-Hans" in response.text  # the switch keeps the search
    again = client.get("/", headers={"Accept-Language": "en"})
    assert '<html lang="ru">' in again.text
    client.cookies.clear()


def test_dates_and_numbers_per_language(client: TestClient) -> None:
    ru = page_config(client.get("/?lang=ru").text)
    zh = page_config(client.get("/?lang=zh-Hans").text)
    client.cookies.clear()
    assert ru["locale"]["decimal"] == "," and "'г'" in ru["locale"]["date_pattern"]  # CLDR
    assert zh["locale"]["date_pattern"] == "y年M月d日"
    assert ru["messages"]["load_more"] == "Показать ещё"
    assert zh["messages"]["download"] == "下载"


def page_config(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="ui-config">(.*?)</script>', html, re.S)
    assert found is not None
    config: dict[str, Any] = json.loads(found.group(1))
    return config


@pytest.mark.skipif(not (BUILD_DIR / "search.js").exists(), reason="front-end not built (make web)")
def test_assets_are_served_compressed(client: TestClient) -> None:
    plain = client.get("/ui/static/build/search.js", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and plain.headers["content-type"].startswith("text/javascript")
    gz = client.get("/ui/static/build/app.css", headers={"Accept-Encoding": "gzip"})
    assert gz.headers.get("content-encoding") == "gzip"
    assert "ol-" in gz.text  # OpenLayers' own stylesheet is bundled, not fetched


@pytest.mark.parametrize(
    "path", ["../pages.py", "..%2Fpages.py", "build/../../routes.py", "build/search.js.gz", "nope"]
)
def test_static_cannot_escape(client: TestClient, path: str) -> None:
    assert client.get(f"/ui/static/{path}").status_code == 404


def test_quicklook_view(client: TestClient) -> None:
    response = client.get(f"/ui/api/quicklook/{quote(CH2, safe='')}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert client.get("/ui/api/quicklook/urn:nasa:pds:nothing::1.0").status_code == 404
    assert client.get("/ui/api/quicklook/not%20an%20id").status_code in (400, 404)


def _auth_works(client: TestClient, tokens: Tokens) -> bool:
    if not tokens.partner:
        return False
    who = client.get("/ui/api/whoami", headers={"Authorization": f"Bearer {tokens.partner}"})
    return who.status_code == 200 and not who.json()["anonymous"]


def test_operator_status_needs_admin(client: TestClient, web_root: tuple[object, Tokens]) -> None:
    tokens = web_root[1]
    assert client.get("/ui/api/node-status").status_code == 401
    assert _auth_works(client, tokens)
    reader = client.get("/ui/api/node-status", headers={"Authorization": f"Bearer {tokens.reader}"})
    assert reader.status_code == 403
    status = client.get("/ui/api/node-status", headers={"Authorization": f"Bearer {tokens.admin}"})
    assert status.status_code == 200
    body = status.json()
    assert body["catalog"]["products"] > 50 and body["storage"]["used_bytes"] > 0
    assert body["ingest_history"] and body["ingest_history"][0]["ingested"] > 0


def test_partner_quicklook_is_hidden_from_anonymous(
    client: TestClient, web_root: tuple[object, Tokens]
) -> None:
    page = client.get("/products", params={"q": 'mission eq "Luna-26"', "limit": 5}).json()
    assert page["data"] == []  # partner-only mission: invisible without a token
    assert _auth_works(client, web_root[1])
    headers = {"Authorization": f"Bearer {web_root[1].partner}"}
    seen = client.get("/products", params={"q": 'mission eq "Luna-26"'}, headers=headers).json()
    lidvid = seen["data"][0]["id"]
    assert client.get(f"/ui/api/quicklook/{quote(lidvid, safe='')}").status_code == 404


def test_product_info_follows_the_policy(
    client: TestClient, web_root: tuple[object, Tokens]
) -> None:
    tokens = web_root[1]
    public = client.get(f"/ui/api/product-info/{quote(CH2, safe='')}").json()
    assert public["access"] == "public" and public["home_node"] == "node-cn"
    assert public["replica_state"] is None  # homed here: no replica
    headers = {"Authorization": f"Bearer {tokens.partner}"}
    seen = client.get("/products", params={"q": 'mission eq "Luna-26"'}, headers=headers).json()
    lidvid = quote(seen["data"][0]["id"], safe="")
    assert client.get(f"/ui/api/product-info/{lidvid}").status_code == 404
    info = client.get(f"/ui/api/product-info/{lidvid}", headers=headers)
    assert info.status_code == 200 and info.json()["access"] == "partner"
    assert client.get("/ui/api/product-info/not%20an%20id").status_code == 400


def test_federation_status_needs_admin(client: TestClient, web_root: tuple[object, Tokens]) -> None:
    tokens = web_root[1]
    assert client.get("/ui/api/federation-status").status_code == 401
    reader = {"Authorization": f"Bearer {tokens.reader}"}
    assert client.get("/ui/api/federation-status", headers=reader).status_code == 403
    admin = {"Authorization": f"Bearer {tokens.admin}"}
    status = client.get("/ui/api/federation-status", headers=admin)
    assert status.status_code == 200
    assert status.json()["node_id"] == "node-cn" and status.json()["peers"] == []


FACET_FIELDS = [
    "mission",
    "instrument",
    "target",
    "processing_level",
    "product_class",
    "node_name",
    "access",
]


def test_search_page_facets_have_counts(
    client: TestClient, web_root: tuple[object, Tokens]
) -> None:
    """The facets the search page asks for (frontend/src/search.js FACETS), as a partner sees."""
    headers = {"Authorization": f"Bearer {web_root[1].partner}"}
    params = {"limit": 0, "facet-fields": ",".join(FACET_FIELDS), "facet-limit": 12}
    summary = client.get("/products", params=params, headers=headers).json()["summary"]
    facets = {f["property"]: f["counts"] for f in summary["facets"]}
    for name in FACET_FIELDS[:-1]:
        assert facets[name] and all(n > 0 for n in facets[name].values()), name
    assert facets["node_name"] == {"node-cn": summary["hits"]}
    assert facets["access"]["partner"] > 0 and facets["access"]["public"] > 0
    assert sum(facets["access"].values()) == summary["hits"]
    anonymous = client.get("/products", params=params).json()["summary"]
    assert set({f["property"]: f["counts"] for f in anonymous["facets"]}["access"]) == {"public"}
