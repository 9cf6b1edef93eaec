"""Validation at province scale: perfkg's engines against plain pyshacl on the whole graph.

    .venv/bin/python benchmarks/validate.py                       # 1 000 and 10 000 tables
    .venv/bin/python benchmarks/validate.py 1000 --pyshacl-budget 3600 --workdir /tmp/pv

For each size: generate the tables (``benchmarks/generate.py``, realistic, with planted defects;
copies of the sample under other unit codes if it is missing), ingest them into an on-disk
store (timed, but not part of validation), then measure, each in its own process so that its
peak memory (ru_maxrss) is its own:

- ``perfkg``: ``validate(store)`` — the compiled engine, two worker processes;
- ``pyshacl``: plain pyshacl on the whole graph — every document of a profile in one rdflib
  Graph, validated with that profile's shapes (two runs, one per profile; times added).

Both see the same data; the results are compared one by one (``identical``). pyshacl runs a
SPARQL constraint once per focus node and takes ~10 s per document here, so when its estimate
exceeds ``--pyshacl-budget`` it runs on the first documents only (whole graph of those) and its
time is extrapolated by the triple count — the table says so (``pyshacl on``). perfkg is then
also validated on that same subset, to compare the results.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "tianjin-353302-2025-project-performance-targets.txt"
sys.path.insert(0, str(ROOT))


# --- the corpus --------------------------------------------------------------------------------


def make_corpus(n: int, out: Path) -> list[Path]:
    """``n`` tables: benchmarks/generate.py when present, else copies of the sample (8 each)."""
    generator = ROOT / "benchmarks" / "generate.py"
    if generator.is_file():
        spec = importlib.util.spec_from_file_location("perfkg_bench_generate", generator)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return list(module.generate(n, out, seed=1).files)
    text = SAMPLE.read_text("utf-8")
    paths = []
    for i in range((n + 7) // 8):
        path = out / f"unit-{400000 + i:06d}-2025.txt"
        path.write_text(text.replace("353302", f"{400000 + i:06d}"), "utf-8")
        paths.append(path)
    return paths


def ingest_corpus(files: list[Path], store: Path) -> dict:
    from perfkg.ingest import info, ingest
    from perfkg.store import Store

    db = Store(store)
    started = time.perf_counter()
    report = ingest(files, db)
    seconds = time.perf_counter() - started
    counts = info(db)
    db.close()
    assert not report.failed, report.failed[0].error
    return {"ingest_s": round(seconds, 1), **counts}


# --- the measurements (each in a child process) --------------------------------------------------


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children: what validation costs, however
    busy the machine (wall time on a shared 2-core machine is not)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _rss_mib() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return round(own, 1), round(children, 1)


def child_perfkg(store: str, limit: int | None, results: str) -> dict:
    from perfkg.store import Store
    from perfkg.validate import validate

    db = Store(store, read_only=True)
    docs = [d.graph for d in db.documents(counts=False)]
    started, cpu = time.perf_counter(), _cpu_s()
    if limit is None:
        report = validate(db, jobs=2)
    else:
        from perfkg.validate import validate_graphs

        chosen = sorted(docs)[:limit]
        report = validate_graphs(db.db, chosen, jobs=2, everything=set(docs), path=db.path)
    seconds, cpu = time.perf_counter() - started, _cpu_s() - cpu
    db.close()
    _dump(results, [r.key() for r in report.results])
    own, workers = _rss_mib()
    return {"seconds": round(seconds, 2), "cpu_s": round(cpu, 2), "peak_mib": own, "worker_peak_mib": workers,
            "findings": len(report.findings), **report.counts()}


def child_pyshacl(store: str, limit: int | None, results: str) -> dict:
    """Plain pyshacl: an rdflib Graph per profile holding every (chosen) document, validated once."""
    import pyoxigraph as ox
    import pyshacl
    from rdflib import Graph

    from perfkg.store import Store
    from perfkg.validate import _documents, pyshacl_results, shapes_files

    db = Store(store, read_only=True)
    graphs = sorted(d.graph for d in db.documents(counts=False))
    if limit is not None:
        graphs = graphs[:limit]
    groups: dict[str, list[str]] = {}
    for d in _documents(db.db, graphs, "auto"):
        groups.setdefault(d.profile, []).append(d.graph)
    seconds, cpu, load, triples, keys = 0.0, 0.0, 0.0, 0, []
    for profile, members in groups.items():
        started = time.perf_counter()
        data = Graph()
        for g in members:
            data.parse(data=db.db.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)).decode(),
                       format="nt")
        shapes = Graph()
        for path in shapes_files(profile):
            shapes.parse(path, format="turtle")
        load += time.perf_counter() - started
        triples += len(data)
        started, cpu0 = time.perf_counter(), _cpu_s()
        _, report, _ = pyshacl.validate(data, shacl_graph=shapes)
        seconds += time.perf_counter() - started
        cpu += _cpu_s() - cpu0
        keys.extend(r.key() for r in pyshacl_results(report))
        del data, report
    db.close()
    _dump(results, keys)
    own, _ = _rss_mib()
    return {"seconds": round(seconds, 2), "cpu_s": round(cpu, 2), "load_s": round(load, 2), "peak_mib": own,
            "documents": len(graphs), "triples": triples, "results": len(keys)}


def _dump(path: str, keys: list) -> None:
    import pickle

    Path(path).write_bytes(pickle.dumps(keys))


def _load(path: Path) -> Counter:
    import pickle

    return Counter(pickle.loads(path.read_bytes()))


def _child(kind: str, store: Path, limit: int | None, results: Path, *, reuse: bool = False) -> dict:
    """Measure in a fresh process; with ``reuse``, a measurement already in the work directory
    (``{results}.json``) is read back instead (pyshacl's take hours)."""
    saved = results.with_suffix(".json")
    if reuse and saved.is_file() and results.is_file():
        return json.loads(saved.read_text())
    args = [sys.executable, __file__, "--child", kind, str(store), str(limit or 0), str(results)]
    out = subprocess.run(args, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{out.stderr}")
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    saved.write_text(json.dumps(figures))
    return figures


# --- one size ------------------------------------------------------------------------------------


def run_size(n: int, work: Path, budget: float, per_document_s: float, reuse: bool = False) -> dict:
    corpus, store = work / f"corpus-{n}", work / f"store-{n}"
    if not store.exists():
        corpus.mkdir(parents=True, exist_ok=True)
        files = make_corpus(n, corpus)
        counts = ingest_corpus(files, store)
        (work / f"counts-{n}.json").write_text(json.dumps(counts))
    counts = json.loads((work / f"counts-{n}.json").read_text())
    perfkg = _child("perfkg", store, None, work / f"perfkg-{n}.pickle")
    documents = counts["documents"]
    limit = None if documents * per_document_s <= budget else max(2, int(budget / per_document_s))
    if reuse and (work / f"pyshacl-{n}-all.json").is_file():
        limit = None  # a measurement on the whole graph is there: use it
    pyshacl = _child("pyshacl", store, limit, work / f"pyshacl-{n}-{limit or 'all'}.pickle", reuse=reuse)
    if limit is None:
        same_set = perfkg
        compare = work / f"perfkg-{n}.pickle"
        pyshacl_s = pyshacl["seconds"]
    else:
        same_set = _child("perfkg", store, limit, work / f"perfkg-{n}-subset.pickle")
        compare = work / f"perfkg-{n}-subset.pickle"
        pyshacl_s = pyshacl["seconds"] * counts["triples"] / pyshacl["triples"]  # linear in triples: a floor
    identical = _load(compare) == _load(work / f"pyshacl-{n}-{limit or 'all'}.pickle")
    return {
        "tables": counts["projects"], "documents": documents, "triples": counts["triples"],
        "ingest_s": counts["ingest_s"],
        "perfkg_s": perfkg["seconds"], "perfkg_cpu_s": perfkg["cpu_s"], "perfkg_mib": perfkg["peak_mib"], "perfkg_worker_mib": perfkg["worker_peak_mib"],
        "findings": perfkg["findings"], "violations": perfkg["violations"], "warnings": perfkg["warnings"],
        "pyshacl_on": f"{pyshacl['documents']} of {documents} documents" if limit else "all",
        "pyshacl_measured_s": pyshacl["seconds"], "pyshacl_measured_cpu_s": pyshacl.get("cpu_s"),
        "pyshacl_s": round(pyshacl_s, 1),
        "pyshacl_mib": pyshacl["peak_mib"], "pyshacl_results": pyshacl["results"],
        "ratio": round(pyshacl_s / perfkg["seconds"], 1), "identical": identical,
        "compared_results": sum(_load(compare).values()),
        "load_average": round(__import__("os").getloadavg()[0], 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 10000], help="numbers of tables")
    ap.add_argument("--pyshacl-budget", type=float, default=1800,
                    help="seconds pyshacl may take per size before it runs on a subset (default 1800)")
    ap.add_argument("--pyshacl-per-document", type=float, default=15.0,
                    help="pyshacl's expected seconds per document, to plan the budget (default 15)")
    ap.add_argument("--workdir", type=Path, help="keep corpora and stores here (reused when present)")
    ap.add_argument("--reuse-pyshacl", action="store_true",
                    help="reuse pyshacl's measurements already in --workdir (perfkg is measured anew)")
    args = ap.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="perfkg-validate-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.sizes:
        row = run_size(n, work, args.pyshacl_budget, args.pyshacl_per_document, args.reuse_pyshacl)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    print()
    head = ("tables", "documents", "triples", "perfkg_s", "perfkg_mib", "pyshacl_on", "pyshacl_s",
            "pyshacl_mib", "ratio", "identical")
    print(" | ".join(head))
    for r in rows:
        print(" | ".join(str(r[k]) for k in head))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        kind, store, limit, results = sys.argv[2], sys.argv[3], int(sys.argv[4]) or None, sys.argv[5]
        fn = {"perfkg": child_perfkg, "pyshacl": child_pyshacl}[kind]
        print(json.dumps(fn(store, limit, results)))
    else:
        sys.exit(main())
