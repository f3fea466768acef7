"""The data objects of a PDS4 label that a quicklook can draw, as frozen value objects.

Only what drawing needs is read: for arrays the offset, axes and element type; for tables
the offset, record count and fields (with their position, type and unit); for encoded
images the file. Everything comes from the label, nothing is guessed from the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from lunadc.pds4.xmlutil import (
    Element,
    child,
    child_text,
    children,
    descendants,
    elements,
    local_name,
)

ARRAY_CLASSES = ("Array_2D_Image", "Array_3D_Image", "Array_2D", "Array_3D", "Array_1D", "Array")
TABLE_CLASSES = ("Table_Character", "Table_Binary", "Table_Delimited")
ENCODED_CLASSES = ("Encoded_Image", "Encoded_Byte_Stream")
FILE_AREAS = (
    "File_Area_Observational",
    "File_Area_Browse",
    "File_Area_Ancillary",
    "File_Area_Metadata",
)


@dataclass(frozen=True, slots=True)
class ArraySpec:
    file: str
    offset: int
    shape: tuple[int, ...]  # in sequence_number order (last index fastest)
    data_type: str
    scaling: float = 1.0
    value_offset: float = 0.0
    unit: str = ""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    data_type: str
    location: int = 0  # 1-based byte position (character and binary tables)
    length: int = 0  # bytes (character and binary tables)
    number: int = 0  # 1-based column number (delimited tables)
    unit: str = ""


@dataclass(frozen=True, slots=True)
class TableSpec:
    kind: str  # one of TABLE_CLASSES
    file: str
    offset: int
    records: int
    fields: tuple[FieldSpec, ...]
    record_length: int = 0  # bytes, fixed-width tables
    delimiter: str = ","


@dataclass(frozen=True, slots=True)
class EncodedSpec:
    file: str
    offset: int = 0


DataObject = ArraySpec | TableSpec | EncodedSpec

_DELIMITERS = {
    "comma": ",",
    "horizontal tab": "\t",
    "semicolon": ";",
    "vertical bar": "|",
}


def _int(text: str, default: int = 0) -> int:
    try:
        return int(text.strip())
    except ValueError:
        return default


def _float(text: str, default: float) -> float:
    try:
        return float(text.strip())
    except ValueError:
        return default


def _file_name(area: Element) -> str:
    file_el = child(area, "File")
    return child_text(file_el, "file_name") if file_el is not None else ""


def _array(el: Element, file: str) -> ArraySpec | None:
    axes = sorted(
        (
            (_int(child_text(a, "sequence_number")), _int(child_text(a, "elements")))
            for a in children(el, "Axis_Array")
        ),
    )
    element = child(el, "Element_Array")
    data_type = child_text(element, "data_type")
    shape = tuple(n for _seq, n in axes)
    if not shape or any(n <= 0 for n in shape) or not data_type:
        return None
    return ArraySpec(
        file=file,
        offset=_int(child_text(el, "offset")),
        shape=shape,
        data_type=data_type,
        scaling=_float(child_text(element, "scaling_factor"), 1.0),
        value_offset=_float(child_text(element, "value_offset"), 0.0),
        unit=child_text(element, "unit"),
    )


def _fields(record: Element, kind: str, base: int = 0) -> tuple[FieldSpec, ...]:
    """The fields of a record; inside groups, those of the first repetition (nested too)."""
    suffix = {"Table_Character": "Character", "Table_Binary": "Binary"}.get(kind, "Delimited")
    found: list[FieldSpec] = []
    for el in elements(record):
        name = local_name(el)
        if name == f"Field_{suffix}":
            location = _int(child_text(el, "field_location"))
            found.append(
                FieldSpec(
                    name=child_text(el, "name"),
                    data_type=child_text(el, "data_type"),
                    location=base + location if location else 0,
                    length=_int(child_text(el, "field_length")),
                    number=_int(child_text(el, "field_number")),
                    unit=child_text(el, "unit"),
                )
            )
        elif name == f"Group_Field_{suffix}" and suffix != "Delimited":
            group_at = base + _int(child_text(el, "group_location"), 1) - 1
            found.extend(_fields(el, kind, group_at))
    return tuple(found)


def _table(el: Element, file: str, kind: str) -> TableSpec | None:
    record = next((c for c in elements(el) if local_name(c).startswith("Record_")), None)
    if record is None:
        return None
    delimiter = _DELIMITERS.get(child_text(el, "field_delimiter").lower(), ",")
    return TableSpec(
        kind=kind,
        file=file,
        offset=_int(child_text(el, "offset")),
        records=_int(child_text(el, "records")),
        fields=_fields(record, kind),
        record_length=_int(child_text(record, "record_length")),
        delimiter=delimiter,
    )


def data_objects(root: Element) -> list[DataObject]:
    """Every drawable data object of a label, in label order."""
    found: list[DataObject] = []
    for area_name in FILE_AREAS:
        for area in descendants(root, area_name):
            file = _file_name(area)
            if not file:
                continue
            for el in elements(area):
                name = local_name(el)
                spec: DataObject | None = None
                if name in ARRAY_CLASSES:
                    spec = _array(el, file)
                elif name in TABLE_CLASSES:
                    spec = _table(el, file, name)
                elif name in ENCODED_CLASSES:
                    spec = EncodedSpec(file=file, offset=_int(child_text(el, "offset")))
                if spec is not None:
                    found.append(spec)
    return found
