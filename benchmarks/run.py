#!/usr/bin/env python3
"""The benchmark: perfkg at province scale, on generated tables whose answers are known.

    .venv/bin/python benchmarks/run.py                       # 100, 1 000 and 10 000 tables, .txt
    .venv/bin/python benchmarks/run.py --sizes 100,1000 --format docx

For each size it generates a corpus (``benchmarks/generate.py``, cached under ``--work``) and
measures, each stage in a fresh process so that its time and peak memory are its own:

- ``parse``     perfkg.read on every file (tables/s);
- ``ingest``    perfkg.ingest into a new embedded store (tables/s, peak memory, store size);
- ``check``     the store's answers against the generator's manifest: the counts of
                ``perfkg info``, every beneficiary population with its projects and their total
                budget, the budget by level of government (SPARQL on the store);
- ``rdflib``    the baseline: plain rdflib parsing the same triples into an in-memory Graph;
- ``validate``  perfkg.validate on the store, and ``pyshacl`` (plain pyshacl over the whole
                graph with the same shapes, up to ``--pyshacl-max`` tables);
- ``queries``   every named query (perfkg.query) on the embedded store, median latency;
                ``queries-server`` the same through perfkg.remote on a real Oxigraph server on
                127.0.0.1 holding the same triples; ``queries-rdflib`` the same SPARQL on an
                in-memory rdflib Graph (up to ``--rdflib-max``);
- ``export-*``  perfkg.export in each format; ``publish`` the static linked-data site.

A stage whose module is not there yet says so in one line and is skipped. The results are
printed as a table, with the growth exponent of each cost (least squares on log cost against
log N) and the ratios to the baselines, and written as JSON to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
PKG = "https://w3id.org/perfkg/ontology#"
META_GRAPH = "urn:perfkg:meta"
TOTAL = "<https://w3id.org/perfkg/code/funding-kind/total>"
PREFIXES = (f"PREFIX pkg: <{PKG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "PREFIX org: <http://www.w3.org/ns/org#>\n")
STORE_COUNTS = ("documents", "budget_units", "projects", "indicators", "targets", "populations")
EXPORT_FORMATS = ("nq", "ttl", "jsonld")


class NotAvailable(Exception):
    """The library code a stage measures does not exist (yet)."""


class Skipped(Exception):
    """A stage not run at this size (a baseline too slow to wait for)."""


@dataclass
class Context:
    size: int
    fmt: str
    corpus: Path
    store: Path
    work: Path
    repeat: int
    pyshacl_max: int
    rdflib_max: int
    ingest_jobs: int | None = None
    ingest_batch: int | None = None

    def files(self) -> list[Path]:
        manifest = json.loads((self.corpus / "manifest.json").read_text("utf-8"))
        return [self.corpus / d["file"] for d in manifest["documents"]]

    def manifest(self) -> dict:
        return json.loads((self.corpus / "manifest.json").read_text("utf-8"))

    @property
    def triples_file(self) -> Path:
        return self.work / f"triples-{self.fmt}-{self.size}.nt"


# --- answers against the manifest -----------------------------------------------------------


def _select(store, query: str) -> list[dict[str, str | None]]:
    result = store.query(PREFIXES + query)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def check_answers(store, manifest: dict) -> list[str]:
    """What the store answers that the manifest does not say (empty: every answer is right)."""
    from perfkg.ingest import info

    problems = []
    counts = info(store)
    for key in STORE_COUNTS:
        if counts[key] != manifest["counts"][key]:
            problems.append(f"{key}: the store holds {counts[key]}, the manifest says {manifest['counts'][key]}")
    rows = _select(store, f"""SELECT ?pop ?code ?year ?size ?group ?name ?yuan WHERE {{
        ?pop a pkg:BeneficiaryPopulation ; pkg:populationSize ?size ; pkg:budgetYear ?year ; pkg:populationGroup ?group .
        ?p pkg:servesPopulation ?pop ; rdfs:label ?name ; pkg:budgetUnit/org:identifier ?code ; pkg:hasFunding ?f .
        ?f pkg:fundingKind {TOTAL} ; pkg:amountInYuan ?yuan }}""")
    found: dict[str, tuple] = {}
    for r in rows:
        key = (r["code"], int(r["year"]), r["group"].rsplit("/", 1)[1], Decimal(r["size"]))
        found.setdefault(r["pop"], (key, {}))[1][r["name"]] = Decimal(r["yuan"])
    got = {key: (frozenset(projects), sum(projects.values())) for key, projects in found.values()}
    expected = {
        (p["unit_code"], p["year"], "-".join(filter(None, (p["qualifier"], p["head"]))).replace("_", "-"),
         Decimal(p["size"])): (frozenset(x["name"] for x in p["projects"]), Decimal(p["budget_yuan"]))
        for p in manifest["populations"]
    }
    for key in sorted(set(got) | set(expected), key=str):
        if got.get(key) != expected.get(key):
            problems.append(f"population {key}: the store has {got.get(key)}, the manifest {expected.get(key)}")
    shared = _select(store, f"""SELECT (COUNT(*) AS ?n) (SUM(?money) AS ?total) WHERE {{
        SELECT ?pop (SUM(?yuan) AS ?money) WHERE {{ ?p pkg:servesPopulation ?pop ; pkg:hasFunding ?f .
        ?f pkg:fundingKind {TOTAL} ; pkg:amountInYuan ?yuan }} GROUP BY ?pop HAVING (COUNT(DISTINCT ?p) > 1) }}""")[0]
    want = [p for p in manifest["populations"] if p["shared"]]
    if int(shared["n"]) != len(want) or Decimal(shared["total"] or 0) != sum(Decimal(p["budget_yuan"]) for p in want):
        problems.append(f"shared populations: {shared['n']} with {shared['total']} 元, the manifest "
                        f"{len(want)} with {sum(p['budget_yuan'] for p in want)} 元")
    levels = _select(store, f"""SELECT ?level (SUM(?yuan) AS ?total) WHERE {{ ?p a pkg:Project ; pkg:hasFunding ?f .
        ?f pkg:fundingKind {TOTAL} ; pkg:amountInYuan ?yuan . OPTIONAL {{ ?p pkg:governmentLevel ?level }} }} GROUP BY ?level""")
    by_level = {(r["level"] or "/none").rsplit("/", 1)[1]: Decimal(r["total"]) for r in levels}
    want_levels = {k: Decimal(v) for k, v in manifest["budget"]["by_level_yuan"].items() if v}
    if by_level != want_levels:
        problems.append(f"budget by level: the store has {by_level}, the manifest {want_levels}")
    return problems


# --- stages (each runs in a child process) ---------------------------------------------------


def _tables(ctx: Context) -> int:
    return ctx.manifest()["counts"]["projects"]


def stage_parse(ctx: Context) -> dict:
    import perfkg

    files = ctx.files()
    started = time.perf_counter()
    indicators = sum(doc.indicator_count for doc in map(perfkg.read, files))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "tables_per_s": _tables(ctx) / seconds, "indicators": indicators}


def stage_ingest(ctx: Context) -> dict:
    import perfkg.ingest
    from perfkg.store import Store

    if ctx.ingest_batch is not None:  # --ingest-batch-quads: the size of a bulk load (1: none)
        perfkg.ingest.BATCH_QUADS = ctx.ingest_batch
    shutil.rmtree(ctx.store, ignore_errors=True)
    files = ctx.files()
    store = Store(ctx.store)
    started = time.perf_counter()
    report = perfkg.ingest.ingest(files, store, **({"jobs": ctx.ingest_jobs} if ctx.ingest_jobs is not None else {}))
    seconds = time.perf_counter() - started
    quads = sum(r.quads for r in report.results)
    store.close()
    failed = [f"{r.path}: {r.error}" for r in report.failed]
    jobs = ctx.ingest_jobs if ctx.ingest_jobs is not None else (
        (os.cpu_count() or 1) if len(files) >= getattr(perfkg.ingest, "MIN_FILES_FOR_WORKERS", 10**9) else 0)
    return {"seconds": seconds, "tables_per_s": _tables(ctx) / seconds, "quads": quads, "workers": jobs,
            "store_mib": _du(ctx.store) / 2**20, "failed": failed[:5]}


def stage_check(ctx: Context) -> dict:
    from perfkg.ingest import info
    from perfkg.store import Store

    store = Store(ctx.store, read_only=True)
    started = time.perf_counter()
    counts = info(store)
    info_seconds = time.perf_counter() - started
    problems = check_answers(store, ctx.manifest())
    seconds = time.perf_counter() - started
    # The union of the documents' graphs as N-Triples, for the rdflib and pyshacl baselines.
    import pyoxigraph as ox

    dumped = time.perf_counter()
    answer = store.db.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{META_GRAPH}>) }}")
    answer.serialize(output=str(ctx.triples_file), format=ox.RdfFormat.N_TRIPLES)
    return {"seconds": seconds, "info_seconds": info_seconds, "triples": counts["triples"],
            "problems": problems[:20], "answers_right": not problems,
            "dump_seconds": time.perf_counter() - dumped}


def stage_rdflib(ctx: Context) -> dict:
    """Plain rdflib: the same triples parsed into an in-memory Graph."""
    import rdflib

    started = time.perf_counter()
    g = rdflib.Graph()
    g.parse(str(ctx.triples_file), format="nt")
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "triples": len(g), "tables_per_s": _tables(ctx) / seconds}


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name and (e.name == name or name.startswith(e.name + ".")):
            raise NotAvailable(f"{name} is not there yet") from None
        raise


def _call(fn: Callable, **given):
    """Call ``fn`` with the arguments of ``given`` that its signature names (the stages of other
    modules are measured through whatever keyword names those modules settle on)."""
    sig = inspect.signature(fn)
    kwargs, args = {}, []
    for name, p in sig.parameters.items():
        if name in given:
            if p.kind is p.POSITIONAL_ONLY:
                args.append(given[name])
            else:
                kwargs[name] = given[name]
    return fn(*args, **kwargs)


def stage_validate(ctx: Context) -> dict:
    """perfkg.validate on the whole store; its violations set beside the planted defects."""
    from perfkg.store import Store

    mod = _module("perfkg.validate")
    fn = getattr(mod, "validate", None)
    if fn is None:
        raise NotAvailable("perfkg.validate has no validate() yet")
    store = Store(ctx.store, read_only=True)
    started = time.perf_counter()
    report = _call(fn, source=store, store=store)
    seconds = time.perf_counter() - started
    out = {"seconds": seconds, "tables_per_s": _tables(ctx) / seconds, "engine": getattr(report, "engine", None)}
    counts = getattr(report, "counts", None)
    if callable(counts):
        out.update(counts())
    findings = getattr(report, "findings", None)
    if findings is not None:
        # Which planted defects a violation points at (file and table), and which tables have
        # violations the generator did not plant: the benchmark's answer check for validation.
        flagged = {(Path(f.file).name, f.table) for f in findings if f.severity == "violation" and f.file}
        planted = {(d["file"], d["table"]) for d in ctx.manifest()["defects"]}
        out["defect_tables"] = len(planted)
        out["defect_tables_flagged"] = len(planted & flagged)
        out["other_tables_flagged"] = len(flagged - planted)
        out["rules"] = dict(sorted(_count(f.rule for f in findings if f.severity == "violation").items()))
    return out


def _count(items) -> dict:
    counts: dict = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts


def stage_pyshacl(ctx: Context) -> dict:
    """Plain pyshacl over the whole graph: the documents of each profile (2021 rules or the
    older ones, as perfkg.validate chooses) in one rdflib Graph, validated with that profile's
    shapes — the validate baseline."""
    validate = _module("perfkg.validate")
    if ctx.size > ctx.pyshacl_max:
        raise Skipped(f"above {ctx.pyshacl_max} tables (--pyshacl-max): whole-graph pyshacl takes too long")
    import pyoxigraph as ox
    import pyshacl
    import rdflib

    from perfkg.store import Store

    store = Store(ctx.store, read_only=True)
    by_profile: dict[str, list[str]] = {}
    for r in _select(store, """SELECT ?g ?placement ?year WHERE { GRAPH ?g { ?d a pkg:SourceDocument .
            OPTIONAL { ?d pkg:costPlacement ?placement } OPTIONAL { ?d pkg:budgetYear ?year } } }"""):
        placement = r["placement"].rsplit("/", 1)[1] if r["placement"] else None
        profile = validate.choose_profile(placement, int(r["year"]) if r["year"] else None)
        by_profile.setdefault(profile, []).append(r["g"])
    seconds, results, conforms = 0.0, 0, True
    for profile, graphs in sorted(by_profile.items()):
        data = rdflib.Graph()
        triples = [q.triple for g in graphs for q in store.db.quads_for_pattern(None, None, None, ox.NamedNode(g))]
        data.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        shapes = rdflib.Graph()
        for path in validate.shapes_files(profile):
            shapes.parse(str(path), format="turtle")
        started = time.perf_counter()
        ok, report, _ = pyshacl.validate(data, shacl_graph=shapes)
        seconds += time.perf_counter() - started
        conforms &= bool(ok)
        results += len(set(report.subjects(rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/shacl#ValidationResult"))))
    return {"seconds": seconds, "conforms": conforms, "results": results, "profiles": {k: len(v) for k, v in by_profile.items()}}


def _median_ms(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, last = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        last = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), last


def _query_cases(ctx: Context) -> list:
    """The named queries as benchmarks/queries.py runs them (deadlines for its busiest quarter and
    month, and unwindowed), the quarter and month read from this size's store."""
    from perfkg.store import Store

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from queries import query_cases

    store = Store(ctx.store, read_only=True)
    try:
        return query_cases(_module("perfkg.query"), store)
    finally:
        store.close()


