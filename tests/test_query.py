"""The named queries on the sample, against the answers worked out by hand in DOMAIN.md; the
header syntax, typed parameters, result formats, and `perfkg query` as a user runs it."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from perfkg import query as Q
from perfkg.ingest import ingest
from perfkg.store import Store

from .conftest import DATA, SAMPLE, run_perfkg

P1, P2, P3 = "社保经办大厅运转经费", "社保中心信息系统运维安全服务经费", "2025年城乡居民养老保险补助经费-市级"
P4, P5 = "2025年机关事业单位养老保险补助经费-市级", "2025年机关事业单位养老保险制度改革中央补助经费-中央"
P6, P7, P8 = "2025年企业职工养老保险补助经费-市级", "2025年企业职工养老保险补助经费-中央", "社保业务经办经费"
HAS = "数量指标、质量指标、时效指标、成本指标、社会效益指标、服务对象满意度指标"
SATISFACTION_ROW_OF_TABLE_1 = "\t满意度指标\n\t服务对象满意度指标\n\t单位工作人员满意度\n\t单位工作人员满意度\n\t≥95%\n"


def make_store(path: Path, *files: Path) -> Store:
    store = Store(path)
    report = ingest(files, store)
    assert not report.failed, report.failed
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = make_store(tmp_path_factory.mktemp("query") / "store", SAMPLE)
    yield db
    db.close()


@pytest.fixture(scope="module")
def store_path(store) -> Path:
    return store.path


def by(records: list[dict], key: str) -> dict:
    out = {r[key]: r for r in records}
    assert len(out) == len(records), f"{key} is not unique"
    return out


# --- the library -----------------------------------------------------------------------------

NAMES = {"shared-beneficiaries", "funding-by-level", "indicator-coverage", "cost-vs-budget", "deadlines",
         "per-capita", "similar-indicators"}


def test_the_library_has_every_query_of_the_issue_with_titles_and_descriptions() -> None:
    queries = Q.library()
    assert NAMES <= {q.name for q in queries}
    for q in queries:
        assert q.title_zh != q.name and any("\u4e00" <= ch <= "\u9fff" for ch in q.title_zh), q.name
        assert q.title_en != q.name and q.title_en.isascii(), q.name
        assert len(q.description) > 60, q.name
        assert q.path is not None and q.path.suffix == ".rq"
        for p in q.params:
            assert p.description, f"{q.name}: parameter {p.name} has no description"
            assert f"${p.name}" in q.text or q.post, f"{q.name}: ${p.name} is declared but never used"
            if p.default is not None:
                p.convert(p.default)


@pytest.mark.parametrize("name", sorted(NAMES))
def test_every_query_file_is_plain_sparql_that_runs_unparameterised(name: str) -> None:
    """Another SPARQL tool can run the file as it is: parameters are just unbound variables."""
    q = Q.get(name)
    result = Q.embedded_query(ox.Store(), q.text)  # an empty store: parses and runs
    assert result.kind == "select" and result.rows == []


def test_get_names_the_library_for_an_unknown_query() -> None:
    with pytest.raises(Q.QueryError, match="no named query 'shared-beneficiary'; the library has: .*shared-beneficiaries"):
        Q.get("shared-beneficiary")


# --- answers on the sample (DOMAIN.md, "Cross-project facts") ---------------------------------


def test_shared_beneficiaries_lists_exactly_the_two_shared_populations(store) -> None:
    rows = Q.run("shared-beneficiaries", store=store).records()
    assert len(rows) == 2
    first, second = rows  # by budget, largest first
    assert set(first["names"].split(" | ")) == {P6, P7}
    assert first["budget"] == Decimal("2049178") and first["size"] == Decimal("2194100")
    assert first["projects"] == 2 and first["unit"] == "万元"
    assert "企业离退休人员" in first["label"]
    assert set(second["names"].split(" | ")) == {P4, P5}
    assert second["budget"] == Decimal("685446") and second["size"] == Decimal("347700")
    assert "机关事业单位退休人员" in second["label"]


def test_shared_beneficiaries_in_yuan(store) -> None:
    rows = Q.run("shared-beneficiaries", store=store, params={"unit": "元"}).records()
    assert sorted(r["budget"] for r in rows) == [Decimal("6854460000"), Decimal("20491780000")]


def test_funding_by_level(store) -> None:
    rows = by(Q.run("funding-by-level", store=store).records(), "level")
    assert set(rows) == {"central", "municipal", "none"}
    assert rows["central"]["total"] == Decimal("2348974") and rows["central"]["projects"] == 2
    assert rows["municipal"]["total"] == Decimal("389928") and rows["municipal"]["projects"] == 3
    assert rows["none"]["total"] == Decimal("2235.5") and rows["none"]["projects"] == 3
    assert [rows[k]["level_zh"] for k in ("central", "municipal")] == ["中央", "市级"]
    for r in rows.values():
        assert r["fiscal"] == r["total"] and r["other"] == 0  # all of it 财政资金
        assert (r["unit_code"], r["unit_name"]) == ("353302", "天津市社会保险基金管理中心")
    assert sum(r["total"] for r in rows.values()) == Decimal("2741137.5")


def test_cost_vs_budget(store) -> None:
    rows = by(Q.run("cost-vs-budget", store=store).records(), "name")
    assert len(rows) == 8
    p1, p2, p8 = rows[P1], rows[P2], rows[P8]
    assert (p1["costs"], p1["budget"], p1["gap"], p1["cost_indicators"]) == (1324, 1324, 0, 4)
    assert (p2["costs"], p2["budget"], p2["gap"], p2["cost_indicators"]) == (350, 350, 0, 2)
    assert (p8["costs"], p8["budget"], p8["gap"], p8["cost_indicators"]) == (378, Decimal("561.5"), Decimal("183.5"), 4)
    assert p1["verdict"] == p2["verdict"] == "等于预算" and p8["verdict"] == "低于预算"
    assert [r["name"] for r in rows.values() if r["verdict"] != "等于预算"] == [P8]
    assert next(iter(rows)) == P8, "costs off the budget come before costs equal to it"
    mismatches = Q.run("cost-vs-budget", store=store, params={"verdict": "mismatch"}).records()
    assert [r["name"] for r in mismatches] == [P8]  # DOMAIN.md: project 8's costs fall short


def test_cost_vs_budget_verdict_none_keeps_projects_without_a_money_cost_indicator(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store", SAMPLE, *sorted((DATA / "populations").glob("*.txt")))
    rows = Q.run("cost-vs-budget", store=store).records()
    kept = Q.run("cost-vs-budget", store=store, params={"verdict": "none"}).records()
    assert kept and kept == [r for r in rows if r["cost_indicators"] == 0]
    assert {r["verdict"] for r in kept} == {"无金额成本指标"} and len(kept) < len(rows)


def test_deadlines_in_november_are_the_two_on_the_30th(store) -> None:
    rows = Q.run("deadlines", store=store, params={"from": "2025-11-01", "to": "2025-11-30"}).records()
    assert [(str(r["date"]), r["written"], r["project_name"]) for r in rows] == [
        ("2025-11-30", "2025年11月30日前", P8), ("2025-11-30", "2025年11月30日前", P8),
    ]
    assert {r["indicator_name"] for r in rows} == {"劳鉴培训完成时间", "经办耗材采购完成时间"}
    assert {r["category"] for r in rows} == {"时效指标"}


def test_deadline_bounds_are_inclusive_and_optional(store) -> None:
    def dates(**params) -> list[str]:
        return [str(r["date"]) for r in Q.run("deadlines", store=store, params=params).records()]

    assert dates() == ["2025-11-30", "2025-11-30", "2025-12-20"]
    assert dates(**{"from": "2025-12-01"}) == ["2025-12-20"]
    assert dates(to="2025-11-29") == []
    assert dates(**{"from": "2025-11-30", "to": "2025-11-30"}) == ["2025-11-30", "2025-11-30"]


def test_deadlines_of_a_month(store) -> None:
    """DOMAIN.md's question "which deadlines fall in a given month?" as one parameter."""
    def dates(**params) -> list[str]:
        return [str(r["date"]) for r in Q.run("deadlines", store=store, params=params).records()]

    assert dates(month="2025-11") == ["2025-11-30", "2025-11-30"]
    assert dates(month="2025-12") == ["2025-12-20"]
    assert dates(month="2024-11") == []
    # with from and to, all three bounds apply
    assert dates(month="2025-11", **{"from": "2025-12-01"}) == []
    named = Q.get("deadlines")
    assert '"2025-11"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>' in named.sparql({"month": "2025-11"})


