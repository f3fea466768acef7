"""Every finding code used in lunadc.pds4 is registered and documented, and nothing else."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from lunadc.pds4.codes import FINDING_CODES
from tests.pds4.helpers import REPO

PACKAGE = REPO / "lunadc" / "pds4"
DOC = REPO / "docs" / "findings.md"
_FAMILIES = "label|reference|bundle|lid|date|file|schema|inventory|geometry"
_CODE = re.compile(rf"^({_FAMILIES})\.[a-z0-9_.]+$")


def _codes_in_source(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and _CODE.match(node.value)
    }


def test_every_code_used_is_registered() -> None:
    used: dict[str, str] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name == "codes.py":
            continue
        for code in _codes_in_source(path):
            used[code] = path.name
    assert used, "the scan found no codes at all"
    unknown = {code: where for code, where in used.items() if code not in FINDING_CODES}
    assert unknown == {}


def test_every_finding_is_built_with_a_literal_or_registered_code() -> None:
    # error()/warning() calls whose code is not a literal must take it from a literal table.
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("error", "warning")
                and node.args
            ):
                first = node.args[0]
                assert isinstance(first, ast.Constant | ast.Name), (path.name, node.lineno)


def test_every_code_is_documented_once() -> None:
    documented = re.findall(r"^\| `([a-z0-9_.]+)` \|", DOC.read_text(), flags=re.MULTILINE)
    assert sorted(documented) == sorted(FINDING_CODES)


def test_descriptions_are_one_line() -> None:
    for code, text in FINDING_CODES.items():
        assert text and "\n" not in text and text.endswith("."), code
