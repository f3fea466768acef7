"""PDS4 binary data types as numpy dtypes (arrays and binary table fields)."""

from __future__ import annotations

import numpy as np

_BASE = {
    "SignedByte": "i1",
    "UnsignedByte": "u1",
    "SignedMSB2": ">i2",
    "SignedLSB2": "<i2",
    "UnsignedMSB2": ">u2",
    "UnsignedLSB2": "<u2",
    "SignedMSB4": ">i4",
    "SignedLSB4": "<i4",
    "UnsignedMSB4": ">u4",
    "UnsignedLSB4": "<u4",
    "SignedMSB8": ">i8",
    "SignedLSB8": "<i8",
    "UnsignedMSB8": ">u8",
    "UnsignedLSB8": "<u8",
    "IEEE754MSBSingle": ">f4",
    "IEEE754LSBSingle": "<f4",
    "IEEE754MSBDouble": ">f8",
    "IEEE754LSBDouble": "<f8",
    "ComplexMSB8": ">c8",
    "ComplexLSB8": "<c8",
    "ComplexMSB16": ">c16",
    "ComplexLSB16": "<c16",
}

ASCII_NUMERIC = frozenset(
    {
        "ASCII_Real",
        "ASCII_Integer",
        "ASCII_NonNegative_Integer",
        "ASCII_Numeric_Base10",
        "ASCII_Short_String_Collapsed",  # often numbers in practice; parsed leniently
    }
)
ASCII_TIME = frozenset(
    {
        "ASCII_Date_Time_YMD_UTC",
        "ASCII_Date_Time_YMD",
        "ASCII_Date_Time_DOY",
        "ASCII_Date_Time_DOY_UTC",
        "ASCII_Date_YMD",
        "ASCII_Date_DOY",
    }
)


def binary_dtype(data_type: str) -> np.dtype[np.generic] | None:
    """The numpy dtype of a PDS4 binary type, or None for types not drawn (bit fields, text)."""
    code = _BASE.get(data_type)
    return np.dtype(code) if code else None


def as_real(values: np.ndarray) -> np.ndarray:
    """Float64 values to draw: complex becomes its magnitude; absurd fill values become NaN."""
    data = np.abs(values) if np.iscomplexobj(values) else values
    out = np.array(data, dtype=np.float64)  # a copy: frombuffer arrays are read-only
    # Special constants (missing, saturation) are usually the extremes of the type.
    out[~np.isfinite(out) | (np.abs(out) > 1e30)] = np.nan
    return out