def stage_queries(ctx: Context) -> dict:
    from perfkg.store import Store

    q = _module("perfkg.query")
    cases = _query_cases(ctx)
    store = Store(ctx.store, read_only=True)
    timed, seconds = _time_cases(cases, lambda c: q.run(c.query, store=store, params=c.params), ctx.repeat)
    return {"queries": timed, "seconds": seconds}


def _time_cases(cases: list, answer: Callable, repeat: int) -> tuple[dict, float]:
    """The median ms and rows of ``answer(case)`` for each case, and their total in seconds."""
    timed: dict = {}
    total = 0.0
    for c in cases:
        try:
            ms, result = _median_ms(lambda: answer(c), repeat)
        except Exception as e:  # noqa: BLE001 — one broken query must not hide the others
            timed[c.label] = {"error": f"{type(e).__name__}: {str(e)[:200]}"}
            continue
        timed[c.label] = {"median_ms": ms, "rows": len(result)}
        total += ms
    return timed, total / 1000


def stage_queries_server(ctx: Context) -> dict:
    """The same named queries through perfkg.remote on a real Oxigraph server (127.0.0.1)
    holding the same triples: what an analyst sees once the tables live on a shared server."""
    q = _module("perfkg.query")
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from servers import OxigraphServer, oxigraph_binary
    except ImportError as e:
        raise NotAvailable(f"the Oxigraph server is not installed (pip install -e '.[test]'): {e}") from None
    from perfkg.remote import Endpoint

    location = ctx.work / f"server-{ctx.fmt}-{ctx.size}"
    shutil.rmtree(location, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([oxigraph_binary(), "load", "--location", str(location), "--file", str(ctx.triples_file)],
                   check=True, capture_output=True)
    load_seconds = time.perf_counter() - started
    cases = _query_cases(ctx)
    server = OxigraphServer(location).start()
    try:
        endpoint = Endpoint(server.query_url, timeout=600)
        timed, seconds = _time_cases(cases, lambda c: q.run(c.query, endpoint=endpoint, params=c.params), ctx.repeat)
    finally:
        server.stop()
        shutil.rmtree(location, ignore_errors=True)
    return {"queries": timed, "load_seconds": load_seconds, "seconds": seconds}


def stage_queries_rdflib(ctx: Context) -> dict:
    """The same named queries in plain rdflib (an in-memory Graph of the same triples)."""
    if ctx.size > ctx.rdflib_max:
        raise Skipped(f"above {ctx.rdflib_max} tables (--rdflib-max): rdflib takes too long")
    import rdflib

    cases = _query_cases(ctx)
    g = rdflib.Graph()
    g.parse(str(ctx.triples_file), format="nt")
    out: dict = {"queries": {}}
    total = 0.0
    for c in cases:
        name = c.label
        text = c.query.sparql(c.params)
        post = getattr(c.query, "post", None)
        try:
            ms, rows = _median_ms(lambda: list(g.query(text)), max(1, min(ctx.repeat, 3)))
        except Exception as e:  # noqa: BLE001
            out["queries"][name] = {"error": f"{type(e).__name__}: {str(e)[:200]}"}
            continue
        out["queries"][name] = {"median_ms": ms, "rows": len(rows), **({"note": f"SPARQL step only (post: {post})"} if post else {})}
        total += ms
    out["seconds"] = total / 1000
    return out


def _stage_export(fmt: str) -> Callable[[Context], dict]:
    def stage(ctx: Context) -> dict:
        from perfkg.store import Store

        mod = _module("perfkg.export")
        store = Store(ctx.store, read_only=True)
        target = ctx.work / f"export-{ctx.fmt}-{ctx.size}.{fmt}"
        started = time.perf_counter()
        _call(mod.export, store=store, fmt=fmt, format=fmt, out=target)
        seconds = time.perf_counter() - started
        size = target.stat().st_size
        target.unlink()
        return {"seconds": seconds, "mib": size / 2**20}

    stage.__doc__ = f"perfkg.export as {fmt}"
    return stage


def stage_publish(ctx: Context) -> dict:
    from perfkg.store import Store

    fn = None
    for name in ("perfkg.publish", "perfkg.web.publish", "perfkg.web"):
        try:
            mod = _module(name)
        except NotAvailable:
            continue
        fn = getattr(mod, "publish", None)
        if fn is not None:
            break
    if fn is None:
        raise NotAvailable("perfkg has no publish() yet")
    store = Store(ctx.store, read_only=True)
    target = ctx.work / f"site-{ctx.fmt}-{ctx.size}"
    shutil.rmtree(target, ignore_errors=True)
    started = time.perf_counter()
    _call(fn, store=store, out=target, output=target, directory=target, out_dir=target,
          base_url="https://example.org/perfkg", base="https://example.org/perfkg")
    seconds = time.perf_counter() - started
    files = sum(1 for p in target.rglob("*") if p.is_file())
    mib = _du(target) / 2**20
    shutil.rmtree(target, ignore_errors=True)
    return {"seconds": seconds, "files": files, "mib": mib, "tables_per_s": _tables(ctx) / seconds}


STAGES: dict[str, Callable[[Context], dict]] = {
    "parse": stage_parse,
    "ingest": stage_ingest,
    "check": stage_check,
    "rdflib": stage_rdflib,
    "validate": stage_validate,
    "pyshacl": stage_pyshacl,
    "queries": stage_queries,
    "queries-server": stage_queries_server,
    "queries-rdflib": stage_queries_rdflib,
    **{f"export-{f}": _stage_export(f) for f in EXPORT_FORMATS},
    "publish": stage_publish,
}


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def _child(stage: str, ctx: Context) -> None:
    """Run one stage in this process and print its result as the last line of stdout."""
    try:
        result = STAGES[stage](ctx)
        result["status"] = "ok"
    except NotAvailable as e:
        result = {"status": "not available yet", "why": str(e)}
    except Skipped as e:
        result = {"status": "skipped", "why": str(e)}
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    # Peak resident memory of this process and, separately, of the largest of its own workers.
    result["peak_mib"] = me.ru_maxrss / 1024
    if children.ru_maxrss:
        result["worker_peak_mib"] = children.ru_maxrss / 1024
    result["cpu_seconds"] = me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime
    print("RESULT " + json.dumps(result, ensure_ascii=False))


# --- the parent: corpora, child processes, the table --------------------------------------


def corpus_for(size: int, fmt: str, seed: int, work: Path) -> tuple[Path, float | None]:
    """The corpus of ``size`` tables (made once, then reused); the seconds it took to make."""
    directory = work / f"corpus-{fmt}-{size}-seed{seed}"
    manifest = directory / "manifest.json"
    if manifest.exists():
        m = json.loads(manifest.read_text("utf-8"))
        if m["generator"]["tables"] == size and m["generator"]["seed"] == seed:
            return directory, None
    shutil.rmtree(directory, ignore_errors=True)
    sys.path.insert(0, str(HERE))
    from generate import generate

    started = time.perf_counter()
    generate(size, directory, seed=seed, fmt=fmt)
    return directory, time.perf_counter() - started


def run_stage(stage: str, ctx: Context, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--stage", stage, "--sizes", str(ctx.size),
           "--format", ctx.fmt, "--corpus", str(ctx.corpus), "--store", str(ctx.store), "--work", str(ctx.work),
           "--repeat", str(ctx.repeat), "--pyshacl-max", str(ctx.pyshacl_max), "--rdflib-max", str(ctx.rdflib_max)]
    if ctx.ingest_jobs is not None:
        cmd += ["--ingest-jobs", str(ctx.ingest_jobs)]
    if ctx.ingest_batch is not None:
        cmd += ["--ingest-batch-quads", str(ctx.ingest_batch)]
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"status": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - started
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"status": f"failed: {tail[:300]}", "wall_seconds": wall}
    result = json.loads(lines[-1][len("RESULT "):])
    result["wall_seconds"] = wall
    return result


