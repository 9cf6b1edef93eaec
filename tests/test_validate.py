"""`perfkg validate` and `perfkg.validate.validate`: on files in memory, on the store, on one
stored document; the text, JSON and SHACL-report outputs; exit codes; 80 columns."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from perfkg.validate import ValidationError, validate
from perfkg.validate import _width as display_width

from .conftest import DATA, SAMPLE, run_perfkg

SH = Namespace("http://www.w3.org/ns/shacl#")
MUTATIONS = DATA / "mutations"
VARIANTS = DATA / "variants"
OVERRUN = MUTATIONS / "tianjin-cost-overrun.txt"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """A store holding the sample, as a second unit publishes it, and one mutation of the sample
    (one unit's sample and its mutation state the same projects: ingest stores only one)."""
    path = tmp_path_factory.mktemp("validate") / "store"
    _neighbour(path).write_text(SAMPLE.read_text("utf-8").replace("353302", "353399"), "utf-8")
    run = run_perfkg("ingest", "--store", path, _neighbour(path), OVERRUN)
    assert run.code == 0, run.stderr
    return path


def _neighbour(store: Path) -> Path:
    return store.parent / "tianjin-353399-2025.txt"


# --- the library ---------------------------------------------------------------------------------


def test_validate_the_store_and_one_document_of_it(store: Path) -> None:
    from perfkg.store import Store

    db = Store(store, read_only=True)
    try:
        everything = validate(db)
        assert sorted(d.file for d in everything.documents) == sorted([str(_neighbour(store)), str(OVERRUN)])
        assert sorted(f.rule for f in everything.findings) == ["CostCoversBudget", "CostCoversBudget", "CostWithinBudget"]
        one = validate(db, document=str(OVERRUN))
        assert [d.file for d in one.documents] == [str(OVERRUN)]
        assert [f.rule for f in one.findings if f.severity == "violation"] == ["CostWithinBudget"]
        assert not one.conforms and one.exit_code() == 1
        by_name = validate(db, document=OVERRUN.name)  # a file name is enough when it is unique
        assert [d.graph for d in by_name.documents] == [d.graph for d in one.documents]
        with pytest.raises(ValidationError, match="no document 'nothing.txt' in the store"):
            validate(db, document="nothing.txt")
    finally:
        db.close()


def test_store_and_files_give_the_same_findings(store: Path) -> None:
    from perfkg.store import Store

    db = Store(store, read_only=True)
    try:
        stored = validate(db, document=str(OVERRUN))
    finally:
        db.close()
    in_memory = validate([OVERRUN])
    assert stored.findings == in_memory.findings
    assert sorted(r.key() for r in stored.results) == sorted(r.key() for r in in_memory.results)


def test_validating_files_does_not_touch_a_store(tmp_path: Path) -> None:
    run = run_perfkg("validate", SAMPLE, cwd=tmp_path, env={"PERFKG_STORE": str(tmp_path / "s")})
    assert run.code == 0, run.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_same_content_twice_is_one_document(tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    shutil.copy(SAMPLE, copy)
    report = validate([SAMPLE, copy])
    assert len(report.documents) == 1


def test_bad_arguments_raise_validation_errors(store: Path) -> None:
    with pytest.raises(ValidationError, match="unknown profile"):
        validate(SAMPLE, profile="2020")
    with pytest.raises(ValidationError, match="unknown engine"):
        validate(SAMPLE, engine="jena")
    with pytest.raises(ValidationError, match="not both"):
        validate([SAMPLE], document="x")


def test_the_engines_agree_on_the_variants() -> None:
    files = sorted(VARIANTS.glob("*.txt"))
    compiled = validate(files)
    assert compiled.engine == "compiled"
    by_pyshacl = validate(files, engine="pyshacl", jobs=2)
    assert by_pyshacl.engine == "pyshacl"
    assert compiled.findings == by_pyshacl.findings
    assert {f.rule for f in compiled.findings} >= {"ProjectHasUseOfFunds", "P2021-ProjectHasCostIndicator"}


# --- the outputs ---------------------------------------------------------------------------------


def test_json_output(tmp_path: Path) -> None:
    run = run_perfkg("validate", OVERRUN, "--format", "json")
    assert run.code == 1
    data = json.loads(run.stdout)
    assert data["perfkg_validate"] == 1 and data["conforms"] is False
    assert (data["violations"], data["warnings"]) == (1, 1)
    (doc,) = data["documents"]
    assert doc["file"] == str(OVERRUN) and doc["profile"] == "legacy" and doc["projects"] == 8
    f = next(f for f in doc["findings"] if f["rule"] == "CostWithinBudget")
    assert f["severity"] == "violation"
    assert f["message"] == {"zh": "成本指标合计 370万元，超过预算数 350.00万元。",
                            "en": "The cost indicators add up to 370 万元, more than the budget total of 350.00 万元."}
    assert f["source"] == {"file": str(OVERRUN), "table": 2, "row": 3, "line": 139}
    assert f["project_name"] == "社保中心信息系统运维安全服务经费" and f["label"] == "预算数"
    assert f["shape"] == "https://w3id.org/perfkg/shapes#CostWithinBudget"
    assert f["component"] == "http://www.w3.org/ns/shacl#SPARQLConstraintComponent"


def test_ttl_output_is_the_shacl_validation_report() -> None:
    run = run_perfkg("validate", OVERRUN, "--format", "ttl")
    assert run.code == 1
    g = Graph().parse(data=run.stdout, format="turtle")
    (report,) = g.subjects(RDF.type, SH.ValidationReport)
    assert g.value(report, SH.conforms).toPython() is False  # SHACL: any result, of any severity
    results = list(g.objects(report, SH.result))
    assert len(results) == 2
    for r in results:
        assert (r, RDF.type, SH.ValidationResult) in g
        for p in (SH.focusNode, SH.sourceShape, SH.sourceConstraintComponent, SH.resultSeverity, SH.sourceConstraint):
            assert g.value(r, p) is not None
        assert sorted(m.language for m in g.objects(r, SH.resultMessage)) == ["en", "zh"]
    severities = sorted(str(g.value(r, SH.resultSeverity)).rsplit("#")[-1] for r in results)
    assert severities == ["Violation", "Warning"]


def test_a_report_with_no_results_conforms_in_shacl_too() -> None:
    report = validate(VARIANTS / "zhejiang-2023-cost-level1-implementation-period.txt")
    g = report.to_graph()
    (node,) = g.subjects(RDF.type, SH.ValidationReport)
    assert g.value(node, SH.conforms).toPython() is True
    assert "Conforms." in report.to_text("en") and "符合要求" in report.to_text("zh")


def _all_findings_report():
    return validate([*sorted(MUTATIONS.glob("*.txt")), *sorted(VARIANTS.glob("*.txt"))])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_text_report_fits_80_columns(lang: str, tmp_path: Path) -> None:
    deep = tmp_path / ("一个很长的目录名称" * 6) / "another-very-long-directory-name-for-the-path-of-the-file"
    deep.mkdir(parents=True)
    long_path = deep / "tianjin-353302-2025-project-performance-targets-with-a-long-name.txt"
    shutil.copy(OVERRUN, long_path)
    report = validate([long_path, *sorted(MUTATIONS.glob("*.txt")), *sorted(VARIANTS.glob("*.txt"))])
    assert len(report.findings) > 40
    text = report.to_text(lang)
    too_wide = [line for line in text.splitlines() if display_width(line) > 80]
    assert not too_wide, too_wide[:3]
    # grouped by document, then by project table
    assert text.index(str(MUTATIONS / "tianjin-deadline-in-wrong-year.txt")) < text.index(str(VARIANTS))
    assert re.search(r"\n  (表|table) 2  社保中心信息系统运维安全服务经费\n", text)


def test_the_text_report_names_file_table_row_and_rule() -> None:
    text = validate(OVERRUN).to_text("en")
    assert text.splitlines()[:2] == [
        f"  {OVERRUN}", "  profile legacy (成本 under 产出) · 8 projects · 1 violation, 1 warning",
    ]
    assert "  table 2  社保中心信息系统运维安全服务经费\n    violation  row 3 (line 139) · 预算数\n" in text
    assert "[CostWithinBudget]" in text
    assert text.rstrip().endswith("Checked 1 document, 8 projects: 1 violation, 1 warning. Does not conform.")


# --- the command ---------------------------------------------------------------------------------


def test_exit_codes(store: Path, tmp_path: Path) -> None:
    assert run_perfkg("validate", SAMPLE).code == 0
    assert run_perfkg("validate", SAMPLE, "--fail-on", "warning").code == 1
    assert run_perfkg("validate", OVERRUN).code == 1
    assert run_perfkg("validate", MUTATIONS / "tianjin-missing-quality-indicator.txt").code == 0
    assert run_perfkg("validate", "--store", store).code == 1
    ok = run_perfkg("validate", "--store", store, "--document", str(_neighbour(store)))
    assert ok.code == 0 and str(OVERRUN) not in ok.stdout
    missing = run_perfkg("validate", tmp_path / "nope.txt")
    assert missing.code == 2 and missing.stderr.startswith("Error:") and "Traceback" not in missing.stderr
    unknown = run_perfkg("validate", "--store", store, "--document", "nothing.txt")
    assert unknown.code == 2 and "no document 'nothing.txt' in the store" in unknown.stderr
    both = run_perfkg("validate", SAMPLE, "--document", "x", "--store", store)
    assert both.code == 2 and "not both" in both.stderr
    no_store = run_perfkg("validate", "--store", tmp_path / "no-store")
    assert no_store.code == 2 and "no store at" in no_store.stderr
    bad_profile = run_perfkg("validate", SAMPLE, "--profile", "2019")
    assert bad_profile.code == 2


def test_the_profile_option(store: Path) -> None:
    run = run_perfkg("validate", SAMPLE, "--profile", "2021", "--lang", "en", "--format", "json")
    assert run.code == 1
    rules = {f["rule"] for f in json.loads(run.stdout)["documents"][0]["findings"]}
    assert rules == {"P2021-CostIsLevel1", "CostCoversBudget"}


def test_reader_warnings_go_to_stderr() -> None:
    run = run_perfkg("validate", MUTATIONS / "tianjin-quantity-without-unit.txt", "--format", "json")
    assert "warning:" in run.stderr and "no unit written" in run.stderr
    json.loads(run.stdout)


def test_help_lists_the_options() -> None:
    run = run_perfkg("validate", "--help")
    assert run.code == 0
    for option in ("--document", "--store", "--lang", "--format", "--profile", "--fail-on"):
        assert option in run.stdout