def test_indicator_coverage_on_the_sample(store) -> None:
    rows = by(Q.run("indicator-coverage", store=store).records(), "name")
    assert len(rows) == 8
    for r in rows.values():
        assert r["has"] == HAS
        assert r["lacks"] == "经济效益指标、生态效益指标、可持续影响指标"
        assert r["core_gaps"] == ""
    assert [rows[p]["indicators"] for p in (P1, P2, P3, P4, P5, P6, P7, P8)] == [11, 9, 7, 6, 6, 6, 6, 20]
    assert Q.run("indicator-coverage", store=store, params={"lacking": "质量指标"}).rows == []
    assert len(Q.run("indicator-coverage", store=store, params={"lacking": "生态效益指标"}).rows) == 8
    # 成本指标 must not match inside 经济成本指标 and the like
    assert Q.run("indicator-coverage", store=store, params={"lacking": "成本指标"}).rows == []


def test_indicator_coverage_names_a_missing_satisfaction_block(tmp_path: Path) -> None:
    text = SAMPLE.read_text("utf-8")
    assert text.index(SATISFACTION_ROW_OF_TABLE_1) < text.index("2.社保中心信息系统运维安全服务经费绩效目标表\n\t")
    mutated = tmp_path / "no-satisfaction-in-table-1.txt"
    mutated.write_text(text.replace(SATISFACTION_ROW_OF_TABLE_1, "", 1), "utf-8")
    db = make_store(tmp_path / "store", mutated)
    try:
        rows = by(Q.run("indicator-coverage", store=db).records(), "name")
        lacking = Q.run("indicator-coverage", store=db, params={"lacking": "服务对象满意度指标"}).records()
    finally:
        db.close()
    assert rows[P1]["core_gaps"] == "服务对象满意度指标"
    assert rows[P1]["has"] == HAS.removesuffix("、服务对象满意度指标")
    assert rows[P1]["indicators"] == 10
    assert [r["name"] for r in lacking] == [P1]
    assert next(iter(rows)) == P1, "projects with gaps come first"


