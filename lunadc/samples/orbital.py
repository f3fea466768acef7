"""Builders of orbital images: Chang'e-7 (HRC, WAC) and Luna-26 (LSTK) around the lunar south
pole, and Tianwen-1 (MoRIC) at Mars.
"""

from __future__ import annotations

import math
from datetime import timedelta

from lunadc.model.product import BoundingBox, Geometry
from lunadc.samples import datafiles
from lunadc.samples.discipline import (
    cart_geographic,
    cart_projected,
    display_settings,
    equirectangular,
    geom_footprint,
    polar_stereographic,
)
from lunadc.samples.footprints import (
    MARS_RADII_KM,
    SOUTH_POLE_SITES,
    PolarFootprint,
    box,
    lonlat_to_polar,
    polar_footprint,
    polar_to_lonlat,
)
from lunadc.samples.labels import array_2d_image, file_element, stamp
from lunadc.samples.product import (
    DataFile,
    ProductFiles,
    Slot,
    file_area,
    observational_label,
    times,
)
from lunadc.samples.xmlkit import CART, DISP, GEOM

# (lines, samples, metres per pixel) of Chang'e-7 HRC frames: from a few metres across to km
_HRC_FRAMES = (
    (16, 16, 0.5),
    (32, 32, 0.8),
    (64, 64, 1.0),
    (48, 96, 1.5),
    (64, 128, 2.5),
    (64, 64, 12.0),
)

# Mars regions (name, lon, lat, longitude jitter); the Elysium frames straddle 180°
_MARS_REGIONS = (
    ("Utopia Planitia (Zhurong landing area)", 109.925, 25.066, 0.15),
    ("Elysium Planitia", 180.0, 4.5, 0.02),
    ("Valles Marineris", -70.0, -8.0, 0.15),
    ("Olympus Mons", -133.8, 18.65, 0.15),
    ("Jezero crater", 77.45, 18.44, 0.15),
    ("Gale crater", 137.4, -5.4, 0.15),
    ("Hellas Planitia", 70.0, -42.0, 0.15),
)


def _rounded(b: BoundingBox) -> BoundingBox:
    return BoundingBox(round(b.west, 6), round(b.east, 6), round(b.north, 6), round(b.south, 6))


def _polar_image(
    slot: Slot,
    name: str,
    folder: str,
    fp: PolarFootprint,
    lines: int,
    samples: int,
    resolution_m: float,
    title: str,
    description: str,
    start_offset: timedelta,
) -> ProductFiles:
    """A map-projected (polar stereographic) image with its box and pixel resolution."""
    start = slot.mission.start + start_offset
    stop = start + timedelta(seconds=max(0.01, lines * 1e-4))
    img = datafiles.image(slot.rng, lines, samples, "polar")
    data = img.tobytes()
    fname = f"{name}.img"
    bbox = _rounded(fp.bbox)
    areas = file_area(
        file_element(fname, data, stop + timedelta(hours=9), local_id="IMAGE_FILE"),
        array_2d_image(
            "IMAGE",
            lines,
            samples,
            unit="DN",
            stats=datafiles.image_stats(img),
            description="Map-projected image, polar stereographic.",
        ),
    )
    discipline = display_settings("IMAGE") + cart_projected(
        "IMAGE", bbox, polar_stereographic(), resolution_m, fp.corners_xy[0]
    )
    label = observational_label(
        slot,
        lid=slot.lid(name),
        title=title,
        start=start,
        stop=stop,
        description=description,
        dictionaries=(DISP, CART),
        discipline=discipline,
        file_areas=areas,
        discipline_name="Imaging",
        wavelength_range="Visible",
    )
    geometry = Geometry(body="Moon", boxes=(bbox,), resolution_m=resolution_m)
    return ProductFiles(
        slot.lid(name),
        folder,
        f"{name}.xml",
        label,
        (DataFile(fname, data),),
        *times(start, stop),
        geometry,
    )


