"""NASA's own ``pds-api-client`` (PyPI) against a real ``lunadc serve`` process."""

from __future__ import annotations

import pytest
from pds.api_client import (  # type: ignore[import-untyped]
    AllProductsApi,
    ApiClient,
    ByProductClassesApi,
    Configuration,
    ProductReferencesApi,
)
from pds.api_client.exceptions import ApiException  # type: ignore[import-untyped]

from tests.api.conftest import BASIC, BUNDLE, COLLECTION

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api(served: str) -> ApiClient:
    return ApiClient(Configuration(host=served))


def test_list_filter_and_page(api: ApiClient) -> None:
    products = AllProductsApi(api)
    everything = products.product_list(limit=100, fields=["lidvid", "title"])
    assert everything.summary.hits == len(everything.data) >= 25
    assert all(isinstance(p.id, str) and p.metadata.label_url for p in everything.data)
    moon = products.product_list(q='target eq "Moon"', limit=50, facet_fields=["target"])
    assert 0 < moon.summary.hits < everything.summary.hits
    # Walk with search-after, 7 at a time, sorted by harvest time (the recommended key).
    seen: list[str] = []
    after: list[str] | None = None
    for _ in range(20):
        page = products.product_list(
            limit=7, sort=["ops:Harvest_Info.ops:harvest_date_time"], search_after=after
        )
        seen += [p.id for p in page.data]
        if not page.data:
            break
        after = page.summary.search_after
    assert sorted(seen) == sorted(p.id for p in everything.data)
    assert len(set(seen)) == len(seen)


def test_fetch_by_lid_and_lidvid(api: ApiClient) -> None:
    products = AllProductsApi(api)
    lid = BASIC.split("::")[0]
    assert products.select_by_lidvid(BASIC).id == BASIC
    assert products.select_by_lidvid(lid).id == BASIC
    assert products.select_by_lidvid_latest(lid).id == BASIC
    assert [p.id for p in products.select_by_lidvid_all(lid, limit=5).data] == [BASIC]
    one = products.select_by_lidvid(BASIC, fields=["pds:File.pds:file_name"])
    assert one.properties["pds:File.pds:file_name"] == ["PITMS_RAW_AUX.csv"]
    with pytest.raises(ApiException) as caught:
        products.select_by_lidvid("urn:nasa:pds:nothing:here::1.0")
    assert caught.value.status == 404


def test_members_and_member_of(api: ApiClient) -> None:
    refs = ProductReferencesApi(api)
    assert [p.id for p in refs.product_members(BUNDLE).data] == [COLLECTION]
    assert [p.id for p in refs.product_members(COLLECTION, limit=3).data] == [BASIC]
    assert [p.id for p in refs.product_members_members(BUNDLE).data] == [BASIC]
    assert [p.id for p in refs.product_member_of(BASIC).data] == [COLLECTION]
    assert [p.id for p in refs.product_member_of_of(BASIC).data] == [BUNDLE]


def test_classes_and_properties(api: ApiClient) -> None:
    classes = ByProductClassesApi(api)
    assert "collection" in classes.classes()
    listed = classes.class_list("collection", limit=20, fields=["ops:Label_File_Info.ops:file_ref"])
    assert COLLECTION in [p.id for p in listed.data]
    names = {p.var_property for p in AllProductsApi(api).product_properties_list()}
    assert "lidvid" in names and "pds:Time_Coordinates.pds:start_date_time" in names
