"""Ingest: read files, map them to RDF and put each document into the store, whole or not at all.

Reading and mapping (pure Python, ~5 ms a table) run in worker processes, one per core, when
there are enough files to pay for starting them; the store is written in this process, in
batches of documents that Oxigraph bulk-loads (``Store.put_documents``), each document whole or
not at all. Results come back in the order of the files and only a bounded number of files is
in flight, so memory stays flat however many files there are. A failure leaves every document
either wholly stored or not at all: ingest stops at the first unreadable file (every earlier
file stored) unless ``keep_going``, and a re-run skips what is already there unchanged.

Each document is checked before it is stored (``perfkg.duplicates``): the same tables in another
format are skipped, other tables stating the same projects are refused.

Measured on 10 000 generated tables (``benchmarks/run.py``): see the figures in ``benchmarks/``.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from perfkg.duplicates import Guard, content_digest
from perfkg.errors import PerfkgError
from perfkg.frames import EOF, read_frame, write_frame
from perfkg.mapping import DEFAULT_BASE, MAPPING_VERSION, Iris, to_nquads
from perfkg.model import Note
from perfkg.namespaces import PKG
from perfkg.store import META_GRAPH, PendingDocument, Store

__all__ = ["IngestResult", "IngestReport", "ingest", "info", "remove", "INFO_KEYS"]

# A batch is written once it holds this many quads (≈ 400 tables): Oxigraph's bulk loader costs
# ~6 µs a quad at this size, 20 % more at 50 000 and twice that one document at a time; memory
# stays flat (≈ 40 MB of N-Quads).
BATCH_QUADS = 200_000
# ... or once its first document has waited this long, so that slow files (Word, PDF) or a small
# run still show up in the store, and a crash loses little: at text speed the quads come first.
BATCH_SECONDS = 1.0
# Files read ahead by the workers: enough to keep them busy while a batch loads (the loader
# releases the GIL, so their answers are collected meanwhile).
READ_AHEAD = 64
# After bulk-loading this many quads, ingest compacts the store (Store.optimize): each bulk load
# leaves its own index files, and look-ups across a hundred of them made the named queries up to
# 3.8x slower at 10 000 tables; compacting took 6.7 s there (benchmarks/run.py).
OPTIMIZE_AFTER_QUADS = BATCH_QUADS
# Below this many files, starting worker processes costs more than it saves.
MIN_FILES_FOR_WORKERS = 24


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What happened to one file."""

    path: str
    status: str  # added | replaced | unchanged | duplicate | failed
    graph: str | None = None
    projects: int = 0  # the projects of a target table (绩效目标表)
    evaluations: int = 0  # the projects a self-evaluation (绩效自评表) evaluates
    indicators: int = 0
    quads: int = 0
    error: PerfkgError | None = None
    same_as: str | None = None  # duplicate: the stored file whose tables these are

    @property
    def message(self) -> str | None:
        """One line on a file that was not stored: skipped as a duplicate, or why it failed."""
        if self.status == "duplicate":
            return f"{self.path}: the same tables as {self.same_as or 'a stored file'}, already stored; skipped"
        if self.status == "failed":
            return str(self.error)
        return None


@dataclass(slots=True)
class IngestReport:
    results: list[IngestResult] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def failed(self) -> list[IngestResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def duplicates(self) -> list[IngestResult]:
        return [r for r in self.results if r.status == "duplicate"]


@dataclass(slots=True)
class _Prepared:
    """One file read and mapped: its graph's quads as N-Quads."""

    path: str
    graph: str
    sha256: str
    data: bytes
    quads: int
    projects: list[tuple[str, str]]  # (project IRI, name)
    indicators: int
    notes: list[Note]
    kind: str  # Document.kind
    digest: str  # perfkg.duplicates.content_digest: what it says, whatever its format

    def result(self, status: str, same_as: str | None = None) -> IngestResult:
        """What became of this file: a self-evaluation's projects are counted apart, as evaluations."""
        n = len(self.projects)
        evaluation = self.kind == "self-evaluation"
        return IngestResult(self.path, status, self.graph, 0 if evaluation else n, n if evaluation else 0,
                            self.indicators, self.quads, same_as=same_as)


@dataclass(slots=True)
class _Failed:
    path: str
    error: PerfkgError


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    *,
    base: str = DEFAULT_BASE,
    encoding: str | None = None,
    keep_going: bool = False,
    progress: Callable[[IngestResult], None] | None = None,
    jobs: int | None = None,
    on_optimize: Callable[[], None] | None = None,
) -> IngestReport:
    """Read each file and put its graph in ``store``, replacing what the same path held.

    A file whose projects another document of its kind already states (stored from another
    path, or an earlier file of ``paths``) is not stored: skipped as ``"duplicate"`` (``same_as``
    that file) when it holds the same tables, in whatever format; failed when its tables differ
    (``perfkg.duplicates.ConflictingDocument``). So of the same tables in several formats, the
    first of ``paths`` is stored — for a directory, the first in name order.

    Stops at the first file that cannot be read or is refused (each earlier file is stored
    whole), unless ``keep_going``; failures are in the report, never half-written in the store.
    ``jobs`` worker processes read and map the files (default: one per core for 24 files or
    more; 0 or 1: all in this process). After a bulk load of ``OPTIMIZE_AFTER_QUADS`` or more,
    the store is compacted (``on_optimize`` is called first, to say so).
    """
    names = [str(p) for p in paths]
    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(names) >= MIN_FILES_FOR_WORKERS else 0
    report = IngestReport()
    writer = _Writer(store, report, progress)
    items = _prepared(names, base, encoding, jobs)
    while True:
        try:
            item = next(items)
        except StopIteration:
            break
        except BaseException:
            writer.flush()  # a bug or an interrupt: what was read before is stored, then it goes on
            raise
        if isinstance(item, _Prepared):
            refused = writer.add(item)
            if refused is None:
                continue
            item = _Failed(item.path, refused)
        if isinstance(item, _Failed):
            writer.flush()  # every earlier file is stored before the failure is reported
            result = IngestResult(item.path, "failed", error=item.error)
            report.results.append(result)
            if progress:
                progress(result)
            if not keep_going:
                items.close()
                break
    writer.flush()
    store.flush()
    # Readers that come while the store stays open (a caller holding it, the compaction below)
    # see every document ingested, not the view of up to a second before.
    store.refresh_view()
    if writer.bulk_quads >= OPTIMIZE_AFTER_QUADS:
        if on_optimize:
            on_optimize()
        store.optimize()
    return report