def hrc(slot: Slot) -> ProductFiles:
    """High-resolution frames near the pole, from metre-sized to a few hundred metres."""
    rng, i = slot.rng, slot.index
    lines, samples, res = _HRC_FRAMES[int(rng.integers(0, len(_HRC_FRAMES)))]
    rho_m = rng.uniform(3_000.0, 180_000.0)
    azimuth = rng.uniform(0.0, 360.0)
    lon, lat = polar_to_lonlat(
        rho_m * math.sin(math.radians(azimuth)), rho_m * math.cos(math.radians(azimuth))
    )
    fp = polar_footprint(lon, lat, samples * res, lines * res, 0.0)
    offset = timedelta(minutes=47 * i)
    orbit = 1200 + i // 3
    name = f"CE7_GRAS_HRC_SCI_N_{stamp(slot.mission.start + offset)}_{i + 1:05d}_A_2C"
    return _polar_image(
        slot,
        name,
        f"orbit_{orbit:05d}",
        fp,
        lines,
        samples,
        res,
        f"Chang'e-7 HRC image, orbit {orbit}, {res:g} m/pixel",
        "High Resolution Camera image of the south polar region (synthetic).",
        offset,
    )


def wac(slot: Slot) -> ProductFiles:
    """Wide-angle polar mosaics: even ones enclose the south pole, odd ones lie beside it."""
    rng, i = slot.rng, slot.index
    size = 96 if i % 3 == 0 else 64
    if i % 2 == 0:
        rho_m, extent_m = rng.uniform(0.0, 12_000.0), rng.uniform(60_000.0, 180_000.0)
    else:
        rho_m, extent_m = rng.uniform(60_000.0, 150_000.0), rng.uniform(20_000.0, 60_000.0)
    azimuth = math.radians(rng.uniform(0.0, 360.0))
    lon, lat = polar_to_lonlat(rho_m * math.sin(azimuth), rho_m * math.cos(azimuth))
    res = round(extent_m / size, 1)
    fp = polar_footprint(lon, lat, size * res, size * res, 0.0)
    offset = timedelta(days=i, hours=2)
    name = f"CE7_GRAS_WAC_DOM_{stamp(slot.mission.start + offset)}_{i + 1:04d}_A_2C"
    kind = "enclosing the south pole" if fp.encloses_pole else "near the south pole"
    return _polar_image(
        slot,
        name,
        "",
        fp,
        size,
        size,
        res,
        f"Chang'e-7 WAC mosaic {i + 1}, {kind}",
        f"Wide Angle Camera orthomosaic {kind}, {res:g} m/pixel (synthetic).",
        offset,
    )


def lstk(slot: Slot) -> ProductFiles:
    """Frames of candidate landing sites with footprint polygons; every 8th (from the 6th)
    is a context frame whose polygon encloses the pole."""
    rng, i = slot.rng, slot.index
    site, site_lon, site_lat = SOUTH_POLE_SITES[i % len(SOUTH_POLE_SITES)]
    if i % 8 == 5:
        site = "South pole context"
        x, y = rng.uniform(-4_000.0, 4_000.0, 2)
        extent = rng.uniform(25_000.0, 40_000.0)
    else:
        x0, y0 = lonlat_to_polar(site_lon, site_lat)
        x, y = x0 + rng.uniform(-3_000.0, 3_000.0), y0 + rng.uniform(-3_000.0, 3_000.0)
        extent = rng.uniform(200.0, 3_000.0)
    lon, lat = polar_to_lonlat(x, y)
    lines = samples = 64
    res = extent / samples
    fp = polar_footprint(lon, lat, extent, extent * lines / samples, rng.uniform(0.0, 360.0))
    start = slot.mission.start + timedelta(hours=1.9 * i, seconds=int(rng.integers(0, 600)))
    stop = start + timedelta(seconds=0.5)
    name = f"L26_LSTK_CAL_{stamp(start)}_{i + 1:04d}"
    img = datafiles.image(rng, lines, samples, "polar")
    data = img.tobytes()
    fname = f"{name}.img"
    bbox = _rounded(fp.bbox)
    corners = tuple((round(c_lon, 6), round(c_lat, 6)) for c_lon, c_lat in fp.corners)
    center = (round(lon, 6), round(lat, 6))
    areas = file_area(
        file_element(fname, data, stop + timedelta(hours=10), local_id="IMAGE_FILE"),
        array_2d_image(
            "IMAGE",
            lines,
            samples,
            unit="DN",
            stats=datafiles.image_stats(img),
            description="Calibrated frame in camera geometry (not map-projected).",
        ),
    )
    discipline = (
        display_settings("IMAGE")
        + cart_geographic(
            "IMAGE",
            bbox,
            f"Bounding box of the frame footprint ({site}).",
            resolution_deg=math.degrees(res / 1_737_400.0),
        )
        + geom_footprint(start, stop, center, corners)
    )
    label = observational_label(
        slot,
        lid=slot.lid(name),
        title=f"Luna-26 LSTK image of {site}",
        start=start,
        stop=stop,
        description=f"LSTK frame of the candidate landing site {site}, {res:.1f} m/pixel "
        "(synthetic).",
        dictionaries=(DISP, CART, GEOM),
        discipline=discipline,
        file_areas=areas,
        discipline_name="Imaging",
        wavelength_range="Visible",
    )
    geometry = Geometry(body="Moon", boxes=(bbox,), polygons=(corners,), resolution_m=res)
    return ProductFiles(
        slot.lid(name),
        "",
        f"{name}.xml",
        label,
        (DataFile(fname, data),),
        *times(start, stop),
        geometry,
    )


