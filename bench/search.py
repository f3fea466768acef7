"""Search API speed: a generated catalog (1,000,000 products by default) served by a real
``lunadc serve`` process, measured through HTTP with concurrent clients.

    python bench/search.py [--products N] [--pg-products N] [--skip-postgres] [--clients 4]
                           [--requests 400]

Scenarios: get by LIDVID; q on mission + time range; keyword search; facet counts over the
whole catalog; page 1,000 of a search-after walk; and ``/health`` as the framework's own
ceiling in the same run. Aims (SQLite, 1M): p50 <= 20 ms, p99 <= 100 ms, get-by-LIDVID
>= 50% of the /health rate. A built catalog is kept in /tmp and reused by the next run.

Every scenario runs twice: anonymously, and as a signed-in partner scientist (a Bearer
token made with lunadc's own account functions), whose figures are printed as a ratio to
the anonymous ones (issue 5: the policy check may cost at most 10%).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import random
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import percentiles, write_results
from bench.load import measure
from bench.search_data import (
    CHANGE_COLUMNS,
    FILE_COLUMNS,
    GENERATOR_VERSION,
    MEMBER_COLUMNS,
    MISSIONS,
    PRODUCT_COLUMNS,
    TERM_COLUMNS,
    VOCAB,
    Batch,
    Generator,
)
from lunadc.access import admin
from lunadc.catalog.tables import metadata
from lunadc.errors import ConflictError
from lunadc.model.access import Role
from lunadc.node import Node, init_node

PARTNER_USER = "bench-partner"


def _insert(conn: sqlite3.Connection, table: str, columns: list[str], rows: list[Any]) -> None:
    marks = ",".join("?" * len(columns))
    conn.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)


def load_sqlite(db: Path, products: int) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-400000")
    conn.execute("BEGIN")
    # Bulk load the usual way: the migrated indexes are dropped, the rows appended, and the
    # same indexes built again from their own DDL (a sort instead of a million inserts each).
    indexes = [
        (name, sql)
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
    ]
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    properties: dict[str, tuple[str, int]] = {}
    done = 0
    for batch in Generator(products).batches():
        _write_batch(conn, batch)
        properties.update({k: v for k, v in batch.properties.items() if k not in properties})
        done += len(batch.products)
        if done % 100_000 < len(batch.products):
            print(f"  {done:,} products", flush=True)
    _insert(conn, "search_properties", ["name", "type", "witness_id"], _property_rows(properties))
    for name, sql in indexes:
        print(f"  index {name}", flush=True)
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def _property_rows(properties: dict[str, tuple[str, int]]) -> list[tuple[str, str, int]]:
    return [(name, kind, witness) for name, (kind, witness) in sorted(properties.items())]


def _write_batch(conn: sqlite3.Connection, batch: Batch) -> None:
    _insert(conn, "products", PRODUCT_COLUMNS, batch.products)
    _insert(conn, "product_files", FILE_COLUMNS, batch.files)
    _insert(conn, "product_terms", TERM_COLUMNS, batch.terms)
    _insert(conn, "product_members", MEMBER_COLUMNS, batch.members)
    _insert(conn, "changes", CHANGE_COLUMNS, batch.changes)
    _insert(conn, "product_words", ["word", "product_id"], sorted(batch.words))


def load_postgres(url: str, products: int) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        properties: dict[str, tuple[str, int]] = {}
        tables = [
            ("products", PRODUCT_COLUMNS, "products"),
            ("product_files", FILE_COLUMNS, "files"),
            ("product_terms", TERM_COLUMNS, "terms"),
            ("product_members", MEMBER_COLUMNS, "members"),
            ("changes", CHANGE_COLUMNS, "changes"),
            ("product_words", ["word", "product_id"], "words"),
        ]
        with conn.cursor() as cur:
            for batch in Generator(products).batches():
                for table, columns, attr in tables:
                    with cur.copy(f"COPY {table} ({','.join(columns)}) FROM STDIN") as copy:
                        for row in getattr(batch, attr):
                            copy.write_row(row)
                properties.update(
                    {k: v for k, v in batch.properties.items() if k not in properties}
                )
            cur.executemany(
                "INSERT INTO search_properties (name, type, witness_id) VALUES (%s, %s, %s)",
                _property_rows(properties),
            )
            cur.execute("SELECT setval('products_id_seq', (SELECT max(id) FROM products))")
            cur.execute("ANALYZE")


def schema_signature() -> str:
    """A digest of the declared schema and the generator: a cached catalog built for another
    schema (an index added, a column moved) is rebuilt rather than measured."""
    parts = []
    for table in metadata.sorted_tables:
        indexes = sorted(
            f"{i.name}:{','.join(str(e) for e in i.expressions)}" for i in table.indexes
        )
        parts.append(f"{table.name}({','.join(c.name for c in table.c)})[{';'.join(indexes)}]")
    parts.append(GENERATOR_VERSION)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def build(root: Path, products: int, db_url: str = "") -> Path:
    marker = root / "bench-complete"
    wanted = f"{products} {schema_signature()}"
    if marker.exists() and marker.read_text() == wanted:
        print(f"reusing the catalog in {root}")
        return root
    if root.exists():
        import shutil

        shutil.rmtree(root)
    started = time.perf_counter()
    with init_node(root, "node-bench", db_url=db_url):
        pass
    if db_url:
        load_postgres(db_url, products)
    else:
        load_sqlite(root / "catalog.sqlite", products)
    marker.write_text(wanted)
    print(f"built {products:,} products in {time.perf_counter() - started:.0f} s")
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(root: Path, workers: int = 2) -> tuple[subprocess.Popen[bytes], str]:
    """``lunadc serve --workers N`` on a free port (two: one per core of the 2-core machines
    this project's benchmarks are defined on)."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lunadc",
            "serve",
            "--root",
            str(root),
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):  # at most 60 s
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("lunadc serve did not come up")


