"""Coverage fractions: footprints' great-circle edges drawn with few points, and the union
taken before the cut to the region, give the answer of a much finer drawing."""

from __future__ import annotations

import importlib
import math
import random

import pytest
import shapely

from lunadc.search.spatial import Box, Circle, MultiRegion, Polygon, Region, intersects
from lunadc.search.spatial.coverage import CoverageContext
from lunadc.search.spatial.serial import region_from_json, region_to_json

MOON_KM = 1737.4
# the module (the package exports a function of the same name)
coverage_module = importlib.import_module("lunadc.search.spatial.coverage")


def footprints_near(lon: float, lat: float, count: int, seed: int) -> list[Region]:
    rng = random.Random(seed)
    out: list[Region] = []
    deg = math.degrees(1 / MOON_KM)  # degrees per km
    for _ in range(100 * count):  # bounded: places too near a pole give up early
        if len(out) >= count:
            break
        size = rng.uniform(2.0, 25.0) * deg
        d, az = rng.uniform(0.0, 15.0) / MOON_KM, rng.uniform(0, 2 * math.pi)
        clat = lat + math.degrees(d * math.cos(az))
        if abs(clat) > 89.0:
            continue
        clon = lon + math.degrees(d * math.sin(az)) / math.cos(math.radians(clat))
        half_lon = size / 2 / math.cos(math.radians(clat))
        if rng.random() < 0.5:
            out.append(
                Box(
                    west=clon - half_lon,
                    south=clat - size / 2,
                    east=clon + half_lon,
                    north=clat + size / 3,
                )
            )
        else:
            turn = rng.uniform(0, 90)
            ring = [
                (
                    clon + half_lon * math.cos(math.radians(turn + k * 90)),
                    clat + size / 2 * math.sin(math.radians(turn + k * 90)),
                )
                for k in range(4)
            ]
            out.append(Polygon(tuple(ring)))
    return out


PLACES = [(10.0, 20.0, 1), (0.0, -87.0, 2), (179.9, 5.0, 3)]


@pytest.mark.parametrize(("lon", "lat", "seed"), PLACES)
def test_fractions_match_a_much_finer_drawing(
    monkeypatch: pytest.MonkeyPatch, lon: float, lat: float, seed: int
) -> None:
    region = Circle.from_km(lon, lat, 10.0, MOON_KM)
    feet = footprints_near(lon, lat, 40, seed)
    ctx = CoverageContext(region, body_radius_km=MOON_KM)
    pieces = ctx.pieces(feet)
    monkeypatch.setattr(coverage_module, "_GREAT_STEPS_PER_RADIUS", 3000)
    fine = CoverageContext(region, body_radius_km=MOON_KM)
    fine_pieces = fine.pieces(feet)
    assert any(not p.is_empty and not p.full for p in pieces)
    for group in (pieces[:1], pieces[:7], pieces):
        k = len(group)
        assert ctx.fraction(group) == pytest.approx(fine.fraction(fine_pieces[:k]), abs=1e-8)
    # the union of the cut pieces (the plain way) has the same area as the cut of the union
    cut = [p.geometry for p in pieces if not p.is_empty]
    plain = float(shapely.union_all(cut).area) / ctx.drawn_area
    assert ctx.fraction(pieces) == pytest.approx(min(1.0, plain), abs=1e-9)


def test_footprints_that_cover_the_region_are_found_whole() -> None:
    region = Circle.from_km(30.0, -60.0, 10.0, MOON_KM)
    ctx = CoverageContext(region, body_radius_km=MOON_KM)
    big = Box(west=29.0, south=-61.0, east=31.0, north=-59.0)
    halves = MultiRegion(
        (
            Box(west=29.0, south=-61.0, east=30.0, north=-59.0),
            Box(west=30.0, south=-61.0, east=31.0, north=-59.0),
        )
    )
    small = Box(west=29.99, south=-60.01, east=30.01, north=-59.99)
    pieces = ctx.pieces([big, halves, small])
    assert [p.full for p in pieces] == [True, True, False]
    assert ctx.fraction(pieces[2:]) < 0.01


@pytest.mark.parametrize(("lon", "lat", "seed"), [*PLACES, (0.0, -88.0, 4)])
def test_stored_footprints_are_drawn_as_their_regions_are(
    lon: float, lat: float, seed: int
) -> None:
    region = Circle.from_km(lon, lat, 10.0, MOON_KM)
    ctx = CoverageContext(region, body_radius_km=MOON_KM)
    south = -90.0 if lat < -85 else lat - 0.1  # a box holding the pole, or a plain one
    feet = [
        *footprints_near(lon, lat, 30, seed),
        Box(west=lon - 1.0, south=south, east=lon + 1.0, north=lat + 0.1),
    ]
    drawn_straight = 0
    for f in feet:
        if not intersects(f, region):
            continue
        text = region_to_json(f)
        stored = ctx.stored_piece(text, region_from_json)
        built = ctx.piece(f)
        assert stored.full == built.full
        if stored.full:
            continue
        drawn_straight += ctx._draw_stored(text) is not None
        assert stored.drawn.symmetric_difference(built.drawn).area <= 1e-12 * built.drawn.area
        assert ctx.fraction([stored]) == pytest.approx(ctx.fraction([built]), abs=1e-12)
    assert drawn_straight > 0


@pytest.mark.parametrize(("lon", "lat", "seed"), [*PLACES, (0.0, -88.0, 4)])
def test_stored_footprints_drawn_together_are_drawn_as_one_by_one(
    lon: float, lat: float, seed: int
) -> None:
    region = Circle.from_km(lon, lat, 10.0, MOON_KM)
    ctx = CoverageContext(region, body_radius_km=MOON_KM)
    deg = math.degrees(1 / MOON_KM)
    odd: list[Region] = [
        Box(west=lon - 1.0, south=-90.0, east=lon + 1.0, north=90.0),  # pole to pole
        Box(west=lon - 1.0, south=-90.0, east=lon + 1.0, north=lat + 0.1),  # holds a pole
        Polygon(((lon - 0.1, lat - 0.05), (lon + 0.1, lat - 0.05), (lon, lat + 0.1))),
        Polygon(tuple((lon + 0.1 * math.cos(k), lat + 0.05 * math.sin(k)) for k in range(5))),
        Circle.from_km(lon, lat, 3.0, MOON_KM),
        MultiRegion((Box(lon - 5 * deg, lat - 5 * deg, lon, lat), Circle(lon, lat, 2 * deg))),
    ]
    feet = [f for f in [*footprints_near(lon, lat, 30, seed), *odd] if intersects(f, region)]
    texts = [region_to_json(f) for f in feet]
    together = ctx.stored_pieces(texts, region_from_json)
    assert len(together) == len(feet)
    for text, f, piece in zip(texts, feet, together, strict=True):
        alone = ctx.stored_piece(text, region_from_json)
        assert piece.full == alone.full == ctx.piece(f).full
        assert shapely.equals_exact(piece.drawn, alone.drawn, tolerance=0.0)
        assert ctx.fraction([piece]) == pytest.approx(ctx.fraction([ctx.piece(f)]), abs=1e-12)
