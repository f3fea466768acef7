"""Builders of surface products: Chang'e-4 (Yutu-2 PCAM, LPR, VNIS; lander LCAM) and the
Luna-25 lander (STS-L, ADRON-LR, LASMA-LR). Surface products carry a point position.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np

from lunadc.model.product import BoundingBox, Geometry
from lunadc.samples import datafiles
from lunadc.samples.discipline import cart_geographic, display_settings
from lunadc.samples.footprints import BOGUSLAWSKY, VON_KARMAN, box, offset_m
from lunadc.samples.labels import (
    Field,
    array_1d,
    array_2d_image,
    file_element,
    stamp,
    table_character,
    table_delimited,
)
from lunadc.samples.product import (
    DataFile,
    ProductFiles,
    Slot,
    file_area,
    observational_label,
    times,
)
from lunadc.samples.xmlkit import CART, DISP

LUNAR_DAY = timedelta(days=29.530589)
CE4_LANDING = datetime.fromisoformat("2019-01-03T02:26:00+00:00")
_IMAGE_SIZES = ((48, 64), (64, 64), (32, 48), (64, 96), (16, 16), (40, 40))


def surface_time(
    start: datetime, index: int, per_day: int, rng: np.random.Generator
) -> tuple[datetime, float]:
    """When the ``index``-th product of a surface instrument was taken, and the work progress
    in lunar days (the rover sleeps through the lunar night: ~12 working Earth days a day)."""
    day, slot = divmod(index, per_day)
    fraction = (slot + 0.5) / per_day
    moment = (
        start
        + day * LUNAR_DAY
        + timedelta(hours=12 + fraction * 260, minutes=int(rng.integers(0, 50)))
    )
    return moment, day + fraction


def rover_position(progress: float) -> tuple[float, float]:
    """Yutu-2-like traverse: ~27 m per lunar day, heading north-west and wandering."""
    dist = 27.0 * progress
    east = -0.55 * dist + 12.0 * math.sin(dist / 37.0)
    north = 0.8 * dist + 9.0 * math.sin(dist / 23.0)
    return offset_m(VON_KARMAN[0], VON_KARMAN[1], east, north)


def _point(lon: float, lat: float) -> tuple[BoundingBox, Geometry]:
    lon, lat = round(lon, 6), round(lat, 6)
    pbox = BoundingBox(lon, lon, lat, lat)
    return pbox, Geometry(body="Moon", boxes=(pbox,), points=((lon, lat),))


def _image_product(
    slot: Slot,
    name: str,
    folder: str,
    start: datetime,
    exposure_s: float,
    lines: int,
    samples: int,
    style: str,
    title: str,
    description: str,
    pbox: BoundingBox,
    geometry: Geometry,
    where: str,
) -> ProductFiles:
    img = datafiles.image(slot.rng, lines, samples, style)
    data = img.tobytes()
    stop = start + timedelta(seconds=exposure_s)
    created = stop + timedelta(hours=7, minutes=slot.index % 60)
    fname = f"{name}.img"
    areas = file_area(
        file_element(fname, data, created, local_id="IMAGE_FILE"),
        array_2d_image(
            "IMAGE",
            lines,
            samples,
            unit="DN",
            stats=datafiles.image_stats(img),
            description=f"{lines} x {samples} 8-bit image",
        ),
    )
    discipline = display_settings("IMAGE") + cart_geographic(
        "IMAGE",
        pbox,
        where,
        resolution_deg=None if pbox.west == pbox.east else abs(pbox.north - pbox.south) / lines,
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
    return ProductFiles(
        slot.lid(name),
        folder,
        f"{name}.xml",
        label,
        (DataFile(fname, data),),
        *times(start, stop),
        geometry,
    )


def pcam(slot: Slot) -> ProductFiles:
    start, progress = surface_time(slot.mission.start, slot.index, 5, slot.rng)
    day = int(progress) + 1
    eye = "L" if slot.index % 2 == 0 else "R"
    name = f"CE4_GRAS_PCAM{eye}-C_SCI_N_{stamp(start)}_{slot.index + 1:04d}_A_2B"
    lines, samples = _IMAGE_SIZES[int(slot.rng.integers(0, len(_IMAGE_SIZES)))]
    pbox, geometry = _point(*rover_position(progress))
    return _image_product(
        slot,
        name,
        f"lunar day {day:02d}",
        start,
        0.05,
        lines,
        samples,
        "surface",
        f"Yutu-2 PCAM {eye} image, lunar day {day}, {start:%Y-%m-%d %H:%M} UTC",
        "Panoramic Camera colour-channel image of the terrain around the Yutu-2 rover in Von "
        "Karman crater (synthetic).",
        pbox,
        geometry,
        "Rover position at image time (west == east, north == south).",
    )


def lcam(slot: Slot) -> ProductFiles:
    """Descent images: footprints shrink towards the landing site; the first ones cross 180°."""
    i = slot.index
    start = CE4_LANDING - timedelta(seconds=660) + timedelta(seconds=1.5 * i)
    shrink = 0.8 ** min(i, 200)
    lon = VON_KARMAN[0] + 2.5 * shrink
    lat = VON_KARMAN[1] - 0.3 * shrink
    half_lon, half_lat = max(2e-4, 1.6 * shrink), max(1.5e-4, 1.1 * shrink)
    fbox = box(lon, lat, half_lon, half_lat, style360=i % 2 == 1)
    fbox = BoundingBox(
        round(fbox.west, 6), round(fbox.east, 6), round(fbox.north, 6), round(fbox.south, 6)
    )
    name = f"CE4_GRAS_LCAM-D_SCI_N_{stamp(start)}_{i + 1:04d}_A_2A"
    return _image_product(
        slot,
        name,
        "",
        start,
        0.002,
        64,
        64,
        "orbital",
        f"Chang'e-4 LCAM descent image {i + 1}",
        "Landing Camera image taken during the powered descent to Von Karman crater (synthetic).",
        fbox,
        Geometry(body="Moon", boxes=(fbox,)),
        "Ground footprint of the descent image.",
    )


def sts(slot: Slot) -> ProductFiles:
    i = slot.index
    start = slot.mission.start + timedelta(hours=2.5 * i, minutes=int(slot.rng.integers(0, 20)))
    name = f"L25_STSL_RAW_{stamp(start)}_{i + 1:04d}"
    lines, samples = _IMAGE_SIZES[int(slot.rng.integers(0, len(_IMAGE_SIZES)))]
    pbox, geometry = _point(*BOGUSLAWSKY)
    return _image_product(
        slot,
        name,
        "",
        start,
        0.02,
        lines,
        samples,
        "surface",
        f"Luna-25 STS-L image {i + 1}, {start:%Y-%m-%d %H:%M} UTC",
        "STS-L television camera image of the landing site near Boguslawsky crater (synthetic).",
        pbox,
        geometry,
        "Lander position (west == east, north == south).",
    )


def lpr(slot: Slot) -> ProductFiles:
    start, progress = surface_time(slot.mission.start, slot.index, 6, slot.rng)
    day = int(progress) + 1
    name = f"CE4_GRAS_LPR-2B_SCI_N_{stamp(start)}_{slot.index + 1:04d}_A_2B"
    trace = datafiles.radar_trace(slot.rng, 512)
    data = trace.tobytes()
    stop = start + timedelta(microseconds=160)
    fname = f"{name}.dat"
    areas = file_area(
        file_element(fname, data, stop + timedelta(hours=6), local_id="TRACE_FILE"),
        array_1d(
            "TRACE",
            trace.size,
            "SignedLSB2",
            "Time",
            "LPR channel 2B (500 MHz) trace, 512 samples at 0.3125 ns.",
        ),
    )
    pbox, geometry = _point(*rover_position(progress))
    discipline = cart_geographic("TRACE", pbox, "Rover position at trace time.")
    label = observational_label(
        slot,
        lid=slot.lid(name),
        title=f"Yutu-2 LPR channel 2B trace, lunar day {day}",
        start=start,
        stop=stop,
        description="Lunar Penetrating Radar high-frequency trace (synthetic).",
        dictionaries=(CART,),
        discipline=discipline,
        file_areas=areas,
        discipline_name="Radio Science",
    )
    return ProductFiles(
        slot.lid(name),
        f"lunar day {day:02d}",
        f"{name}.xml",
        label,
        (DataFile(fname, data),),
        *times(start, stop),
        geometry,
    )


def vnis(slot: Slot) -> ProductFiles:
    start, progress = surface_time(slot.mission.start, slot.index, 4, slot.rng)
    day = int(progress) + 1
    name = f"CE4_GRAS_VNIS-SD_SCI_N_{stamp(start)}_{slot.index + 1:04d}_A_2B"
    spec = datafiles.reflectance_spectrum(slot.rng)
    stop = start + timedelta(seconds=4)
    rows = len(spec.wavelength_nm)
    desc = "Reflectance spectrum of the soil in front of the rover"
    if slot.index % 2 == 0:  # comma-separated with a header line
        header = "WAVELENGTH,REFLECTANCE\r\n"
        body = "".join(
            f"{w:.1f},{r:.5f}\r\n"
            for w, r in zip(spec.wavelength_nm.tolist(), spec.reflectance.tolist(), strict=True)
        )
        fname, data = f"{name}.csv", (header + body).encode("ascii")
        fields = [
            Field("WAVELENGTH", "ASCII_Real", 6, unit="nm"),
            Field("REFLECTANCE", "ASCII_Real", 8, description="Reflectance factor"),
        ]
        table = table_delimited("SPECTRUM", len(header), rows, fields, desc)
    else:  # fixed-width columns
        body = "".join(
            f"{w:7.1f} {r:8.5f}\r\n"
            for w, r in zip(spec.wavelength_nm.tolist(), spec.reflectance.tolist(), strict=True)
        )
        fname, data = f"{name}.tab", body.encode("ascii")
        fields = [
            Field("WAVELENGTH", "ASCII_Real", 7, 1, unit="nm", field_format="%7.1f"),
            Field(
                "REFLECTANCE",
                "ASCII_Real",
                8,
                9,
                field_format="%8.5f",
                description="Reflectance factor",
            ),
        ]
        table = table_character("SPECTRUM", rows, 18, fields, desc)
    areas = file_area(
        file_element(
            fname,
            data,
            stop + timedelta(hours=8),
            local_id="SPEC_FILE",
            records=rows + (slot.index % 2 == 0),
        ),
        table,
    )
    pbox, geometry = _point(*rover_position(progress))
    label = observational_label(
        slot,
        lid=slot.lid(name),
        title=f"Yutu-2 VNIS spectrum, lunar day {day}",
        start=start,
        stop=stop,
        description="VNIS short-wave infrared point spectrum, 450-2400 nm (synthetic).",
        dictionaries=(CART,),
        discipline=cart_geographic("SPECTRUM", pbox, "Rover position at spectrum time."),
        file_areas=areas,
        discipline_name="Spectroscopy",
        wavelength_range="Near Infrared",
    )
    return ProductFiles(
        slot.lid(name),
        f"lunar day {day:02d}",
        f"{name}.xml",
        label,
        (DataFile(fname, data),),
        *times(start, stop),
        geometry,
    )


def adron(slot: Slot) -> ProductFiles:
    i = slot.index
    start = slot.mission.start + timedelta(hours=3 * i)
    stop = start + timedelta(hours=1)
    name = f"L25_ADRON_CAL_{stamp(start)}_{i + 1:04d}"
    low, high, thermal, epithermal = datafiles.neutron_counts(slot.rng)
    body = "".join(
        f"{k + 1:3d} {lo:10.4E} {hi:10.4E} {th:7d} {ep:7d}\r\n"
        for k, (lo, hi, th, ep) in enumerate(
            zip(low.tolist(), high.tolist(), thermal.tolist(), epithermal.tolist(), strict=True)
        )
    )
    data = body.encode("ascii")
    fname = f"{name}.tab"
    fields = [
        Field("CHANNEL", "ASCII_Integer", 3, 1, field_format="%3d"),
        Field("ENERGY_MIN", "ASCII_Real", 10, 5, unit="eV", field_format="%10.4E"),
        Field("ENERGY_MAX", "ASCII_Real", 10, 16, unit="eV", field_format="%10.4E"),
        Field(
            "THERMAL_COUNTS",
            "ASCII_Integer",
            7,
            27,
            field_format="%7d",
            description="Counts of the thermal neutron detector in one hour.",
        ),
        Field(
            "EPITHERMAL_COUNTS",
            "ASCII_Integer",
            7,
            35,
            field_format="%7d",
            description="Counts of the epithermal neutron detector in one hour.",
        ),
    ]
    areas = file_area(
        file_element(
            fname, data, stop + timedelta(hours=5), local_id="SPEC_FILE", records=len(low)
        ),
        table_character(
            "NEUTRON_SPECTRUM",
            len(low),
            43,
            fields,
            "ADRON-LR neutron spectrum, one-hour accumulation.",
        ),
    )
    pbox, geometry = _point(*BOGUSLAWSKY)
    label = observational_label(
        slot,
        lid=slot.lid(name),
        title=f"Luna-25 ADRON-LR neutron spectrum {i + 1}",
        start=start,
        stop=stop,
        description="Active neutron spectrometer measurement at the landing site (synthetic).",
        dictionaries=(CART,),
        discipline=cart_geographic("NEUTRON_SPECTRUM", pbox, "Lander position."),
        file_areas=areas,
        discipline_name="Spectroscopy",
    )
    return ProductFiles(
        slot.lid(name),
        "",
        f"{name}.xml",
        label,
        (DataFile(fname, data),),
        *times(start, stop),
        geometry,
    )


def lasma(slot: Slot) -> ProductFiles:
    i = slot.index
    start = slot.mission.start + timedelta(days=2, hours=5 * i)
    stop = start + timedelta(minutes=2)
    name = f"L25_LASMA_CAL_{stamp(start)}_{i + 1:04d}"
    masses, counts = datafiles.mass_spectrum(slot.rng)
    header = "MASS_AMU,COUNTS\r\n"
    data = (
        header
        + "".join(f"{m},{c}\r\n" for m, c in zip(masses.tolist(), counts.tolist(), strict=True))
    ).encode("ascii")
    fname = f"{name}.csv"
    fields = [
        Field("MASS_AMU", "ASCII_Integer", 3, unit="amu"),
        Field("COUNTS", "ASCII_Integer", 8, description="Ion counts"),
    ]
    areas = file_area(
        file_element(
            fname, data, stop + timedelta(hours=5), local_id="SPEC_FILE", records=len(masses) + 1
        ),
        table_delimited(
            "MASS_SPECTRUM",
            len(header),
            len(masses),
            fields,
            "LASMA-LR laser ionisation mass spectrum of regolith.",
        ),
    )
    pbox, geometry = _point(*BOGUSLAWSKY)
    label = observational_label(
        slot,
        lid=slot.lid(name),
        title=f"Luna-25 LASMA-LR mass spectrum {i + 1}",
        start=start,
        stop=stop,
        description="Laser ionisation mass spectrum of a regolith sample delivered "
        "by the manipulator (synthetic).",
        dictionaries=(CART,),
        discipline=cart_geographic("MASS_SPECTRUM", pbox, "Lander position."),
        file_areas=areas,
        discipline_name="Spectroscopy",
    )
    return ProductFiles(
        slot.lid(name),
        "",
        f"{name}.xml",
        label,
        (DataFile(fname, data),),
        *times(start, stop),
        geometry,
    )
