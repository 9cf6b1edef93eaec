#!/usr/bin/env python3
"""Time `perfkg publish` on a store of N project tables.

    .venv/bin/python benchmarks/publish.py 1000                 # tables from benchmarks/generate.py
    .venv/bin/python benchmarks/publish.py 1000 --copies        # N copies of the sample (8 tables each)

Builds the corpus and the store first (timed apart), then runs the real command,
`perfkg publish -o OUT --base-url https://data.example.gov.cn/perfkg`, and prints (and writes to
benchmarks/results/publish-N.json) tables, documents, pages, files, bytes and seconds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "tianjin-353302-2025-project-performance-targets.txt"


def corpus(n: int, copies: bool, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    if copies:
        text = SAMPLE.read_text("utf-8")
        files = []
        for i in range(n):
            path = out / f"unit-{600000 + i}-2025.txt"
            path.write_text(text.replace("353302", str(600000 + i)), "utf-8")
            files.append(path)
        return files
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(n), "--seed", "1", "--format", "txt",
                    "-o", str(out)], check=True, stdout=subprocess.DEVNULL)
    return sorted(out.rglob("*.txt"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="?", default=1000, help="project tables (or sample copies with --copies)")
    ap.add_argument("--copies", action="store_true", help="N copies of the sample, each under another unit code")
    ap.add_argument("--workdir", type=Path, help="keep the corpus, store and site here (default: a temp dir)")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="perfkg-publish-"))
    perfkg = [sys.executable, "-m", "perfkg"]
    t0 = time.perf_counter()
    files = corpus(args.n, args.copies, work / "corpus")
    t1 = time.perf_counter()
    store = work / "store"
    batch = 500  # keep command lines short
    for i in range(0, len(files), batch):
        subprocess.run([*perfkg, "ingest", "--keep-going", "--store", str(store), *map(str, files[i:i + batch])],
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    t2 = time.perf_counter()
    info = json.loads(subprocess.run([*perfkg, "info", "--json", "--store", str(store)], capture_output=True, text=True,
                                     check=True, cwd=ROOT).stdout)
    site = work / "site"
    t3 = time.perf_counter()
    run = subprocess.run([*perfkg, "publish", "--store", str(store), "-o", str(site), "--base-url",
                          "https://data.example.gov.cn/perfkg"], capture_output=True, text=True, cwd=ROOT)
    t4 = time.perf_counter()
    if run.returncode != 0:
        sys.exit(f"perfkg publish failed: {run.stderr}")
    files_out = [p for p in site.rglob("*") if p.is_file()]
    result = {
        "source": "sample copies" if args.copies else "benchmarks/generate.py --seed 1",
        "n": args.n, "documents": info["documents"], "projects": info["projects"], "indicators": info["indicators"],
        "triples": info["triples"], "corpus_seconds": round(t1 - t0, 1), "ingest_seconds": round(t2 - t1, 1),
        "publish_seconds": round(t4 - t3, 1), "files": len(files_out),
        "megabytes": round(sum(p.stat().st_size for p in files_out) / 1e6, 1), "summary": run.stdout.strip(),
        "workdir": str(work),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / f"publish-{args.n}{'-copies' if args.copies else ''}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