def fit_exponent(points: list[tuple[float, float]]) -> float | None:
    """The slope b of log y = a + b log N (least squares): cost ∝ N^b."""
    points = [(n, y) for n, y in points if n > 0 and y and y > 0]
    if len(points) < 2:
        return None
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else None


# The measures shown and fitted: (label, stage, key, unit, fitted?)
MEASURES = [
    ("parse", "parse", "seconds", "s", True),
    ("parse rate", "parse", "tables_per_s", "tables/s", False),
    ("ingest", "ingest", "seconds", "s", True),
    ("ingest rate", "ingest", "tables_per_s", "tables/s", False),
    ("ingest peak memory", "ingest", "peak_mib", "MiB", True),
    ("ingest worker peak memory (each)", "ingest", "worker_peak_mib", "MiB", True),
    ("ingest CPU (all processes)", "ingest", "cpu_seconds", "s", True),
    ("store on disk", "ingest", "store_mib", "MiB", True),
    ("quads", "ingest", "quads", "", True),
    ("rdflib load (baseline)", "rdflib", "seconds", "s", True),
    ("rdflib peak memory", "rdflib", "peak_mib", "MiB", True),
    ("perfkg info", "check", "info_seconds", "s", True),
    ("validate", "validate", "seconds", "s", True),
    ("validate peak memory", "validate", "peak_mib", "MiB", True),
    ("pyshacl whole graph (baseline)", "pyshacl", "seconds", "s", True),
    ("named queries, total", "queries", "seconds", "s", True),
    ("named queries in rdflib, total", "queries-rdflib", "seconds", "s", True),
    ("named queries on an Oxigraph server, total", "queries-server", "seconds", "s", True),
    *[(f"export {f}", f"export-{f}", "seconds", "s", True) for f in EXPORT_FORMATS],
    ("publish", "publish", "seconds", "s", True),
    ("publish peak memory", "publish", "peak_mib", "MiB", True),
]


