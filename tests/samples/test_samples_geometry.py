"""Footprints as the labels state them: rover and lander points, 180° crossings, the pole."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
from lxml import etree

from lunadc.model.product import BoundingBox
from lunadc.samples import MISSION_SPECS, iter_products
from lunadc.samples.footprints import polar_footprint, polar_to_lonlat

from .helpers import NS, parse


def _boxes(labels: list[Path]) -> list[tuple[Path, BoundingBox]]:
    out = []
    for path in labels:
        for coords in parse(path).iterfind(".//cart:Bounding_Coordinates", NS):
            values = [
                float(coords.findtext(f"cart:{side}_bounding_coordinate", namespaces=NS) or "nan")
                for side in ("west", "east", "north", "south")
            ]
            out.append((path, BoundingBox(*values)))
    return out


def _near(box: BoundingBox, lon: float, lat: float, tolerance: float) -> bool:
    return abs(box.west - lon) < tolerance and abs(box.south - lat) < tolerance


def test_boxes_are_within_the_allowed_ranges(labels: list[Path]) -> None:
    boxes = _boxes(labels)
    assert len(boxes) >= 55
    for path, box in boxes:
        assert -180 <= box.west <= 360 and -180 <= box.east <= 360, path
        assert -90 <= box.south <= box.north <= 90, path


def test_rover_points_at_von_karman_move_a_little(labels: list[Path]) -> None:
    points = [
        box
        for path, box in _boxes(labels)
        if "change4_surface" in path.parts[-4:-1] or "change4_surface" in str(path)
    ]
    rover = [b for b in points if b.west == b.east and b.north == b.south]
    assert len(rover) >= 10
    assert all(_near(b, 177.6, -45.4, 0.2) for b in rover)
    assert len({(b.west, b.south) for b in rover}) > len(rover) // 2  # it drives


def test_lander_points_at_boguslawsky(labels: list[Path]) -> None:
    points = [b for path, b in _boxes(labels) if "luna25_lander" in str(path)]
    assert points and all(b == BoundingBox(43.5, 43.5, -72.2, -72.2) for b in points)


def test_footprints_crossing_180(labels: list[Path]) -> None:
    crossing = [(p, b) for p, b in _boxes(labels) if b.west > b.east]
    assert any("change4_surface" in str(p) for p, _ in crossing)  # LCAM descent frames
    assert any("tianwen1_orbiter" in str(p) for p, _ in crossing)  # Elysium at Mars
    for _, box in crossing:
        assert box.west > 0 > box.east  # -180..180 style across the 180° meridian
    # the same kind of frame written in the 0..360 style
    assert any(b.west < 180 < b.east for _, b in _boxes(labels))


def test_polar_boxes_enclose_the_south_pole(labels: list[Path]) -> None:
    polar = [(p, b) for p, b in _boxes(labels) if b.south == -90]
    assert any("change7_orbiter" in str(p) for p, _ in polar)
    assert any("luna26_orbiter" in str(p) for p, _ in polar)
    for _, box in polar:
        assert (box.west, box.east) == (-180, 180) and box.north < -80


def test_change7_images_give_pixel_resolution_and_vary_in_size(labels: list[Path]) -> None:
    sizes = []
    for path in labels:
        if "change7_orbiter" not in str(path) or "collection" in path.name:
            continue
        doc = parse(path)
        if doc.getroot().tag.endswith("Product_Observational"):
            res = doc.find(".//cart:pixel_resolution_x", NS)
            assert res is not None and res.get("unit") == "m/pixel" and float(res.text or 0) > 0
            box = _boxes([path])[0][1]
            sizes.append(box.north - box.south)
    assert min(sizes) < 0.001 < 1 < max(sizes)  # metres-wide frames and polar mosaics


def test_luna26_polygons_near_the_pole(labels: list[Path]) -> None:
    rings = []
    for path in labels:
        doc = parse(path)
        for vertices in doc.iterfind(".//geom:Footprint_Vertices", NS):
            ring = [
                (
                    float(v.findtext("geom:pixel_longitude", namespaces=NS) or "nan"),
                    float(v.findtext("geom:pixel_latitude", namespaces=NS) or "nan"),
                )
                for v in vertices.iterfind("geom:Pixel_Intercept", NS)
            ]
            box = _boxes([path])[0][1]
            rings.append((ring, box))
    assert len(rings) >= 5
    for ring, box in rings:
        assert len(ring) == 4
        assert all(0 <= lon <= 360 and -90 <= lat < -83 for lon, lat in ring)
        # every vertex lies inside the label's bounding box
        for lon, lat in ring:
            assert box.south <= lat <= box.north
            if box.west != -180 or box.east != 180:
                west, east, x = box.west % 360, box.east % 360, lon % 360
                assert (west <= x <= east) if west <= east else (x >= west or x <= east)


def test_in_memory_geometry_matches_the_label() -> None:
    """ProductFiles.geometry (ground truth for benchmarks) is exactly what the label says."""
    for mission, spec in MISSION_SPECS.items():
        for collection in spec.collections:
            for product in iter_products(mission, collection.name, 6):
                doc = etree.fromstring(product.label)
                boxes = tuple(
                    BoundingBox(
                        *(
                            float(
                                c.findtext(f"cart:{side}_bounding_coordinate", namespaces=NS)
                                or "nan"
                            )
                            for side in ("west", "east", "north", "south")
                        )
                    )
                    for c in doc.iterfind(".//cart:Bounding_Coordinates", NS)
                )
                rings = tuple(
                    tuple(
                        (
                            float(v.findtext("geom:pixel_longitude", namespaces=NS) or "nan"),
                            float(v.findtext("geom:pixel_latitude", namespaces=NS) or "nan"),
                        )
                        for v in fv.iterfind("geom:Pixel_Intercept", NS)
                    )
                    for fv in doc.iterfind(".//geom:Footprint_Vertices", NS)
                )
                geometry = product.geometry
                assert geometry.boxes == boxes
                assert geometry.polygons == rings
                assert geometry.points == tuple(
                    (b.west, b.south) for b in boxes if b.west == b.east and b.north == b.south
                )
                assert geometry.body == spec.target[0]


@pytest.mark.parametrize(("lon", "lat", "size"), [(0.0, -89.9, 30_000.0), (135.0, -89.95, 8_000.0)])
def test_polar_footprint_around_the_pole(lon: float, lat: float, size: float) -> None:
    fp = polar_footprint(lon, lat, size, size, 17.0)
    assert fp.encloses_pole and fp.bbox.south == -90 and fp.bbox.west == -180


def test_polar_footprint_across_the_prime_meridian() -> None:
    fp = polar_footprint(0.0, -86.0, 20_000.0, 20_000.0, 0.0)
    assert not fp.encloses_pole
    assert fp.bbox.west < 0 < fp.bbox.east
    lats = [lat for _, lat in fp.corners]
    assert fp.bbox.south <= min(lats) and math.isclose(fp.bbox.north, max(lats), abs_tol=1e-9)


def test_polar_footprint_box_contains_the_whole_frame() -> None:
    rng = random.Random(5)
    for _ in range(300):
        lon, lat = rng.uniform(0, 360), rng.uniform(-89.99, -80.0)
        size = 10 ** rng.uniform(1, 5.3)
        fp = polar_footprint(lon, lat, size, size * rng.uniform(0.3, 2), rng.uniform(0, 360))
        box = fp.bbox
        for k in range(4):
            (x0, y0), (x1, y1) = fp.corners_xy[k], fp.corners_xy[(k + 1) % 4]
            for t in range(41):
                p_lon, p_lat = polar_to_lonlat(x0 + (x1 - x0) * t / 40, y0 + (y1 - y0) * t / 40)
                assert box.south - 1e-9 <= p_lat <= box.north + 1e-9
                if not fp.encloses_pole:
                    west, east, x = box.west % 360, box.east % 360, p_lon % 360
                    inside = (west <= x <= east) if west <= east else (x >= west or x <= east)
                    assert inside or min(abs(x - west), abs(x - east)) < 1e-9
