"""The ``lunadc`` command as a user runs it: a real process, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import SAMPLES

LUNADC = [sys.executable, "-m", "lunadc"]


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*LUNADC, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_init_ingest_show_round_trip(tmp_path: Path) -> None:
    root = tmp_path / "node"
    done = run("init", str(root), "--node-id", "node-cn")
    assert done.returncode == 0, done.stderr
    assert (root / "lunadc.toml").is_file() and (root / "catalog.sqlite").is_file()

    done = run("ingest", str(SAMPLES / "bundle_clps_pitms"), "--root", str(root))
    assert done.returncode == 0, done.stderr
    assert "3 ingested" in done.stdout and "0 rejected" in done.stdout

    done = run(
        "show",
        "urn:nasa:pds:clps_to_2ab_pll.pitms:data_raw",
        "--json",
        env={"LUNADC_ROOT": str(root)},
    )
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["lidvid"] == "urn:nasa:pds:clps_to_2ab_pll.pitms:data_raw::1.0"
    assert {f["path"] for f in shown["files"]} == {"collection.xml", "collection.csv"}

    done = run("show", "urn:nasa:pds:clps_to_2ab_pll.pitms::1.0", "--root", str(root))
    assert done.returncode == 0 and "Product_Bundle" in done.stdout


def test_rejections_give_exit_code_one_and_name_file_and_reason(tmp_path: Path) -> None:
    root = tmp_path / "node"
    assert run("init", str(root), "--node-id", "node-ru").returncode == 0
    # Names with spaces and non-ASCII letters, upper-case suffix.
    folder = tmp_path / "Данные миссии" / "набор 1"
    shutil.copytree(SAMPLES / "times_table_delimited", folder)
    (folder / "times_table.xml").rename(folder / "Times Table.XML")
    broken = tmp_path / "Данные миссии" / "broken"
    shutil.copytree(SAMPLES / "orex_otes_binary", broken)
    (broken / "data1.bt").unlink()
    done = run("ingest", str(tmp_path / "Данные миссии"), "--root", str(root))
    assert done.returncode == 1
    assert "1 ingested" in done.stdout and "1 rejected" in done.stdout
    assert str(broken / "data1.xml") in done.stderr and "data1.bt" in done.stderr


def test_errors_are_one_line_with_a_non_zero_exit(tmp_path: Path) -> None:
    done = run("show", "urn:nasa:pds:nothing", "--root", str(tmp_path))
    assert done.returncode == 3
    assert "no lunadc node here" in done.stderr and len(done.stderr.strip().splitlines()) == 1

    assert run("init", str(tmp_path / "n"), "--node-id", "n1").returncode == 0
    done = run("show", "not a lid", "--root", str(tmp_path / "n"))
    assert done.returncode == 5 and "urn:" in done.stderr

    done = run("show", "urn:nasa:pds:nothing::1.0", "--root", str(tmp_path / "n"))
    assert done.returncode == 4 and "no product" in done.stderr

    done = run("init", str(tmp_path / "bad"), "--node-id", "Bad Id!")
    assert done.returncode == 3 and not (tmp_path / "bad").exists()


def test_init_with_unreachable_database_leaves_nothing(tmp_path: Path) -> None:
    done = run(
        "init",
        str(tmp_path / "n"),
        "--node-id",
        "n1",
        "--db",
        "postgresql://nobody@127.0.0.1:1/none",
    )
    assert done.returncode == 3, done.stderr
    assert not (tmp_path / "n").exists()
