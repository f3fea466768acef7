"""Reading a PDS4 array from its file bytes into a 2-D (image) or 1-D (trace) float array."""

from __future__ import annotations

import math

import numpy as np

from lunadc.processing.dtypes import as_real, binary_dtype
from lunadc.processing.objects import ArraySpec

MAX_ARRAY_BYTES = 256 * 1024 * 1024


def read_array(spec: ArraySpec, data: bytes) -> np.ndarray | None:
    """The array's values (planes beyond the first dropped), or None if the bytes fall short."""
    dtype = binary_dtype(spec.data_type)
    if dtype is None:
        return None
    shape = spec.shape
    if len(shape) > 2:
        # A cube: draw its first band (first index slowest), as PDS viewers do by default.
        shape = shape[-2:]
    count = math.prod(shape)
    need = count * dtype.itemsize
    if need > MAX_ARRAY_BYTES or spec.offset < 0 or spec.offset + need > len(data):
        return None
    raw = np.frombuffer(data, dtype=dtype, count=count, offset=spec.offset).reshape(shape)
    values = as_real(raw)
    return values * spec.scaling + spec.value_offset
