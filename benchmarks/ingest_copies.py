"""Ingest N copies of the sample, each under its own budget unit code, and print the figures.

    .venv/bin/python benchmarks/ingest_copies.py [N ...]      # default: 1 and 1000

Each size runs in a fresh subprocess so its peak memory (ru_maxrss) is its own. The copies are
the sample with 353302 replaced by another six-digit code: same tables, distinct documents,
projects and populations, as 1 000 units publishing alike tables would give.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "tianjin-353302-2025-project-performance-targets.txt"


def make_copies(n: int, out: Path) -> list[Path]:
    text = SAMPLE.read_text("utf-8")
    paths = []
    for i in range(n):
        code = f"{400000 + i:06d}" if n > 1 else "353302"
        path = out / f"unit-{code}-2025.txt"
        path.write_text(text.replace("353302", code), "utf-8")
        paths.append(path)
    return paths


def measure(n: int) -> dict:
    """Runs in the child: copy, ingest, count; returns the figures."""
    from perfkg.ingest import info, ingest
    from perfkg.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        paths = make_copies(n, Path(tmp))
        store = Store(Path(tmp) / "store")
        started = time.perf_counter()
        report = ingest(paths, store)
        seconds = time.perf_counter() - started
        counts = info(store)
        store.close()
        size = sum(f.stat().st_size for f in (Path(tmp) / "store").rglob("*") if f.is_file())
    assert not report.failed, report.failed[0].error
    tables = sum(r.projects for r in report.results)
    return {
        "copies": n, "tables": tables, "seconds": round(seconds, 3), "tables_per_s": round(tables / seconds, 1),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "store_mib": round(size / 2**20, 1), **counts,
    }


def main(sizes: list[int]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="perfkg ingest: copies of the sample under distinct unit codes")
    for col in ("copies", "tables", "seconds", "tables/s", "peak MiB", "store MiB", "projects", "populations", "triples"):
        table.add_column(col, justify="right")
    for n in sizes:
        out = subprocess.run([sys.executable, __file__, "--child", str(n)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout)
        table.add_row(*(str(r[k]) for k in ("copies", "tables", "seconds", "tables_per_s", "peak_mib", "store_mib", "projects", "populations", "triples")))
    Console().print(table)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(measure(int(sys.argv[2]))))
    else:
        main([int(a) for a in sys.argv[1:]] or [1, 1000])