def scenarios(base: str, root: Path, db_url: str) -> dict[str, Callable[[random.Random], str]]:
    lidvids, token = _samples(base)
    missions = [m[1] for m in MISSIONS]
    words = VOCAB[::7]

    def q_mission_time(rng: random.Random) -> str:
        year = rng.randint(2011, 2023)
        q = (
            f'(investigation eq "{rng.choice(missions)}" and start_time ge "{year}-01-01" '
            f'and start_time lt "{year}-04-01")'
        )
        return f"/products?limit=10&fields=lidvid&q={quote(q)}"

    return {
        "health": lambda rng: "/health",
        "get by LIDVID": lambda rng: "/products/" + quote(rng.choice(lidvids), safe=""),
        "q mission + time": q_mission_time,
        "keywords": lambda rng: f"/products?limit=10&fields=lidvid&keywords={rng.choice(words)}",
        "facets (whole catalog)": lambda rng: (
            "/products?limit=0&facet-fields=investigation&facet-fields=target"
            "&facet-fields=" + rng.choice(["product_class", "instrument", "processing_level"])
        ),
        "search-after page 1000": lambda rng: (
            "/products?limit=100&fields=lidvid&search-after="
            + quote(token[0])
            + "&search-after="
            + quote(token[1])
        ),
    }


def _samples(base: str) -> tuple[list[str], tuple[str, str]]:
    """Random LIDVIDs to fetch, and the search-after token that starts page 1,000."""
    with httpx.Client(base_url=base, timeout=120) as client:
        body = client.get("/products", params={"limit": 1, "fields": "lidvid"}).json()
        token: list[str] = []
        lidvids: list[str] = []
        for page in range(999):
            params: dict[str, Any] = {"limit": 100, "fields": "lidvid"}
            if token:
                params["search-after"] = token
            body = client.get("/products", params=params).json()
            token = body["summary"]["search_after"]
            if not token:
                raise SystemExit(f"the catalog ends before page 1,000 (at page {page + 1})")
            if page % 10 == 0:
                lidvids.extend(p["id"] for p in body["data"][::10])
    return lidvids, (token[0], token[1])


def partner_headers(root: Path) -> dict[str, str]:
    """The Authorization header of a partner scientist, made the way ``lunadc user add
    --partner`` and ``lunadc token create`` make them (one user, a fresh token per run)."""
    with Node.open(root) as node:
        with contextlib.suppress(ConflictError):  # made by an earlier run on this catalog
            admin.add_user(node, PARTNER_USER, Role.READER, partner=True)
        token = admin.create_token(node, PARTNER_USER, "1d").token
    return {"Authorization": f"Bearer {token}"}


