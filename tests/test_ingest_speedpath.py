"""The fast ingest path (worker processes, batched bulk loads, index look-ups) stores exactly what
the straightforward one does — read, map, one transaction per document — quad for quad, and
keeps the store's guarantees: each document whole or not at all, replace semantics, recovery."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

import perfkg
from perfkg.ingest import info, ingest
from perfkg.mapping import graph_iri, to_nquads, to_quads
from perfkg.store import LOADING, META_GRAPH, PendingDocument, Store

from .conftest import DATA, ROOT, SAMPLE

PKG = "https://w3id.org/perfkg/ontology#"


def _generator():
    spec = importlib.util.spec_from_file_location("perfkg_benchmarks_generate", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> list[Path]:
    """The sample, a copy of it under another name (a duplicate), a variant, and 200 generated tables."""
    root = tmp_path_factory.mktemp("files")
    corpus = _generator().generate(200, root / "generated", seed=4, fmt="txt")
    copy = root / "copy-of-the-sample.txt"
    shutil.copy(SAMPLE, copy)
    return [SAMPLE, *corpus.files[:20], copy, DATA / "variants" / "sichuan-2025-wide-sheet.txt", *corpus.files[20:]]


def _tricky(tmp: Path) -> Path:
    """The sample with quotes, backslashes and a cell of two paragraphs (a newline in a literal)."""
    text = SAMPLE.read_text("utf-8")
    text = text.replace("\t为社保大厅及分中心提供物业服务，保障办事大厅正常运转\n",
                        '\t为"社保大厅"及分中心\\提供物业服务\n第二段：保障办事大厅正常运转\n', 1)
    path = tmp / "tricky.txt"
    path.write_text(text, "utf-8")
    return path


def test_nquads_lines_are_the_quads_of_to_quads(tmp_path: Path, files) -> None:
    fixtures = [*sorted((DATA / "sample").glob("tianjin-*")), *sorted((DATA / "variants").glob("*.txt")), _tricky(tmp_path)]
    docs = [perfkg.read(f) for f in [*fixtures, *files]]
    assert any('"' in (p.use_of_funds or "") and "\\" in p.use_of_funds and "\n" in p.use_of_funds
               for p in docs[len(fixtures) - 1].projects)
    for doc in docs:
        quads = to_quads(doc)
        data, count = to_nquads(doc)
        assert list(ox.parse(data, format=ox.RdfFormat.N_QUADS)) == quads
        assert count == len(quads)
    for base in ("not an IRI", "https://example.org/a b"):
        with pytest.raises(ValueError):
            to_quads(docs[0], base=base)
        with pytest.raises(ValueError):
            to_nquads(docs[0], base=base)


def straightforward(files: list[Path], store: Store) -> list[str]:
    """The reference: each file read, mapped and stored in its own transaction."""
    statuses = []
    for path in files:
        doc = perfkg.read(path)
        statuses.append(store.put_document(graph_iri(doc), to_quads(doc), path=str(path), sha256=doc.source.sha256))
    store.flush()
    return statuses


def contents(store: Store) -> tuple[set, set]:
    """The documents' quads, and the records (graph, path, sha256) without their times."""
    meta = ox.NamedNode(META_GRAPH)
    data = {q for q in store.db if q.graph_name != meta}
    records = {(r.graph, r.path, r.sha256) for r in store.documents(counts=False)}
    return data, records


@pytest.fixture(scope="module")
def reference(files, tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("reference") / "store")
    statuses = straightforward(files, store)
    yield statuses, contents(store)
    store.close()


@pytest.fixture(scope="module")
def fast(files, tmp_path_factory):
    """The fast path in this process (jobs=0) and with two worker processes: report and store."""
    runs = {}
    for jobs in (0, 2):
        store = Store(tmp_path_factory.mktemp(f"jobs-{jobs}") / "store")
        runs[jobs] = (ingest(files, store, jobs=jobs), store)
    yield runs
    for _, store in runs.values():
        store.close()


