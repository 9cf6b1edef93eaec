"""The benchmark corpus generator (benchmarks/generate.py): deterministic for a seed, and its
manifest says exactly what perfkg reads back — counts, shared populations and their budgets,
budget by level of government, and every planted defect at its file, table and row."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

import perfkg
from perfkg.ingest import info, ingest
from perfkg.store import Store

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"perfkg_benchmarks_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _load("generate")

PKG = "https://w3id.org/perfkg/ontology#"
TOTAL = "<https://w3id.org/perfkg/code/funding-kind/total>"
PREFIXES = f"PREFIX pkg: <{PKG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX org: <http://www.w3.org/ns/org#>\n"


def select(store: Store, query: str) -> list[dict[str, str | None]]:
    result = store.query(PREFIXES + query)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return gen.generate(200, tmp_path_factory.mktemp("corpus"), seed=11, fmt="txt")


@pytest.fixture(scope="module")
def docs(corpus) -> dict[str, perfkg.Document]:
    return {path.name: perfkg.read(path) for path in corpus.files}


@pytest.fixture(scope="module")
def store(corpus, tmp_path_factory):
    s = Store(tmp_path_factory.mktemp("store") / "store")
    report = ingest(corpus.files, s)
    assert not report.failed, [str(r.error) for r in report.failed]
    assert {r.status for r in report.results} == {"added"}
    yield s
    s.close()


# --- determinism ---------------------------------------------------------------------------


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@pytest.mark.parametrize("fmt, n", [("txt", 80), ("docx", 8), ("xlsx", 8)])
def test_the_same_seed_writes_the_same_bytes(tmp_path: Path, fmt: str, n: int) -> None:
    gen.generate(n, tmp_path / "a", seed=5, fmt=fmt)
    gen.generate(n, tmp_path / "b", seed=5, fmt=fmt)
    gen.generate(n, tmp_path / "c", seed=6, fmt=fmt)
    a, b, c = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert a == b
    assert a != c
    assert json.loads(a["manifest.json"])["counts"]["projects"] == n


def test_the_generator_runs_from_the_command_line(tmp_path: Path) -> None:
    assert gen.main(["25", "--seed", "2", "-o", str(tmp_path)]) == 0
    m = json.loads((tmp_path / "manifest.json").read_text("utf-8"))
    assert m["counts"]["projects"] == 25 and m["generator"]["seed"] == 2
    assert len(list(tmp_path.glob("*.txt"))) == m["counts"]["documents"]


# --- what the corpus holds -----------------------------------------------------------------


def test_the_corpus_is_spread_over_units_years_and_every_target_form(corpus, docs) -> None:
    m = corpus.manifest
    assert m["counts"]["projects"] == 200 == sum(len(d.projects) for d in docs.values())
    assert m["counts"]["budget_units"] >= 10 and m["counts"]["documents"] > m["counts"]["budget_units"]
    assert len(m["tables_by_year"]) >= 4
    assert m["cost_placement"]["output"] and m["cost_placement"]["level1"]
    per_project = [len(p.indicators) for d in docs.values() for p in d.projects]
    assert min(per_project) >= 5 and max(per_project) <= 25 and 8 <= sum(per_project) / len(per_project) <= 14
    texts = [i.target.text for d in docs.values() for p in d.projects for i in p.indicators]
    for form in ("万元", "万人", "小时", "年1-12月", "年1月-12月", "31日日", "日前", "台", "个", "套", "册", "次",
                 "条", "人次", ">=", "不低于", "100%"):
        assert any(form in t for t in texts), form
    kinds = {i.target.kind for d in docs.values() for p in d.projects for i in p.indicators}
    assert kinds >= {"quantity", "interval", "deadline", "qualitative"}
    levels = {p.level for d in docs.values() for p in d.projects}
    assert levels >= {"central", "municipal", None}
    assert any(d.money_unit == "元" for d in docs.values()) or m["documents"][0]["money_unit"] == "万元"


def test_tables_without_heading_are_read_as_their_own_tables(corpus, docs) -> None:
    headless = [(d["file"], d["headless_table"]) for d in corpus.manifest["documents"] if d["headless_table"]]
    assert headless
    for file, table in headless:
        projects = docs[file].projects
        assert projects[table - 1].heading is None
        assert all(p.heading for p in projects if p.table != table)
    for d in corpus.manifest["documents"]:
        assert [p.name for p in docs[d["file"]].projects] == [p["name"] for p in d["projects"]]


# --- the manifest against the store ---------------------------------------------------------


def test_store_counts_are_the_manifests(store, corpus) -> None:
    counts = info(store)
    expected = corpus.manifest["counts"]
    assert {k: counts[k] for k in gen.STORE_COUNTS} == {k: expected[k] for k in gen.STORE_COUNTS}


def test_populations_and_the_projects_that_share_them(store, corpus) -> None:
    rows = select(store, f"""SELECT ?pop ?code ?year ?size ?group ?name ?yuan WHERE {{
        ?pop a pkg:BeneficiaryPopulation ; pkg:populationSize ?size ; pkg:budgetYear ?year ; pkg:populationGroup ?group .
        ?p pkg:servesPopulation ?pop ; rdfs:label ?name ; pkg:budgetUnit/org:identifier ?code ; pkg:hasFunding ?f .
        ?f pkg:fundingKind {TOTAL} ; pkg:amountInYuan ?yuan }}""")
    found: dict[str, dict] = {}
    for r in rows:
        pop = found.setdefault(r["pop"], {"key": (r["code"], int(r["year"]), r["group"].rsplit("/", 1)[1],
                                                  Decimal(r["size"])), "projects": {}})
        pop["projects"][r["name"]] = Decimal(r["yuan"])
    got = {p["key"]: (frozenset(p["projects"]), sum(p["projects"].values())) for p in found.values()}
    expected = {
        (p["unit_code"], p["year"], "-".join(filter(None, (p["qualifier"], p["head"]))).replace("_", "-"),
         Decimal(p["size"])): (frozenset(x["name"] for x in p["projects"]), Decimal(p["budget_yuan"]))
        for p in corpus.manifest["populations"]
    }
    assert len(expected) == corpus.manifest["counts"]["populations"]
    assert got == expected
    assert sum(1 for projects, _ in got.values() if len(projects) > 1) == corpus.manifest["counts"]["shared_populations"] > 0


def test_shared_budgets_by_sparql_aggregate(store, corpus) -> None:
    rows = select(store, f"""SELECT ?pop (COUNT(DISTINCT ?p) AS ?n) (SUM(?yuan) AS ?money) WHERE {{
        ?p pkg:servesPopulation ?pop ; pkg:hasFunding ?f . ?f pkg:fundingKind {TOTAL} ; pkg:amountInYuan ?yuan }}
        GROUP BY ?pop HAVING (COUNT(DISTINCT ?p) > 1)""")
    got = sorted((int(r["n"]), Decimal(r["money"])) for r in rows)
    expected = sorted((len(p["projects"]), Decimal(p["budget_yuan"])) for p in corpus.manifest["populations"] if p["shared"])
    assert got == expected


def test_budget_by_level_of_government(store, corpus) -> None:
    rows = select(store, f"""SELECT ?level (SUM(?yuan) AS ?total) WHERE {{ ?p a pkg:Project ; pkg:hasFunding ?f .
        ?f pkg:fundingKind {TOTAL} ; pkg:amountInYuan ?yuan . OPTIONAL {{ ?p pkg:governmentLevel ?level }} }} GROUP BY ?level""")
    got = {(r["level"] or "/none").rsplit("/", 1)[1]: Decimal(r["total"]) for r in rows}
    expected = {k: Decimal(v) for k, v in corpus.manifest["budget"]["by_level_yuan"].items() if v}
    assert got == expected


def test_the_benchmark_checks_pass_on_a_true_manifest_and_fail_on_a_false_one(store, corpus) -> None:
    run = _load("run")
    assert run.check_answers(store, corpus.manifest) == []
    wrong = json.loads(json.dumps(corpus.manifest))
    wrong["counts"]["indicators"] += 1
    shared = next(p for p in wrong["populations"] if p["shared"])
    shared["budget_yuan"] += 100
    problems = run.check_answers(store, wrong)
    assert any("indicators" in p for p in problems) and any("population" in p for p in problems)


# --- defects ---------------------------------------------------------------------------------


def _defects_in(file: str, doc: perfkg.Document) -> set[tuple]:
    """Every defect of DEFECT_KINDS that ``doc`` holds, found from perfkg's reading alone."""
    found = set()
    for p in doc.projects:
        t = p.table
        if not any(i.level1 == "satisfaction" for i in p.indicators):
            found.add((file, t, None, "missing-satisfaction"))
        if not any(i.level2 == "quality" for i in p.indicators):
            found.add((file, t, None, "missing-quality"))
        lines = {f.kind: f for f in p.funding}
        total, fiscal, other = (lines[k].amount for k in ("total", "fiscal", "other"))
        if fiscal.yuan + other.yuan != total.yuan:
            found.add((file, t, fiscal.location.row, "funding-mismatch"))
        cost = sum(i.target.value for i in p.indicators
                   if (i.level1 == "cost" or i.level2 == "cost") and i.target.unit == "CNY")
        if cost > total.yuan:
            found.add((file, t, None, "cost-overrun"))
        names: set[str] = set()
        for i in p.indicators:
            target, row = i.target, i.location.row
            if target.unit == "percent" and target.value > 1:
                found.add((file, t, row, "percentage-over-100"))
            if target.kind in ("deadline", "interval", "date") and target.end.year != doc.year:
                found.add((file, t, row, "deadline-wrong-year"))
            if target.kind == "quantity" and target.unit is None:
                found.add((file, t, row, "quantity-without-unit"))
            if i.name in names:
                found.add((file, t, row, "duplicate-indicator-name"))
            names.add(i.name)
    return found


