"""Several documents, one answer. The named queries read the union of the store's graphs, which
Oxigraph keeps as a bag (a triple stated by two graphs comes back twice), so what two documents
both say must not be counted twice:

- a self-evaluation (绩效自评表) beside the target table of its project: the self-evaluation
  describes its evaluation of the project, not the project (ontology/README.md,
  pkg:SelfEvaluation), so the two never state the same triple;
- a unit's tables published in two files: both state the unit and the populations its projects
  serve, and the queries take them once.

Real files, a real store, the real command line."""

from __future__ import annotations

import csv
import io
import shutil
import urllib.request
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

import perfkg
from perfkg.ingest import info, ingest
from perfkg.mapping import to_quads
from perfkg.namespaces import PKG, RDF
from perfkg.query import QueryError, library, run
from perfkg.store import Store
from perfkg.validate import validate

from .conftest import DATA, SAMPLE, run_perfkg

SELF_EVALUATION = DATA / "variants" / "shandong-2022-self-evaluation.txt"
ITS_TARGETS = DATA / "duplicates" / "shandong-2022-targets-of-the-self-evaluated-project.txt"
PROJECT = "https://w3id.org/perfkg/id/unit/unknown/2022/project/4f54c396d467"


@pytest.fixture(scope="module")
def both() -> Store:
    store = Store()
    report = ingest([ITS_TARGETS, SELF_EVALUATION], store)
    assert [r.status for r in report.results] == ["added", "added"]
    counts = info(store)
    assert (counts["documents"], counts["projects"], counts["self_evaluations"]) == (2, 1, 1)
    return store


def test_the_evaluation_is_a_resource_of_its_own_that_points_at_the_project() -> None:
    quads = to_quads(perfkg.read(SELF_EVALUATION))
    evaluation = PROJECT + "/self-evaluation"
    types = {q.object.value for q in quads if q.subject.value == evaluation and q.predicate.value == str(RDF.type)}
    assert str(PKG.SelfEvaluation) in types and str(PKG.Project) not in types
    assert [q.object.value for q in quads if q.predicate.value == str(PKG.evaluates)] == [PROJECT]
    # the project's IRI is only ever the object of that one link: nothing is said *about* it
    assert [q for q in quads if q.subject.value == PROJECT] == []
    assert [q.predicate.value for q in quads if q.object.value == PROJECT] == [str(PKG.evaluates)]
    # what the plan is made of stays with the target table: no summaries, no populations
    derived = {str(PKG.totalBudgetInYuan), str(PKG.costTargetCount), str(PKG.coverageCodes), str(PKG.key),
               str(PKG.targetDateValue), str(PKG.servesPopulation)}
    assert not [q for q in quads if q.predicate.value in derived]


_SHARED = """
    SELECT DISTINCT ?s ?p ?o WHERE {
      GRAPH ?a { ?s ?p ?o } GRAPH ?b { ?s ?p ?o }
      FILTER (STR(?a) < STR(?b) && STRENDS(STR(?a), "/graph") && STRENDS(STR(?b), "/graph"))
    }"""


def test_the_two_documents_never_state_the_same_triple(both: Store) -> None:
    assert list(both.db.query(_SHARED)) == []
    # the check sees a triple both state: the project's name, as mapping 4 wrote it in both
    copy = ox.Store()
    copy.extend(both.db.quads_for_pattern(None, None, None, None))
    graphs = sorted({q.graph_name for q in copy if str(q.graph_name.value).endswith("/graph")}, key=str)
    name = ox.Literal("农村公路养护工程", language="zh")
    for g in graphs:
        copy.add(ox.Quad(ox.NamedNode(PROJECT), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), name, g))
    assert [r["s"].value for r in copy.query(_SHARED)] == [PROJECT]


def test_every_named_query_counts_the_project_once(both: Store) -> None:
    cost = run("cost-vs-budget", store=both).records()
    assert [(r["project"], r["budget"], r["verdict"]) for r in cost] == [(PROJECT, Decimal(800), "低于预算")]
    (level,) = run("funding-by-level", store=both).records()
    assert (level["projects"], level["total"], level["fiscal"]) == (1, Decimal(800), Decimal(800))
    coverage = run("indicator-coverage", store=both).records()
    assert [r["project"] for r in coverage] == [PROJECT]
    deadlines = run("deadlines", store=both).records()
    assert [(str(r["date"]), r["written"], r["indicator"]) for r in deadlines] == [
        ("2022-12-31", "2022年12月底前", PROJECT + "/indicator/3")]
    for q in library():
        result = run(q.name, store=both)
        projects = [r.get("project") for r in result.records()]
        assert len(projects) == len(set(projects)), f"{q.name} lists a project twice"