def test_per_capita(store) -> None:
    rows = by(Q.run("per-capita", store=store).records(), "size")
    assert rows[Decimal("347700")]["yuan_per_person"] == Decimal("19713.72")  # 685 446 万元 / 347 700
    assert rows[Decimal("347700")]["budget_yuan"] == Decimal("6854460000")
    assert rows[Decimal("2194100")]["yuan_per_person"] == Decimal("9339.49")  # 2 049 178 万元 / 2 194 100
    # project 3 serves two groups of 城乡居民: its whole budget counts for each, flagged
    assert rows[Decimal("6000")]["yuan_per_person"] == Decimal("7130")
    assert rows[Decimal("348000")]["yuan_per_person"] == Decimal("122.93")
    assert rows[Decimal("6000")]["shared_projects"] == rows[Decimal("348000")]["shared_projects"] == 1
    assert rows[Decimal("347700")]["shared_projects"] == rows[Decimal("2194100")]["shared_projects"] == 0


def test_similar_indicators_finds_the_same_indicator_worded_two_ways(store) -> None:
    rows = Q.run("similar-indicators", store=store).records()
    pairs = {(r["name_a"], r["name_b"]): r for r in rows}
    # project 4 names the group, project 5 leaves it to its project name (DOMAIN.md)
    alike = pairs[("机关事业单位退休人员养老金正常发放人数", "退休人员养老金正常发放人数")]
    assert alike["similarity"] == Decimal("0.667") and alike["projects"] == 2
    assert set(alike["project_names"].split(" | ")) == {P4, P5}
    same = pairs[("机关事业单位退休人员基本养老金足额发放率", "机关事业单位退休人员基本养老金足额发放率")]
    assert same["similarity"] == 1 and same["projects"] == 2
    for r in rows:
        assert r["similarity"] >= Decimal("0.6") and r["projects"] >= 2 and r["units"] == 1
    assert [r["similarity"] for r in rows] == sorted((r["similarity"] for r in rows), reverse=True)
    # 参保人员满意度 (projects 3, 6, 7) and 参保单位满意度 (project 8 only) are worded alike across projects
    assert ("参保人员满意度", "参保人员满意度") in pairs
    # two indicators every user of one also has are two indicators, not one worded twice
    assert ("机关事业单位退休人员基本养老金发放时间", "机关事业单位退休人员基本养老金发放金额") not in pairs


