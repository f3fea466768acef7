"""The bytes of the synthetic data files: small images, radar traces, spectra tables.

Everything is drawn from the ``numpy.random.Generator`` handed in, so the same generator
state gives the same bytes. Sizes are kept small (a few KB) so that 10,000 products are
quick to make and to ingest.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

Rng = np.random.Generator
FloatArray = NDArray[np.float64]


@lru_cache(maxsize=64)
def _grid(lines: int, samples: int) -> tuple[FloatArray, FloatArray]:
    yy, xx = np.mgrid[0:lines, 0:samples]
    return yy.astype(np.float64), xx.astype(np.float64)


@lru_cache(maxsize=64)
def _bilinear_weights(size: int, cell: int) -> tuple[NDArray[np.intp], FloatArray]:
    pos = np.arange(size, dtype=np.float64) / cell
    index = np.floor(pos).astype(np.intp)
    return index, pos - index


def _smooth_noise(rng: Rng, lines: int, samples: int, cell: int) -> FloatArray:
    """Random values on a ``cell``-pixel grid, bilinearly interpolated (soft relief)."""
    coarse = rng.normal(0.0, 1.0, (lines // cell + 2, samples // cell + 2))
    yi, fy = _bilinear_weights(lines, cell)
    xi, fx = _bilinear_weights(samples, cell)
    top = coarse[yi][:, xi] * (1.0 - fx) + coarse[yi][:, xi + 1] * fx
    bottom = coarse[yi + 1][:, xi] * (1.0 - fx) + coarse[yi + 1][:, xi + 1] * fx
    out: FloatArray = top * (1.0 - fy)[:, None] + bottom * fy[:, None]
    return out


@lru_cache(maxsize=1024)
def _crater_stamp(radius: int, azimuth_step: int) -> FloatArray:
    """Brightness change of a crater of ``radius`` pixels lit from one of 16 directions: the
    wall facing the sun is lit, the other in shadow, and a bright rim fading out by 1.6 radii."""
    half = int(1.6 * radius) + 1
    yy, xx = np.mgrid[-half : half + 1, -half : half + 1] / radius
    d = np.hypot(xx, yy)
    azimuth = azimuth_step * np.pi / 8.0
    stamp: FloatArray = np.where(
        d < 1.0, -(xx * np.cos(azimuth) + yy * np.sin(azimuth)) * 0.9, 0.0
    ) + 0.6 * np.exp(-(((d - 1.0) / 0.18) ** 2))
    stamp.flags.writeable = False
    return stamp


def _craters(rng: Rng, img: FloatArray, count: int, max_radius: float, sun_az: float) -> None:
    lines, samples = img.shape
    step = int(sun_az * 8.0 / np.pi + 0.5) % 16
    for _ in range(count):
        cy, cx = int(rng.integers(0, lines)), int(rng.integers(0, samples))
        stamp = _crater_stamp(int(rng.uniform(1.5, max(1.6, max_radius)) + 0.5), step)
        half = stamp.shape[0] // 2
        y0, y1 = max(0, cy - half), min(lines, cy + half + 1)
        x0, x1 = max(0, cx - half), min(samples, cx + half + 1)
        img[y0:y1, x0:x1] += stamp[y0 - cy + half : y1 - cy + half, x0 - cx + half : x1 - cx + half]


def image(rng: Rng, lines: int, samples: int, style: str) -> NDArray[np.uint8]:
    """A plausible-looking 8-bit image: ``surface``, ``orbital``, ``polar`` or ``mars``."""
    grain = rng.random((lines, samples), dtype=np.float32) - np.float32(0.5)
    img = _smooth_noise(rng, lines, samples, 8) * 0.7 + grain * 0.8
    if style == "surface":
        # rover/lander camera: black sky above a horizon, regolith brighter towards the camera
        horizon = int(lines * rng.uniform(0.15, 0.4))
        yy, _ = _grid(lines, samples)
        img += (yy - horizon) / lines * 1.5
        _craters(rng, img, int(rng.integers(2, 6)), samples / 10.0, rng.uniform(0, 6.28))
        base, gain = 95.0, 45.0
        out = np.clip(base + gain * img, 0, 255)
        out[:horizon, :] = rng.integers(0, 3, (horizon, samples))
        return out.astype(np.uint8)
    if style == "polar":
        _craters(rng, img, int(rng.integers(3, 9)), samples / 4.0, rng.uniform(0, 6.28))
        base, gain = 40.0, 38.0  # low sun: dark, long shadows
        out = np.clip(base + gain * img, 0, 255)
        out[out < 25] = 0  # permanently shadowed
        return out.astype(np.uint8)
    if style == "mars":
        _, xx = _grid(lines, samples)
        img += 0.35 * np.sin(xx / rng.uniform(2.0, 5.0) + rng.uniform(0, 6.28))  # dunes
        _craters(rng, img, int(rng.integers(1, 5)), samples / 5.0, rng.uniform(0, 6.28))
        return np.clip(120.0 + 40.0 * img, 0, 255).astype(np.uint8)
    _craters(rng, img, int(rng.integers(3, 10)), samples / 5.0, rng.uniform(0, 6.28))
    return np.clip(110.0 + 45.0 * img, 0, 255).astype(np.uint8)


def image_stats(img: NDArray[np.uint8]) -> tuple[float, float, float]:
    """Minimum, maximum and mean of an image (for ``Object_Statistics``)."""
    return float(img.min()), float(img.max()), float(img.mean())


def radar_trace(rng: Rng, samples: int = 512) -> NDArray[np.int16]:
    """One ground-penetrating radar trace (int16, little-endian): direct wave + reflectors."""
    t = np.arange(samples, dtype=np.float64)
    trace = np.zeros(samples)
    depths = np.concatenate(([12.0], rng.uniform(30, samples - 20, int(rng.integers(3, 8)))))
    for k, t0 in enumerate(depths):
        amp = (1.0 if k == 0 else rng.uniform(0.05, 0.4)) * np.exp(-t0 / 180.0)
        arg = ((t - t0) / 3.0) ** 2
        trace += amp * (1.0 - 2.0 * arg) * np.exp(-arg)  # Ricker wavelet
    trace += rng.normal(0.0, 0.004, samples)
    return np.asarray(np.round(trace * 20000.0), dtype="<i2")


@dataclass(frozen=True, slots=True)
class Spectrum:
    wavelength_nm: FloatArray
    reflectance: FloatArray


def reflectance_spectrum(
    rng: Rng, start: float = 450.0, stop: float = 2400.0, step: float = 10.0
) -> Spectrum:
    """A lunar-soil-like reflectance spectrum: red continuum with 1 and 2 micron bands."""
    wl = np.arange(start, stop + step / 2, step)
    continuum = rng.uniform(0.05, 0.09) + rng.uniform(2.5e-5, 5e-5) * (wl - start)
    band1 = rng.uniform(0.04, 0.12) * np.exp(-(((wl - rng.uniform(920, 1000)) / 110.0) ** 2))
    band2 = rng.uniform(0.02, 0.08) * np.exp(-(((wl - rng.uniform(1900, 2100)) / 280.0) ** 2))
    refl = continuum * (1.0 - band1 - band2) + rng.normal(0.0, 0.0006, wl.size)
    return Spectrum(wl, refl)


def neutron_counts(
    rng: Rng, channels: int = 16
) -> tuple[FloatArray, FloatArray, NDArray[np.int64], NDArray[np.int64]]:
    """ADRON-like neutron spectrum: energy bins (eV) with thermal and epithermal counts."""
    edges = np.logspace(-3, 5, channels + 1)  # 1 meV .. 100 keV
    mid = np.sqrt(edges[:-1] * edges[1:])
    thermal_rate = 900.0 * np.exp(-((np.log10(mid) + 1.6) ** 2) / 0.8)
    epithermal_rate = 260.0 / (1.0 + np.abs(np.log10(mid) - 1.5)) * rng.uniform(0.8, 1.1)
    return (
        edges[:-1],
        edges[1:],
        rng.poisson(thermal_rate).astype(np.int64),
        rng.poisson(epithermal_rate).astype(np.int64),
    )


_LASMA_PEAKS = {16: 40.0, 23: 2.0, 24: 8.0, 27: 9.0, 28: 20.0, 39: 0.6, 40: 9.0, 48: 1.2, 56: 6.0}


def mass_spectrum(rng: Rng, max_mass: int = 100) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """LASMA-like laser ionisation mass spectrum: counts per integer mass (amu)."""
    masses = np.arange(1, max_mass + 1)
    rate = 5.0 + 30.0 * np.exp(-masses / 25.0)
    scale = rng.uniform(400.0, 1200.0)
    for mass, weight in _LASMA_PEAKS.items():
        rate[mass - 1] += weight * scale * rng.uniform(0.7, 1.3)
    return masses.astype(np.int64), rng.poisson(rate).astype(np.int64)
