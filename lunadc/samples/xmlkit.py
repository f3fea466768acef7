"""Small helpers to write PDS4 labels from string templates: namespaces, escaping, numbers.

Labels are built as text (f-strings), not through a DOM: that is several times faster and the
benchmarks build tens of thousands of them. Every value that can hold free text goes through
:func:`esc`; numbers go through :func:`num` so the same value always prints the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

IM_VERSION = "1.22.0.0"
SCHEMA_BASE = "https://pds.nasa.gov/pds4/"


@dataclass(frozen=True, slots=True)
class Dictionary:
    """A PDS4 namespace the labels may use, with its XSD and Schematron for IM 1.22.0.0."""

    prefix: str
    namespace: str
    path: str  # schema path under https://pds.nasa.gov/pds4/ without the extension

    @property
    def xsd_url(self) -> str:
        return f"{SCHEMA_BASE}{self.path}.xsd"

    @property
    def sch_url(self) -> str:
        return f"{SCHEMA_BASE}{self.path}.sch"


PDS = Dictionary("pds", "http://pds.nasa.gov/pds4/pds/v1", "pds/v1/PDS4_PDS_1M00")
CART = Dictionary("cart", "http://pds.nasa.gov/pds4/cart/v1", "cart/v1/PDS4_CART_1M00_1970")
GEOM = Dictionary("geom", "http://pds.nasa.gov/pds4/geom/v1", "geom/v1/PDS4_GEOM_1M00_1970")
DISP = Dictionary("disp", "http://pds.nasa.gov/pds4/disp/v1", "disp/v1/PDS4_DISP_1M00_1510")
DICTIONARIES: tuple[Dictionary, ...] = (PDS, CART, GEOM, DISP)

_XSI = "http://www.w3.org/2001/XMLSchema-instance"


def esc(text: str) -> str:
    """Escape text for an element's content (``&``, ``<``, ``>``)."""
    return escape(text)


def num(value: float, digits: int = 6) -> str:
    """A real number with at most ``digits`` decimals, no trailing zeros, never ``-0``."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def open_root(product_class: str, dictionaries: tuple[Dictionary, ...]) -> str:
    """XML declaration, schematron processing instructions and the root start tag."""
    used = (PDS, *(d for d in dictionaries if d is not PDS))
    models = "".join(
        f'<?xml-model href="{d.sch_url}" schematypens="http://purl.oclc.org/dsdl/schematron"?>\n'
        for d in used
    )
    xmlns = "".join(f'\n    xmlns:{d.prefix}="{d.namespace}"' for d in used if d is not PDS)
    locations = "\n".join(f"        {d.namespace} {d.xsd_url}" for d in used)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"{models}"
        f'<{product_class} xmlns="{PDS.namespace}"{xmlns}\n'
        f'    xmlns:xsi="{_XSI}"\n'
        f'    xsi:schemaLocation="\n{locations}">\n'
    )
