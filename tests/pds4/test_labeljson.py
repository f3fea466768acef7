"""The label as JSON: prefixed keys, lists for repeats, strings kept, @attributes."""

from __future__ import annotations

import json

from lunadc.pds4 import label_to_json, parse_xml
from tests.pds4.helpers import SAMPLES, label_xml


def test_shape_of_the_json() -> None:
    ns = 'xmlns:c="http://pds.nasa.gov/pds4/cart/v1"'
    disc = (
        '<c:Cartography><c:pixel_resolution_x unit="m/pixel">5.0</c:pixel_resolution_x>'
        "</c:Cartography>"
    )
    tree = parse_xml(label_xml(prefix="p", extra_ns=ns, discipline=disc).encode(), source="x")
    doc = label_to_json(tree)
    (root_key,) = doc
    assert root_key == "pds:Product_Observational"
    root = doc[root_key]
    assert root["@xmlns:pds"] == "http://pds.nasa.gov/pds4/pds/v1"
    assert root["@xmlns:cart"] == "http://pds.nasa.gov/pds4/cart/v1"
    assert root["@xsi:schemaLocation"].startswith("http://pds.nasa.gov/pds4/pds/v1")
    ident = root["pds:Identification_Area"]
    assert ident["pds:version_id"] == "1.0"  # a string, never a number
    details = ident["pds:Modification_History"]["pds:Modification_Detail"]
    assert [d["pds:modification_date"] for d in details] == ["2023-05-01", "2024-02-03"]
    components = root["pds:Observation_Area"]["pds:Observing_System"][
        "pds:Observing_System_Component"
    ]
    assert isinstance(components, list) and len(components) == 2
    assert isinstance(root["pds:Observation_Area"]["pds:Target_Identification"], dict)
    size = root["pds:File_Area_Observational"]["pds:File"]["pds:file_size"]
    assert size == {"@unit": "byte", "#text": "18"}
    res = root["pds:Observation_Area"]["pds:Discipline_Area"]["cart:Cartography"]
    assert res["cart:pixel_resolution_x"] == {"@unit": "m/pixel", "#text": "5.0"}
    json.dumps(doc)  # serialisable as is


def test_nil_and_empty_elements() -> None:
    text = label_xml().replace(
        "<stop_date_time>2019-01-03T02:40:00.5Z</stop_date_time>",
        '<stop_date_time xsi:nil="true" nilReason="unknown"/>',
    )
    doc = label_to_json(parse_xml(text.encode(), source="x"))
    times = doc["pds:Product_Observational"]["pds:Observation_Area"]["pds:Time_Coordinates"]
    assert times["pds:stop_date_time"] == {"@xsi:nil": "true", "@nilReason": "unknown"}


def test_every_sample_converts() -> None:
    for path in sorted(SAMPLES.glob("**/*.xml")):
        doc = label_to_json(parse_xml(path.read_bytes(), source=path.name))
        assert len(doc) == 1 and next(iter(doc)).startswith("pds:Product_")
        json.dumps(doc)