def test_similar_indicators_threshold_and_units(store, tmp_path: Path) -> None:
    exact = Q.run("similar-indicators", store=store, params={"threshold": "1"}).records()
    assert exact and all(r["name_a"] == r["name_b"] for r in exact)
    loose = Q.run("similar-indicators", store=store, params={"threshold": "0.4"}).records()
    assert len(loose) > len(Q.run("similar-indicators", store=store).rows) > len(exact)
    assert Q.run("similar-indicators", store=store, params={"across": "units"}).rows == []
    with pytest.raises(Q.QueryError, match="threshold=0"):
        Q.run("similar-indicators", store=store, params={"threshold": "0"})
    # the same tables published by a second unit: every name is shared across units
    other = tmp_path / "another-unit.txt"
    other.write_text(SAMPLE.read_text("utf-8").replace("353302", "353399"), "utf-8")
    db = make_store(tmp_path / "store", SAMPLE, other)
    try:
        rows = Q.run("similar-indicators", store=db, params={"across": "units", "threshold": "1"}).records()
    finally:
        db.close()
    assert {r["units"] for r in rows} == {2}
    import perfkg

    names = {Q.normalise_name(i.name) for p in perfkg.read(SAMPLE).projects for i in p.indicators}
    assert len(rows) == len(names) == 59  # each of the sample's names, used by both units


def test_similar_wording_normalises_width_spaces_and_punctuation() -> None:
    assert Q.normalise_name("参保人员 满意度（％）") == Q.normalise_name("参保人员满意度(%)") == "参保人员满意度"


# --- parameters --------------------------------------------------------------------------------


def test_parameters_are_typed_and_checked(store) -> None:
    with pytest.raises(Q.QueryError, match="expected a date as YYYY-MM-DD"):
        Q.run("deadlines", store=store, params={"from": "2025-13-01"})
    with pytest.raises(Q.QueryError, match="expected one of 元, 万元, 亿元"):
        Q.run("funding-by-level", store=store, params={"unit": "美元"})
    with pytest.raises(Q.QueryError, match="has no parameter 'since'.*takes from, to"):
        Q.run("deadlines", store=store, params={"since": "2025-01-01"})
    with pytest.raises(Q.QueryError, match="parameters need a query whose header declares them"):
        Q.run("SELECT * WHERE { ?s ?p ?o } LIMIT 1", store=store, params={"x": "1"})


def test_a_hostile_string_parameter_stays_a_string(store) -> None:
    hostile = '"} } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #\n\\'
    assert Q.run("indicator-coverage", store=store, params={"lacking": hostile}).rows == []
    assert len(store) > 3000


def test_bind_touches_parameters_only_outside_strings_iris_and_comments() -> None:
    p = Q.Param("x", None, "", "integer")
    text = 'SELECT * WHERE { ?s <http://e/$x> "$x" ; ?p \'$x\' """a $x""" . FILTER(?o = $x) } # $x\nVALUES ?y { $xy }'
    out = Q.bind(text, [p], {"x": 7})
    assert out == text.replace("?o = $x", f'?o = "7"^^<{Q.XSD}integer>')


@pytest.mark.parametrize(
    "type_, raw, term",
    [
        ("string", 'a"b\\c\nd', '"a\\"b\\\\c\\nd"'),
        ("decimal", "0.5", f'"0.5"^^<{Q.XSD}decimal>'),
        ("decimal", "2", f'"2.0"^^<{Q.XSD}decimal>'),
        ("date", "2025-11-01", f'"2025-11-01"^^<{Q.XSD}date>'),
        ("boolean", "yes", "true"),
        ("iri", "https://w3id.org/perfkg/id/unit/353302", "<https://w3id.org/perfkg/id/unit/353302>"),
    ],
)
def test_parameter_terms(type_: str, raw: str, term: str) -> None:
    p = Q.Param("x", None, "", type_)
    assert p.to_sparql(p.convert(raw)) == term