def _planted(manifest: dict) -> set[tuple]:
    return {(d["file"], d["table"], d["row"], d["kind"]) for d in manifest["defects"]}


def test_the_defects_are_where_the_manifest_says_and_nowhere_else(corpus, docs) -> None:
    assert corpus.manifest["defects"]
    found = set().union(*(_defects_in(f, d) for f, d in docs.items()))
    assert found == _planted(corpus.manifest)


def _headless_after_four_columns(manifest: dict) -> set[tuple[str, int]]:
    """(file, table) of Word and Excel tables without heading right after a four-column indicator
    table: their unit line, merged over five columns, once made ``split_run_in`` cut a row at a
    covered copy of it and number the table's rows one too far."""
    return {(d["file"], d["headless_table"]) for d in manifest["documents"]
            if d["headless_table"] and d["indicator_columns"] == 4 and not d["file"].endswith(".txt")}


@pytest.mark.parametrize("fmt", gen.FORMATS)
def test_every_kind_of_defect_in_every_format(tmp_path: Path, fmt: str) -> None:
    n = 120 if fmt == "txt" else 30
    corpus = gen.generate(n, tmp_path, seed=21, fmt=fmt, defect_rate=0.6)
    planted = _planted(corpus.manifest)
    if fmt == "txt":
        assert {k for *_, k in planted} == set(gen.DEFECT_KINDS)
    found = set()
    for path in corpus.files:
        found |= _defects_in(path.name, perfkg.read(path))
    assert found == planted


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_table_without_heading_after_four_columns_keeps_its_rows(tmp_path: Path, fmt: str) -> None:
    corpus = gen.generate(60, tmp_path, seed=1, fmt=fmt)  # seed 1 draws one such table
    cases = _headless_after_four_columns(corpus.manifest)
    assert cases
    for file, table in cases:
        project = perfkg.read(tmp_path / file).projects[table - 1]
        assert [i.location.row for i in project.indicators] == list(range(7, 7 + len(project.indicators)))


def test_word_and_excel_read_like_the_text_export(tmp_path: Path) -> None:
    """One seed gives the same tables in every format; perfkg reads them alike."""
    def essentials(doc: perfkg.Document) -> list:
        return [(p.name, p.level, [(f.kind, f.amount.yuan) for f in p.funding],
                 [(i.level1, i.level2, i.name, i.target.text) for i in p.indicators]) for p in doc.projects]

    read = {}
    for fmt in gen.FORMATS:
        corpus = gen.generate(40, tmp_path / fmt, seed=8, fmt=fmt)
        read[fmt] = {Path(p.name).stem: essentials(perfkg.read(p)) for p in corpus.files}
        assert corpus.manifest["counts"]["projects"] == 40
    assert read["docx"] == read["txt"]
    assert read["xlsx"] == read["txt"]
