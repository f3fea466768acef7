"""Spatial search speed through HTTP: point, 10 km circle, polygon and polar-box queries
combined with a mission filter, and a 10 km landing-circle coverage answer.

The catalog is the search benchmark's (``bench.search.load_sqlite``: missions, terms,
visibility) plus a footprint for every basic product, made by the same code registration
uses (``lunadc.catalog.footprints``): frames (boxes), footprint polygons and lander points
from metres to tens of km, a quarter of them within 5° of the lunar south pole. Anchors
measured in the same run: ``/health`` (the framework's ceiling) and a brute-force scan
(the exact predicate over every footprint, in process, only the predicate timed) for the
same kinds of queries, as a ratio. The spatial step alone (the exact id set of a mission's
products at the place, in process, no HTTP and no page) is measured too, against the same
scan; and the machine's load average at the start and the end of the run.
Aim (issue 4): p50 <= 30 ms, p99 <= 150 ms on SQLite, >= 100x faster than the scan;
coverage of a 10 km landing circle under 1 s. A built catalog is reused from /tmp.

    .venv/bin/python bench/spatial.py [--products 1000000]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sqlite3
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentiles, write_results
from bench.load import measure
from bench.search import build, serve
from bench.search_data import MISSIONS

RADIUS_KM = 1737.4
KM_DEG = math.degrees(1.0 / RADIUS_KM)  # degrees of arc per km on the Moon


def _offset(lon: float, lat: float, d_km: float, az: float) -> tuple[float, float]:
    """The point ``d_km`` from (lon, lat) towards azimuth ``az`` (radians), on the Moon."""
    from lunadc.search.spatial.vec import lonlat, offset, xyz

    c = xyz(lon, lat)
    north = (0.0, 0.0, 1.0) if abs(lat) < 89.999999 else (1.0, 0.0, 0.0)
    dot = sum(a * b for a, b in zip(north, c, strict=True))
    n = tuple(a - dot * b for a, b in zip(north, c, strict=True))
    norm = math.sqrt(sum(a * a for a in n))
    n = (n[0] / norm, n[1] / norm, n[2] / norm)
    e = (c[1] * n[2] - c[2] * n[1], c[2] * n[0] - c[0] * n[2], c[0] * n[1] - c[1] * n[0])
    direction = tuple(math.cos(az) * a + math.sin(az) * b for a, b in zip(n, e, strict=True))
    return lonlat(offset(c, direction, d_km / RADIUS_KM))  # type: ignore[arg-type]


def place(rng: random.Random) -> tuple[float, float]:
    """A quarter within 5° of the south pole, the rest anywhere on the sphere."""
    if rng.random() < 0.25:
        return rng.uniform(-180, 180), -90 + 5 * math.sqrt(rng.random())
    return rng.uniform(-180, 180), math.degrees(math.asin(rng.uniform(-1, 1)))


def geometry(rng: random.Random, body: str) -> Any:
    from lunadc.model.product import BoundingBox, Geometry

    lon, lat = place(rng)
    size = 10 ** rng.uniform(0, 1.5)  # 1..30 km
    kind = rng.random()
    res = round(10 ** rng.uniform(-0.5, 2.5), 2)
    if kind < 0.3:
        return Geometry(body, points=((lon, lat),))
    if kind < 0.6 and abs(lat) < 89.5:
        half_lat = size / 2 * KM_DEG
        half_lon = min(179.0, half_lat / max(math.cos(math.radians(lat)), 1e-3))
        box = BoundingBox(
            west=(lon - half_lon + 180) % 360 - 180,
            east=(lon + half_lon + 180) % 360 - 180,
            north=min(90.0, lat + half_lat),
            south=max(-90.0, lat - half_lat),
        )
        return Geometry(body, boxes=(box,), resolution_m=res)
    turn = rng.uniform(0, math.pi)
    ring = tuple(_offset(lon, lat, size / 2, turn + k * math.pi / 2) for k in range(4))
    return Geometry(body, polygons=(ring,), resolution_m=res)


def _rows(job: tuple[int, list[tuple[int, str]]]) -> tuple[list[Any], list[Any], list[Any]]:
    """Footprint, cell and cube rows for (seed, [(product id, body)]), in a worker process."""
    from lunadc.catalog.footprints import footprint_rows
    from lunadc.model.product import Label

    seed, items = job
    rng = random.Random(seed)
    fps: list[tuple[Any, ...]] = []
    cells: list[Any] = []
    cubes: list[Any] = []
    for pid, body in items:
        label = Label(lid="x", vid="1.0", product_class="P", title="", geometry=geometry(rng, body))
        got = footprint_rows(pid, label)
        if got is None:
            continue
        fps.append(tuple(got.row.values()))
        cells += [(c["product_id"], c["body"], c["lo"], c["hi"]) for c in got.cells]
        cubes.append(tuple(got.cube.values()))
    return fps, cells, cubes


def footprint_signature() -> str:
    """What the footprint rows depend on besides the catalog: the stored cell scheme (rows of
    another scheme are correct but would measure the old scheme's speed)."""
    from lunadc.search.spatial.cells import STORED_SCHEME

    return f"footprints-4 cells {STORED_SCHEME} cubes-4d"


def add_footprints(root: Path) -> None:
    marker = root / "bench-spatial-complete"
    wanted = footprint_signature()
    if marker.exists() and marker.read_text() == wanted:
        print(f"reusing the footprints in {root}")
        return
    db = root / "catalog.sqlite"
    from lunadc.catalog.db import open_engine, upgrade

    engine = open_engine(f"sqlite:///{db}")
    upgrade(engine)  # a catalog the search benchmark built before a migration
    engine.dispose()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    bodies = {name: target for _k, name, _h, _i, target in MISSIONS}
    items = [
        (pid, bodies.get(inv, "Moon"))
        for pid, inv in conn.execute(
            "SELECT id, investigation FROM products WHERE product_class = 'Product_Observational'"
        )
    ]
    jobs = [(i, items[i : i + 2000]) for i in range(0, len(items), 2000)]
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.execute("DELETE FROM footprint_cubes")  # first: each footprint deleted fires a trigger
    conn.execute("DELETE FROM footprints")
    conn.execute("DELETE FROM footprint_cells")
    done = 0
    with ProcessPoolExecutor(2) as pool:
        for fps, cells, cubes in pool.map(_rows, jobs):
            conn.executemany(f"INSERT INTO footprints VALUES ({','.join('?' * 9)})", fps)
            conn.executemany("INSERT INTO footprint_cells VALUES (?,?,?,?)", cells)
            conn.executemany(
                "INSERT INTO footprint_cubes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", cubes
            )
            done += len(fps)
            if done % 50_000 < len(fps):
                print(f"  {done:,} footprints", flush=True)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    marker.write_text(wanted)
    print(f"made {done:,} footprints in {time.perf_counter() - started:.0f} s")


def queries(rng: random.Random) -> dict[str, str]:
    """One query string (without the mission filter) of each kind, near the data."""
    lon, lat = place(rng)
    plon = rng.uniform(-180, 180)
    ring = ",".join(
        f"{x:.6f},{y:.6f}"
        for x, y in (_offset(lon, min(lat, 89.0), 10, k * math.pi / 2) for k in range(4))
    )
    return {
        "point": f"point={lon:.6f},{lat:.6f}",
        "circle 10 km": f"circle={lon:.6f},{lat:.6f},10",
        "polygon 20 km": f"polygon={ring}",
        "polar box": f"bbox={plon:.3f},-89.5,{plon + 20:.3f},-88",
    }


def _mission_q(rng: random.Random) -> str:
    name = rng.choice([m[1] for m in MISSIONS if m[4] == "Moon"])
    return quote(f'investigation eq "{name}"')


def scan_ms(root: Path, rng: random.Random, rounds: int) -> dict[str, float]:
    """The brute-force answer: the exact predicate over every stored footprint.

    Only the predicate is timed, over regions already parsed (in chunks, so that a million
    regions never sit in memory at once): the scan's best case, the anchor of the ratio.
    """
    from lunadc.search.spatial import intersects
    from lunadc.search.spatial.place import parse_place
    from lunadc.search.spatial.serial import region_from_json

    asked: list[tuple[str, Any]] = []
    for _ in range(rounds):
        for name, qs in queries(rng).items():
            key, _, value = qs.partition("=")
            found = parse_place(target="Moon", **{key: value})
            assert found is not None and found.region is not None
            asked.append((name, found.region))
    spent = [0.0] * len(asked)
    hits = [0] * len(asked)
    conn = sqlite3.connect(root / "catalog.sqlite")
    rows = conn.execute("SELECT region FROM footprints")
    while chunk := rows.fetchmany(50_000):
        regions = [region_from_json(t) for (t,) in chunk]
        for i, (_name, region) in enumerate(asked):
            started = time.perf_counter()
            hits[i] += sum(1 for r in regions if intersects(r, region))
            spent[i] += time.perf_counter() - started
    conn.close()
    out: dict[str, list[float]] = {}
    for (name, _region), seconds in zip(asked, spent, strict=True):
        out.setdefault(name, []).append(seconds * 1000)
    return {k: statistics.median(v) for k, v in out.items()}


def step_ms(root: Path, rng: random.Random, rounds: int) -> dict[str, dict[str, float]]:
    """The spatial step alone, in process: the exact ids of the products of a mission
    (anonymous viewer, latest versions) at each kind of place, as a search computes them
    (``lunadc.catalog.footprints.matching_ids``, with the mission's narrowing kept in a
    search cache as the server keeps it), without the HTTP layer and the page."""
    from sqlalchemy import and_

    from lunadc.catalog.db import open_engine
    from lunadc.catalog.footprints import matching_ids, time_clause
    from lunadc.catalog.narrowing import cached_narrow
    from lunadc.catalog.search import LATEST, SearchParams, filter_clause
    from lunadc.catalog.search_cache import SearchCache
    from lunadc.model.access import ANONYMOUS
    from lunadc.search.spatial.place import parse_place

    engine = open_engine(f"sqlite:///{root / 'catalog.sqlite'}")
    now = "2026-12-01T00:00:00.000Z"
    cache = SearchCache()
    out: dict[str, list[float]] = {}
    with engine.connect() as conn:
        rest = filter_clause("sqlite", ANONYMOUS, now, SearchParams(), LATEST)

        def without_q() -> Any:
            return rest

        for round_ in range(rounds + 3):  # the first rounds warm the page cache and imports
            for name, qs in queries(rng).items():
                key, _, value = qs.partition("=")
                place = parse_place(target="Moon", **{key: value})
                assert place is not None
                params = SearchParams(q=unquote(_mission_q(rng)))
                where = filter_clause("sqlite", ANONYMOUS, now, params, LATEST)
                started = time.perf_counter()
                narrow = cached_narrow(conn, now, cache, params.q, without_q)
                matching_ids(conn, and_(where, time_clause(place)), place, narrow)
                if round_ >= 3:
                    out.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return {name: percentiles(v) for name, v in out.items()}


def run(root: Path, requests: int, clients: int) -> dict[str, Any]:
    proc, base = serve(root)
    try:
        results: dict[str, Any] = {}
        health = measure(base, lambda rng: "/health", clients, requests, {})
        results["health"] = {**percentiles(health["latencies"]), "errors": health["errors"]}
        for name in ("point", "circle 10 km", "polygon 20 km", "polar box"):

            def path(rng: random.Random, name: str = name) -> str:
                return (
                    f"/products?limit=10&fields=lidvid&target=Moon&{queries(rng)[name]}"
                    f"&q={_mission_q(rng)}"
                )

            measure(base, path, clients, max(clients * 2, requests // 10), {})  # warm
            got = measure(base, path, clients, requests, {})
            results[name] = {**percentiles(got["latencies"]), "errors": got["errors"]}
            print(
                f"{name:14s} p50 {results[name]['p50_ms']:7.1f} ms  p99 "
                f"{results[name]['p99_ms']:7.1f} ms  errors {got['errors']}",
                flush=True,
            )

        def cover(rng: random.Random) -> str:
            lon = rng.uniform(-180, 180)
            return f"/coverage?target=Moon&circle={lon:.4f},{-89.5 + rng.uniform(-0.3, 0.3):.4f},10"

        got = measure(base, cover, 1, max(5, requests // 20), {})
        results["coverage 10 km"] = {**percentiles(got["latencies"]), "errors": got["errors"]}
        print(f"coverage       p50 {results['coverage 10 km']['p50_ms']:7.1f} ms", flush=True)
        return results
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args()
    load_start = os.getloadavg()
    root = build(Path(f"/tmp/lunadc-bench-spatial-{args.products}-sqlite"), args.products)
    add_footprints(root)
    with sqlite3.connect(root / "catalog.sqlite") as conn:
        footprints = conn.execute("SELECT count(*) FROM footprints").fetchone()[0]
    results = run(root, args.requests, args.clients)
    steps = step_ms(root, random.Random(4), rounds=args.requests // 2)
    scans = scan_ms(root, random.Random(3), rounds=3)
    figures: dict[str, Any] = {"products": args.products, "footprints": footprints, **results}
    figures["scan_ms"] = scans
    figures["step_ms"] = steps
    health = results["health"]["p50_ms"]
    rows = [("products / footprints", f"{args.products:,} / {footprints:,}", "")]
    rows.append(("/health p50", f"{health:.1f} ms", "anchor"))
    for name, scan in scans.items():
        f = results[name]
        ok = f["p50_ms"] <= 30 and f["p99_ms"] <= 150 and scan / f["p50_ms"] >= 100
        rows.append(
            (
                f"{name} + mission (SQLite)",
                f"p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms",
                f"p50<=30 p99<=150, >=100x scan: {'met' if ok else 'MISSED'}; scan "
                f"{scan:.0f} ms = {scan / f['p50_ms']:.0f}x; {f['p50_ms'] / health:.1f}x /health",
            )
        )
    for name, scan in scans.items():
        f = steps[name]
        rows.append(
            (
                f"{name} + mission: spatial step in process",
                f"p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms",
                f"scan {scan:.0f} ms = {scan / f['p50_ms']:.0f}x at p50, "
                f"{scan / f['p99_ms']:.0f}x at p99",
            )
        )
    cov = results["coverage 10 km"]
    rows.append(
        (
            "coverage, 10 km circle at 89.5°S",
            f"p50 {cov['p50_ms']:.0f} ms, p99 {cov['p99_ms']:.0f} ms",
            f"< 1 s: {'met' if cov['p99_ms'] < 1000 else 'MISSED'}",
        )
    )
    load_end = os.getloadavg()
    figures["load_average"] = {"start": load_start, "end": load_end}
    rows.append(
        (
            "load average 1/5/15 min (2 cores)",
            f"start {'/'.join(f'{x:.1f}' for x in load_start)}, "
            f"end {'/'.join(f'{x:.1f}' for x in load_end)}",
            "shared machine",
        )
    )
    write_results("spatial", figures, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
