"""Content negotiation of the PDS Search API: which body format an ``Accept`` header asks for.

The reference takes the first supported type in header order; we honour ``q`` weights first
(an RFC 9110 client may rely on them) and header order among equals. Nothing supported: 406.
"""

from __future__ import annotations

from enum import StrEnum

from lunadc.errors import NotAcceptableError


class Format(StrEnum):
    JSON = "application/json"
    HTML = "text/html"
    XML = "application/xml"
    PDS4_JSON = "application/vnd.nasa.pds.pds4+json"
    PDS4_XML = "application/vnd.nasa.pds.pds4+xml"
    KVP_JSON = "application/kvp+json"
    CSV = "text/csv"
    GEOJSON = "application/geo+json"  # footprints (lunadc.api.geo)


_MEDIA: dict[str, Format] = {
    "application/json": Format.JSON,
    "*/*": Format.JSON,
    "*": Format.JSON,
    "application/*": Format.JSON,
    "text/html": Format.HTML,
    "text/*": Format.HTML,
    "application/xml": Format.XML,
    "text/xml": Format.XML,
    "application/vnd.nasa.pds.pds4+json": Format.PDS4_JSON,
    "application/vnd.nasa.pds.pds4+xml": Format.PDS4_XML,
    "application/kvp+json": Format.KVP_JSON,
    "text/csv": Format.CSV,
    "application/csv": Format.CSV,
    "application/geo+json": Format.GEOJSON,
}
SUPPORTED = tuple(dict.fromkeys(f.value for f in Format))

# What goes out as the Content-Type: the reference sends pds4+json and kvp+json as plain
# application/json, and the PDS client only decodes bodies it sees as JSON.
CONTENT_TYPE: dict[Format, str] = {
    Format.JSON: "application/json",
    Format.HTML: "text/html; charset=utf-8",
    Format.XML: "application/xml",
    Format.PDS4_JSON: "application/json",
    Format.PDS4_XML: "application/vnd.nasa.pds.pds4+xml",
    Format.KVP_JSON: "application/json",
    Format.CSV: "text/csv; charset=utf-8",
    Format.GEOJSON: "application/geo+json",
}


def _weight(params: list[str]) -> float:
    for param in params:
        name, _sep, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                return 0.0
            return weight if 0.0 <= weight <= 1.0 else 0.0
    return 1.0


def negotiate(accept: str | None) -> Format:
    """The format to answer with; raises ``NotAcceptableError`` when none fits."""
    if accept is None or not accept.strip():
        return Format.JSON
    candidates: list[tuple[float, int, Format]] = []
    for index, item in enumerate(accept[:2000].split(",")):
        media, *params = item.split(";")
        found = _MEDIA.get(media.strip().lower())
        weight = _weight(params)
        if found is not None and weight > 0:
            candidates.append((-weight, index, found))
    if not candidates:
        raise NotAcceptableError(
            f"cannot answer with {accept[:200]!r}; supported: {', '.join(SUPPORTED)}"
        )
    return min(candidates)[2]