def moric(slot: Slot) -> ProductFiles:
    rng, i = slot.rng, slot.index
    region, r_lon, r_lat, jitter = _MARS_REGIONS[i % len(_MARS_REGIONS)]
    lon = r_lon + rng.uniform(-jitter, jitter)
    lat = r_lat + rng.uniform(-0.5, 0.5)
    half_lat = rng.uniform(0.04, 0.25)
    half_lon = half_lat / max(0.2, math.cos(math.radians(lat)))
    lines, samples = (64, 64) if i % 2 == 0 else (48, 96)
    half_lon *= samples / lines
    bbox = _rounded(box(lon, lat, half_lon, half_lat))
    per_degree_m = MARS_RADII_KM[0] * 1000.0 * math.pi / 180.0
    res = round(2 * half_lat * per_degree_m / lines, 1)
    start = slot.mission.start + timedelta(hours=7.8 * i, seconds=int(rng.integers(0, 900)))
    stop = start + timedelta(seconds=0.2)
    name = f"HX1-Or_GRAS_MoRIC-DIM-K_SCI_N_{stamp(start)}_{i + 1:04d}_A_2C"
    img = datafiles.image(rng, lines, samples, "mars")
    data = img.tobytes()
    fname = f"{name}.img"
    ul_x = -half_lon * per_degree_m  # x = R (lon - lon0) cos(standard parallel = 0)
    ul_y = (lat + half_lat) * per_degree_m
    areas = file_area(
        file_element(fname, data, stop + timedelta(hours=20), local_id="IMAGE_FILE"),
        array_2d_image(
            "IMAGE",
            lines,
            samples,
            unit="DN",
            stats=datafiles.image_stats(img),
            description="Map-projected image, equirectangular.",
        ),
    )
    discipline = display_settings("IMAGE") + cart_projected(
        "IMAGE", bbox, equirectangular(lon), res, (ul_x, ul_y), radii=MARS_RADII_KM
    )
    label = observational_label(
        slot,
        lid=slot.lid(name),
        title=f"Tianwen-1 MoRIC image of {region}",
        start=start,
        stop=stop,
        description=f"Moderate Resolution Imaging Camera image of {region}, "
        f"{res:g} m/pixel (synthetic).",
        dictionaries=(DISP, CART),
        discipline=discipline,
        file_areas=areas,
        discipline_name="Imaging",
        wavelength_range="Visible",
    )
    geometry = Geometry(body="Mars", boxes=(bbox,), resolution_m=res)
    return ProductFiles(
        slot.lid(name),
        "",
        f"{name}.xml",
        label,
        (DataFile(fname, data),),
        *times(start, stop),
        geometry,
    )
