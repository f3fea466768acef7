"""The UI in a real browser: Debian's Chromium, headless, against a real ``lunadc serve``.

Screenshots of every page go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import httpx
import pytest

from lunadc.ingest.pipeline import Ingestor
from lunadc.node import Node
from tests.federation.procs import NodeProc
from tests.web.conftest import SCREENSHOTS, Server

pytestmark = pytest.mark.browser

CH2 = "urn:isro:isda:ch2_cho:sar_calibrated:ch2_sar_ncxs_20090107t163003745_d_sli_xx_fp_hh_pb1::1.0"
FIRST_PAGE_BUDGET = 300 * 1024


@pytest.fixture
def page(browser_context: Any, server: Server) -> Iterator[Any]:
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    page.close()
    assert not errors, f"JavaScript errors: {errors}"


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def wait_results(page: Any) -> None:
    page.wait_for_selector("body[data-ready='1']")


def wait_count(page: Any, expected: int) -> None:
    count = "document.querySelectorAll('#result-list li').length"
    page.wait_for_function(f"() => {count} == {expected}")


def api_ok(server: Server, path: str, **params: str) -> bool:
    return httpx.get(f"{server.url}{path}", params=params, timeout=10).status_code == 200


def test_search_and_filter(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/?lang=en")
    wait_results(page)
    before = page.locator("#result-list li").count()
    assert before == 50  # the first page of search-after paging
    summary = page.locator("#summary").inner_text()
    assert re.search(r"Results: [\d,]+", summary)
    page.get_by_label(re.compile("Chang'e-4")).first.check()
    page.wait_for_url(re.compile(r"mission=Chang%27e-4|mission=Chang'e-4"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('#result-list li .chip')]"
        '.some(c => c.textContent.includes("Chang\'e-4"))'
    )
    page.wait_for_timeout(300)
    items = page.locator("#result-list li")
    assert 0 < items.count() <= 50
    for text in items.all_inner_texts():
        assert "Chang'e-4" in text
    # Keyboard: free text filters too, and the URL carries the whole state.
    page.locator("#f-text").fill("panoramic")
    page.wait_for_url(re.compile(r"text=panoramic"))
    wait_results(page)
    shot(page, "search")
    shared = page.url
    page.goto(shared)
    wait_results(page)
    assert page.locator("#f-text").input_value() == "panoramic"
    assert page.get_by_label(re.compile("Chang'e-4")).first.is_checked()
    # A time range: the count is what the API counts for that range.
    page.goto(f"{server.url}/?lang=en")
    wait_results(page)
    page.locator("#f-start").fill("2019-01-01")
    page.locator("#f-stop").fill("2019-01-31")
    page.wait_for_url(re.compile(r"start=2019-01-01.*stop=2019-01-31"))
    expected = hits_for(server, None, start="2019-01-01T00:00:00Z", stop="2019-01-31T23:59:59.999Z")
    assert 0 < expected < 50
    wait_count(page, expected)
    assert f"Results: {expected}" in page.locator("#summary").inner_text()


def test_paging_with_search_after(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/?lang=en")
    wait_results(page)
    # The next page comes when the end of the list scrolls into view (or by the button).
    page.locator("#result-list li").last.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('#result-list li').length > 50")
    assert "All results are shown" in page.locator("#summary").inner_text() or page.locator(
        "#result-list li"
    ).count() in (100, 150)
    ids = page.locator("#result-list li").evaluate_all("els => els.map(e => e.dataset.id)")
    assert len(ids) == len(set(ids))  # no product twice across pages


def test_keyboard_access(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/?lang=en")
    wait_results(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.locator("input[data-facet='mission']").first.focus()
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"mission="))


def test_draw_region_on_south_polar_map(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/?lang=en")
    wait_results(page)
    assert page.locator("input[name=proj][value=south]").is_checked()
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.locator("#draw-circle").click()
    page.mouse.click(cx + 20, cy + 10)
    page.mouse.click(cx + 60, cy + 10)
    page.wait_for_url(re.compile(r"circle="))
    circle = re.search(r"circle=([^&]+)", page.url)
    assert circle is not None
    lon, lat, radius = (float(v) for v in circle.group(1).replace("%2C", ",").split(","))
    assert -90 <= lat < -80 and radius > 0  # near the south pole, as drawn
    assert "Circle:" in page.locator("#region-text").inner_text()
    wait_results(page)
    # The results are what the API finds in that circle on the Moon.
    params = {"circle": f"{lon},{lat},{radius}", "target": "Moon"}
    expected = hits_for(server, None, **params)
    assert expected > 0
    page.wait_for_function(
        f"() => document.querySelectorAll('#result-list li').length == {expected}"
    )
    shot(page, "search-south-polar-region")
    page.locator("#coverage-btn").click()
    page.wait_for_selector("#coverage .coverage-total")
    coverage = httpx.get(f"{server.url}/coverage", params=params, timeout=60).json()
    shown = page.locator("#coverage .coverage-total").inner_text()
    assert f"{coverage['fraction'] * 100:.1f}%" in shown
    assert page.locator("#coverage tbody tr").count() == len(coverage["instruments"])
    shot(page, "search-coverage")
    # A polygon replaces the circle as the filter.
    page.locator("#draw-polygon").click()
    for dx, dy in ((-40, -40), (40, -40), (40, 40)):
        page.mouse.click(cx + dx, cy + dy)
    page.mouse.dblclick(cx - 40, cy + 40)
    page.wait_for_url(re.compile(r"polygon="))
    assert "circle=" not in page.url
    assert "Polygon" in page.locator("#region-text").inner_text()


def focus_polygon_entry(page: Any) -> None:
    """Reach the polygon's text box from the circle's entry with the keyboard alone."""
    page.locator(".region-form summary").first.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Enter a polygon by coordinates"
    page.keyboard.press("Enter")  # opens the <details>
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "p-coords"


def test_polygon_by_keyboard_on_south_polar_map(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/?lang=en")
    wait_results(page)
    assert page.locator("input[name=proj][value=south]").is_checked()
    focus_polygon_entry(page)
    # Bad input is explained, and the filter stays as it was.
    error = page.locator("#p-error")
    page.keyboard.type("10,-85 20,-86")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('p-error').textContent !== ''")
    assert error.inner_text() == "A polygon needs at least 3 vertices; 2 given."
    page.keyboard.press("Control+A")
    page.keyboard.type("10,-85 20,-95 30,-86")
    page.keyboard.press("Enter")
    assert error.inner_text() == "Vertex 2: latitude -95 is outside −90…90."
    assert page.locator("#p-coords").get_attribute("aria-invalid") == "true"
    assert "polygon=" not in page.url
    # A square around the south pole, one vertex per line (Shift+Enter), applied with Enter.
    vertices = [(0, -84), (90, -84), (180, -84), (270, -84)]
    page.keyboard.press("Control+A")
    for n, (lon, lat) in enumerate(vertices):
        if n:
            page.keyboard.press("Shift+Enter")
        page.keyboard.type(f"{lon},{lat}")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"polygon="))
    assert error.inner_text() == ""
    assert "Polygon with 4 vertices" in page.locator("#region-text").inner_text()
    polygon = ",".join(f"{lon},{lat}" for lon, lat in vertices)
    assert f"polygon={quote(polygon, safe='')}" in page.url or f"polygon={polygon}" in page.url
    # The same filter as a drawn polygon: the results are the API's hits for polygon=.
    expected = hits_for(server, None, polygon=polygon, target="Moon")
    assert expected > 0
    wait_results(page)
    wait_count(page, min(expected, 50))
    page.wait_for_function(
        f"() => document.getElementById('summary').textContent.includes('Results: {expected:,}')"
    )
    shot(page, "search-polygon-by-keyboard")
    # The shared URL brings the polygon back into the text box.
    page.goto(page.url)
    wait_results(page)
    assert page.locator("#p-coords").input_value().split("\n") == [
        f"{lon},{lat}" for lon, lat in vertices
    ]


def test_footprints_link_map_and_results(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/?lang=en&proj=eqc&target=Moon")
    wait_results(page)
    page.wait_for_function("() => window.lunadcSearch.mapView.featureCount() > 0")
    # List -> map: selecting a result highlights its footprint.
    with_footprint = page.evaluate(
        "() => [...document.querySelectorAll('#result-list li')].map(li => li.dataset.id)"
        ".find(id => window.lunadcSearch.mapView.pixelOf(id))"
    )
    assert with_footprint
    item = page.locator(f"#result-list li[data-id='{with_footprint}']")
    item.locator(".time").click()
    assert "selected" in (item.get_attribute("class") or "")
    assert page.evaluate("() => window.lunadcSearch.mapView.selected") == with_footprint
    # Map -> list: clicking a footprint selects its result.
    page.locator("#clear-filters").focus()
    page.wait_for_timeout(400)  # the zoom to the selected footprint is animated (250 ms)
    pixel = page.evaluate(f"() => window.lunadcSearch.mapView.pixelOf({with_footprint!r})")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + pixel[0], box["y"] + pixel[1])
    page.wait_for_function("() => document.querySelector('#result-list li.selected') !== null")
    ids = page.evaluate(f"() => window.lunadcSearch.mapView.idsAtPixel({pixel})")
    selected = page.locator("#result-list li.selected").get_attribute("data-id")
    assert selected in ids
    shot(page, "search-footprints")


def test_product_page_quicklook_and_download(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/ui/product/{quote(CH2, safe='')}?lang=en")
    wait_results(page)
    page.wait_for_selector("#quicklook[data-loaded='1']")
    width = page.locator("#quicklook").evaluate("img => img.naturalWidth")
    assert width > 100
    assert "Chandrayaan" in page.locator("#facts").inner_text() or CH2 in page.inner_text("#facts")
    assert page.locator("#files tbody tr").count() == 2
    link = page.locator("#files a.download").last
    expected_md5 = link.get_attribute("data-md5")
    with page.expect_download() as info:
        link.click()
    downloaded = Path(info.value.path()).read_bytes()
    assert hashlib.md5(downloaded).hexdigest() == expected_md5
    page.wait_for_selector("body[data-complete='1']")
    assert "Product_Observational" in page.locator("#label").inner_text()
    assert page.locator("#parents li a").count() >= 0
    shot(page, "product")


def hits_for(server: Server, token: str | None, **params: str) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = httpx.get(
        f"{server.url}/products", params={**params, "limit": "0"}, headers=headers, timeout=10
    ).json()
    return int(body["summary"]["hits"])


def test_sign_in_shows_partner_data(page: Any, server: Server) -> None:
    token = server.tokens.partner
    page.goto(f"{server.url}/?lang=en&mission=Luna-26")
    wait_results(page)
    assert page.locator("#result-list li").count() == 0
    sign_in(page, server, token)
    assert token not in page.url
    assert "alice" in page.locator("#whoami").inner_text()
    shot(page, "signin")
    page.goto(f"{server.url}/?lang=en&mission=Luna-26")
    wait_results(page)
    # Exactly what the API shows this user: the same policy check.
    expected = hits_for(server, token, q='mission eq "Luna-26"')
    assert expected > 0 and hits_for(server, None, q='mission eq "Luna-26"') == 0
    page.wait_for_function(
        f"() => document.querySelectorAll('#result-list li').length == {expected}"
    )
    assert token not in page.url
    page.locator("#result-list li a.title").first.click()
    wait_results(page)
    page.wait_for_function("() => document.querySelector('[data-k=access]').textContent.length > 2")
    assert page.locator("[data-k=access]").inner_text() == "partner"
    page.locator("#signout").click()
    page.wait_for_selector("#signin-link:not([hidden])")
    page.reload()
    page.wait_for_function("() => document.getElementById('status').textContent.length > 3")
    assert "not" in page.locator("#status").inner_text().lower()  # gone when signed out


@pytest.fixture
def two_nodes(tmp_path: Path, generated: Path) -> Iterator[tuple[NodeProc, NodeProc]]:
    """node-cn (the Chang'e-4 missions) and node-ru (Luna-25), peered both ways, serving."""
    cn = NodeProc(tmp_path / "cn", "node-cn", sync_interval=0)
    ru = NodeProc(tmp_path / "ru", "node-ru", sync_interval=0)
    for proc, mission in ((cn, "change4_surface"), (ru, "luna25_lander")):
        with Node.open(proc.root) as node:
            assert Ingestor(node).run([generated / mission]).ok
    cn.peer_with(ru)
    ru.peer_with(cn)
    try:
        cn.start()
        ru.start()
        yield cn, ru
    finally:
        ru.stop()
        cn.stop()


def test_federated_search(page: Any, two_nodes: tuple[NodeProc, NodeProc]) -> None:
    cn, ru = two_nodes
    page.goto(f"{cn.url}/?lang=en")
    wait_results(page)
    assert not page.locator("#result-list li .chip.node", has_text="node-ru").count()
    page.locator("#f-federated").check()
    page.wait_for_url(re.compile(r"federated=1"))
    page.wait_for_selector("#nodes li[data-node='node-ru'].ok")
    assert "answered" in page.locator("#nodes li[data-node='node-cn']").inner_text()
    page.wait_for_selector("#result-list li .chip.node >> text=node-ru")
    assert page.locator("#result-list li .chip.node", has_text="node-cn").count() > 0
    shot(page, "search-federated")
    # A node that is down is reported, and the search still answers (partial).
    ru.stop()
    page.reload()
    page.wait_for_selector("#nodes li[data-node='node-ru'].down")
    assert page.locator("#result-list li").count() > 0


def sign_in(page: Any, server: Server, token: str) -> None:
    page.goto(f"{server.url}/ui/signin?lang=en")
    page.locator("#token").fill(token)
    page.locator("#signin-form button").click()
    # The status of this sign-in (the header may still show an earlier one).
    page.wait_for_function(
        "() => document.getElementById('signin-status').textContent.startsWith('Signed in as')"
    )
    page.wait_for_selector("#signout:not([hidden])")


def test_operator_pages(page: Any, server: Server) -> None:
    for path in ("/ui/operator", "/ui/operator/federation"):
        page.goto(f"{server.url}{path}?lang=en")
        page.wait_for_function("() => document.getElementById('status').textContent.length > 3")
        assert "administrator" in page.locator("#status").inner_text()
    sign_in(page, server, server.tokens.reader)
    page.goto(f"{server.url}/ui/operator?lang=en")
    page.wait_for_function("() => document.getElementById('status').textContent.length > 3")
    assert "administrator" in page.locator("#status").inner_text()  # a reader is not one
    sign_in(page, server, server.tokens.admin)
    page.goto(f"{server.url}/ui/operator?lang=en")
    wait_results(page)
    products = page.locator("[data-k=products]").inner_text().replace(",", "")
    assert int(products) > 50
    assert page.locator("#history tbody tr").count() >= 2  # two ingest runs
    shot(page, "operator")
    page.goto(f"{server.url}/ui/operator/federation?lang=en")
    wait_results(page)
    assert "no peers" in page.locator("#status").inner_text()
    shot(page, "federation")
    page.locator("#signout").click()


@pytest.mark.parametrize(
    ("lang", "heading", "switch"),
    [
        ("en", "Results", "Search all nodes"),
        ("ru", "Результаты", "Искать на всех узлах"),
        ("zh-Hans", "结果", "搜索所有节点"),
    ],
)
def test_page_in_each_language(
    page: Any, server: Server, lang: str, heading: str, switch: str
) -> None:
    page.goto(f"{server.url}/?lang={lang}")
    wait_results(page)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("#results-heading").inner_text() == heading
    assert page.locator("label[for=f-federated]").inner_text() == switch
    shot(page, f"search-{lang}")
    page.goto(f"{server.url}/ui/product/{quote(CH2, safe='')}?lang={lang}")
    wait_results(page)
    shot(page, f"product-{lang}")


def test_first_page_weight_and_hosts(browser_context: Any, server: Server) -> None:
    page = browser_context.new_page()
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.goto(f"{server.url}/?lang=en", wait_until="networkidle")
    wait_results(page)
    own = urlparse(server.url).netloc
    assert hosts <= {own}, f"requests to other hosts: {hosts - {own}}"
    assets = [r for r in responses if "/ui/static/" in r.url or urlparse(r.url).path == "/"]
    total = sum(r.request.sizes()["responseBodySize"] for r in assets)
    (SCREENSHOTS / "first-page-bytes.txt").write_text(f"{total}\n")
    assert total < FIRST_PAGE_BUDGET, f"first page assets: {total} bytes"
    page.close()
