"""Ingest: read files, map them to RDF and put each document into the store as one transaction.

Files are handled one at a time (read → map → write), so memory stays flat however many files
there are, and a failure leaves every document either wholly stored or not at all: a re-run
skips what is already there unchanged and completes the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from perfkg.errors import PerfkgError
from perfkg.mapping import DEFAULT_BASE, Iris, to_quads
from perfkg.model import Document, Note
from perfkg.namespaces import PKG
from perfkg.store import META_GRAPH, Store

__all__ = ["IngestResult", "IngestReport", "ingest", "info", "remove", "INFO_KEYS"]


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What happened to one file."""

    path: str
    status: str  # added | replaced | unchanged | duplicate | failed
    graph: str | None = None
    projects: int = 0
    indicators: int = 0
    quads: int = 0
    error: PerfkgError | None = None


@dataclass(slots=True)
class IngestReport:
    results: list[IngestResult] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def failed(self) -> list[IngestResult]:
        return [r for r in self.results if r.status == "failed"]


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    *,
    base: str = DEFAULT_BASE,
    encoding: str | None = None,
    keep_going: bool = False,
    progress: Callable[[IngestResult], None] | None = None,
) -> IngestReport:
    """Read each file and put its graph in ``store``, replacing what the same path held.

    Stops at the first file that cannot be read (each earlier file is stored whole), unless
    ``keep_going``; failures are in the report, never half-written in the store.
    """
    from perfkg.readers import read

    report = IngestReport()
    iris = Iris(base)
    for path in paths:
        name = str(path)
        try:
            doc = read(path, encoding=encoding)
            quads = to_quads(doc, base=base)
            graph = iris.graph(doc)
            status = store.put_document(graph, quads, path=name, sha256=doc.source.sha256)
        except PerfkgError as e:
            result = IngestResult(name, "failed", error=e)
            report.results.append(result)
            if progress:
                progress(result)
            if not keep_going:
                break
            continue
        report.notes.extend(doc.notes)
        report.notes.extend(_elsewhere(store, doc, graph, iris))
        result = IngestResult(name, status, graph, len(doc.projects), doc.indicator_count, len(quads))
        report.results.append(result)
        if progress:
            progress(result)
    store.flush()
    return report


def _elsewhere(store: Store, doc: Document, graph: str, iris: Iris) -> list[Note]:
    """Warn when projects of this document are already stored from another document."""
    from perfkg.model import Location

    shared: dict[str, list[str]] = {}
    for p in doc.projects:
        unit = p.budget_unit or doc.budget_unit
        project = iris.project(unit.code if unit else None, unit.name if unit else "", doc.year, p.name)
        rows = store.query(
            f"SELECT ?path WHERE {{ GRAPH ?g {{ <{project}> a <{PKG}Project> }} "
            f"GRAPH <{META_GRAPH}> {{ ?g <{PKG}sourcePath> ?path }} FILTER(?g != <{graph}>) }}"
        )
        for r in rows:
            shared.setdefault(r["path"].value, []).append(p.name)
    return [
        Note(
            f"{len(names)} of its projects ({names[0]}…) are also stored from {path}; both are kept "
            f"(`perfkg remove {path}` if that one is outdated)",
            Location(doc.source.path),
        )
        for path, names in shared.items()
    ]


INFO_KEYS = ("documents", "budget_units", "projects", "indicators", "targets", "populations", "triples")


def info(store: Store) -> dict[str, int]:
    """Counts of what the store holds (JSON keys of ``perfkg info --json``)."""
    counts = {}
    for key, cls in (
        ("documents", "SourceDocument"), ("budget_units", "BudgetUnit"), ("projects", "Project"),
        ("indicators", "Indicator"), ("targets", "Target"), ("populations", "BeneficiaryPopulation"),
    ):
        (row,) = store.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{PKG}{cls}> }}")
        counts[key] = int(row["n"].value)
    meta = sum(1 for _ in store.db.quads_for_pattern(None, None, None, _meta_graph()))
    counts["triples"] = len(store) - meta
    return counts


def _meta_graph():
    import pyoxigraph as ox

    return ox.NamedNode(META_GRAPH)


def remove(store: Store, ref: str) -> list[str]:
    """Drop the documents ``ref`` names (path, graph IRI or sha256 prefix); returns their paths."""
    from perfkg.store import StoreError

    found = store.find(ref)
    if not found:
        raise StoreError(f"no document {ref!r} in the store; `perfkg info --documents` lists them")
    for d in found:
        store.remove(d.graph)
    store.flush()
    return [d.path for d in found]
