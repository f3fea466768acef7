"""Bounding boxes, footprints, points and resolution as the label gives them."""

from __future__ import annotations

from lunadc.model.findings import Finding
from lunadc.model.product import BoundingBox, Geometry
from lunadc.pds4 import extract_label, parse_xml
from lunadc.pds4.geometry import extract_geometry
from tests.pds4.helpers import label_xml

CART = 'xmlns:cart="http://pds.nasa.gov/pds4/cart/v1"'
GEOM = 'xmlns:g="http://pds.nasa.gov/pds4/geom/v1"'


def box(west: float, east: float, north: float, south: float, p: str = "cart") -> str:
    return f"""<{p}:Cartography><{p}:Spatial_Domain><{p}:Bounding_Coordinates>
      <{p}:west_bounding_coordinate unit="deg">{west}</{p}:west_bounding_coordinate>
      <{p}:east_bounding_coordinate unit="deg">{east}</{p}:east_bounding_coordinate>
      <{p}:north_bounding_coordinate unit="deg">{north}</{p}:north_bounding_coordinate>
      <{p}:south_bounding_coordinate unit="deg">{south}</{p}:south_bounding_coordinate>
    </{p}:Bounding_Coordinates></{p}:Spatial_Domain></{p}:Cartography>"""


def geometry_of(discipline: str, extra_ns: str = CART) -> tuple[Geometry, list[Finding]]:
    tree = parse_xml(label_xml(discipline=discipline, extra_ns=extra_ns).encode(), source="g.xml")
    label, findings = extract_label(tree, source="g.xml")
    return label.geometry, findings


def test_box_crossing_180_is_kept_as_given() -> None:
    geometry, findings = geometry_of(box(170, -170, 10, -10))
    assert findings == []
    assert geometry.boxes == (BoundingBox(west=170.0, east=-170.0, north=10.0, south=-10.0),)
    assert geometry.body == "Moon"


def test_box_in_0_to_360_longitudes_crossing_0_is_kept() -> None:
    geometry, _ = geometry_of(box(350, 10, 5, -5))
    assert geometry.boxes == (BoundingBox(west=350.0, east=10.0, north=5.0, south=-5.0),)


def test_polar_cap_box() -> None:
    geometry, _ = geometry_of(box(-180, 180, -80, -90))
    assert geometry.boxes == (BoundingBox(west=-180.0, east=180.0, north=-80.0, south=-90.0),)
    assert not geometry.is_empty


def test_degenerate_box_is_a_point() -> None:
    geometry, _ = geometry_of(box(23.47, 23.47, 0.67, 0.67))
    assert geometry.boxes == ()
    assert geometry.points == ((23.47, 0.67),)


def test_any_prefix_and_several_boxes() -> None:
    ns = 'xmlns:c="http://pds.nasa.gov/pds4/cart/v1"'
    geometry, _ = geometry_of(box(0, 10, 10, 0, "c") + box(20, 30, 10, 0, "c"), ns)
    assert [b.west for b in geometry.boxes] == [0.0, 20.0]


def test_impossible_box_is_ignored_with_a_warning() -> None:
    geometry, findings = geometry_of(box(0, 10, -10, 10))
    assert geometry.boxes == ()
    assert [f.code for f in findings] == ["geometry.invalid"]
    assert findings[0].line is not None and findings[0].xpath is not None
    assert findings[0].xpath.endswith("cart:Bounding_Coordinates")


def test_non_numeric_edge_is_reported() -> None:
    geometry, findings = geometry_of(box(0, "east", 10, 0))  # type: ignore[arg-type]
    assert geometry.boxes == ()
    assert [f.code for f in findings] == ["geometry.invalid"]
    assert "east_bounding_coordinate" in findings[0].message


def _intercept(lon: float, lat: float) -> str:
    return (
        f"<g:Pixel_Intercept><g:pixel_latitude>{lat}</g:pixel_latitude>"
        f"<g:pixel_longitude>{lon}</g:pixel_longitude></g:Pixel_Intercept>"
    )


def test_footprint_vertices_make_a_polygon_and_other_intercepts_points() -> None:
    ring = [(10.0, -5.0), (12.0, -5.0), (12.0, -3.0), (10.0, -3.0)]
    discipline = (
        "<g:Geometry><g:Geometry_Orbiter><g:Surface_Geometry>"
        "<g:Surface_Geometry_Specific>"
        + _intercept(11.0, -4.0)
        + "<g:Footprint_Vertices>"
        + "".join(_intercept(*p) for p in ring)
        + "</g:Footprint_Vertices></g:Surface_Geometry_Specific></g:Surface_Geometry>"
        "</g:Geometry_Orbiter></g:Geometry>"
    )
    geometry, findings = geometry_of(discipline, GEOM)
    assert findings == []
    assert geometry.polygons == (tuple(ring),)
    assert geometry.points == ((11.0, -4.0),)


def test_resolution_takes_the_finest_length_in_metres() -> None:
    discipline = """<cart:Cartography><cart:Spatial_Reference_Information>
      <cart:pixel_resolution_x unit="km/pixel">0.5</cart:pixel_resolution_x>
      <cart:pixel_resolution_y unit="m/pixel">250</cart:pixel_resolution_y>
      <cart:pixel_scale_x unit="pixel/deg">60</cart:pixel_scale_x>
      <cart:pixel_resolution_x unit="mm/pixel">not a number</cart:pixel_resolution_x>
    </cart:Spatial_Reference_Information></cart:Cartography>"""
    geometry, _ = geometry_of(discipline)
    assert geometry.resolution_m == 250.0


def test_resolution_units_cm_and_mm() -> None:
    discipline = (
        '<cart:Cartography><cart:pixel_resolution_x unit="cm/pixel">50'
        '</cart:pixel_resolution_x><cart:pixel_resolution_y unit="mm">800'
        "</cart:pixel_resolution_y></cart:Cartography>"
    )
    geometry, _ = geometry_of(discipline)
    assert geometry.resolution_m == 0.5


def test_no_geometry_means_empty() -> None:
    geometry, _ = geometry_of("")
    assert geometry.is_empty and geometry.resolution_m is None


def test_extract_geometry_without_target_has_no_body() -> None:
    tree = parse_xml(b"<r/>", source="r.xml")
    geometry, findings = extract_geometry(tree.getroot(), None, "r.xml")
    assert geometry.body is None and findings == []
