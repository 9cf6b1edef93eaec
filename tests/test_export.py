"""`perfkg export`: every format parses back to the store's graph (isomorphism, not text), and the
JSON-LD is compact, with readable keys and Chinese text as written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

from .conftest import SAMPLE, run_perfkg
from .test_serve_support import build_store

RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld", "xml": "xml"}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("export") / "store")


@pytest.fixture(scope="module")
def store_graphs(store) -> dict[str, rdflib.Graph]:
    """The store's document graphs, read directly from Oxigraph (not through perfkg.export)."""
    import pyoxigraph as ox

    from perfkg.store import META_GRAPH, Store

    db = Store(store, read_only=True)
    graphs: dict[str, rdflib.Graph] = {}
    for q in db.db.quads_for_pattern(None, None, None, None):
        if q.graph_name.value == META_GRAPH:
            continue
        nt = ox.serialize([q.triple], format=ox.RdfFormat.N_TRIPLES)
        graphs.setdefault(q.graph_name.value, rdflib.Graph()).parse(data=nt, format="nt")
    db.close()
    assert len(graphs) == 1 and len(next(iter(graphs.values()))) == 3495  # 147 of them derived at ingest
    return graphs


def _union(graphs: dict[str, rdflib.Graph]) -> rdflib.Graph:
    out = rdflib.Graph()
    for g in graphs.values():
        out += g
    return out


@pytest.mark.parametrize("fmt", list(RDFLIB_FORMATS))
def test_every_format_round_trips_to_the_stores_graph(fmt, store, store_graphs, tmp_path) -> None:
    out = tmp_path / f"export.{fmt}"
    run = run_perfkg("export", "--store", store, "--format", fmt, "-o", out)
    assert run.code == 0, run.stderr
    if fmt in ("nq", "trig"):
        ds = rdflib.Dataset()
        ds.parse(out, format=RDFLIB_FORMATS[fmt])
        got = {str(g.identifier): g for g in ds.graphs() if len(g)}
        assert set(got) == set(store_graphs), "one named graph per document, and no bookkeeping graph"
        for name, graph in store_graphs.items():
            assert isomorphic(got[name], graph), name
    else:
        g = rdflib.Graph()
        g.parse(out, format=RDFLIB_FORMATS[fmt])
        assert isomorphic(g, _union(store_graphs))


def test_round_trip_through_oxigraph_too(store, store_graphs) -> None:
    import pyoxigraph as ox

    run = run_perfkg("export", "--store", store, "--format", "jsonld")
    triples = list(ox.parse(run.stdout.encode("utf-8"), format=ox.RdfFormat.JSON_LD))
    g = rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    assert isomorphic(g, _union(store_graphs))


def test_jsonld_is_compact_with_readable_keys_and_chinese_intact(store) -> None:
    run = run_perfkg("export", "--store", store, "--format", "jsonld")
    assert run.code == 0
    assert "\\u" not in run.stdout, "Chinese is written as characters, not escapes"
    doc = json.loads(run.stdout)
    nodes = {n["id"]: n for n in doc["@graph"]}
    project = next(n for n in nodes.values() if "Project" in n["type"] and n["label"] == "2025年机关事业单位养老保险补助经费-市级")
    assert project["budgetYear"] == 2025
    assert project["governmentLevel"] == "govlevel:municipal"
    assert project["servesPopulation"].endswith("/population/public-institutions-retirees-347700")
    target = nodes[project["id"] + "/indicator/1/target/1"]
    assert target["writtenAs"] == "≥34.77万人" and target["comparator"] == "cmp:ge" and target["minValue"] == "347700"
    # no key is a full IRI: every property of the sample has a term in the shipped context
    keys = {k for n in nodes.values() for k in n}
    assert not [k for k in keys if k.startswith("http")], keys
    population = nodes[project["servesPopulation"]]
    # the default language is zh: the Chinese label is a plain string, the English one says so
    assert any(isinstance(v, str) and v.startswith("机关事业单位退休人员") for v in population["label"])
    assert any(isinstance(v, dict) and v.get("@language") == "en" for v in population["label"])
    assert population["populationSize"] == "347700"


def test_shipped_context_is_a_documented_json_ld_context() -> None:
    from perfkg.export.jsonld import CONTEXT_PATH

    ctx = json.loads(CONTEXT_PATH.read_text("utf-8"))["@context"]
    assert ctx["@language"] == "zh" and ctx["id"] == "@id" and ctx["type"] == "@type"
    readme = (CONTEXT_PATH.parent / "README.md").read_text("utf-8")
    for term in ("servesPopulation", "writtenAs", "amountInYuan", "@language"):
        assert term in readme


def test_export_chosen_document_and_unknown_document(store, tmp_path) -> None:
    ok = run_perfkg("export", "--store", store, "-f", "nt", SAMPLE.name)
    assert ok.code == 0 and ok.stdout.count("\n") == 3495  # 147 of them derived at ingest
    bad = run_perfkg("export", "--store", store, "no-such-file.txt")
    assert bad.code == 2 and "Error:" in bad.stderr and "no-such-file.txt" in bad.stderr
    empty = run_perfkg("export", "--store", tmp_path / "nowhere")
    assert empty.code == 2 and "no store" in empty.stderr


def test_nquads_of_many_documents_are_written_a_graph_at_a_time_and_whole(tmp_path) -> None:
    """`-o FILE.nq` streams graph by graph; the file holds every document's graph exactly, and
    nothing is left under another name."""
    import pyoxigraph as ox

    from .conftest import SAMPLE

    files = []
    for code in ("500001", "500002", "500003"):
        path = tmp_path / f"unit-{code}.txt"
        path.write_text(SAMPLE.read_text("utf-8").replace("353302", code), "utf-8")
        files.append(path)
    store = build_store(tmp_path / "store", *files)
    out = tmp_path / "out" / "all.nq"
    out.parent.mkdir()
    run = run_perfkg("export", "--store", store, "--format", "nq", "-o", out)
    assert run.code == 0, run.stderr
    assert [p.name for p in out.parent.iterdir()] == ["all.nq"]
    got = set(ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS))
    db = ox.Store.read_only(str(store))
    want = {q for q in db.quads_for_pattern(None, None, None, None) if q.graph_name.value != "urn:perfkg:meta"}
    assert got == want and len({q.graph_name for q in got}) == 3
