"""Drawing: an image array as a stretched greyscale PNG, columns as a line plot PNG."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import numpy as np
from PIL import Image

from lunadc.processing.tables import Column

MAX_SIDE = 768
PLOT_SIZE = (6.4, 3.6)  # inches at 100 dpi
_X_HINT = re.compile(r"wave|wvl|lambda|channel|energy|mass|freq|time|utc|epoch|index|bin", re.I)
MAX_SERIES = 3
MARKER_BELOW = 30  # records: fewer than this are drawn as points too


def _stretch(values: np.ndarray) -> np.ndarray:
    """2–98 percentile linear stretch to 0..255 (NaN drawn black)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.zeros(values.shape, dtype=np.uint8)
    low, high = (float(v) for v in np.percentile(finite, [2.0, 98.0]))
    if high <= low:
        low, high = float(finite.min()), float(finite.max())
    span = high - low if high > low else 1.0
    scaled = np.clip((np.nan_to_num(values, nan=low) - low) / span, 0.0, 1.0)
    out: np.ndarray = (scaled * 255.0 + 0.5).astype(np.uint8)
    return out


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def image_png(values: np.ndarray) -> bytes:
    """A 2-D array as a PNG no larger than MAX_SIDE; tiny arrays are enlarged to be seen."""
    image = Image.fromarray(_stretch(values), mode="L")
    w, h = image.size
    scale = min(MAX_SIDE / w, MAX_SIDE / h)
    if scale < 1 or max(w, h) < 128:
        scale = scale if scale < 1 else max(1, int(256 / max(w, h)))
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        image = image.resize(size, Image.Resampling.NEAREST if scale > 1 else Image.Resampling.BOX)
    return _png(image)


def encoded_png(data: bytes) -> bytes | None:
    """An encoded image (PNG, JPEG, TIFF, ...) as a PNG thumbnail; None if Pillow cannot read it."""
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.thumbnail((MAX_SIDE, MAX_SIDE))
            image = source.convert("RGB" if source.mode not in ("L", "LA") else "L")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    return _png(image)


def choose_axes(columns: Sequence[Column]) -> tuple[Column | None, list[Column]]:
    """The x column (time, wavelength, channel ... else none: row index) and up to 3 y columns."""
    x = next((c for c in columns if c.is_time), None)
    if x is None:
        x = next((c for c in columns if _X_HINT.search(c.name)), None)
    ys = [c for c in columns if c is not x and not c.is_time]
    # Columns that vary first; constant ones (or one-record tables) are still worth a point.
    ys.sort(key=lambda c: not (c.values.size > 1 and np.nanstd(c.values) > 0))
    return x, ys[:MAX_SERIES]


def _label(column: Column) -> str:
    return f"{column.name} [{column.unit}]" if column.unit else column.name


def plot_png(columns: Sequence[Column], title: str) -> bytes | None:
    """A line plot of the chosen columns (each y on its own scale when there are several)."""
    x, ys = choose_axes(columns)
    if not ys:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=PLOT_SIZE, dpi=100)
    ax = fig.add_subplot()
    for i, y in enumerate(ys):
        axis = ax if i == 0 else ax.twinx()
        if i > 1:
            axis.spines["right"].set_position(("axes", 1.0 + 0.12 * (i - 1)))
        xs = x.values[: y.values.size] if x is not None else np.arange(y.values.size)
        xs = xs.astype("datetime64[s]") if x is not None and x.is_time else xs
        marker = "o" if y.values.size < MARKER_BELOW else ""
        axis.plot(xs, y.values[: len(xs)], color=f"C{i}", linewidth=1.0, marker=marker)
        axis.set_ylabel(_label(y), color=f"C{i}")
    ax.set_xlabel(_label(x) if x is not None else "record")
    ax.set_title(title[:80], fontsize=9)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def trace_png(values: np.ndarray, title: str, unit: str) -> bytes | None:
    """A 1-D array (a trace, a spectrum without axis) as a plot against its index."""
    return plot_png([Column("value", unit, values.astype(np.float64))], title)
