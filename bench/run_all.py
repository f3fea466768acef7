"""``make bench``: run every benchmark under bench/ in turn and collect the Markdown tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["ingest.py", "search.py", "spatial.py", "replicate.py"]


def main() -> int:
    failures = 0
    for name in ORDER:
        script = HERE / name
        if not script.exists():
            continue
        print(f"=== {name}", flush=True)
        done = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)
        failures += done.returncode != 0
    tables = sorted((HERE / "results").glob("*.md"))
    summary = "\n\n".join(t.read_text() for t in tables if t.name != "README.md")
    (HERE / "results" / "README.md").write_text("# Latest benchmark figures\n\n" + summary)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
