"""The embedded store through the real command line: ingest, info, remove, replace, recover."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from perfkg.store import META_GRAPH, Store

from .conftest import DATA, SAMPLE, run_perfkg

SAMPLE_COUNTS = {"documents": 1, "budget_units": 1, "projects": 8, "indicators": 71, "targets": 71, "populations": 4}


def info(store: Path) -> dict:
    run = run_perfkg("info", "--store", store, "--json")
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def test_ingest_the_sample_then_again_changes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = run_perfkg("ingest", SAMPLE, "--store", store)
    assert first.code == 0, first.stderr
    assert "1 added" in first.stdout
    counts = info(store)
    assert {k: counts[k] for k in SAMPLE_COUNTS} == SAMPLE_COUNTS
    assert counts["triples"] > 3000
    again = run_perfkg("ingest", SAMPLE, "--store", store)
    assert again.code == 0 and "1 unchanged" in again.stdout
    assert info(store) == counts


def test_store_survives_the_process_and_comes_from_the_environment(tmp_path: Path) -> None:
    store = tmp_path / "env-store"
    assert run_perfkg("ingest", SAMPLE, env={"PERFKG_STORE": str(store)}).code == 0
    assert store.is_dir()
    run = run_perfkg("info", "--json", env={"PERFKG_STORE": str(store)})
    assert json.loads(run.stdout)["projects"] == 8


def test_default_store_is_dot_perfkg_in_the_working_directory(tmp_path: Path) -> None:
    assert run_perfkg("ingest", SAMPLE, cwd=tmp_path).code == 0
    assert (tmp_path / ".perfkg").is_dir()


def test_changed_file_replaces_its_graph(tmp_path: Path) -> None:
    store = tmp_path / "store"
    path = tmp_path / "targets.txt"
    shutil.copy(SAMPLE, path)
    assert run_perfkg("ingest", path, "--store", store).code == 0
    before = info(store)
    # the unit corrects project 1's satisfaction target and drops project 8 entirely
    text = SAMPLE.read_text("utf-8")
    cut = text.index("[bookmark: _Toc_4_4_0000000118]")
    path.write_text(text[:cut].replace("\t≥95%\n\n\n\n\n[bookmark: _Toc_4_4_0000000112]", "\t≥96%\n\n\n\n\n[bookmark: _Toc_4_4_0000000112]"), "utf-8")
    run = run_perfkg("ingest", path, "--store", store)
    assert run.code == 0 and "1 replaced" in run.stdout
    after = info(store)
    assert after["documents"] == 1 and after["projects"] == 7 and after["indicators"] == 71 - 20
    assert after["triples"] < before["triples"]
    db = Store(store, read_only=True)
    rows = list(db.query('SELECT ?t WHERE { ?t <https://w3id.org/perfkg/ontology#writtenAs> "≥96%" }'))
    assert len(rows) == 1
    db.close()


def test_failed_ingest_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert run_perfkg("ingest", SAMPLE, "--store", store).code == 0
    before = info(store)
    bad = DATA / "errors" / "truncated-mid-row.txt"
    run = run_perfkg("ingest", bad, "--store", store)
    assert run.code == 2
    assert f"Error: {bad}: table 2, row 9" in run.stderr and "Traceback" not in run.stderr
    assert info(store) == before


def test_ingest_stops_at_a_bad_file_and_a_rerun_completes(tmp_path: Path) -> None:
    store = tmp_path / "store"
    good = tmp_path / "good.txt"
    shutil.copy(SAMPLE, good)
    bad = tmp_path / "bad.txt"
    shutil.copy(DATA / "errors" / "missing-project-name.txt", bad)
    later = DATA / "variants" / "zhejiang-2023-cost-level1-implementation-period.txt"
    run = run_perfkg("ingest", good, bad, later, "--store", store)
    assert run.code == 2
    assert "1 later file(s) not ingested" in run.stderr
    assert info(store)["documents"] == 1  # the good file, whole; nothing of the bad one
    bad.write_bytes((DATA / "variants" / "sichuan-2025-wide-sheet.txt").read_bytes())  # the unit fixes the file
    rerun = run_perfkg("ingest", good, bad, later, "--store", store)
    assert rerun.code == 0, rerun.stderr
    assert "2 added" in rerun.stdout and "1 unchanged" in rerun.stdout
    assert info(store)["documents"] == 3


def test_the_same_content_under_another_path_is_stored_once(tmp_path: Path) -> None:
    store = tmp_path / "store"
    copy = tmp_path / "copy.txt"
    shutil.copy(SAMPLE, copy)
    run = run_perfkg("ingest", SAMPLE, copy, "--store", store)
    assert run.code == 0 and "1 added, 1 duplicate" in run.stdout
    assert info(store)["documents"] == 1


def test_keep_going_ingests_what_can_be_read(tmp_path: Path) -> None:
    store = tmp_path / "store"
    run = run_perfkg("ingest", DATA / "errors" / "empty.txt", SAMPLE, "--keep-going", "--store", store)
    assert run.code == 2 and "the file is empty" in run.stderr
    assert info(store)["documents"] == 1


def test_remove_drops_the_documents_graph(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert run_perfkg("ingest", SAMPLE, DATA / "variants" / "sichuan-2025-wide-sheet.txt", "--store", store).code == 0
    assert info(store)["documents"] == 2
    run = run_perfkg("remove", SAMPLE.name, "--store", store)
    assert run.code == 0 and f"removed {SAMPLE}" in run.stdout
    counts = info(store)
    assert (counts["documents"], counts["projects"]) == (1, 3)
    missing = run_perfkg("remove", "no-such-document", "--store", store)
    assert missing.code == 2 and "no document 'no-such-document'" in missing.stderr


def test_a_crash_between_adding_and_dropping_is_recovered_at_open(tmp_path: Path) -> None:
    """Simulate the crash: a changed file's new graph and record are in, the old ones not yet out."""
    import pyoxigraph as ox

    import perfkg
    from perfkg.mapping import to_quads

    store = tmp_path / "store"
    assert run_perfkg("ingest", SAMPLE, "--store", store).code == 0
    changed = perfkg.read_bytes(SAMPLE.read_bytes() + b"\n", str(SAMPLE))
    quads = to_quads(changed)
    graph = quads[0].graph_name.value
    meta = ox.NamedNode(META_GRAPH)
    pkg = "https://w3id.org/perfkg/ontology#"
    raw = ox.Store(str(store))
    raw.extend(quads + [
        ox.Quad(ox.NamedNode(graph), ox.NamedNode(pkg + "sourcePath"), ox.Literal(str(SAMPLE)), meta),
        ox.Quad(ox.NamedNode(graph), ox.NamedNode(pkg + "sha256"), ox.Literal(changed.source.sha256), meta),
        ox.Quad(ox.NamedNode(graph), ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime"),
                ox.Literal("2999-01-01T00:00:00+00:00", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")), meta),
    ])
    raw.flush()
    del raw
    db = Store(store)  # opening recovers: the newest graph of the path is kept
    docs = db.documents()
    db.close()
    assert [(d.graph, d.sha256) for d in docs] == [(graph, changed.source.sha256)]
    assert info(store)["projects"] == 8


def test_a_second_writer_gets_a_clear_lock_error(tmp_path: Path) -> None:
    store = tmp_path / "store"
    holder = Store(store)
    try:
        run = run_perfkg("ingest", SAMPLE, "--store", store)
    finally:
        holder.close()
    assert run.code == 2
    assert "in use by another perfkg process" in run.stderr and "Traceback" not in run.stderr


def test_info_on_a_missing_store_says_what_to_do(tmp_path: Path) -> None:
    run = run_perfkg("info", "--store", tmp_path / "nothing-here")
    assert run.code == 2 and "perfkg ingest" in run.stderr


@pytest.mark.parametrize("fixture", ["tianjin-353302-2025.docx", "tianjin-353302-2025.xlsx", "tianjin-353302-2025.html"])
def test_other_formats_of_the_sample_give_the_same_graph_contents(tmp_path: Path, fixture: str) -> None:
    store = tmp_path / "store"
    assert run_perfkg("ingest", DATA / "sample" / fixture, "--store", store).code == 0
    counts = info(store)
    assert {k: counts[k] for k in SAMPLE_COUNTS} == SAMPLE_COUNTS


def _age(store: Path) -> None:
    """Make the store as an older perfkg left it: no mapping version on the record, and none of
    the per-project summaries that version 2 of the mapping derives."""
    db = Store(store)
    try:
        db.db.update(f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <https://w3id.org/perfkg/ontology#mappingVersion> ?v }} }} ;"
                     " DELETE WHERE { GRAPH ?g { ?p <https://w3id.org/perfkg/ontology#indicatorCount> ?n } }")
    finally:
        db.close()


def test_documents_mapped_by_an_older_perfkg_are_mapped_anew_by_ingest(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert run_perfkg("ingest", SAMPLE, "--store", store).code == 0
    counts = info(store)
    _age(store)
    aged = run_perfkg("info", "--store", store, "--json")
    assert aged.code == 0
    assert "1 document(s)" in aged.stderr and "older perfkg" in aged.stderr and "perfkg ingest" in aged.stderr
    assert json.loads(aged.stdout)["triples"] == counts["triples"] - 8  # one indicatorCount a project
    query = run_perfkg("query", "indicator-coverage", "--store", store)
    assert query.code == 2 and "older perfkg" in query.stderr
    # The same file again: not "unchanged", but mapped anew, whole.
    again = run_perfkg("ingest", SAMPLE, "--store", store)
    assert again.code == 0 and "1 replaced" in again.stdout, again.stdout
    fresh = run_perfkg("info", "--store", store, "--json")
    assert json.loads(fresh.stdout) == counts and "older perfkg" not in fresh.stderr
    assert run_perfkg("ingest", SAMPLE, "--store", store).stdout.count("1 unchanged") == 1
    rows = run_perfkg("query", "indicator-coverage", "--store", store, "--format", "csv")
    assert rows.code == 0 and len(rows.stdout.splitlines()) == 1 + 8


def test_an_older_document_is_mapped_anew_in_a_bulk_load_too(tmp_path: Path) -> None:
    """Many files at once go through Store.put_documents; an outdated one among them is replaced."""
    from perfkg.ingest import ingest
    from perfkg.mapping import MAPPING_VERSION

    copies = []
    for i in range(30):
        path = tmp_path / f"unit-{600000 + i}.txt"
        path.write_text(SAMPLE.read_text("utf-8").replace("353302", str(600000 + i)), "utf-8")
        copies.append(path)
    store = tmp_path / "store"
    assert run_perfkg("ingest", *copies[:1], "--store", store).code == 0
    _age(store)
    db = Store(store)
    try:
        report = ingest(copies, db)
        assert [r.status for r in report.results] == ["replaced"] + ["added"] * 29
        assert {d.mapping for d in db.documents(counts=False)} == {MAPPING_VERSION}
        (row,) = db.query("SELECT (COUNT(*) AS ?n) WHERE { ?p <https://w3id.org/perfkg/ontology#indicatorCount> ?c }")
        assert int(row["n"].value) == 30 * 8
    finally:
        db.close()