def _fmt(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "tables/s":
        return f"{value:,.0f}"
    if unit == "s":
        return f"{value:.3f}" if value < 10 else f"{value:,.1f}"
    if unit == "MiB":
        return f"{value:,.0f}"
    return f"{value:,.0f}" if isinstance(value, (int, float)) else str(value)


def summarise(sizes: list[int], runs: dict[int, dict], fmt: str) -> dict:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=140)
    table = Table(title=f"perfkg benchmark ({fmt}, {os.cpu_count()} cores)", show_lines=False)
    table.add_column("measure")
    for n in sizes:
        table.add_column(f"{n:,} tables", justify="right")
    table.add_column("unit")
    table.add_column("N^b", justify="right")
    exponents = {}
    for label, stage, key, unit, fitted in MEASURES:
        values = [runs[n].get(stage, {}).get(key) if runs[n].get(stage, {}).get("status") == "ok" else None for n in sizes]
        if all(v is None for v in values):
            continue
        b = fit_exponent([(n, v) for n, v in zip(sizes, values) if v is not None]) if fitted else None
        if b is not None:
            exponents[label] = b
        table.add_row(label, *[_fmt(v, unit) for v in values], unit, f"{b:.2f}" if b is not None else "")
    console.print(table)
    # Ratios to the baselines measured in the same run.
    ratios: dict[str, dict[int, float]] = {}
    for n in sizes:
        r = runs[n]
        pairs = [("rdflib load ÷ perfkg ingest", "rdflib", "ingest"), ("pyshacl ÷ perfkg validate", "pyshacl", "validate"),
                 ("rdflib queries ÷ perfkg queries", "queries-rdflib", "queries"),
                 ("Oxigraph server queries ÷ embedded", "queries-server", "queries")]
        for label, base, ours in pairs:
            if r.get(base, {}).get("status") == "ok" and r.get(ours, {}).get("status") == "ok" and r[ours]["seconds"]:
                ratios.setdefault(label, {})[n] = r[base]["seconds"] / r[ours]["seconds"]
    for label, by_size in ratios.items():
        console.print(f"{label}: " + ", ".join(f"{by_size[n]:.2f}× at {n:,}" for n in sizes if n in by_size))
    for n in sizes:
        for name, res in runs[n].items():
            status = res.get("status") if isinstance(res, dict) else None
            if status and status != "ok":
                console.print(f"[dim]{n:,} tables, {name}: {status}{' — ' + res['why'] if res.get('why') else ''}[/dim]")
        validated = runs[n].get("validate", {})
        if validated.get("status") == "ok" and "defect_tables" in validated:
            console.print(f"{n:,} tables, validate: {validated.get('violations', '?')} violations, "
                          f"{validated.get('warnings', '?')} warnings; planted defects flagged in "
                          f"{validated['defect_tables_flagged']} of {validated['defect_tables']} tables, "
                          f"violations in {validated['other_tables_flagged']} tables without one")
        check = runs[n].get("check", {})
        if check.get("status") == "ok":
            verdict = "[green]every answer matches the manifest[/green]" if check["answers_right"] else (
                "[red]answers differ from the manifest:[/red] " + "; ".join(check["problems"][:3]))
            console.print(f"{n:,} tables: {verdict}")
    # Every named query: embedded, on the Oxigraph server, in rdflib, at every size.
    names = sorted({name for n in sizes for name in runs[n].get("queries", {}).get("queries", {})})
    if names:
        qt = Table(title="named queries, median ms (embedded / Oxigraph server / rdflib)")
        qt.add_column("query")
        for n in sizes:
            qt.add_column(f"{n:,} tables", justify="right")
        for name in names:
            cells = []
            for n in sizes:
                parts = []
                for stage in ("queries", "queries-server", "queries-rdflib"):
                    q = runs[n].get(stage, {}).get("queries", {}).get(name, {})
                    parts.append(f"{q['median_ms']:,.0f}" if "median_ms" in q else ("err" if "error" in q else "–"))
                cells.append(" / ".join(parts))
            qt.add_row(name, *cells)
        console.print(qt)
        for n in sizes:
            for name in names:
                rows = {stage: runs[n].get(stage, {}).get("queries", {}).get(name, {}).get("rows")
                        for stage in ("queries", "queries-server")}
                if None not in rows.values() and len(set(rows.values())) > 1:
                    console.print(f"[red]{n:,} tables, {name}: the server gives {rows['queries-server']} rows, "
                                  f"the embedded store {rows['queries']}[/red]")
    return {"exponents": exponents, "ratios": ratios}