def run(
    label: str, root: Path, db_url: str, clients: int, requests: int, rounds: int = 2
) -> dict[str, Any]:
    """Each scenario for each viewer, in alternating rounds so that the machine's drift
    weighs on both viewers alike; a viewer's figures pool its rounds."""
    viewers = {"anonymous": {}, "partner": partner_headers(root)}
    proc, base = serve(root)
    try:
        walk_started = time.perf_counter()
        plan = scenarios(base, root, db_url)
        print(f"[{label}] walked 999 pages in {time.perf_counter() - walk_started:.1f} s")
        results: dict[str, Any] = {}
        for name, make in plan.items():
            pooled: dict[str, list[dict[str, Any]]] = {v: [] for v in viewers}
            warm_up(base, make)
            for headers in viewers.values():
                measure(base, make, clients, max(clients * 2, requests // 10), headers)  # warm
            for _round in range(rounds):
                for viewer, headers in viewers.items():
                    pooled[viewer].append(measure(base, make, clients, requests // rounds, headers))
            for viewer, parts in pooled.items():
                figures = combine(parts)
                results[f"{name} [{viewer}]"] = figures
                print(
                    f"[{label}] {name:24s} {viewer:9s} p50 {figures['p50_ms']:7.1f} ms  "
                    f"p99 {figures['p99_ms']:7.1f} ms  {figures['rps']:7.1f} req/s  "
                    f"errors {figures['errors']}",
                    flush=True,
                )
        return results
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def warm_up(base: str, make: Callable[[random.Random], str]) -> None:
    """Sequential requests for each distinct path of a case (up to 20): the first answer of an
    aggregate (a cold whole-catalog facet count) takes seconds and is cached after, and a
    load generator's short pilot must not stall on it."""
    rng = random.Random(7)
    paths = list(dict.fromkeys(make(rng) for _ in range(40)))[:20]
    for path in paths:
        for _worker in range(4):  # a new connection each: the server's workers take turns
            httpx.get(base + path, timeout=600)


def combine(parts: list[dict[str, Any]]) -> dict[str, Any]:
    latencies = [x for p in parts for x in p["latencies"]]
    wall = sum(p["wall_s"] for p in parts)
    return {
        **percentiles(latencies),
        "rps": len(latencies) / wall,
        "errors": sum(p["errors"] for p in parts),
        "requests": len(latencies),
    }


def table(label: str, results: dict[str, Any]) -> list[tuple[str, str, str]]:
    health = results["health [anonymous]"]["rps"]
    rows = []
    for name, f in results.items():
        ok = f["p50_ms"] <= 20 and f["p99_ms"] <= 100
        aim = f"p50<=20 p99<=100 {'met' if ok else 'MISSED'}; {f['rps'] / health:.0%} of /health"
        if name.endswith("[partner]"):
            anon = results[name.replace("[partner]", "[anonymous]")]
            ratio = f["p50_ms"] / anon["p50_ms"]
            within = "within 10%" if ratio <= 1.10 else "MORE than 10%"
            aim += (
                f"; partner/anonymous p50 {ratio:.2f}, p99 {f['p99_ms'] / anon['p99_ms']:.2f},"
                f" req/s {f['rps'] / anon['rps']:.2f} ({within})"
            )
        rows.append(
            (
                f"{label} {name}",
                f"p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms, {f['rps']:.0f} req/s",
                aim,
            )
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--pg-products",
        type=int,
        default=0,
        help="products in the PostgreSQL catalog (default: --products); loading is slower there",
    )
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    pg_products = args.pg_products or args.products
    figures: dict[str, Any] = {
        "products": args.products,
        "pg_products": pg_products,
        "clients": args.clients,
    }
    rows: list[tuple[str, str, str]] = []
    root = build(Path(f"/tmp/lunadc-bench-search-{args.products}-sqlite"), args.products)
    figures["sqlite"] = run("sqlite", root, "", args.clients, args.requests)
    rows += table("sqlite", figures["sqlite"])
    pg = os.environ.get("LUNADC_TEST_POSTGRES", "")
    if pg and not args.skip_postgres:
        try:
            root, url = build_postgres(pg, pg_products)
            figures["postgresql"] = run("postgresql", root, url, args.clients, args.requests)
            rows += table(f"postgresql ({pg_products:,})", figures["postgresql"])
        except Exception as exc:  # PostgreSQL is optional here: say why it was skipped
            print(f"PostgreSQL skipped: {exc}")
    write_results("search", figures, rows)
    return 0


def build_postgres(pg: str, products: int) -> tuple[Path, str]:
    root = Path(f"/tmp/lunadc-bench-search-{products}-pg")
    marker = root / "bench-complete"
    fresh = not (marker.exists() and marker.read_text() == f"{products} {schema_signature()}")
    url = _pg_schema(pg, products, fresh=fresh)
    return build(root, products, url), url


def _pg_schema(url: str, products: int, *, fresh: bool) -> str:
    """A schema of its own for the benchmark catalog (kept for reuse by the next run;
    dropped first when the catalog is to be built again)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"bench_search_{products}"
    parsed = make_url(url).set(drivername="postgresql+psycopg")
    engine = create_engine(parsed)
    with engine.begin() as conn:
        if fresh:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    engine.dispose()
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


if __name__ == "__main__":
    sys.exit(main())