@pytest.mark.parametrize("jobs", [0, 2])
def test_the_fast_path_stores_exactly_the_straightforward_quads(files, reference, fast, jobs: int) -> None:
    statuses, (want_quads, want_records) = reference
    report, store = fast[jobs]
    assert [r.status for r in report.results] == statuses
    assert statuses.count("duplicate") == 1 and statuses.count("added") == len(files) - 1
    got_quads, got_records = contents(store)
    assert len(want_quads) > 80_000
    assert got_quads == want_quads
    assert got_records == want_records
    assert list(store.db.quads_for_pattern(None, ox.NamedNode(LOADING), None, None)) == []


def test_workers_report_like_one_process(files, fast) -> None:
    (one, _), (two, store) = fast[0], fast[2]
    assert [(r.path, r.status, r.graph, r.projects, r.indicators, r.quads) for r in two.results] == [
        (r.path, r.status, r.graph, r.projects, r.indicators, r.quads) for r in one.results]
    assert [str(n) for n in two.notes] == [str(n) for n in one.notes]
    again = ingest(files, store, jobs=2)
    assert {r.status for r in again.results} == {"unchanged", "duplicate"}


def test_other_tables_of_stored_projects_are_refused_in_a_batch_as_one_by_one(tmp_path: Path, monkeypatch) -> None:
    """The same projects with another target in a second file: refused, whether the first is
    already in the store (a batch a file) or still in the batch being written."""
    import perfkg.ingest

    changed = tmp_path / "tianjin-revised.txt"
    changed.write_bytes(SAMPLE.read_bytes().replace("≥98%".encode(), "≥99%".encode()))
    for batch in (1, 10**9):
        monkeypatch.setattr(perfkg.ingest, "BATCH_QUADS", batch)
        for jobs in (0, 2):
            store = Store(tmp_path / f"store-{batch}-{jobs}")
            report = ingest([SAMPLE, changed], store, jobs=jobs)
            assert [r.status for r in report.results] == ["added", "failed"]
            assert type(report.failed[0].error).__name__ == "ConflictingDocument"
            assert f"differ from those of {SAMPLE}" in str(report.failed[0].error)
            assert [d.path for d in store.documents(counts=False)] == [str(SAMPLE)]
            store.close()


def test_a_copy_of_a_file_replaced_in_the_same_batch_is_its_duplicate_as_one_put_at_a_time(
        tmp_path: Path, files, monkeypatch) -> None:
    """A stored file changed, then its new tables under another name: the copy is compared with
    the new version, not with the graph the batch replaces, as when every file is its own
    transaction; the old graph is gone."""
    import perfkg.ingest

    original = files[3]
    results = {}
    for batch in (1, 10**9):
        monkeypatch.setattr(perfkg.ingest, "BATCH_QUADS", batch)
        work = tmp_path / "work"  # the same paths both times: they are in the graphs
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        stored = work / original.name
        shutil.copy(original, stored)
        store = Store(work / "store")
        ingest([stored], store, jobs=0)
        revised = original.read_bytes().replace("满意度".encode(), "满意程度".encode(), 1)
        stored.write_bytes(revised)
        sibling = work / "sibling.txt"
        sibling.write_bytes(revised + b"\n")  # other bytes, the same tables
        report = ingest([stored, sibling, *files[25:29]], store, jobs=0)
        results[batch] = ([(r.status, r.same_as) for r in report.results], contents(store))
        store.close()
    assert results[1][0] == results[10**9][0] == [
        ("replaced", None), ("duplicate", str(work / original.name)), *[("added", None)] * 4]
    assert results[1][1] == results[10**9][1]
    assert len(results[1][1][1]) == 5


def test_a_bad_file_stops_the_workers_with_every_earlier_file_stored(tmp_path: Path, files) -> None:
    bad = DATA / "errors" / "truncated-mid-row.txt"
    todo = [*files[:30], bad, *files[30:]]
    store = Store(tmp_path / "store")
    report = ingest(todo, store, jobs=2)
    failed = report.failed
    assert [r.path for r in failed] == [str(bad)]
    # The error crossed the process boundary whole: its class and its location.
    assert type(failed[0].error).__name__ == "MalformedTable"
    assert (failed[0].error.location.table, failed[0].error.location.row) == (2, 9)
    assert [r.path for r in report.results[:-1]] == [str(f) for f in files[:30]]
    assert info(store)["documents"] == 29  # the copy of the sample is a duplicate
    report = ingest(todo, store, jobs=2, keep_going=True)
    assert [r.status for r in report.results].count("added") == len(files) - 30
    assert info(store)["documents"] == len(files) - 1