# --- reading and mapping -----------------------------------------------------------------------


def _prepare(name: str, base: str, encoding: str | None, portable: bool) -> _Prepared | _Failed:
    """Read and map one file (in a worker process, or in this one)."""
    from perfkg.readers import read

    try:
        doc = read(name, encoding=encoding)
        data, count = to_nquads(doc, base=base)
    except PerfkgError as e:
        return _Failed(name, _Portable.wrap(e) if portable else e)
    iris = Iris(base)
    projects = [(iris.described(doc, p), p.name) for p in doc.projects]
    graph = iris.graph(doc)
    return _Prepared(name, graph, doc.source.sha256, data, count, projects, doc.indicator_count, doc.notes,
                     doc.kind, content_digest(data, graph))


class _Portable:
    """A PerfkgError as it crosses a process boundary: pickling an exception keeps only its
    message, so its class and attributes (the location) travel separately."""

    @staticmethod
    def wrap(e: PerfkgError):
        return (_Portable, type(e), e.args, dict(e.__dict__))

    @staticmethod
    def unwrap(t) -> PerfkgError:
        _, cls, args, state = t
        e = cls.__new__(cls)
        Exception.__init__(e, *args)
        e.__dict__.update(state)
        return e


def _prepared(names: list[str], base: str, encoding: str | None, jobs: int) -> Iterator[_Prepared | _Failed]:
    """Each file read and mapped, in order: here, or by ``jobs`` worker processes."""
    if jobs <= 1 or len(names) < 2:
        for name in names:
            yield _prepare(name, base, encoding, False)
        return
    workers = _Workers(min(jobs, len(names)), base, encoding)
    try:
        yield from workers.map(names)
    finally:
        workers.close()




@dataclass(slots=True)
class _Crash:
    """An unexpected exception in a worker (a bug, not a bad file): raised again here."""

    error: BaseException | None
    text: str


def _serve() -> None:
    """A worker: read (index, file) frames from stdin, answer (index, result) on stdout."""
    import traceback

    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print must not corrupt the answers
    inp = sys.stdin.buffer
    base, encoding = read_frame(inp)
    while (task := read_frame(inp)) is not EOF:
        index, name = task
        try:
            result: object = _prepare(name, base, encoding, True)
        except Exception as e:  # noqa: BLE001 — handed to the parent, which raises it
            try:
                pickle.dumps(e)
                error: BaseException | None = e
            except Exception:  # noqa: BLE001
                error = None
            result = _Crash(error, traceback.format_exc())
        write_frame(out, (index, result))


