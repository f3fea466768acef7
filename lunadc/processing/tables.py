"""Reading PDS4 tables (character, binary, delimited) into named numeric columns."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np

from lunadc.processing.dtypes import ASCII_NUMERIC, ASCII_TIME, as_real, binary_dtype
from lunadc.processing.objects import FieldSpec, TableSpec

MAX_ROWS = 20_000
NUMERIC_SHARE = 0.8  # a text column counts as numeric when this share of cells parse


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    unit: str
    values: np.ndarray  # float64, NaN where unreadable
    is_time: bool = False


def _number(text: str) -> float:
    try:
        return float(text.strip().replace("D", "E"))
    except ValueError:
        return float("nan")


def _time(text: str) -> float:
    """Seconds since 1970 for an ISO time, so time columns plot as an axis."""
    value = text.strip().rstrip("Z")
    try:
        return np.datetime64(value, "ms").astype(np.int64) / 1000.0
    except ValueError:
        return float("nan")


def _text_column(f: FieldSpec, cells: list[str]) -> Column | None:
    if f.data_type in ASCII_TIME:
        return Column(f.name, f.unit, np.array([_time(c) for c in cells]), is_time=True)
    values = np.array([_number(c) for c in cells])
    if f.data_type in ASCII_NUMERIC:
        return Column(f.name, f.unit, values)
    # A string column that holds numbers (e.g. housekeeping "value") is worth a plot too.
    filled = sum(1 for c in cells if c.strip().lower() not in ("", "nan"))
    if filled and np.isfinite(values).sum() >= NUMERIC_SHARE * filled:
        return Column(f.name, f.unit, values)
    return None


def _records(spec: TableSpec, data: bytes) -> int:
    return min(spec.records or MAX_ROWS, MAX_ROWS)


def _fixed(spec: TableSpec, data: bytes) -> list[Column]:
    if spec.record_length <= 0:
        return []
    rows = min(_records(spec, data), max(0, (len(data) - spec.offset) // spec.record_length))
    block = data[spec.offset : spec.offset + rows * spec.record_length]
    recs = [block[i * spec.record_length : (i + 1) * spec.record_length] for i in range(rows)]
    columns: list[Column] = []
    for f in spec.fields:
        start, end = f.location - 1, f.location - 1 + f.length
        if start < 0 or f.length <= 0 or end > spec.record_length:
            continue
        dtype = binary_dtype(f.data_type) if spec.kind == "Table_Binary" else None
        if dtype is not None and dtype.itemsize == f.length:
            joined = b"".join(r[start:end] for r in recs)
            values = as_real(np.frombuffer(joined, dtype=dtype))
            columns.append(Column(f.name, f.unit, values))
            continue
        cells = [r[start:end].decode("ascii", "replace") for r in recs]
        column = _text_column(f, cells)
        if column is not None:
            columns.append(column)
    return columns


def _delimited(spec: TableSpec, data: bytes) -> list[Column]:
    text = data[spec.offset :].decode("utf-8", "replace")
    reader = csv.reader(io.StringIO(text), delimiter=spec.delimiter)
    rows: list[list[str]] = []
    for row in reader:
        if row:
            rows.append(row)
        if len(rows) >= _records(spec, data):
            break
    columns: list[Column] = []
    for position, f in enumerate(spec.fields):
        # field_number is optional in older labels: fields are then in record order.
        i = (f.number or position + 1) - 1
        cells = [r[i] if i < len(r) else "" for r in rows]
        column = _text_column(f, cells)
        if column is not None:
            columns.append(column)
    return columns


def read_table(spec: TableSpec, data: bytes) -> list[Column]:
    """The table's numeric and time columns, each with at least one readable value."""
    columns = _delimited(spec, data) if spec.kind == "Table_Delimited" else _fixed(spec, data)
    return [c for c in columns if c.values.size and np.isfinite(c.values).any()]