def test_a_batch_that_changes_a_path_twice_ends_as_one_put_at_a_time(tmp_path: Path) -> None:
    first = perfkg.read(SAMPLE)
    second = perfkg.read_bytes(SAMPLE.read_bytes() + b"\n", str(SAMPLE))
    store = Store(tmp_path / "store")
    statuses = store.put_documents([
        PendingDocument(graph_iri(d), to_quads(d), str(SAMPLE), d.source.sha256) for d in (first, second)])
    assert statuses == ["added", "replaced"]
    assert [(r.graph, r.path) for r in store.documents(counts=False)] == [(graph_iri(second), str(SAMPLE))]
    assert {q.graph_name.value for q in store.db if q.graph_name.value != META_GRAPH} == {graph_iri(second)}


def test_records_are_found_by_look_up_as_by_query(tmp_path: Path, files) -> None:
    store = Store(tmp_path / "store")
    ingest(files[:40], store, jobs=0)
    everything = store.documents(counts=False)
    for r in everything[:10]:
        assert store.records_for(r.path, "x" * 64) == [r]
        assert store.records_for("/nowhere", r.sha256) == [r]
    shared = [r for r in everything if r.path == str(SAMPLE) or r.sha256 == everything[-1].sha256]
    assert store.records_for(str(SAMPLE), everything[-1].sha256) == sorted(shared, key=lambda r: (r.path, r.graph))


def _crash(store_dir: Path, *, data: list, marked: list[str], records: list[tuple[str, str, str]]) -> None:
    """Leave the store as a process killed in the middle of ``put_documents`` would."""
    raw = ox.Store(str(store_dir))
    meta = ox.NamedNode(META_GRAPH)
    raw.extend([ox.Quad(ox.NamedNode(g), ox.NamedNode(LOADING), ox.Literal("x"), meta) for g in marked])
    raw.bulk_extend(data)
    for graph, path, sha in records:
        raw.extend([
            ox.Quad(ox.NamedNode(graph), ox.NamedNode(PKG + "sourcePath"), ox.Literal(path), meta),
            ox.Quad(ox.NamedNode(graph), ox.NamedNode(PKG + "sha256"), ox.Literal(sha), meta),
            ox.Quad(ox.NamedNode(graph), ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime"),
                    ox.Literal("2025-01-01T00:00:00+00:00", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")), meta),
        ])
    raw.flush()
    del raw


def test_a_bulk_load_cut_short_is_dropped_at_the_next_open(tmp_path: Path, files) -> None:
    store_dir = tmp_path / "store"
    store = Store(store_dir)
    ingest([SAMPLE], store)
    before = contents(store)
    store.close()
    doc = perfkg.read(files[5])
    quads = to_quads(doc)
    _crash(store_dir, data=quads[: len(quads) // 2], marked=[graph_iri(doc)], records=[])
    store = Store(store_dir)
    assert contents(store) == before
    assert list(store.db.quads_for_pattern(None, ox.NamedNode(LOADING), None, None)) == []
    assert info(store)["documents"] == 1
    store.close()


def test_a_crash_after_the_records_keeps_the_documents(tmp_path: Path, files) -> None:
    store_dir = tmp_path / "store"
    doc = perfkg.read(files[5])
    _crash(store_dir, data=to_quads(doc), marked=[graph_iri(doc)],
           records=[(graph_iri(doc), str(files[5]), doc.source.sha256)])
    store = Store(store_dir)
    assert [r.path for r in store.documents(counts=False)] == [str(files[5])]
    assert info(store)["projects"] == len(doc.projects)
    assert list(store.db.quads_for_pattern(None, ox.NamedNode(LOADING), None, None)) == []
    store.close()
