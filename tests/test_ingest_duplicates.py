"""One set of tables, stored once: the same 项目支出绩效目标表 in another format is skipped, other
tables stating the same projects are refused, and a self-evaluation is stored beside its targets
(perfkg.duplicates). Real files, a real store, the real command line."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

import perfkg
from perfkg.duplicates import content_digest, stored_digest
from perfkg.ingest import info, ingest
from perfkg.mapping import graph_iri, to_nquads, to_quads
from perfkg.namespaces import PKG
from perfkg.store import META_GRAPH, Store

from .conftest import DATA, SAMPLE, run_perfkg

SAMPLES = DATA / "sample"
FORMATS = ["tianjin-353302-2025.docx", "tianjin-353302-2025.pdf", "tianjin-353302-2025.html",
           "tianjin-353302-2025-gbk.html", "tianjin-353302-2025.xlsx"]
SELF_EVALUATION = DATA / "variants" / "shandong-2022-self-evaluation.txt"
ITS_TARGETS = DATA / "duplicates" / "shandong-2022-targets-of-the-self-evaluated-project.txt"


def counts(store: Path) -> dict:
    run = run_perfkg("info", "--store", store, "--json")
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def stored_paths(store: Path) -> list[str]:
    db = Store(store, read_only=True)
    try:
        return [d.path for d in db.documents(counts=False)]
    finally:
        db.close()


def corrected(tmp_path: Path, name: str = "tianjin-corrected.txt") -> Path:
    """The sample with one target changed, as a unit re-publishes it."""
    path = tmp_path / name
    path.write_text(SAMPLE.read_text("utf-8").replace("≥34.77万人", "≥35万人", 1), "utf-8")
    return path


def digest(path: Path) -> str:
    doc = perfkg.read(path)
    return content_digest(to_nquads(doc)[0], graph_iri(doc))


# --- the same tables --------------------------------------------------------------------------


def test_the_docx_after_the_text_export_is_a_duplicate_and_populations_count_once(tmp_path: Path) -> None:
    store = tmp_path / "store"
    docx = SAMPLES / "tianjin-353302-2025.docx"
    run = run_perfkg("ingest", SAMPLE, docx, "--store", store)
    assert run.code == 0, run.stderr
    assert "1 added, 1 duplicate" in run.stdout
    assert f"{docx}: the same tables as {SAMPLE}, already stored; skipped" in run.stdout.replace("\n", "")
    assert stored_paths(store) == [str(SAMPLE)]
    shared = run_perfkg("query", "shared-beneficiaries", "--store", store, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(shared.stdout)))
    assert [(r["size"], r["projects"]) for r in rows] == [("2194100", "2"), ("347700", "2")]


def test_a_format_ingested_later_is_a_duplicate_of_the_stored_one(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    ingest([SAMPLE], store)
    report = ingest([SAMPLES / "tianjin-353302-2025.pdf"], store)
    (result,) = report.results
    assert (result.status, result.same_as) == ("duplicate", str(SAMPLE))
    assert info(store)["documents"] == 1
    store.close()


def test_a_directory_of_five_formats_stores_the_first_in_name_order(tmp_path: Path) -> None:
    tables = tmp_path / "tables"
    tables.mkdir()
    for source in [SAMPLE, *(SAMPLES / name for name in FORMATS[:3]), SAMPLES / "tianjin-353302-2025.xlsx"]:
        shutil.copy(source, tables / f"tianjin-353302-2025{source.suffix}")
    store = tmp_path / "store"
    run = run_perfkg("ingest", tables, "--store", store)
    assert run.code == 0, run.stderr
    assert "5 file(s): 1 added, 4 duplicate" in run.stdout
    assert stored_paths(store) == [str(tables / "tianjin-353302-2025.docx")]  # .docx < .html < .pdf < .txt < .xlsx
    c = counts(store)
    assert (c["documents"], c["projects"], c["indicators"], c["populations"]) == (1, 8, 71, 4)


def test_the_same_bytes_under_another_name_name_the_stored_file(tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    shutil.copy(SAMPLE, copy)
    store = Store(tmp_path / "store")
    report = ingest([SAMPLE, copy], store)
    assert [(r.status, r.same_as) for r in report.results] == [("added", None), ("duplicate", str(SAMPLE))]
    store.close()


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_of_the_sample_says_what_the_text_export_says(name: str) -> None:
    assert digest(SAMPLES / name) == digest(SAMPLE)


def test_the_wide_sheet_is_the_same_tables_labelled_its_own_way() -> None:
    """Not a format of the sample but another layout of its tables: its column 财政资金 is the
    sample's row 其中：财政资金. How a file labels a fact, like where it holds it, is left out."""
    wide = perfkg.read(SAMPLES / "tianjin-353302-2025-wide.xlsx")
    labels = {q.object.value for q in to_quads(wide) if q.predicate.value.endswith("#labelAsWritten")
              and q.subject.value.endswith("/funding/fiscal")}
    assert labels == {"财政资金"}
    assert digest(SAMPLES / "tianjin-353302-2025-wide.xlsx") == digest(SAMPLE)
    report = ingest([SAMPLE, SAMPLES / "tianjin-353302-2025-wide.xlsx"], Store(), keep_going=True)
    assert [(r.status, r.same_as) for r in report.results] == [("added", None), ("duplicate", str(SAMPLE))]