@pytest.mark.parametrize("type_, raw", [("integer", "1.5"), ("decimal", "NaN"), ("iri", "http://a b"),
                                        ("iri", "<http://a>"), ("boolean", "maybe"), ("date", "30/11/2025")])
def test_parameter_values_of_the_wrong_type_are_refused(type_: str, raw: str) -> None:
    with pytest.raises(Q.QueryError, match=f"parameter x={raw!r}"):
        Q.Param("x", None, "", type_).convert(raw)


def test_header_syntax(tmp_path: Path) -> None:
    path = tmp_path / "by-unit.rq"
    path.write_text(
        "# title-zh: 按单位\n# title-en: By unit\n# description: Projects of one unit,\n#   by name.\n"
        "# param: code (string) = 353302 -- the unit's code\n# param: top (integer) -- at most this many\n"
        "\nSELECT ?name WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?name }\n", "utf-8",
    )
    q = Q.load(path)
    assert (q.name, q.title_zh, q.title_en, q.description) == ("by-unit", "按单位", "By unit", "Projects of one unit, by name.")
    assert q.params == [Q.Param("code", "353302", "the unit's code", "string"), Q.Param("top", None, "at most this many", "integer")]
    bad = tmp_path / "bad.rq"
    bad.write_text("# title: no such key\nSELECT * {}\n", "utf-8")
    with pytest.raises(Q.QueryError, match="unknown header key 'title'"):
        Q.load(bad)
    bad.write_text("# param: n (number) = 1\nSELECT * {}\n", "utf-8")
    with pytest.raises(Q.QueryError, match="TYPE one of string, integer"):
        Q.load(bad)
    bad.write_text("# param: n (integer) = one\nSELECT * {}\n", "utf-8")
    with pytest.raises(Q.QueryError, match="parameter n='one': expected an integer"):
        Q.load(bad)


# --- results and their formats -----------------------------------------------------------------


def test_malformed_sparql_gives_line_and_column(store) -> None:
    with pytest.raises(Q.QueryError) as e:
        Q.run("SELECT ?x WHERE {\n  ?x a\n}", store=store)
    assert (e.value.line, e.value.column) == (3, 2)  # Oxigraph's parser: where it stopped
    assert str(e.value).startswith("line 3, column 2: malformed SPARQL: expected")


def test_select_formats_are_the_sparql_results_formats(store) -> None:
    result = Q.run("funding-by-level", store=store)
    doc = json.loads(result.serialize("json"))
    assert doc["head"]["vars"] == result.variables
    assert doc["results"]["bindings"][0]["level_zh"] == {"type": "literal", "value": "中央"}
    table = list(csv.reader(io.StringIO(result.serialize("csv").decode("utf-8"), newline="")))
    assert table[0] == result.variables and table[1][2] == "central" and table[1][5] == "2348974"
    assert result.serialize("csv").count(b"\r\n") == 4  # CRLF, as RFC 4180 and the W3C note say
    tsv = result.serialize("tsv").decode("utf-8").split("\n")
    assert tsv[0].split("\t")[:3] == ["?unit_code", "?unit_name", "?level"]
    assert tsv[1].split("\t")[3] == '"中央"'
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(result.serialize("xml"))
    assert [v.get("name") for v in root.find("r:head", ns)] == result.variables
    assert len(root.findall("r:results/r:result", ns)) == 3
    with pytest.raises(Q.QueryError, match="ttl, jsonld or nt|json, xml, csv or tsv"):
        result.serialize("ttl")