def test_the_evaluation_keeps_its_own_figures(both: Store) -> None:
    (row,) = both.db.query(f"""
        PREFIX pkg: <https://w3id.org/perfkg/ontology#>
        PREFIX schema: <https://schema.org/>
        SELECT ?planned ?adjusted ?executed WHERE {{
          ?e pkg:evaluates <{PROJECT}> ; pkg:hasFunding ?line .
          ?line pkg:fundingKind <https://w3id.org/perfkg/code/funding-kind/total> ;
                pkg:amount/schema:value ?planned ; pkg:adjustedAmount/schema:value ?adjusted ;
                pkg:executedAmount/schema:value ?executed .
        }}""", use_default_graph_as_union=True)
    assert [Decimal(row[k].value) for k in ("planned", "adjusted", "executed")] == [
        Decimal("8000000"), Decimal("8500000"), Decimal("8204000")]


def test_a_store_of_self_evaluations_alone_says_where_the_plan_is(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert run_perfkg("ingest", SELF_EVALUATION, "--store", store).code == 0
    result = run_perfkg("query", "cost-vs-budget", "--store", store)
    assert result.code == 2
    assert "self-evaluations (绩效自评表) only" in result.stderr and "target tables" in result.stderr
    with pytest.raises(QueryError, match="ingest the target tables too"):
        run("indicator-coverage", store=store)


def test_the_same_self_evaluation_twice_is_stored_once(tmp_path: Path) -> None:
    again = tmp_path / "shandong-2022-self-evaluation-copy.txt"
    shutil.copy(SELF_EVALUATION, again)
    store = Store()
    report = ingest([SELF_EVALUATION, again], store)
    assert [r.status for r in report.results] == ["added", "duplicate"]


def test_a_self_evaluation_is_still_validated_as_a_project_is(both: Store) -> None:
    report = validate(both)
    evaluation = PROJECT + "/self-evaluation"
    about = {f.rule for f in report.findings if f.focus == evaluation}
    assert about, "the project shapes target pkg:SelfEvaluation too"
    assert "ProjectHasUseOfFunds" not in about  # a 绩效自评表 has no 资金用途 row
    docs = {Path(d.file).name: d.projects for d in report.documents}
    assert docs == {ITS_TARGETS.name: 1, SELF_EVALUATION.name: 1}


def test_csv_of_the_command_line_lists_the_project_once(tmp_path: Path) -> None:
    store = tmp_path / "store"
    ingested = run_perfkg("ingest", ITS_TARGETS, SELF_EVALUATION, "--store", store)
    assert ingested.code == 0
    # the summary counts the evaluation apart from the project it evaluates
    assert "2 added — 1 project, 1 self-evaluation (自评), " in " ".join(ingested.stdout.split())
    out = run_perfkg("query", "funding-by-level", "--store", store, "--format", "csv")
    assert out.code == 0, out.stderr
    (row,) = list(csv.DictReader(io.StringIO(out.stdout)))
    assert (row["projects"], row["total"]) == ("1", "800")



# --- one unit's tables in two files ------------------------------------------------------------


def split_sample(tmp_path: Path) -> list[Path]:
    """The sample as a unit that publishes a file per batch of tables: tables 1–4 and 5–8, each
    file with the sample's head (title, unit, contents). Projects 4 and 5 share a population
    across the two files."""
    lines = SAMPLE.read_text("utf-8").splitlines(keepends=True)
    # table 1 and table 5 by their bookmarks (table 4 has no heading of its own: a quirk)
    one, five = (next(i for i, line in enumerate(lines) if line.startswith(f"[bookmark: _Toc_4_4_000000011{n}]"))
                 for n in (1, 5))
    head, first, second = lines[:one], lines[one:five], lines[five:]
    paths = []
    for n, body in enumerate((first, second), start=1):
        path = tmp_path / f"tianjin-353302-2025-part-{n}.txt"
        path.write_text("".join(head + body), "utf-8")
        paths.append(path)
    return paths


def test_a_unit_publishing_in_two_files_gets_the_answers_of_one(tmp_path: Path) -> None:
    whole, split = Store(), Store()
    assert [r.status for r in ingest([SAMPLE], whole).results] == ["added"]
    assert [r.status for r in ingest(split_sample(tmp_path), split).results] == ["added", "added"]
    for q in library():
        expected = sorted(run(q.name, store=whole).serialize("csv").splitlines())
        assert sorted(run(q.name, store=split).serialize("csv").splitlines()) == expected, q.name
    shared = run("shared-beneficiaries", store=split).records()
    assert sorted((r["size"], r["budget"]) for r in shared) == [(347700, Decimal(685446)), (2194100, Decimal(2049178))]


def test_the_evaluation_has_a_page_that_links_its_project(tmp_path: Path) -> None:
    from .test_serve_support import build_store, running_server

    store = build_store(tmp_path / "store", ITS_TARGETS, SELF_EVALUATION)
    path = PROJECT.removeprefix("https://w3id.org/perfkg")
    def html(url: str) -> str:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/html"}), timeout=30) as r:
            return r.read().decode("utf-8")

    with running_server(store) as base:
        page, project = html(base + path + "/self-evaluation"), html(base + path)
    assert "Self-evaluation" in page and f'href="{path}/"' in page  # pkg:evaluates, as a link
    assert "Populations served" not in page and "850" in page  # the adjusted budget, 850 万元
    assert "Populations served" in project and "农村公路养护工程" in project
