"""``lunadc coverage``: how much of a region the products cover (landing-site work).

Like ``GET /coverage``: against the local catalog (``--root``) or a node (``--url``). Shows
the fraction covered in total and per instrument and the best resolution; ``--format json``
prints the whole answer (covered/uncovered GeoJSON, MOCs, products), ``--geojson FILE`` and
``--moc FILE`` write the covered part for a map or a VO tool.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from lunadc.cli.app import RootOption, app, console, err_console, fail
from lunadc.cli.remote import Query, get_json
from lunadc.errors import BadRequestError, LunadcError


def _local(root: Path, req: Any, everything: bool) -> dict[str, Any]:
    from lunadc.catalog.coverage import coverage_report
    from lunadc.model.access import ANONYMOUS, Role, Viewer
    from lunadc.model.times import format_time
    from lunadc.node import Node

    viewer = Viewer(name="local", role=Role.ARCHIVIST) if everything else ANONYMOUS
    with Node.open(root) as node, node.engine.connect() as conn:
        return coverage_report(conn, viewer, format_time(node.clock()), req)


def _remote(url: str, query: Query) -> dict[str, Any]:
    return get_json(url, "/coverage", query, timeout=120, message_key="detail")


def _resolution(value: float | None) -> str:
    return "" if value is None else f"{value:g} m"


@app.command()
def coverage(
    target: Annotated[str, typer.Option("--target", help="Body (Moon, Mars, ...).")] = "Moon",
    circle: Annotated[
        str | None, typer.Option("--circle", help="LON,LAT,RADIUS_KM: the region.")
    ] = None,
    polygon: Annotated[
        str | None, typer.Option("--polygon", help="LON1,LAT1,LON2,LAT2,...: the region.")
    ] = None,
    bbox: Annotated[
        str | None, typer.Option("--bbox", help="WEST,SOUTH,EAST,NORTH: the region.")
    ] = None,
    q: Annotated[str, typer.Option("--q", "-q", help="PDS query to narrow the products.")] = "",
    keywords: Annotated[list[str] | None, typer.Option("--keywords", "-k")] = None,
    start: Annotated[str | None, typer.Option("--start", help="ISO time span start.")] = None,
    stop: Annotated[str | None, typer.Option("--stop", help="ISO time span stop.")] = None,
    max_resolution: Annotated[
        float | None,
        typer.Option("--max-resolution", help="Only products this fine or finer (m/pixel)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, max=10_000)] = 20,
    output: Annotated[
        str, typer.Option("--format", help="table or json.", case_sensitive=False)
    ] = "table",
    geojson_out: Annotated[
        Path | None, typer.Option("--geojson", help="Write covered/uncovered GeoJSON here.")
    ] = None,
    moc_out: Annotated[
        Path | None, typer.Option("--moc", help="Write the covered part as an ASCII MOC here.")
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="Ask this node instead.")] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Local only: include products not public yet.")
    ] = False,
    root: RootOption = Path("."),
) -> None:
    """Fraction of a region covered by products, per instrument, with the best resolution."""
    from lunadc.catalog.coverage import CoverageRequest
    from lunadc.search.spatial.place import parse_place

    output = output.lower()
    try:
        if output not in ("table", "json"):
            raise BadRequestError(f"--format must be table or json, not {output!r}")
        where = {"circle": circle, "polygon": polygon, "bbox": bbox, "start": start, "stop": stop}
        if url:
            query = [("target", target), ("limit", str(limit)), ("q", q)]
            query += [(k, v) for k, v in where.items() if v is not None]
            query += [("keywords", k) for k in keywords or []]
            if max_resolution is not None:
                query.append(("max-resolution", repr(max_resolution)))
            body = _remote(url, [(k, v) for k, v in query if v])
        else:
            place = parse_place(target=target, **where)
            if place is None or place.region is None:
                raise BadRequestError("give a region: --circle, --polygon or --bbox")
            req = CoverageRequest(
                place=place,
                q=q,
                keywords=tuple(keywords or ()),
                max_resolution_m=max_resolution,
                limit=limit,
            )
            body = _local(root, req, everything)
    except LunadcError as error:
        raise fail(error) from error
    if geojson_out is not None:
        collection = {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"part": part}, "geometry": body[part]}
                for part in ("covered", "uncovered")
            ],
        }
        geojson_out.write_text(json.dumps(collection), encoding="utf-8")
    if moc_out is not None:
        moc_out.write_text(body["moc"]["covered"] + "\n", encoding="utf-8")
    if output == "json":
        console.print_json(json.dumps(body))
        return
    console.print(
        f"{body['fraction'] * 100:.2f}% of {body['region_area_km2']:.6g} km² covered "
        f"by {body['products']} product(s); best resolution "
        f"{_resolution(body['best_resolution_m']) or 'not given'}",
        highlight=False,
    )
    table = Table("instrument", "products", "covered", "best resolution", title_justify="left")
    for i in body["instruments"]:
        table.add_row(
            i["instrument"],
            str(i["products"]),
            f"{i['fraction'] * 100:.2f}%",
            _resolution(i["best_resolution_m"]),
        )
    console.print(table)
    items = Table("lidvid", "instrument", "resolution", "covers", title_justify="left")
    for p in body["items"]:
        items.add_row(
            p["lidvid"],
            p["instrument"] or "",
            _resolution(p["resolution_m"]),
            f"{p['fraction'] * 100:.2f}%",
        )
    console.print(items)
    if body.get("truncated"):
        err_console.print(f"(first {len(body['items'])} products listed)", highlight=False)