def test_construct_and_ask(store) -> None:
    unit = Q.run("CONSTRUCT { ?u ?p ?o } WHERE { ?u a <https://w3id.org/perfkg/ontology#BudgetUnit> ; ?p ?o }", store=store)
    assert unit.kind == "construct" and len(unit.triples) == 4
    for fmt, rdf in (("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES), ("jsonld", ox.RdfFormat.JSON_LD)):
        back = {q.triple for q in ox.parse(unit.serialize(fmt), format=rdf)}
        assert back == set(unit.triples), fmt
    assert "天津市社会保险基金管理中心" in unit.serialize("ttl").decode("utf-8")
    described = Q.run("DESCRIBE <https://w3id.org/perfkg/id/unit/353302>", store=store)
    assert described.kind == "describe" and len(described.triples) == 4
    ask = Q.run("ASK { ?p <https://w3id.org/perfkg/ontology#servesPopulation> ?x }", store=store)
    assert ask.kind == "ask" and ask.boolean is True
    assert json.loads(ask.serialize("json")) == {"head": {}, "boolean": True}


# --- the command line --------------------------------------------------------------------------


def test_cli_shared_beneficiaries_as_a_table(store_path: Path) -> None:
    run = run_perfkg("query", "shared-beneficiaries", "--store", store_path, env={"COLUMNS": "250"})
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    header = lines[0]
    assert header.split() == ["label", "size", "projects", "names", "budget", "unit"]
    rows = [line for line in lines if "退休人员" in line]
    assert len(rows) == 2
    assert f"{P6} | {P7}" in rows[0] or f"{P7} | {P6}" in rows[0]
    # numbers right-aligned under their heading (Chinese is two cells wide: measure in cells)
    from rich.cells import cell_len

    budget_end = cell_len(header[: header.index("budget") + len("budget")])
    for row, budget in zip(rows, ("2049178", "685446")):
        assert cell_len(row[: row.index(budget) + len(budget)]) == budget_end
    assert "2 row(s)" in run.stdout


def test_cli_formats_and_sources(store_path: Path, tmp_path: Path) -> None:
    run = run_perfkg("query", "deadlines", "-p", "from=2025-11-01", "-p", "to=2025-11-30", "--format", "json", "--store", store_path)
    assert run.code == 0, run.stderr
    assert len(json.loads(run.stdout)["results"]["bindings"]) == 2
    rq = tmp_path / "mine.rq"
    rq.write_text("# title-en: Levels\n# param: level (string) = municipal -- a level code\n"
                  "PREFIX pkg: <https://w3id.org/perfkg/ontology#>\n"
                  "SELECT (COUNT(?p) AS ?n) WHERE { ?p pkg:governmentLevel ?l FILTER(STRENDS(STR(?l), $level)) }\n", "utf-8")
    run = run_perfkg("query", rq, "-f", "csv", "--store", store_path)
    assert (run.code, run.stdout.splitlines()) == (0, ["n", "3"])
    run = run_perfkg("query", rq, "-f", "csv", "-p", "level=central", "--store", store_path)
    assert run.stdout.splitlines() == ["n", "2"]
    run = run_perfkg("query", "-q", "SELECT (COUNT(*) AS ?n) WHERE { ?i a <https://w3id.org/perfkg/ontology#Indicator> }",
                     "-f", "tsv", "--store", store_path)
    assert run.stdout == "?n\n71\n"  # Oxigraph writes xsd:integer in its Turtle short form
    run = run_perfkg("query", "-q", "CONSTRUCT { ?u ?p ?o } WHERE { ?u a <https://w3id.org/perfkg/ontology#BudgetUnit> ; ?p ?o }",
                     "-f", "nt", "--store", store_path)
    assert run.code == 0 and run.stdout.count(" .\n") == 4


def test_cli_list_shows_every_query() -> None:
    run = run_perfkg("query", "--list", env={"COLUMNS": "200"})
    assert run.code == 0
    for q in Q.library():
        assert q.name in run.stdout and q.title_zh in run.stdout
    assert "from: date = (none)" in run.stdout and "unit: enum 元|万元|亿元 = 万元" in run.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["-q", "SELECT ?x WHERE {\n ?x ?y\n}"], "Error: line 3, column 2: malformed SPARQL: expected"),
        (["no-such-query"], "no named query 'no-such-query'"),
        (["deadlines", "-p", "from"], "--param 'from': write NAME=VALUE"),
        (["deadlines", "-p", "from=tomorrow"], "parameter from='tomorrow': expected a date as YYYY-MM-DD"),
        (["deadlines", "-p", "month=2025-13"], "parameter month='2025-13': expected a month as YYYY-MM"),
        (["funding-by-level", "-f", "ttl"], "a SELECT result is a table: --format json, xml, csv or tsv, not ttl"),
        (["missing.rq"], "missing.rq: no such file"),
        ([], "name a query"),
    ],
)
def test_cli_errors_are_one_line_with_exit_2(store_path: Path, args: list[str], message: str) -> None:
    run = run_perfkg("query", *args, "--store", store_path)
    assert run.code == 2, run.stdout
    assert message in run.stderr and "Traceback" not in run.stderr
    assert run.stdout == ""


