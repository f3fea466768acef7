"""HTTP load from wrk, the C load generator (Debian's ``wrk`` package; ``make bench`` installs it).

A load generator written in Python costs about as much CPU per request as the server it
measures, and its threads share one GIL: on a 2-core machine it measured its own queueing as
much as the server. wrk drives the same closed loop (``clients`` connections, each sending
its next request when the last answer arrived) for a fraction of that CPU. A Lua script feeds
it the request paths and prints every latency wrk recorded (its histogram at 1 µs
resolution), so percentiles are computed here from the full sample, and runs can be pooled.
wrk runs for a duration, not a count: one-second pilot runs (which also warm the server)
give the rate, from which the duration for about ``total`` requests follows.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

_SCRIPT = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local next_path = 0

function init(args)
  next_path = math.random(#paths) - 1
end

function request()
  next_path = next_path %% #paths + 1
  return wrk.format("GET", paths[next_path], headers)
end

function done(summary, latency, requests)
  local values = {}
  for i = 1, #latency do
    local value, count = latency(i)
    if count and count > 0 then
      values[#values + 1] = string.format("[%%d,%%d]", value, count)
    end
  end
  io.write(string.format(
    '\\nLUNADC-WRK {"requests":%%d,"duration_us":%%d,"errors":%%d,"latency_us":[%%s]}\\n',
    summary.requests, summary.duration,
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    table.concat(values, ",")))
end
"""


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for ASCII


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def measure(
    base: str,
    make_path: Callable[[random.Random], str],
    clients: int,
    total: int,
    headers: dict[str, str],
    *,
    seed: int | None = None,
) -> dict[str, Any]:
    """About ``total`` requests over ``clients`` connections: each latency (ms), the wall
    time, and the count of failed requests (non-2xx/3xx status or socket errors)."""
    if not wrk_available():
        raise SystemExit("wrk is missing: `make bench` installs it (apt-get install wrk)")
    rng = random.Random(seed)
    paths = [make_path(rng) for _ in range(max(total, 1))]
    # The first requests of a case may fill caches (a cold facet count takes seconds): pilot
    # again until a pilot sees a steady rate, at most three times.
    rate = 0.0
    for _ in range(3):
        pilot = _run(base, paths, clients, headers, seconds=1)
        rate = len(pilot["latencies"]) / max(pilot["wall_s"], 1e-3)
        if len(pilot["latencies"]) >= 4 * clients:
            break
    seconds = min(60, max(1, math.ceil(total / max(rate, 1e-3))))
    return _run(base, paths, clients, headers, seconds=seconds)


def _run(
    base: str, paths: list[str], clients: int, headers: dict[str, str], *, seconds: int
) -> dict[str, Any]:
    threads = max(1, min(2, clients))
    script = _SCRIPT % {
        "paths": ",".join(_lua_string(p) for p in paths),
        "headers": ",".join(f"[{_lua_string(k)}]={_lua_string(v)}" for k, v in headers.items()),
    }
    with tempfile.TemporaryDirectory(prefix="lunadc-wrk-") as tmp:
        lua = Path(tmp) / "load.lua"
        lua.write_text(script)
        done = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{clients}",
                f"-d{seconds}s",
                "--timeout",
                "60s",
                "-s",
                lua,
                base,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 90,
            check=True,
        )
    line = next(x for x in done.stdout.splitlines() if x.startswith("LUNADC-WRK "))
    figures = json.loads(line.removeprefix("LUNADC-WRK "))
    latencies = [value / 1000 for value, count in figures["latency_us"] for _ in range(int(count))]
    return {
        "latencies": latencies,
        "wall_s": figures["duration_us"] / 1e6,
        "errors": int(figures["errors"]),
    }
