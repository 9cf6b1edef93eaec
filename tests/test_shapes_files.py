"""The shapes files: well-formed SHACL that other engines load, every rule with a severity and a
message in Chinese and English, the taxonomy rule in step with taxonomy.toml, and every
hand-compiled query pinned to the shape it was written for."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from perfkg import validate as V
from perfkg.resources import data_dir

from .conftest import ROOT

SH = Namespace("http://www.w3.org/ns/shacl#")
PKGSH = "https://w3id.org/perfkg/shapes#"
SHAPES = ROOT / "shapes"
FILES = ["completeness.ttl", "consistency.ttl", "profile-2021.ttl", "profile-legacy.ttl"]


def _graph(*names: str) -> Graph:
    g = Graph()
    for name in names:
        g.parse(SHAPES / name, format="turtle")
    return g


def _shapes(g: Graph) -> set:
    return {s for s in g.subjects() if (s, SH.targetClass, None) in g or (s, SH.targetObjectsOf, None) in g}


def test_the_shapes_directory_is_where_perfkg_looks() -> None:
    assert data_dir("shapes") == SHAPES
    assert [p.name for p in V.shapes_files("2021")] == ["completeness.ttl", "consistency.ttl", "profile-2021.ttl"]
    assert [p.name for p in V.shapes_files("legacy")][-1] == "profile-legacy.ttl"
    with pytest.raises(V.ValidationError, match="unknown profile"):
        V.shapes_files("2019")


@pytest.mark.parametrize("name", FILES)
def test_every_shape_is_one_rule_with_a_severity_and_messages_in_both_languages(name: str) -> None:
    g = _graph(name)
    shapes = _shapes(g)
    assert shapes, f"{name} holds no shapes"
    for s in shapes:
        assert isinstance(s, URIRef) and str(s).startswith(PKGSH), f"{s}: shapes have IRIs under pkgsh:"
        assert g.value(s, SH.severity) in (SH.Violation, SH.Warning, SH.Info), f"{s} has no severity"
        messages = list(g.objects(s, SH.message))
        langs = sorted(m.language for m in messages if isinstance(m, Literal))
        assert langs == ["en", "zh"], f"{s}: one message in Chinese and one in English, not {langs}"
        zh = next(str(m) for m in messages if m.language == "zh")
        assert re.search(r"[\u4e00-\u9fff]", zh), f"{s}: the @zh message is Chinese"
        constraints = list(g.objects(s, SH.sparql))
        assert len(constraints) + (g.value(s, SH.path) is not None) == 1, f"{s}: one constraint, core or SPARQL"
        for c in constraints:
            assert isinstance(c, URIRef), f"{s}: its SPARQL constraint has an IRI (reports name it)"
            assert not list(g.objects(c, SH.message)), f"{c}: messages live on the shape"
            query = str(g.value(c, SH.select))
            # SHACL-SPARQL: what every engine accepts when it pre-binds $this
            assert not re.search(r"\b(MINUS|VALUES|SERVICE)\b", query), c
            assert len(re.findall(r"\bSELECT\b", query)) == 1, f"{c}: no nested SELECT"
            assert re.search(r"SELECT\s+(DISTINCT\s+)?\$this\b", query), f"{c}: selects $this first"
        filled = {frozenset(re.findall(r"\{[?$](\w+)\}", str(m))) for m in messages}
        assert len(filled) == 1, f"{s}: both languages fill in the same values"


def test_the_files_together_load_in_pyshacl_and_shape_names_are_unique() -> None:
    import pyshacl
    from pyshacl.shapes_graph import ShapesGraph

    names: list[str] = []
    for name in FILES:
        names.extend(str(s) for s in _shapes(_graph(name)))
    assert len(names) == len(set(names))
    for profile in ("profile-2021.ttl", "profile-legacy.ttl"):
        g = _graph("completeness.ttl", "consistency.ttl", profile)
        assert len(ShapesGraph(g).shapes) >= 30
        empty = Graph()
        conforms, _, _ = pyshacl.validate(empty, shacl_graph=g)
        assert conforms


def test_level2_belongs_to_level1_follows_the_taxonomy() -> None:
    """One indicator per (level-1, level-2) pair: flagged exactly when taxonomy.toml does not
    list the level-1 among the level-2's parents — by the compiled engine and by pyshacl."""
    taxonomy = tomllib.loads((ROOT / "perfkg" / "vocab" / "taxonomy.toml").read_text("utf-8"))
    base = "https://example.org/tax/"
    doc, graph = URIRef(base + "doc"), ox.NamedNode(base + "doc/graph")
    quads, expected = [], set()
    pkg, tax = "https://w3id.org/perfkg/ontology#", "https://w3id.org/perfkg/taxonomy/"

    def add(s: str, p: str, o) -> None:
        quads.append(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, graph))

    add(str(doc), str(RDF.type), ox.NamedNode(pkg + "SourceDocument"))
    for l1 in taxonomy["level1"]:
        for l2, spec in taxonomy["level2"].items():
            i = f"{base}indicator/{l1}/{l2}"
            add(i, str(RDF.type), ox.NamedNode(pkg + "Indicator"))
            add(i, pkg + "level1Category", ox.NamedNode(f"{tax}level1/{l1}"))
            add(i, pkg + "level2Category", ox.NamedNode(f"{tax}level2/{l2}"))
            add(i, pkg + "level1Label", ox.Literal(taxonomy["level1"][l1]["label"]))
            add(i, pkg + "level2Label", ox.Literal(spec["label"]))
            if l1 not in spec["parents"]:
                expected.add(i)
    db = ox.Store()
    db.extend(quads)
    for engine in ("compiled", "pyshacl"):
        report = V.validate_graphs(db, [graph.value], engine=engine, jobs=1)
        flagged = {f.focus for f in report.findings if f.rule == "Level2BelongsToLevel1"}
        assert flagged == expected, engine
    assert len(expected) == 4 * 12 - 13  # 13 allowed pairs: 12 level-2s, 服务对象满意度 under two


def test_every_sparql_shape_has_a_current_compiled_form() -> None:
    """A shape edited without its compiled/*.rq falls back to the slower rewrite: fail here."""
    shapes = V._Shapes.load()
    engine = V._Compiled(shapes)
    used = {q.shape.name: q.origin for q in engine.queries if q.sparql is not None}
    stale = {name: origin for name, origin in used.items() if origin != f"compiled/{name}.rq"}
    assert not stale, f"update shapes/compiled/ for {sorted(stale)} (pin: V._rule_hash)"
    files = {p.stem for p in (SHAPES / "compiled").glob("*.rq")}
    assert files == set(used), "one compiled query per SPARQL shape, no leftovers"
    for name in files:
        text = (SHAPES / "compiled" / f"{name}.rq").read_text("utf-8")
        assert f"pkgsh:{name} " in text.splitlines()[0]


def test_a_stale_pin_is_not_used(tmp_path: Path, monkeypatch) -> None:
    import shutil

    copy = tmp_path / "shapes"
    shutil.copytree(SHAPES, copy)
    rq = copy / "compiled" / "CostWithinBudget.rq"
    rq.write_text(re.sub(r"# rule: \w+", "# rule: 000000000000", rq.read_text("utf-8")), "utf-8")
    monkeypatch.setattr(V, "data_dir", lambda name: copy)
    engine = V._Compiled(V._Shapes._read())
    origins = {q.shape.name: q.origin for q in engine.queries}
    assert origins["CostWithinBudget"] == "rewritten"
    assert origins["CostCoversBudget"] == "compiled/CostCoversBudget.rq"