def test_cli_on_a_missing_store(tmp_path: Path) -> None:
    run = run_perfkg("query", "shared-beneficiaries", "--store", tmp_path / "none")
    assert run.code == 2 and "no store at" in run.stderr


# --- the summaries ingest derives for the queries (ontology/FIELDS.md, "Derived at ingest") ----

DERIVED_VS_GRAPH = {
    # each derived figure beside the same figure walked from the graph, as the queries used to
    "cost": """
        SELECT ?g ?project (SAMPLE(?n) AS ?count) (SAMPLE(?s) AS ?sum) (COUNT(?t) AS ?walked_count)
               (SUM(COALESCE(?v, 0)) AS ?walked_sum) WHERE { GRAPH ?g {
          ?project pkg:costTargetCount ?n ; pkg:costTargetSumInYuan ?s .
          OPTIONAL {
            ?project pkg:hasIndicator ?i .
            FILTER EXISTS { { ?i pkg:level2Category l2:cost } UNION { ?i pkg:level1Category l1:cost } }
            ?i pkg:hasTarget ?t . ?t pkg:unitKind ukind:money ; schema:value ?v .
            OPTIONAL { ?t pkg:period ?p } FILTER(!BOUND(?p) || ?p = period:annual)
          } } } GROUP BY ?g ?project""",
    "indicators": """
        SELECT ?g ?project (SAMPLE(?n) AS ?count) (COUNT(DISTINCT ?i) AS ?walked) WHERE { GRAPH ?g {
          ?project pkg:indicatorCount ?n . OPTIONAL { ?project pkg:hasIndicator ?i } } } GROUP BY ?g ?project""",
    "categories": """
        SELECT ?g ?project (GROUP_CONCAT(DISTINCT STR(?c); separator=" ") AS ?derived) WHERE { GRAPH ?g {
          ?project pkg:coversCategory ?c } } GROUP BY ?g ?project""",
    "walked_categories": """
        SELECT ?g ?project (GROUP_CONCAT(DISTINCT STR(?c); separator=" ") AS ?walked) WHERE { GRAPH ?g {
          ?project a pkg:Project ; pkg:hasIndicator ?i . { ?i pkg:level1Category ?c } UNION { ?i pkg:level2Category ?c } } }
        GROUP BY ?g ?project""",
}
PREFIXES = """PREFIX pkg: <https://w3id.org/perfkg/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX l1: <https://w3id.org/perfkg/taxonomy/level1/>
PREFIX l2: <https://w3id.org/perfkg/taxonomy/level2/>
PREFIX ukind: <https://w3id.org/perfkg/code/unit-kind/>
PREFIX period: <https://w3id.org/perfkg/code/period/>
PREFIX fundkind: <https://w3id.org/perfkg/code/funding-kind/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX time: <http://www.w3.org/2006/time#>
"""


@pytest.fixture(scope="module")
def variants_store(tmp_path_factory):
    from .conftest import DATA

    files = [SAMPLE] + sorted((DATA / "variants").glob("*.txt"))
    db = make_store(tmp_path_factory.mktemp("derived") / "store", *files)
    yield db
    db.close()


def _records(db, sparql: str) -> list[dict]:
    return Q.run(PREFIXES + sparql, store=db).records()


