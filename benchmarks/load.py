"""Load test of `perfkg serve`: C concurrent clients for S seconds, on loopback only.

    .venv/bin/python benchmarks/load.py [--tables 1000] [--clients 50] [--seconds 60]

Generates the tables (benchmarks/generate.py), ingests them, starts the real `perfkg serve`
on 127.0.0.1 and a free port, and lets the clients loop over a mix: named queries through
/api/queries (40 %), ad-hoc SPARQL through /sparql (30 %), and pages — project, population,
dashboard — (30 %). Prints throughput, p50/p99 latency per kind and the errors; then checks
that an expensive cross join is stopped at the time limit while the other clients go on.
Target (issue 8): zero errors, p99 under 1 s for named queries at 1 000 tables.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_serve_support import build_store, running_server  # noqa: E402 - a script

ADHOC = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/perfkg/ontology#Project> }",
    "SELECT ?name WHERE { ?p a <https://w3id.org/perfkg/ontology#Project> ; <http://www.w3.org/2000/01/rdf-schema#label> ?name } LIMIT 50",
    """SELECT ?level (SUM(?y) AS ?total) WHERE { ?p <https://w3id.org/perfkg/ontology#hasFunding> ?f .
       ?f <https://w3id.org/perfkg/ontology#fundingKind> <https://w3id.org/perfkg/code/funding-kind/total> ;
          <https://w3id.org/perfkg/ontology#amountInYuan> ?y .
       OPTIONAL { ?p <https://w3id.org/perfkg/ontology#governmentLevel> ?level } } GROUP BY ?level""",
]
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def fetch(url: str, accept: str) -> tuple[int, float]:
    started = time.perf_counter()
    req = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        e.read()
        status = e.code
    except OSError:
        status = 0
    return status, time.perf_counter() - started


def targets(base: str) -> dict[str, list[str]]:
    """The URLs each kind of request picks from."""
    queries = json.loads(urllib.request.urlopen(base + "/api/queries").read())
    named = [f"{base}/api/queries/{q['name']}" for q in queries]
    sparql = lambda q: f"{base}/sparql?" + urllib.parse.urlencode({"query": q})  # noqa: E731
    rows = json.loads(urllib.request.urlopen(urllib.request.Request(sparql(
        "SELECT ?p ?pop WHERE { ?p <https://w3id.org/perfkg/ontology#servesPopulation> ?pop } LIMIT 200"),
        headers={"Accept": "application/sparql-results+json"})).read())["results"]["bindings"]
    local = lambda iri: base + "/id/" + iri.split("/id/", 1)[1]  # noqa: E731
    pages = [local(r["p"]["value"]) for r in rows] + [local(r["pop"]["value"]) for r in rows] + [base + "/dashboard/"]
    return {"named": named, "adhoc": [sparql(q) for q in ADHOC], "page": pages}


def client(base_targets: dict[str, list[str]], until: float, seed: int, out: dict) -> None:
    rng = random.Random(seed)
    while time.perf_counter() < until:
        kind = rng.choices(["named", "adhoc", "page"], weights=[40, 30, 30])[0]
        url = rng.choice(base_targets[kind])
        accept = "text/html" if kind == "page" else "application/sparql-results+json"
        status, seconds = fetch(url, accept)
        out[kind].append((status, seconds))


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--timeout", type=float, default=5)
    args = ap.parse_args()

    from rich.console import Console
    from rich.table import Table

    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(args.tables), "--seed", "1",
                        "-o", str(corpus)], check=True, capture_output=True)
        files = sorted(corpus.glob("*.txt"))
        started = time.perf_counter()
        store = build_store(Path(tmp) / "store", *files)
        console.print(f"{args.tables} tables in {len(files)} documents ingested in {time.perf_counter() - started:.1f} s")
        with running_server(store, "--timeout", str(args.timeout)) as base:
            urls = targets(base)
            results: dict[str, list] = defaultdict(list)
            until = time.perf_counter() + args.seconds
            threads = [threading.Thread(target=client, args=(urls, until, i, results)) for i in range(args.clients)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - t0

            # An expensive query while the clients run: stopped at the limit, the others served.
            probe: dict[str, list] = defaultdict(list)
            until = time.perf_counter() + args.timeout + 3
            side = [threading.Thread(target=client, args=(urls, until, 1000 + i, probe)) for i in range(10)]
            for t in side:
                t.start()
            status, seconds = fetch(f"{base}/sparql?" + urllib.parse.urlencode({"query": CROSS_JOIN}),
                                    "application/sparql-results+json")
            for t in side:
                t.join()

    table = Table(title=f"perfkg serve under load: {args.clients} clients, {args.seconds:g} s, {args.tables} tables")
    for col in ("kind", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "errors"):
        table.add_column(col, justify="right")
    total = errors = 0
    for kind in ("named", "adhoc", "page"):
        rows = results[kind]
        lat = [s for _, s in rows]
        bad = sum(1 for status, _ in rows if status != 200)
        total += len(rows)
        errors += bad
        table.add_row(kind, str(len(rows)), f"{len(rows) / wall:.1f}", f"{statistics.median(lat) * 1000:.0f}",
                      f"{percentile(lat, 99) * 1000:.0f}", f"{max(lat) * 1000:.0f}", str(bad))
    table.add_row("all", str(total), f"{total / wall:.1f}", "", "", "", str(errors))
    console.print(table)
    statuses = Counter(status for rows in results.values() for status, _ in rows if status != 200)
    if statuses:
        console.print("errors by HTTP status: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    side_lat = [s for rows in probe.values() for _, s in rows]
    side_bad = sum(1 for rows in probe.values() for status, _ in rows if status != 200)
    console.print(
        f"cross join: HTTP {status} after {seconds:.1f} s (limit {args.timeout:g} s); meanwhile 10 clients made "
        f"{len(side_lat)} requests, p99 {percentile(side_lat, 99) * 1000:.0f} ms, {side_bad} errors"
    )
    named_p99 = percentile([s for _, s in results["named"]], 99)
    ok = errors == 0 and named_p99 < 1.0 and status == 503 and side_bad == 0
    console.print("[green]targets met[/]" if ok else "[red]targets missed[/]")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
