"""The embedded store: a directory holding an Oxigraph database, one named graph per document.

Chosen by measurement (issue 3): pyoxigraph's on-disk store loads and queries 10⁵–10⁶ triples
10–30× faster than rdflib's memory store here, and it is transactional. Writes follow one rule
so the store is never half-written: a document exists when its record (path, sha256, time, in
the ``urn:perfkg:meta`` graph) does, and a record is only written once its whole graph is in.
``put_document`` adds a graph and its record in one transaction (``Store.extend``);
``put_documents``, for many documents at once, bulk-loads their graphs (Oxigraph's bulk loader
writes index files directly, ~5× faster than transactional inserts, but promises no atomicity),
marking each graph "loading" beforehand and writing the records, in one transaction, after. A
changed file's new graph is added first and its old graph dropped after. Should a crash fall
between any two steps, the next writable open drops the graphs still marked "loading" and keeps
the newest graph of each source (``_recover``).

Readers and a writer share the directory through ``perfkg.views``: a reader never reads files a
writer may be deleting. This is the only module that knows where data lives (with
``perfkg.views``, its locks and read views); ``perfkg.remote`` speaks to SPARQL servers.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from perfkg import views
from perfkg.errors import PerfkgError
from perfkg.namespaces import PKG, PROV, RDF, XSD

__all__ = ["Store", "StoreError", "StoreLocked", "DocumentRecord", "PendingDocument", "default_store_path", "META_GRAPH"]

META_GRAPH = "urn:perfkg:meta"
ENV_STORE = "PERFKG_STORE"
# Marks, in the meta graph, a graph whose bulk load has begun and whose record is not yet written.
LOADING = "urn:perfkg:meta:loading"


class StoreError(PerfkgError):
    """The store cannot be opened or written."""


class StoreLocked(StoreError):
    """Another perfkg process holds the store."""


def default_store_path() -> Path:
    """``$PERFKG_STORE`` if set, else ``.perfkg/`` in the current directory (like ``.git``)."""
    return Path(os.environ.get(ENV_STORE) or ".perfkg")


@dataclass(frozen=True, slots=True)
class PendingDocument:
    """One document for ``Store.put_documents``: its graph's quads as pyoxigraph quads or as
    N-Quads bytes (what a worker process sends back), and the record to keep of it."""

    graph: str
    data: list | bytes
    path: str
    sha256: str
    mapping: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """What the store knows of one ingested document."""

    graph: str
    path: str
    sha256: str
    ingested: str
    triples: int
    mapping: str | None = None  # perfkg.mapping.MAPPING_VERSION of its triples (None: before 2)


def _writes(method):
    """A Store method that writes: one at a time with the making of views, and followed by one
    (``Store._wrote``)."""
    @functools.wraps(method)
    def write(self, *args, **kwargs):
        with self._writing:
            result = method(self, *args, **kwargs)
            self._wrote()
            return result

    return write


class Store:
    """An embedded, persistent store (``path``) or an in-memory one (``path=None``)."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        import pyoxigraph as ox

        self._ox = ox
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self._held = views.Held()
        self._last_view = 0.0
        self._writing = threading.Lock()  # a write and the making of a view, one at a time
        self._timer: threading.Timer | None = None
        try:
            if self.path is None:
                self._db = ox.Store()
            elif read_only:
                if not self.path.exists():
                    raise StoreError(f"no store at {self.path}; run `perfkg ingest` first")
                # the store itself, or while a writer holds it, the newest view it made
                self._db, self._held = views.open_for_reading(self.path, lambda d: _open_read_only(ox, d))
            else:
                self._held = views.hold_for_writing(self.path)
                self._db = ox.Store(str(self.path))
        except views.Busy as e:
            raise StoreLocked(str(e)) from None
        except OSError as e:
            self._held.release()
            if "lock" in str(e).lower():
                raise StoreLocked(
                    f"the store {self.path} is in use by another perfkg process; wait for it to finish"
                ) from None
            raise StoreError(f"cannot open the store {self.path}: {e}") from None
        self._meta = ox.NamedNode(META_GRAPH)
        self._p_path, self._p_sha, self._p_when = str(PKG.sourcePath), str(PKG.sha256), str(PROV.generatedAtTime)
        self._n_path, self._n_sha = ox.NamedNode(self._p_path), ox.NamedNode(self._p_sha)
        self._p_mapping = str(PKG.mappingVersion)
        self._n_loading = ox.NamedNode(LOADING)
        if not read_only:
            self._recover()
            if self.path is not None:
                views.sweep_views(self.path)
                self._view()

    def refresh_view(self) -> None:
        """Make a view of the store as it is now, for the readers that come while this writer
        still holds it (writes make one at most every VIEW_INTERVAL seconds)."""
        with self._writing:
            self._view()

    def _view(self) -> None:
        """Make a view for readers that come while this writer holds the store (perfkg.views).
        Called with ``_writing`` held: a view never falls inside a write."""
        if self.path is None or self.read_only or not hasattr(self, "_db"):
            return
        made = views.publish_view(self.path, self._db)
        self._last_view = time.monotonic()
        if made is not None:
            views.sweep_views(self.path, keep=made)

    def _wrote(self) -> None:
        """After a write: a view now, if the last is VIEW_INTERVAL old; else one when it will be
        (a timer), so that readers see every write within that time even if no other follows.
        A view flushes the write buffer and costs ~15 ms: not one per document."""
        wait = views.VIEW_INTERVAL - (time.monotonic() - self._last_view)
        if wait <= 0:
            self._view()
        elif self._timer is None:
            self._timer = threading.Timer(wait, self._timed_view)
            self._timer.daemon = True
            self._timer.start()

    def _timed_view(self) -> None:
        with self._writing:
            self._timer = None
            self._view()

    # --- reading ---------------------------------------------------------------------------

    @property
    def view_time(self) -> datetime | None:
        """When the view this reader reads was made, while a writer holds the store; else None."""
        view = self._held.view
        return datetime.fromtimestamp(int(view.name) / 1e9, timezone.utc) if view is not None else None

    @property
    def db(self):
        """The pyoxigraph Store, for queries and exports."""
        return self._db

    def __len__(self) -> int:
        return len(self._db)

    def query(self, sparql: str, **kwargs):
        return self._db.query(sparql, use_default_graph_as_union=True, **kwargs)

    def documents(self, *, counts: bool = True) -> list[DocumentRecord]:
        """Every stored document, with its triple count when ``counts`` (a scan: for listings)."""
        records = self._records()
        if counts:
            g_counts = {}
            for r in records:
                (row,) = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{r.graph}> {{ ?s ?p ?o }} }}")
                g_counts[r.graph] = int(row["n"].value)
            records = [DocumentRecord(r.graph, r.path, r.sha256, r.ingested, g_counts[r.graph], r.mapping) for r in records]
        return records

    def _record(self, graph) -> DocumentRecord | None:
        """The record of ``graph`` (a NamedNode), read from its own quads in the meta graph."""
        values = {}
        for q in self._db.quads_for_pattern(graph, None, None, self._meta):
            values.setdefault(q.predicate.value, q.object.value)
        try:
            return DocumentRecord(graph.value, values[self._p_path], values[self._p_sha], values[self._p_when], -1,
                                  values.get(self._p_mapping))
        except KeyError:
            return None

    def record(self, graph: str) -> DocumentRecord | None:
        """The record of the document stored as ``graph`` (None: no such document): a look-up."""
        return self._record(self._ox.NamedNode(graph))

    def records_for(self, path: str, sha256: str) -> list[DocumentRecord]:
        """Records of the documents stored from ``path`` or with content ``sha256``: a look-up in
        the indexes, as fast with 10⁵ documents stored as with one."""
        ox = self._ox
        graphs: dict[str, object] = {}
        for predicate, value in ((self._n_path, path), (self._n_sha, sha256)):
            for q in self._db.quads_for_pattern(None, predicate, ox.Literal(value), self._meta):
                graphs.setdefault(q.subject.value, q.subject)
        found = [self._record(g) for g in graphs.values()]
        return sorted((r for r in found if r is not None), key=lambda r: (r.path, r.graph))

    def _records(self) -> list[DocumentRecord]:
        rows = self.query(
            f"""SELECT ?g ?path ?sha ?when ?mapping WHERE {{ GRAPH <{META_GRAPH}> {{
                ?g <{PKG}sourcePath> ?path ; <{PKG}sha256> ?sha ; <{PROV}generatedAtTime> ?when
                OPTIONAL {{ ?g <{PKG}mappingVersion> ?mapping }} }} }}
                ORDER BY ?path"""
        )
        return [DocumentRecord(r["g"].value, r["path"].value, r["sha"].value, r["when"].value, -1,
                               r["mapping"].value if r["mapping"] is not None else None) for r in rows]

    def find(self, ref: str) -> list[DocumentRecord]:
        """Documents matching ``ref``: a graph IRI, a sha256 (or its first 8+ hex digits), or a path."""
        docs = self.documents(counts=False)
        exact = [d for d in docs if ref in (d.graph, d.path, d.sha256)]
        if exact:
            return exact
        if len(ref) >= 8:
            by_sha = [d for d in docs if d.sha256.startswith(ref.lower())]
            if by_sha:
                return by_sha
        name = Path(ref).name
        return [d for d in docs if Path(d.path).name == name]

    # --- writing ---------------------------------------------------------------------------

    @_writes
    def put_document(self, graph: str, quads: list, *, path: str, sha256: str, mapping: str | None = None) -> str:
        """Store one document's quads as graph ``graph``; replace what ``path`` held before.

        Returns ``"added"``, ``"replaced"``, ``"unchanged"`` (this path, same content) or
        ``"duplicate"`` (the same content is stored from another path; nothing is written).
        ``mapping`` names the version of the mapping that made ``quads``: the same content
        stored by another version is mapped anew ("replaced").
        """
        before, outdated = self._current(self.records_for(path, sha256), graph, mapping)
        status = _status(before, graph, path, sha256, outdated)
        if status in ("unchanged", "duplicate"):
            return status
        try:
            # One transaction: the document's graph and its record, or nothing.
            self._db.extend([*quads, *self._record_quads(graph, path, sha256, mapping)])
            for old in before:
                if old.graph != graph:
                    self._drop(old.graph)
        except OSError as e:
            raise StoreError(f"writing to the store failed: {e}") from None
        return status

    @_writes
    def put_documents(self, documents: list[PendingDocument]) -> list[str]:
        """Store many documents, each whole or not at all (see the module's docstring); returns
        each one's status as ``put_document`` would, in order. Much faster than one
        ``put_document`` per document for batches of 10⁴–10⁵ quads."""
        ox = self._ox
        statuses: list[str] = []
        loading: dict[str, PendingDocument] = {}  # graph → document, in order
        drops: list[str] = []
        for d in documents:
            stored, outdated = self._current(self.records_for(d.path, d.sha256), d.graph, d.mapping)
            before = stored + [
                DocumentRecord(p.graph, p.path, p.sha256, "", -1, p.mapping) for p in loading.values()
                if p.path == d.path or p.sha256 == d.sha256
            ]
            status = _status(before, d.graph, d.path, d.sha256, outdated)
            statuses.append(status)
            if status in ("unchanged", "duplicate"):
                continue
            for old in before:
                if old.graph != d.graph:
                    # Replaced: a stored graph is dropped after the load; one of this batch is
                    # never loaded at all (sequential puts would add it, then drop it).
                    if loading.pop(old.graph, None) is None:
                        drops.append(old.graph)
            loading[d.graph] = d
        if not loading:
            return statuses
        pending = list(loading.values())
        marks = [ox.Quad(ox.NamedNode(d.graph), self._n_loading, ox.Literal(d.path), self._meta) for d in pending]
        try:
            self._db.extend(marks)
            quads = [d.data for d in pending if not isinstance(d.data, bytes)]
            nquads = [d.data for d in pending if isinstance(d.data, bytes)]
            if quads:
                self._db.bulk_extend(q for qs in quads for q in qs)
            if nquads:
                self._db.bulk_load(b"".join(nquads), format=ox.RdfFormat.N_QUADS)
            # The records, in one transaction: from here on the documents exist.
            self._db.extend([q for d in pending for q in self._record_quads(d.graph, d.path, d.sha256, d.mapping)])
            for mark in marks:
                self._db.remove(mark)
            for graph in dict.fromkeys(drops):
                self._drop(graph)
        except OSError as e:
            raise StoreError(f"writing to the store failed: {e}") from None
        return statuses

    def _current(self, records: list[DocumentRecord], graph: str, mapping: str | None) -> tuple[list[DocumentRecord], bool]:
        """``records`` without those of ``graph`` made by another version of the mapping, which
        are dropped here and now (each in one transaction, graph and record: the document is
        then absent until stored anew, never half there); and whether there were any."""
        if mapping is None:
            return records, False
        outdated = [r for r in records if r.graph == graph and r.mapping != mapping]
        for r in outdated:
            self._drop(r.graph)
        return [r for r in records if r not in outdated], bool(outdated)

    def _record_quads(self, graph: str, path: str, sha256: str, mapping: str | None = None) -> list:
        ox = self._ox
        g = ox.NamedNode(graph)
        now = datetime.now(timezone.utc).isoformat(timespec="microseconds")
        record = [
            ox.Quad(g, self._n_path, ox.Literal(path), self._meta),
            ox.Quad(g, self._n_sha, ox.Literal(sha256), self._meta),
            ox.Quad(g, ox.NamedNode(self._p_when), ox.Literal(now, datatype=ox.NamedNode(str(XSD.dateTime))), self._meta),
            ox.Quad(g, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PKG.IngestedGraph)), self._meta),
        ]
        if mapping is not None:
            record.append(ox.Quad(g, ox.NamedNode(self._p_mapping), ox.Literal(mapping), self._meta))
        return record

    @_writes
    def remove(self, graph: str) -> None:
        self._drop(graph)

    def _drop(self, graph: str) -> None:
        # One update, one transaction: the graph and its record go together.
        self._db.update(f"DROP SILENT GRAPH <{graph}> ; DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }}")

    def _recover(self) -> None:
        """After a crash: drop the graphs whose bulk load began but whose record was never
        written (a graph and its record are otherwise written in one transaction, so no other
        graph lacks a record); and, after a crash between adding a changed file's graph and
        dropping its old one, keep the newest graph of each source."""
        for mark in list(self._db.quads_for_pattern(None, self._n_loading, None, self._meta)):
            if self._record(mark.subject) is None:
                self._drop(mark.subject.value)
            self._db.remove(mark)
        records = self.query(
            f"""SELECT ?g ?path ?when WHERE {{ GRAPH <{META_GRAPH}> {{
                ?g <{PKG}sourcePath> ?path ; <{PROV}generatedAtTime> ?when }} }} ORDER BY ?path DESC(?when)"""
        )
        seen: set[str] = set()
        for r in list(records):
            path = r["path"].value
            if path in seen:
                self._drop(r["g"].value)
            seen.add(path)

    def flush(self) -> None:
        if self.path is not None and not self.read_only:
            self._db.flush()

    def optimize(self) -> None:
        """Compact the indexes: after bulk loads, look-ups otherwise search every file each load
        left behind (ingest calls it after loading in bulk)."""
        if self.path is None or self.read_only:
            return
        try:
            self._db.optimize()
        except OSError as e:
            raise StoreError(f"compacting the store {self.path} failed: {e}") from None

    def snapshot(self, target: str | Path) -> Path:
        """A copy of the store as it is now at ``target`` (which must not exist): a RocksDB
        checkpoint, hard links on the store's own file system, made in milliseconds."""
        if self.path is None:
            raise StoreError("an in-memory store has no snapshot; give the store a directory")
        try:
            self._db.backup(str(target))
        except (OSError, RuntimeError, ValueError) as e:
            raise StoreError(f"cannot copy the store {self.path} to {target}: {e}") from None
        return Path(target)

    def public_snapshot(self, target: str | Path) -> Path:
        """A copy of the store as it is now, without its bookkeeping (the ``urn:perfkg:meta``
        graph: where files lay and when they were read), at ``target`` (which must not exist).

        What ``perfkg serve`` answers public SPARQL queries from. On the store's own file
        system the copy is a RocksDB checkpoint of hard links, made in milliseconds whatever the
        store's size; only the dropped bookkeeping is written anew.
        """
        target = self.snapshot(target)
        try:
            copy = self._ox.Store(str(target))
            copy.update(f"DROP SILENT GRAPH <{META_GRAPH}>")
            copy.flush()
            del copy
        except (OSError, RuntimeError, ValueError) as e:
            raise StoreError(f"cannot copy the store {self.path} to {target}: {e}") from None
        return target

    def close(self) -> None:
        with self._writing:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if not hasattr(self, "_db"):
                return
            self.flush()
            del self._db
        self._held.release()
        if self.path is None:
            return
        # Views serve readers while a writer works: once it has gone, none is needed; while it
        # works, only its newest. Whoever leaves removes the others that no one reads.
        if views.writer_alive(self.path):
            views.sweep_views(self.path, keep=views.newest_view(self.path))
        else:
            views.sweep_views(self.path)


def _open_read_only(ox, path: Path):
    """Oxigraph's read-only open; safe only where no process writes ``path`` (perfkg.views
    sees to that)."""
    try:
        return ox.Store.read_only(str(path))
    except RuntimeError as e:
        raise OSError(str(e)) from None


def _status(before: list[DocumentRecord], graph: str, path: str, sha256: str, outdated: bool = False) -> str:
    """What storing ``graph`` (``path``, ``sha256``) does, given the records of that path or
    content: added, replaced, unchanged (this path, same content) or duplicate (same content
    from another path). ``outdated``: a record of it made by another mapping was just dropped."""
    if any(d.graph == graph and d.sha256 == sha256 and d.path == path for d in before):
        return "unchanged"
    if any(d.graph == graph and d.sha256 == sha256 for d in before):
        return "duplicate"
    return "replaced" if before or outdated else "added"



@contextmanager
def open_store(path: str | Path | None = None, *, read_only: bool = False) -> Iterator[Store]:
    store = Store(path if path is not None else default_store_path(), read_only=read_only)
    try:
        yield store
    finally:
        store.close()
