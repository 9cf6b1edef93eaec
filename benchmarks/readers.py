#!/usr/bin/env python3
"""Readers alongside a writer, round after round: what found the reader hang (perfkg.views).

    .venv/bin/python benchmarks/readers.py                  # 10 rounds of 120 documents
    .venv/bin/python benchmarks/readers.py --rounds 40 --documents 200

Each round ingests copies of the sample (under distinct unit codes: enough bulk loads for the
compaction after them) into a fresh store while ``perfkg info --json`` runs again and again.
Prints, per round, how many reads ran, the slowest, and the documents each saw; a reader must
see whole documents only (8 projects, 71 indicators each) and never fewer than one before it.
A read still running after ``--hang`` seconds is a hang: its stack is printed (py-spy, when
installed) and the script exits 1.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "tianjin-353302-2025-project-performance-targets.txt"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--documents", type=int, default=120)
    ap.add_argument("--hang", type=float, default=20.0, help="seconds after which a read counts as hung")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="perfkg-readers-"))
    corpus = work / "corpus"
    corpus.mkdir()
    text = SAMPLE.read_text("utf-8")
    for i in range(args.documents):
        (corpus / f"unit-{500000 + i}.txt").write_text(text.replace("353302", str(500000 + i)), "utf-8")
    perfkg = [sys.executable, "-m", "perfkg"]
    store = work / "store"
    failures = 0
    try:
        for r in range(args.rounds):
            shutil.rmtree(store, ignore_errors=True)
            writer = subprocess.Popen([*perfkg, "ingest", str(corpus), "--store", str(store)], cwd=ROOT,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            seen: list[int] = []
            slowest = 0.0
            while writer.poll() is None:
                started = time.monotonic()
                reader = subprocess.Popen([*perfkg, "info", "--json", "--store", str(store)], cwd=ROOT,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                try:
                    out, err = reader.communicate(timeout=args.hang)
                except subprocess.TimeoutExpired:
                    print(f"round {r}: a reader hung for {args.hang:.0f} s", flush=True)
                    spy = shutil.which("py-spy")
                    if spy:
                        print(subprocess.run([spy, "dump", "--native", "--pid", str(reader.pid)],
                                             capture_output=True, text=True).stdout)
                    reader.kill()
                    writer.wait()
                    return 1
                slowest = max(slowest, time.monotonic() - started)
                if reader.returncode == 0:
                    counts = json.loads(out)
                    if (counts["projects"], counts["indicators"]) != (8 * counts["documents"], 71 * counts["documents"]):
                        print(f"round {r}: a reader saw part of a document: {counts}")
                        failures += 1
                    seen.append(counts["documents"])
                elif "no store at" not in err:  # before the writer made the store
                    print(f"round {r}: a reader failed: {err.strip()[-300:]}")
                    failures += 1
            if writer.returncode != 0:
                print(f"round {r}: the writer failed: {writer.stderr.read()[-300:] if writer.stderr else ''}")
                failures += 1
            if seen != sorted(seen):
                print(f"round {r}: a reader saw fewer documents than one before it: {seen}")
                failures += 1
            print(f"round {r}: {len(seen)} reads, slowest {slowest:.2f} s, documents seen {seen}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
