"""The data files really have the structure their labels describe (what PDS validate's
content checks look at): array sizes and statistics, fixed-width and delimited tables."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .helpers import NS, parse

_DTYPES: dict[str, np.dtype[Any]] = {"UnsignedByte": np.dtype("u1"), "SignedLSB2": np.dtype("<i2")}
_REAL = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?$")
_INT = re.compile(r"^[+-]?[0-9]+$")


def _value_ok(data_type: str, text: str) -> bool:
    text = text.strip()
    if data_type == "ASCII_Real":
        return bool(_REAL.match(text))
    if data_type == "ASCII_Integer":
        return bool(_INT.match(text))
    return bool(text)


def _areas(labels: list[Path]):  # type: ignore[no-untyped-def]
    for path in labels:
        for area in parse(path).iterfind(".//pds:File_Area_Observational", NS):
            name = area.findtext("pds:File/pds:file_name", namespaces=NS)
            yield path, area, (path.parent / str(name)).read_bytes()


def test_arrays_fill_their_files_and_statistics_hold(labels: list[Path]) -> None:
    arrays = 0
    for _, area, data in _areas(labels):
        for array in [*area.iterfind("pds:Array_2D_Image", NS), *area.iterfind("pds:Array_1D", NS)]:
            dtype = _DTYPES[str(array.findtext("pds:Element_Array/pds:data_type", namespaces=NS))]
            shape = [
                int(a.findtext("pds:elements", namespaces=NS) or 0)
                for a in array.iterfind("pds:Axis_Array", NS)
            ]
            assert int(array.findtext("pds:offset", namespaces=NS) or -1) == 0
            assert len(data) == int(np.prod(shape)) * dtype.itemsize
            values = np.frombuffer(data, dtype=dtype).reshape(shape)
            stats = array.find("pds:Object_Statistics", NS)
            if stats is not None:
                assert float(stats.findtext("pds:minimum", namespaces=NS) or "nan") == values.min()
                assert float(stats.findtext("pds:maximum", namespaces=NS) or "nan") == values.max()
                assert float(stats.findtext("pds:mean", namespaces=NS) or "nan") == pytest.approx(
                    values.mean(), abs=1e-4
                )
            arrays += 1
    assert arrays > 30


def test_fixed_width_tables_match_their_records(labels: list[Path]) -> None:
    tables = 0
    for _, area, data in _areas(labels):
        for table in area.iterfind("pds:Table_Character", NS):
            length = int(
                table.findtext("pds:Record_Character/pds:record_length", namespaces=NS) or 0
            )
            records = int(table.findtext("pds:records", namespaces=NS) or -1)
            assert len(data) == records * length
            rows = [data[k : k + length] for k in range(0, len(data), length)]
            for row in rows:
                assert row.endswith(b"\r\n")
                for field in table.iterfind("pds:Record_Character/pds:Field_Character", NS):
                    start = int(field.findtext("pds:field_location", namespaces=NS) or 0) - 1
                    size = int(field.findtext("pds:field_length", namespaces=NS) or 0)
                    value = row[start : start + size].decode("ascii")
                    assert _value_ok(str(field.findtext("pds:data_type", namespaces=NS)), value)
            tables += 1
    assert tables >= 3


def test_delimited_tables_match_their_records(labels: list[Path]) -> None:
    tables = 0
    for _, area, data in _areas(labels):
        file_records = int(area.findtext("pds:File/pds:records", namespaces=NS) or -1)
        for table in area.iterfind("pds:Table_Delimited", NS):
            offset = int(table.findtext("pds:offset", namespaces=NS) or -1)
            header = data[:offset].decode("ascii")
            assert header.endswith("\r\n") and "," in header
            rows = data[offset:].decode("ascii").split("\r\n")
            assert rows.pop() == ""
            assert len(rows) == int(table.findtext("pds:records", namespaces=NS) or -1)
            assert file_records == len(rows) + 1
            fields = list(table.iterfind("pds:Record_Delimited/pds:Field_Delimited", NS))
            for row in rows:
                values = row.split(",")
                assert len(values) == len(fields)
                for value, field in zip(values, fields, strict=True):
                    limit = int(field.findtext("pds:maximum_field_length", namespaces=NS) or 0)
                    assert len(value) <= limit
                    assert _value_ok(str(field.findtext("pds:data_type", namespaces=NS)), value)
            tables += 1
    assert tables >= 3