def test_a_stored_graph_gives_the_digest_its_file_gave(tmp_path: Path) -> None:
    """The store gives decimals and durations back in canonical forms (347700, PT4H); the
    comparison reads them as the mapping writes them."""
    minutes = tmp_path / "minutes.txt"
    minutes.write_text(SAMPLE.read_text("utf-8").replace("≤4小时", "≤240分钟"), "utf-8")
    files = [SAMPLE, minutes, *(SAMPLES / name for name in FORMATS), *sorted((DATA / "variants").glob("*.txt")),
             *sorted((DATA / "mutations").glob("*.txt"))]
    db = ox.Store()
    for path in files:
        doc = perfkg.read(path)
        db.extend(to_quads(doc))
        assert stored_digest(db, graph_iri(doc)) == digest(path), path
    doc = perfkg.read(minutes)
    assert b'"PT240M"' in to_nquads(doc)[0]
    stored = {q.object.value for q in db.quads_for_pattern(None, ox.NamedNode(str(PKG.duration)), None, ox.NamedNode(graph_iri(doc)))}
    assert stored == {"PT4H"}


# --- other tables of the same projects ------------------------------------------------------


def test_a_corrected_copy_is_refused_naming_both_files_and_the_store_is_unchanged(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert run_perfkg("ingest", SAMPLE, "--store", store).code == 0
    before = counts(store)
    fixed = corrected(tmp_path)
    run = run_perfkg("ingest", fixed, "--store", store)
    assert run.code == 2
    error = run.stderr.replace("\n", "")
    assert error.startswith(f"Error: {fixed}: its tables differ from those of {SAMPLE}")
    assert "8 of its projects (社保经办大厅运转经费, 社保中心信息系统运维安全服务经费," in error
    assert f"`perfkg remove {SAMPLE}` first, then ingest again" in error
    assert "Traceback" not in run.stderr
    assert counts(store) == before
    assert stored_paths(store) == [str(SAMPLE)]


def test_with_keep_going_the_rest_goes_on(tmp_path: Path) -> None:
    store = tmp_path / "store"
    other = DATA / "variants" / "sichuan-2025-wide-sheet.txt"
    run = run_perfkg("ingest", SAMPLE, corrected(tmp_path), other, "--keep-going", "--store", store)
    assert run.code == 2
    assert "3 file(s): 2 added, 1 failed" in run.stdout
    assert stored_paths(store) == sorted([str(SAMPLE), str(other)])


def test_the_remedy_the_error_gives_works(tmp_path: Path) -> None:
    store = tmp_path / "store"
    fixed = corrected(tmp_path)
    assert run_perfkg("ingest", SAMPLE, "--store", store).code == 0
    assert run_perfkg("ingest", fixed, "--store", store).code == 2
    assert run_perfkg("remove", SAMPLE, "--store", store).code == 0
    run = run_perfkg("ingest", fixed, "--store", store)
    assert run.code == 0 and "1 added" in run.stdout
    assert stored_paths(store) == [str(fixed)]


def test_a_document_stored_by_an_older_perfkg_cannot_be_compared_and_says_so(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    ingest([SAMPLE], store)
    store.db.update(f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <https://w3id.org/perfkg/ontology#mappingVersion> ?v }} }}")
    report = ingest([SAMPLES / "tianjin-353302-2025.docx"], store)
    assert [r.status for r in report.results] == ["failed"]
    assert f"an older perfkg read, so the two cannot be compared: ingest {SAMPLE} again first" in str(report.failed[0].error)
    store.close()


# --- what is not a duplicate ----------------------------------------------------------------


def test_a_self_evaluation_is_stored_beside_the_target_table_of_its_project(tmp_path: Path) -> None:
    targets, evaluation = perfkg.read(ITS_TARGETS), perfkg.read(SELF_EVALUATION)
    assert (targets.kind, evaluation.kind) == ("targets", "self-evaluation")
    for order in ([ITS_TARGETS, SELF_EVALUATION], [SELF_EVALUATION, ITS_TARGETS]):
        store = Store()
        report = ingest(order, store)
        assert [r.status for r in report.results] == ["added", "added"]
        assert (info(store)["documents"], info(store)["projects"]) == (2, 1)  # one project, in both documents


def test_a_changed_file_at_the_same_path_still_replaces_its_graph(tmp_path: Path) -> None:
    store = tmp_path / "store"
    path = tmp_path / "targets.txt"
    shutil.copy(SAMPLE, path)
    assert run_perfkg("ingest", path, "--store", store).code == 0
    shutil.copy(corrected(tmp_path), path)
    run = run_perfkg("ingest", path, "--store", store)
    assert run.code == 0 and "1 replaced" in run.stdout, run.stderr
    assert stored_paths(store) == [str(path)]
    db = Store(store, read_only=True)
    try:
        written = [r["t"].value for r in db.query('SELECT ?x ?t WHERE { ?x <https://w3id.org/perfkg/ontology#writtenAs> ?t }')]
    finally:
        db.close()
    assert (written.count("≥34.77万人"), written.count("≥35万人")) == (1, 1)  # of the sample's two, one corrected