def test_derived_summaries_agree_with_the_graph_they_come_from(variants_store) -> None:
    db = variants_store
    assert len({r["g"] for r in _records(db, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?p a pkg:Project } }")}) >= 5
    # every budget line with an amount is on its project, and nothing else is (a self-evaluation's
    # lines are on its pkg:SelfEvaluation, which has no summaries: tests/test_union_of_documents.py)
    lines = _records(db, """SELECT ?g ?project ?kind ?v WHERE { GRAPH ?g { ?project a pkg:Project ; pkg:hasFunding ?l .
        ?l pkg:fundingKind ?kind ; pkg:amountInYuan ?v . VALUES ?kind { fundkind:total fundkind:fiscal fundkind:other } } }""")
    derived = _records(db, """SELECT ?g ?project ?kind ?v WHERE { GRAPH ?g {
        { ?project pkg:totalBudgetInYuan ?v BIND(fundkind:total AS ?kind) }
        UNION { ?project pkg:fiscalFundsInYuan ?v BIND(fundkind:fiscal AS ?kind) }
        UNION { ?project pkg:otherFundsInYuan ?v BIND(fundkind:other AS ?kind) } } }""")
    key = lambda r: (r["g"], r["project"], r["kind"], r["v"])  # noqa: E731
    assert lines and sorted(map(key, derived)) == sorted(map(key, lines))
    cost = _records(db, DERIVED_VS_GRAPH["cost"])
    assert len(cost) == len(_records(db, "SELECT ?g ?p WHERE { GRAPH ?g { ?p a pkg:Project } }"))
    assert any(r["count"] > 0 for r in cost) and any(r["count"] == 0 for r in cost)
    for r in cost:
        assert (r["count"], r["sum"]) == (r["walked_count"], r["walked_sum"]), r["project"]
    for r in _records(db, DERIVED_VS_GRAPH["indicators"]):
        assert r["count"] == r["walked"], r["project"]
    got = {(r["g"], r["project"]): set(r["derived"].split()) for r in _records(db, DERIVED_VS_GRAPH["categories"])}
    walked = {(r["g"], r["project"]): set(r["walked"].split()) for r in _records(db, DERIVED_VS_GRAPH["walked_categories"])}
    assert got and got == walked
    # the same categories as one literal of taxonomy paths, for indicator-coverage's patterns
    codes = {(r["g"], r["project"]): r["codes"] for r in _records(db, """SELECT ?g ?project ?codes WHERE { GRAPH ?g {
        ?project a pkg:Project ; pkg:coverageCodes ?codes } }""")}
    taxonomy = "https://w3id.org/perfkg/taxonomy/"
    assert codes.keys() == {(r["g"], r["project"]) for r in names_of_projects(db)}
    for key, text in codes.items():
        assert text == " ".join(sorted(c.removeprefix(taxonomy) for c in got.get(key, ()))), key
    # the name and the date, again where the queries read them
    names = _records(db, """SELECT ?g ?project ?a ?b WHERE { GRAPH ?g { ?project a pkg:Project ; rdfs:label ?a .
        OPTIONAL { ?project skos:prefLabel ?b } } }""")
    assert all(r["a"] == r["b"] for r in names)
    dates = _records(db, """SELECT ?g ?t ?a ?b WHERE { GRAPH ?g { ?p a pkg:Project ; pkg:hasIndicator/pkg:hasTarget ?t .
        ?t pkg:targetDate ?i . ?i time:inXSDDate ?a .
        OPTIONAL { ?t pkg:targetDateValue ?b } } }""")
    assert dates and all(r["a"] == r["b"] for r in dates)
    assert len(_records(db, "SELECT ?t WHERE { ?t pkg:targetDateValue ?d }")) == len(dates)


def names_of_projects(db) -> list[dict]:
    return _records(db, "SELECT ?g ?project WHERE { GRAPH ?g { ?project a pkg:Project } }")


@pytest.mark.parametrize("summary", ["indicatorCount", "coverageCodes"])  # mapping 1, mapping 3
def test_named_queries_on_a_store_without_the_derived_summaries_say_so(tmp_path: Path, summary: str) -> None:
    db = make_store(tmp_path / "store", SAMPLE)
    try:
        assert Q.run("indicator-coverage", store=db).rows
        db.db.update(f"DELETE WHERE {{ GRAPH ?g {{ ?p <https://w3id.org/perfkg/ontology#{summary}> ?n }} }}")
        with pytest.raises(Q.QueryError, match="ingested by an older perfkg"):
            Q.run("indicator-coverage", store=db)
    finally:
        db.close()
