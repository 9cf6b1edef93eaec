"""perfkg's engines give pyshacl's results, every one of them.

The reference is pyshacl on the whole graph: every document of the corpus in ONE rdflib graph
(each document minted under its own base IRI, so that documents share no node and the union
is the same as the documents side by side), validated with the shapes of their profile. Against
it: the compiled engine with its hand-compiled queries (shapes/compiled/), the compiled engine
rewriting the shapes' own queries, and perfkg's per-document pyshacl engine. A result is
compared whole: focus node, path, value, source shape, component, constraint, severity and
every message — as a multiset.

pyshacl runs here on ``PreparedQueryGraph``, an rdflib Graph that parses each SPARQL text once
(pyshacl re-sends it for every focus node); ``test_parsing_once_changes_nothing`` holds that
graph to a plain ``rdflib.Graph`` on a document of the corpus, result for result.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

import perfkg
from perfkg import validate as V
from perfkg.mapping import to_quads

from .conftest import DATA, ROOT, SAMPLE

MUTATIONS = sorted((DATA / "mutations").glob("*.txt"))
VARIANTS = sorted((DATA / "variants").glob("*.txt"))
CORPUS = [SAMPLE, *MUTATIONS, *VARIANTS, DATA / "mutations" / "synthetic-edge-cases.trig"]


EDGE_CASES = DATA / "mutations" / "synthetic-edge-cases.trig"


def _store(files: list[Path]) -> tuple[ox.Store, list[str]]:
    db, graphs = ox.Store(), []
    for n, path in enumerate(files):
        if path.suffix == ".trig":
            db.load(path=str(path), format=ox.RdfFormat.TRIG)
            graphs.extend(sorted({q.graph_name.value for q in ox.parse(path=str(path), format=ox.RdfFormat.TRIG)}))
            continue
        doc = perfkg.read(path)
        quads = to_quads(doc, base=f"https://example.org/corpus/{n}")
        db.extend(quads)
        graphs.append(quads[0].graph_name.value)
    return db, graphs


def _shapes(profile: str) -> Graph:
    g = Graph()
    for path in V.shapes_files(profile):
        g.parse(path, format="turtle")
    return g


def _whole_graph_pyshacl(db: ox.Store, graphs: list[str], profile: str, *, plain: bool = False) -> Counter:
    """pyshacl on the union of ``graphs`` (the data as Oxigraph holds it, lexical forms and all)."""
    import pyshacl

    data = Graph() if plain else V._prepared_graph_class()()
    for g in graphs:
        data.parse(data=db.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)).decode(), format="nt")
    _, report, _ = pyshacl.validate(data, shacl_graph=_shapes(profile))
    return Counter(r.key() for r in V.pyshacl_results(report))


def _by_profile(report: V.ValidationReport) -> dict[str, Counter]:
    profile_of = {d.graph: d.profile for d in report.documents}
    out: dict[str, Counter] = {}
    for r in report.results:
        out.setdefault(profile_of[r.graph], Counter())[r.key()] += 1
    return out


@pytest.fixture(scope="module")
def corpus() -> tuple[ox.Store, list[str]]:
    return _store(CORPUS)


@pytest.fixture(scope="module")
def reference(corpus) -> dict[str, Counter]:
    """pyshacl on the whole graph, per profile group of the automatic choice."""
    db, graphs = corpus
    docs = V._documents(db, graphs, "auto")
    groups: dict[str, list[str]] = {}
    for d in docs:
        groups.setdefault(d.profile, []).append(d.graph)
    assert set(groups) == {"2021", "legacy"}
    return {profile: _whole_graph_pyshacl(db, gs, profile) for profile, gs in groups.items()}


def _assert_same(found: dict[str, Counter], expected: dict[str, Counter]) -> None:
    for profile in expected:
        got, want = found.get(profile, Counter()), expected[profile]
        missing, extra = want - got, got - want
        assert not missing and not extra, (profile, list(missing)[:2], list(extra)[:2])


def test_the_corpus_exercises_the_rules(reference) -> None:
    rules = {V._local(str(k[3])) for c in reference.values() for k in c}
    assert rules == {s.name for s in V._Shapes.load().shapes}  # every rule fires somewhere
    assert sum(sum(c.values()) for c in reference.values()) > 40


def test_the_compiled_engine_equals_pyshacl(corpus, reference) -> None:
    db, graphs = corpus
    report = V.validate_graphs(db, graphs, engine="compiled")
    assert report.engine == "compiled"
    _assert_same(_by_profile(report), reference)


def test_the_rewritten_shape_queries_equal_pyshacl(corpus, reference) -> None:
    db, graphs = corpus
    report = V.validate_graphs(db, graphs, engine="compiled", hand_compiled=False)
    _assert_same(_by_profile(report), reference)


def test_the_per_document_pyshacl_engine_equals_pyshacl_on_the_whole_graph(corpus, reference) -> None:
    db, graphs = corpus
    report = V.validate_graphs(db, graphs, engine="pyshacl", jobs=2)
    assert report.engine == "pyshacl"
    _assert_same(_by_profile(report), reference)


@pytest.mark.parametrize("profile", ["2021", "legacy"])
def test_a_chosen_profile_equals_pyshacl(profile: str) -> None:
    files = [SAMPLE, DATA / "mutations" / "tianjin-cost-placement-mixed.txt",
             DATA / "variants" / "zhejiang-2023-cost-level1-implementation-period.txt",
             DATA / "variants" / "shandong-2022-self-evaluation.txt"]
    db, graphs = _store(files)
    expected = _whole_graph_pyshacl(db, graphs, profile)
    for hand_compiled in (True, False):
        report = V.validate_graphs(db, graphs, profile=profile, hand_compiled=hand_compiled)
        assert Counter(r.key() for r in report.results) == expected
    assert any(V._local(str(k[3])).startswith("P2021" if profile == "2021" else "Legacy") for k in expected)


def test_parsing_once_changes_nothing() -> None:
    db, graphs = _store([DATA / "mutations" / "tianjin-cost-overrun.txt"])
    plain = _whole_graph_pyshacl(db, graphs, "legacy", plain=True)
    assert plain == _whole_graph_pyshacl(db, graphs, "legacy")
    assert sum(plain.values()) == 2


def test_the_store_as_data_gives_the_same_results(tmp_path: Path, monkeypatch) -> None:
    """Through an on-disk store, with the queries spread over two worker processes."""
    monkeypatch.setattr(V, "_WORKERS_FROM", 0)  # workers even for six documents
    from perfkg.ingest import ingest
    from perfkg.store import Store

    # each mutation as a unit of its own publishes it: mutations of one unit's tables state its
    # projects otherwise, and ingest stores only one of them
    files = []
    for i, mutation in enumerate(MUTATIONS[:6]):
        files.append(tmp_path / mutation.name)
        files[-1].write_text(mutation.read_text("utf-8").replace("353302", str(600000 + i)), "utf-8")
    store = Store(tmp_path / "store")
    report = ingest(files, store)
    assert not report.failed
    store.close()
    db = Store(tmp_path / "store", read_only=True)
    try:
        two = V.validate(db, jobs=2)
        one = V.validate(db, jobs=1)
        in_memory = V.validate(files)
    finally:
        db.close()
    assert Counter(r.key() for r in two.results) == Counter(r.key() for r in in_memory.results)
    assert Counter(r.key() for r in two.results) == Counter(r.key() for r in one.results)
    assert two.findings == one.findings and len(two.findings) > 6


# --- a generated corpus: every planted defect, and nothing else ----------------------------------

_GENERATE = ROOT / "benchmarks" / "generate.py"
# defect kind of benchmarks/generate.py → the rule that must catch it
KIND_RULES = {
    "missing-satisfaction": "ProjectHasSatisfactionIndicator",
    "missing-quality": "ProjectHasQualityIndicator",
    "funding-mismatch": "FundingSplitAddsUp",
    "cost-overrun": "CostWithinBudget",
    "percentage-over-100": "PercentageInRange",
    "deadline-wrong-year": "TimelinessWithinBudgetYear",
    "quantity-without-unit": "QuantityHasUnit",
    "duplicate-indicator-name": "IndicatorNameUnique",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    if not _GENERATE.is_file():
        pytest.skip("benchmarks/generate.py is not there")
    spec = importlib.util.spec_from_file_location("perfkg_bench_generate", _GENERATE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.generate(60, tmp_path_factory.mktemp("generated"), seed=7, defect_rate=0.5)


def test_every_planted_defect_is_found_where_it_was_planted(generated) -> None:
    report = V.validate(generated.files)
    by_file = {Path(f).name: f for f in map(str, generated.files)}
    planted = {(d["file"], d["table"], KIND_RULES[d["kind"]]) for d in generated.manifest["defects"]
               if d["kind"] in KIND_RULES}
    assert len(planted) >= 15
    rows = {(d["file"], d["table"]): d["row"] for d in generated.manifest["defects"]}
    found = {(Path(f.file).name, f.table, f.rule) for f in report.findings if f.rule != "CostCoversBudget"}
    assert found == planted
    for f in report.findings:
        row = rows.get((Path(f.file).name, f.table))
        if f.rule != "CostCoversBudget" and row is not None:
            assert f.row == row, f
    assert set(by_file) >= {name for name, _, _ in planted}


def test_the_generated_corpus_equals_pyshacl(generated) -> None:
    db, graphs = _store(list(generated.files)[:12])
    report = V.validate_graphs(db, graphs)
    found = _by_profile(report)
    groups: dict[str, list[str]] = {}
    for d in report.documents:
        groups.setdefault(d.profile, []).append(d.graph)
    _assert_same(found, {p: _whole_graph_pyshacl(db, gs, p) for p, gs in groups.items()})
