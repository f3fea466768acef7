"""``lunadc search`` on the local catalog and against a running node (``--url``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.api.conftest import BASIC, BUNDLE


def lunadc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lunadc", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )


def test_local_table_json_csv(samples_root: Path) -> None:
    table = lunadc(
        "search", "--root", str(samples_root), "--q", 'product_class eq "Product_Bundle"'
    )
    assert table.returncode == 0, table.stderr
    assert "clps_to_2ab_pll.pitms" in table.stdout and "2 shown of 2 matching" in table.stderr
    as_json = lunadc("search", "--root", str(samples_root), "-k", "peregrine", "--format", "json")
    assert BUNDLE in [p["id"] for p in json.loads(as_json.stdout)["data"]]
    as_csv = lunadc(
        "search",
        "--root",
        str(samples_root),
        "--q",
        f'lidvid eq "{BASIC}"',
        "--fields",
        "lidvid,title",
        "--format",
        "csv",
    )
    assert as_csv.stdout.splitlines()[0] == "lidvid,title"
    assert as_csv.stdout.splitlines()[1].startswith(BASIC)


def test_remote_and_errors(served: str, samples_root: Path) -> None:
    remote = lunadc("search", "--url", served, "--q", f'lidvid eq "{BASIC}"', "--format", "json")
    assert remote.returncode == 0, remote.stderr
    assert [p["id"] for p in json.loads(remote.stdout)["data"]] == [BASIC]
    bad = lunadc("search", "--url", served, "--q", "title eq")
    assert bad.returncode == 5 and "character 8" in bad.stderr
    local_bad = lunadc("search", "--root", str(samples_root), "--q", "title eq")
    assert local_bad.returncode == 5 and "character 8" in local_bad.stderr
