"""The RDF mapping of the sample: declared terms, deterministic IRIs, provenance, round trips."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from perfkg.mapping import DEFAULT_BASE, to_quads, to_rdflib
from perfkg.namespaces import CODE, PKG, RDF, TAX

from .conftest import DATA, ROOT

ONTOLOGY = ROOT / "ontology"


@pytest.fixture(scope="module")
def quads(sample_doc) -> list[ox.Quad]:
    return to_quads(sample_doc)


@pytest.fixture(scope="module")
def store(quads) -> ox.Store:
    s = ox.Store()
    s.extend(quads)
    return s


@pytest.fixture(scope="module")
def vocab() -> rdflib.Graph:
    g = rdflib.Graph()
    for name in ("perfkg.ttl", "code-lists.ttl", "indicator-taxonomy.ttl"):
        g.parse(ONTOLOGY / name)
    return g


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    prefixes = f"PREFIX pkg: <{PKG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX schema: <https://schema.org/> PREFIX prov: <http://www.w3.org/ns/prov#>\n"
    rows = store.query(prefixes + query, use_default_graph_as_union=True)
    return [{v.value: (r[v].value if r[v] is not None else None) for v in rows.variables} for r in rows]


def test_every_pkg_term_the_mapping_emits_is_declared(quads, vocab) -> None:
    declared = {str(s) for s in vocab.subjects() if str(s).startswith(str(PKG))}
    used = {q.predicate.value for q in quads if q.predicate.value.startswith(str(PKG))}
    used |= {q.object.value for q in quads if q.predicate.value == str(RDF.type) and q.object.value.startswith(str(PKG))}
    assert used, "the mapping emits pkg: terms"
    assert used - declared == set()


def test_every_code_and_category_the_mapping_points_to_exists(quads, vocab) -> None:
    concepts = {str(s) for s in vocab.subjects(rdflib.RDF.type, rdflib.SKOS.Concept)}
    pointed = {q.object.value for q in quads if isinstance(q.object, ox.NamedNode)
               and q.object.value.startswith((str(CODE), str(TAX)))}
    assert len(pointed) > 10
    assert pointed - concepts == set()


def test_no_blank_nodes_and_one_named_graph(quads, sample_doc) -> None:
    assert not any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object))
    graphs = {q.graph_name.value for q in quads}
    assert graphs == {f"{DEFAULT_BASE}/document/{sample_doc.source.sha256[:16]}/graph"}


def test_mapping_twice_gives_the_same_quads(sample_doc, sample_path) -> None:
    import perfkg

    again = to_quads(perfkg.read(sample_path))
    assert set(to_quads(sample_doc)) == set(again)


def test_base_iri_is_configurable(sample_doc) -> None:
    other = to_quads(sample_doc, base="http://data.example.gov.cn/perf/")
    subjects = {q.subject.value for q in other}
    assert all(s.startswith("http://data.example.gov.cn/perf/") for s in subjects)


def test_counts_of_the_sample(store) -> None:
    def count(cls: str) -> int:
        return int(select(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a pkg:{cls} }}")[0]["n"])

    assert (count("Project"), count("Indicator"), count("Target"), count("BudgetUnit")) == (8, 71, 71, 1)
    assert count("BeneficiaryPopulation") == 4


def test_budgets_and_targets_are_exact_decimals(store) -> None:
    rows = select(store, """SELECT ?name ?yuan WHERE { ?p a pkg:Project ; rdfs:label ?name ; pkg:hasFunding ?f .
        ?f pkg:fundingKind <https://w3id.org/perfkg/code/funding-kind/total> ; pkg:amountInYuan ?yuan }""")
    total = sum(Decimal(r["yuan"]) for r in rows)
    assert total == Decimal("27411375000")  # 2 741 137.5 万元
    (t,) = select(store, """SELECT ?v ?min ?unit WHERE { ?t pkg:writtenAs "≤672.1万元" ; schema:value ?v ; schema:maxValue ?min ;
        <http://qudt.org/schema/qudt/unit> ?unit }""")
    assert (t["v"], t["unit"]) == ("6721000", "http://qudt.org/vocab/currency/CNY")


def test_every_project_indicator_and_target_links_back_to_its_row(store, sample_doc) -> None:
    rows = select(store, """SELECT ?ind ?n ?row ?table WHERE {
        ?ind a pkg:Indicator ; pkg:position ?n ; prov:wasDerivedFrom ?r .
        ?r pkg:rowNumber ?row ; <http://purl.org/dc/terms/isPartOf> ?t . ?t pkg:tableNumber ?table }""")
    assert len(rows) == 71
    expected = {(i.location.table, i.location.row) for p in sample_doc.projects for i in p.indicators}
    assert {(int(r["table"]), int(r["row"])) for r in rows} == expected
    orphans = select(store, """SELECT ?s WHERE { { ?s a pkg:Project } UNION { ?s a pkg:Target } UNION { ?s a pkg:FundingLine }
        FILTER NOT EXISTS { ?s prov:wasDerivedFrom ?row . ?row a pkg:SourceRow } }""")
    assert orphans == []


def test_table_4_without_heading_and_project_levels(store) -> None:
    rows = select(store, """SELECT ?name ?heading ?level WHERE { ?p a pkg:Project ; rdfs:label ?name ; pkg:describedInTable ?t .
        ?t pkg:tableNumber 4 . OPTIONAL { ?t pkg:heading ?heading } OPTIONAL { ?p pkg:governmentLevel ?level } }""")
    assert rows == [{"name": "2025年机关事业单位养老保险补助经费-市级", "heading": None,
                     "level": "https://w3id.org/perfkg/code/government-level/municipal"}]


def test_shared_populations_with_their_evidence(store) -> None:
    rows = select(store, """SELECT ?pop (COUNT(DISTINCT ?p) AS ?n) (SUM(?yuan) AS ?money) WHERE {
        ?p pkg:servesPopulation ?pop ; pkg:hasFunding ?f .
        ?f pkg:fundingKind <https://w3id.org/perfkg/code/funding-kind/total> ; pkg:amountInYuan ?yuan }
        GROUP BY ?pop HAVING (COUNT(DISTINCT ?p) > 1) ORDER BY ?money""")
    assert [(int(r["n"]), Decimal(r["money"]) / 10000) for r in rows] == [(2, Decimal("685446")), (2, Decimal("2049178"))]
    evidence = select(store, """SELECT ?rule ?why WHERE { ?l a pkg:PopulationLink ; pkg:matchedRule ?rule ; pkg:rationale ?why ;
        pkg:evidenceIndicator ?i . ?i rdfs:label "退休人员养老金正常发放人数"@zh }""")
    assert len(evidence) == 1 and "project name" in evidence[0]["rule"]


def test_round_trip_through_trig_is_isomorphic(quads) -> None:
    ds = to_rdflib(quads)
    text = ds.serialize(format="trig")
    back = rdflib.Dataset()
    back.parse(data=text, format="trig")
    (g1,) = [g for g in ds.graphs() if len(g)]
    (g2,) = [g for g in back.graphs() if len(g)]
    assert len(g1) == len(quads)
    assert isomorphic(g1, g2)


def test_self_evaluation_maps_actuals_and_scores() -> None:
    import perfkg

    doc = perfkg.read(DATA / "variants" / "shandong-2022-self-evaluation.txt")
    s = ox.Store()
    s.extend(to_quads(doc))
    rows = select(s, """SELECT ?name ?actual ?score WHERE { ?i a pkg:Indicator ; rdfs:label ?name ; pkg:score ?score ;
        pkg:actualValue ?a . ?a schema:value ?actual } ORDER BY ?name""")
    assert {"name": "养护里程", "actual": "1520", "score": "20"} in rows
    assert all("/self-evaluation/indicator/" in q.subject.value for q in to_quads(doc)
               if q.predicate.value == str(RDF.type) and q.object.value == str(PKG.Indicator))