def _git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100,1000,10000", help="numbers of tables, comma-separated")
    ap.add_argument("--format", default="txt", choices=("txt", "docx", "xlsx"), help="file format of the corpus")
    ap.add_argument("--seed", type=int, default=1, help="generator seed")
    ap.add_argument("--stages", default=",".join(STAGES), help="stages to run, comma-separated")
    ap.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "perfkg-bench"),
                    help="where corpora, stores and dumps go (corpora are reused)")
    ap.add_argument("--repeat", type=int, default=5, help="runs per named query (the median is reported)")
    ap.add_argument("--pyshacl-max", type=int, default=100, help="largest size for whole-graph pyshacl (slow)")
    ap.add_argument("--rdflib-max", type=int, default=1000, help="largest size for named queries in rdflib")
    ap.add_argument("--ingest-jobs", type=int, help="worker processes of ingest (default: perfkg's choice)")
    ap.add_argument("--ingest-batch-quads", type=int, help="quads per bulk load of ingest (1: one transaction per document)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds allowed per stage")
    ap.add_argument("--output", help="JSON results file (default benchmarks/results/<time>-<format>.json)")
    # Internal: run one stage in this (child) process.
    ap.add_argument("--stage", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    ap.add_argument("--store", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)

    if args.stage:
        ctx = Context(sizes[0], args.format, Path(args.corpus), Path(args.store), work, args.repeat,
                      args.pyshacl_max, args.rdflib_max, args.ingest_jobs, args.ingest_batch_quads)
        _child(args.stage, ctx)
        return 0

    stages = [s for s in args.stages.split(",") if s]
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        ap.error(f"unknown stage(s) {', '.join(unknown)}; known: {', '.join(STAGES)}")
    runs: dict[int, dict] = {}
    for n in sizes:
        corpus, made = corpus_for(n, args.format, args.seed, work)
        ctx = Context(n, args.format, corpus, work / f"store-{args.format}-{n}", work, args.repeat,
                      args.pyshacl_max, args.rdflib_max, args.ingest_jobs, args.ingest_batch_quads)
        runs[n] = {"generate": {"status": "ok", "seconds": made} if made is not None else {"status": "ok", "cached": True}}
        for stage in stages:
            print(f"{n:>6,} tables · {stage} …", end=" ", flush=True, file=sys.stderr)
            result = run_stage(stage, ctx, args.timeout)
            if stage == "queries":
                result["repeat"] = args.repeat
            runs[n][stage] = result
            note = f"{result.get('seconds', 0):.2f} s" if result.get("status") == "ok" else result.get("status")
            print(note, file=sys.stderr)
        ctx.triples_file.unlink(missing_ok=True)
    summary = summarise(sizes, runs, args.format)
    import pyoxigraph
    import rdflib

    record = {
        "perfkg_benchmark": 1,
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__},
        "format": args.format, "seed": args.seed, "sizes": sizes, "runs": {str(n): runs[n] for n in sizes},
        **summary,
    }
    RESULTS.mkdir(exist_ok=True)
    out = Path(args.output) if args.output else RESULTS / (
        datetime.now().strftime("%Y%m%d-%H%M%S") + f"-{args.format}-{'-'.join(map(str, sizes))}.json")
    out.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"results: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    failed = any(not runs[n].get("check", {}).get("answers_right", True) for n in sizes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
