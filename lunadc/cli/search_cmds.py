"""``lunadc search``: the PDS Search API's product search from the terminal.

Against the local catalog (``--root``) or any node speaking the PDS Search API (``--url``);
the same parameters and the same products either way, shown as a table, JSON or CSV.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from lunadc.cli.app import RootOption, app, console, err_console, fail
from lunadc.cli.remote import Query, get_json
from lunadc.errors import BadRequestError, LunadcError

DEFAULT_COLUMNS = ("lidvid", "title", "product_class", "start_date_time", "stop_date_time")
_SHORT = {
    "start_date_time": "pds:Time_Coordinates.pds:start_date_time",
    "stop_date_time": "pds:Time_Coordinates.pds:stop_date_time",
}


def _local(root: Path, params: Any, everything: bool) -> dict[str, Any]:
    from lunadc.api.render import summary
    from lunadc.api.views import Shown, pds_product
    from lunadc.catalog.search import search_products
    from lunadc.model.access import ANONYMOUS, Role, Viewer
    from lunadc.model.times import format_time
    from lunadc.node import Node

    viewer = Viewer(name="local", role=Role.ARCHIVIST) if everything else ANONYMOUS
    with Node.open(root) as node, node.engine.connect() as conn:
        from lunadc.api.products import files_by_product

        result = search_products(conn, viewer, format_time(node.clock()), params)
        files = files_by_product(conn, [r.id for r in result.products])
        base = node.config.base_url or f"http://{node.config.host}:{node.config.port}"
        page = [Shown(r, files[r.id], base) for r in result.products]
        data = [pds_product(s, ()) for s in page]
        head = summary(result, params.q, params.limit, [d["properties"] for d in data])
        return {"summary": head, "data": data}


def _remote(url: str, query: Query) -> dict[str, Any]:
    return get_json(
        url,
        "/products",
        query,
        timeout=60,
        message_key="message",
        headers={"Accept": "application/json"},
    )


def _value(product: dict[str, Any], name: str) -> str:
    if name in product and not isinstance(product[name], dict | list):
        return "" if product[name] is None else str(product[name])
    if name == "lidvid":
        return str(product.get("id", ""))
    if name == "product_class":
        return str(product.get("type", ""))
    values = (product.get("properties") or {}).get(_SHORT.get(name, name))
    return "|".join(values) if values else ""


@app.command()
def search(
    q: Annotated[str, typer.Option("--q", "-q", help='PDS query, e.g. target eq "Moon".')] = "",
    keywords: Annotated[
        list[str] | None, typer.Option("--keywords", "-k", help="Free-text words.")
    ] = None,
    fields: Annotated[
        list[str] | None, typer.Option("--fields", "-f", help="Columns (repeat or comma-join).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, max=10_000)] = 20,
    sort: Annotated[list[str] | None, typer.Option("--sort", help="Sort properties.")] = None,
    output: Annotated[
        str, typer.Option("--format", help="table, json or csv.", case_sensitive=False)
    ] = "table",
    url: Annotated[
        str | None, typer.Option("--url", help="Search this node (its API base URL) instead.")
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Local only: include products not public yet.")
    ] = False,
    federated: Annotated[
        bool, typer.Option("--federated", help="Search every peer node too (lunadc peer).")
    ] = False,
    target: Annotated[
        str | None, typer.Option("--target", help="Body (Moon, Mars, ...): its footprints.")
    ] = None,
    point: Annotated[
        str | None, typer.Option("--point", help="LON,LAT: footprints containing it.")
    ] = None,
    circle: Annotated[
        str | None, typer.Option("--circle", help="LON,LAT,RADIUS_KM (needs --target).")
    ] = None,
    bbox: Annotated[
        str | None,
        typer.Option("--bbox", help="WEST,SOUTH,EAST,NORTH (WEST > EAST crosses 180°)."),
    ] = None,
    polygon: Annotated[
        str | None, typer.Option("--polygon", help="LON1,LAT1,LON2,LAT2,... great-circle edges.")
    ] = None,
    intersects: Annotated[
        str | None, typer.Option("--intersects", help="A GeoJSON geometry.")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="ISO time: spans ending at or after it.")
    ] = None,
    stop: Annotated[
        str | None, typer.Option("--stop", help="ISO time: spans starting at or before it.")
    ] = None,
    root: RootOption = Path("."),
) -> None:
    """Search products (latest versions) like GET /products of the PDS Search API."""
    from lunadc.catalog.search import SearchParams
    from lunadc.search.spatial.place import parse_place

    where = {
        "target": target,
        "point": point,
        "circle": circle,
        "bbox": bbox,
        "polygon": polygon,
        "intersects": intersects,
        "start": start,
        "stop": stop,
    }
    output = output.lower()
    columns = tuple(c.strip() for f in fields or [] for c in f.split(",") if c.strip())
    sort_fields = tuple(s.strip() for v in sort or [] for s in v.split(",") if s.strip())
    try:
        if output not in ("table", "json", "csv"):
            raise BadRequestError(f"--format must be table, json or csv, not {output!r}")
        if url:
            query = [("q", q), ("limit", str(limit))]
            query += [("keywords", k) for k in keywords or []]
            query += [("sort", s) for s in sort_fields] + [("fields", c) for c in columns]
            query += [(k, v) for k, v in where.items() if v is not None]
            query += [("federated", "true")] if federated else []
            body = _remote(url, [(k, v) for k, v in query if v or k == "limit"])
        else:
            params = SearchParams(
                q=q,
                keywords=tuple(keywords or ()),
                limit=limit,
                sort=sort_fields,
                place=parse_place(**where),
            )
            if federated:
                from lunadc.federation.search import search_from_cli

                extra = [(k, v) for k, v in where.items() if v is not None]
                body = search_from_cli(root, params, everything, extra)
            else:
                body = _local(root, params, everything)
    except LunadcError as error:
        raise fail(error) from error
    data: list[dict[str, Any]] = body.get("data", [])
    shown = columns or ((*DEFAULT_COLUMNS, "node") if federated else DEFAULT_COLUMNS)
    if output == "json":
        console.print_json(json.dumps(body))
    elif output == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(shown)
        writer.writerows([_value(p, c) for c in shown] for p in data)
    else:
        table = Table(*shown, title_justify="left")
        for product in data:
            table.add_row(*(_value(product, c) for c in shown))
        console.print(table)
        hits = body.get("summary", {}).get("hits")
        err_console.print(f"{len(data)} shown of {hits} matching", highlight=False)
        for state in body.get("summary", {}).get("nodes", []) if federated else []:
            err_console.print(
                f"{state['node']}: {state['status']}"
                + (f" ({state['error']})" if state.get("error") else ""),
                highlight=False,
                markup=False,
            )