class _Workers:
    """Worker processes that read and map files: fresh interpreters running ``_serve`` fed over
    pipes — never a fork of this process (which may hold a store's threads) and never a
    re-import of the caller's script, so ``ingest`` works the same from a script, a notebook or
    stdin. Each file goes to the least busy worker; results come back in the order of the files,
    with a bounded number in flight."""

    def __init__(self, jobs: int, base: str, encoding: str | None) -> None:
        import subprocess
        import threading

        here = str(Path(__file__).resolve().parent.parent)  # the perfkg this process runs
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (here, os.environ.get("PYTHONPATH"))))}
        self.procs = [
            subprocess.Popen([sys.executable, "-c", "from perfkg.ingest import _serve; _serve()"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
            for _ in range(jobs)
        ]
        self.results: dict[int, object] = {}
        self.busy = [0] * jobs
        self.dead: list[int] = []
        self.cond = threading.Condition()
        self.threads = [threading.Thread(target=self._collect, args=(i,), daemon=True) for i in range(jobs)]
        for proc in self.procs:
            write_frame(proc.stdin, (base, encoding))
        for t in self.threads:
            t.start()

    def _collect(self, i: int) -> None:
        while (answer := read_frame(self.procs[i].stdout)) is not EOF:
            index, result = answer
            with self.cond:
                self.results[index] = result
                self.busy[i] -= 1
                self.cond.notify_all()
        with self.cond:
            self.dead.append(i)
            self.cond.notify_all()

    def map(self, names: list[str]) -> Iterator[_Prepared | _Failed]:
        window = READ_AHEAD * len(self.procs)
        sent = 0
        for index in range(len(names)):
            with self.cond:
                while sent < len(names) and sent - index < window:
                    i = min(range(len(self.procs)), key=self.busy.__getitem__)
                    write_frame(self.procs[i].stdin, (sent, names[sent]))
                    self.busy[i] += 1
                    sent += 1
                while index not in self.results:
                    if self.dead:
                        raise RuntimeError(f"an ingest worker process died while reading {names[index]}")
                    self.cond.wait()
                item = self.results.pop(index)
            if isinstance(item, _Crash):
                if item.error is not None:
                    raise item.error
                raise RuntimeError(f"reading {names[index]} failed in a worker process:\n{item.text}")
            if isinstance(item, _Failed) and isinstance(item.error, tuple):
                item = _Failed(item.path, _Portable.unwrap(item.error))
            yield item  # type: ignore[misc]

    def close(self) -> None:
        for proc in self.procs:
            try:
                proc.stdin.close()
            except OSError:
                pass
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except Exception:  # noqa: BLE001
                proc.kill()
                proc.wait()
        for t in self.threads:
            t.join(timeout=1)


# --- writing -------------------------------------------------------------------------------


class _Writer:
    """Checks each prepared document (``perfkg.duplicates.Guard``), collects those to store and
    writes them in batches; reports each file, in order, once it is stored or skipped."""

    def __init__(self, store: Store, report: IngestReport, progress: Callable[[IngestResult], None] | None) -> None:
        self.store = store
        self.report = report
        self.progress = progress
        self.guard = Guard(store)
        self.batch: list[_Prepared | IngestResult] = []  # to store, or skipped (reported in turn)
        self.quads = 0
        self.since = 0.0
        self.bulk_quads = 0  # written by bulk loads (not transactions), for OPTIMIZE_AFTER_QUADS

    def add(self, item: _Prepared) -> PerfkgError | None:
        """Take ``item`` into the batch, or as a duplicate to skip; or return why it is refused."""
        verdict = self.guard.check(item)
        if isinstance(verdict, PerfkgError):
            return verdict
        if not self.batch:
            self.since = time.monotonic()
        if verdict is not None:
            self.batch.append(item.result("duplicate", same_as=verdict))
        else:
            self.guard.admit(item)
            self.batch.append(item)
            self.quads += item.quads
        if self.quads >= BATCH_QUADS or time.monotonic() - self.since >= BATCH_SECONDS:
            self.flush()
        return None

    def flush(self) -> None:
        batch, self.batch, self.quads = self.batch, [], 0
        documents = [p for p in batch if isinstance(p, _Prepared)]
        if len(documents) == 1:
            (one,) = documents
            # One document: one transaction, as put_document writes it.
            statuses = [self.store.put_document(one.graph, _parse_nquads(one.data), path=one.path, sha256=one.sha256,
                                                mapping=MAPPING_VERSION)]
        elif documents:
            self.bulk_quads += sum(p.quads for p in documents)
            statuses = self.store.put_documents(
                [PendingDocument(p.graph, p.data, p.path, p.sha256, MAPPING_VERSION) for p in documents])
        else:
            statuses = []
        self.guard.written()
        status_of = dict(zip(map(id, documents), statuses))
        for item in batch:
            if isinstance(item, IngestResult):
                result = item
            else:
                status = status_of[id(item)]
                # the same bytes as a file stored from another path: the store did not write it
                same_as = self._stored_as(item) if status == "duplicate" else None
                if status != "duplicate":
                    self.report.notes.extend(item.notes)
                result = item.result(status, same_as=same_as)
            self.report.results.append(result)
            if self.progress:
                self.progress(result)

    def _stored_as(self, item: _Prepared) -> str | None:
        return next((r.path for r in self.store.records_for(item.path, item.sha256)
                     if r.graph == item.graph and r.path != item.path), None)


def _parse_nquads(data: bytes) -> list:
    import pyoxigraph as ox

    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS))


INFO_KEYS = ("documents", "budget_units", "projects", "self_evaluations", "indicators", "targets", "populations",
             "triples")


def info(store: Store) -> dict[str, int]:
    """Counts of what the store holds (JSON keys of ``perfkg info --json``)."""
    counts = {}
    for key, cls in (
        ("documents", "SourceDocument"), ("budget_units", "BudgetUnit"), ("projects", "Project"),
        ("self_evaluations", "SelfEvaluation"), ("indicators", "Indicator"), ("targets", "Target"),
        ("populations", "BeneficiaryPopulation"),
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
