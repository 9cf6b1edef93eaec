"""The ontology, the indicator taxonomy and the code lists: well-formed, documented, in step with
the model and the vocabulary TOML files, and consistent under OWL 2 RL reasoning."""

from __future__ import annotations

import dataclasses
import re
import tomllib
import typing
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from perfkg import model

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
VOCAB = ROOT / "perfkg" / "vocab"
FILES = ["perfkg.ttl", "indicator-taxonomy.ttl", "code-lists.ttl"]

PKG = Namespace("https://w3id.org/perfkg/ontology#")
ONTOLOGY_IRI = URIRef("https://w3id.org/perfkg/ontology")
TAXONOMY = URIRef("https://w3id.org/perfkg/taxonomy")
L1 = Namespace("https://w3id.org/perfkg/taxonomy/level1/")
L2 = Namespace("https://w3id.org/perfkg/taxonomy/level2/")
COLLECTION = Namespace("https://w3id.org/perfkg/taxonomy/collection/")
CODE = "https://w3id.org/perfkg/code/"
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
VANN = Namespace("http://purl.org/vocab/vann/")
ORG = Namespace("http://www.w3.org/ns/org#")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")

OWL_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
# The datatypes of the OWL 2 datatype map that a range may name without DL tools choking.
OWL2_DATATYPES = {XSD[n] for n in (
    "decimal", "integer", "nonNegativeInteger", "positiveInteger", "string", "boolean",
    "dateTime", "dateTimeStamp", "anyURI", "hexBinary", "base64Binary", "double", "float",
)} | {RDFS.Literal}


def _load(*names: str) -> Graph:
    g = Graph()
    for name in names:
        g.parse(ONTOLOGY / name, format="turtle")
    return g


def _toml(name: str) -> dict:
    return tomllib.loads((VOCAB / name).read_text("utf-8"))


def _literal_args(annotation) -> set[str]:
    """The strings of a ``Literal[...]`` annotation, through ``| None``."""
    args: set[str] = set()
    for arg in typing.get_args(annotation) or ():
        if isinstance(arg, str):
            args.add(arg)
        elif arg is not type(None):
            args |= _literal_args(arg)
    return args


def _hints(cls) -> dict:
    return typing.get_type_hints(cls, vars(model))


def _readme_block(language: str) -> str:
    text = (ONTOLOGY / "README.md").read_text("utf-8")
    blocks = re.findall(rf"```{language}\n(.*?)```", text, re.S)
    assert blocks, f"ontology/README.md has no ```{language} block"
    return blocks[0]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return _load("perfkg.ttl")


@pytest.fixture(scope="module")
def taxonomy() -> Graph:
    return _load("indicator-taxonomy.ttl")


@pytest.fixture(scope="module")
def codes() -> Graph:
    return _load("code-lists.ttl")


@pytest.fixture(scope="module")
def everything() -> Graph:
    return _load(*FILES)


@pytest.fixture(scope="module")
def example() -> Graph:
    return Graph().parse(data=_readme_block("turtle"), format="turtle")


# --- well-formed and documented ----------------------------------------------------------------

@pytest.mark.parametrize("name", FILES)
def test_file_parses_and_is_not_empty(name: str) -> None:
    g = _load(name)
    assert len(g) > 100


def _pkg_terms(g: Graph) -> set[URIRef]:
    return {s for s in g.subjects() if isinstance(s, URIRef) and s.startswith(str(PKG))}


def test_every_pkg_term_has_chinese_and_english_labels_a_comment_and_a_home(ontology: Graph) -> None:
    terms = _pkg_terms(ontology)
    assert len(terms) > 80
    missing = []
    for term in sorted(terms):
        labels = {lit.language for lit in ontology.objects(term, RDFS.label)}
        comments = {lit.language for lit in ontology.objects(term, RDFS.comment)}
        if not {"zh", "en"} <= labels:
            missing.append(f"{term}: rdfs:label @zh and @en")
        if "en" not in comments:
            missing.append(f"{term}: rdfs:comment @en")
        if (term, RDFS.isDefinedBy, ONTOLOGY_IRI) not in ontology:
            missing.append(f"{term}: rdfs:isDefinedBy the ontology")
        if len(list(ontology.objects(term, RDFS.label))) != 2:
            missing.append(f"{term}: exactly one label per language")
    assert not missing, "\n".join(missing)


def test_every_pkg_term_is_exactly_one_kind_of_owl_entity(ontology: Graph) -> None:
    wrong = []
    for term in _pkg_terms(ontology):
        kinds = [k for k in OWL_KINDS if (term, RDF.type, k) in ontology]
        individual = any(
            (term, RDF.type, t) in ontology and t not in OWL_KINDS for t in ontology.objects(term, RDF.type)
        )
        if len(kinds) != 1 and not (not kinds and individual):
            wrong.append(f"{term}: {kinds}")
    assert not wrong, "\n".join(wrong)


def test_every_pkg_iri_used_anywhere_is_declared(everything: Graph, example: Graph, ontology: Graph) -> None:
    declared = _pkg_terms(ontology)
    used = set()
    for g in (everything, example):
        for triple in g:
            used |= {t for t in triple if isinstance(t, URIRef) and t.startswith(str(PKG))}
    assert used - declared == set()


def test_no_iri_is_both_an_object_and_a_datatype_property(ontology: Graph) -> None:
    objects = set(ontology.subjects(RDF.type, OWL.ObjectProperty))
    datatypes = set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
    annotations = set(ontology.subjects(RDF.type, OWL.AnnotationProperty))
    assert objects & datatypes == set()
    assert (objects | datatypes) & annotations == set()


def test_external_terms_used_in_axioms_are_declared(ontology: Graph) -> None:
    """Superclasses, superproperties, domains and ranges are declared, so DL tools need no imports."""
    undeclared = []
    for predicate in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf):
        for s, o in ontology.subject_objects(predicate):
            if isinstance(o, BNode) or o in OWL2_DATATYPES:
                continue
            if not any((o, RDF.type, k) in ontology for k in OWL_KINDS):
                undeclared.append(f"{s} {predicate} {o}")
    assert not undeclared, "\n".join(undeclared)


def test_datatype_ranges_are_in_the_owl2_datatype_map(ontology: Graph) -> None:
    for prop in ontology.subjects(RDF.type, OWL.DatatypeProperty):
        for rng in ontology.objects(prop, RDFS.range):
            assert rng in OWL2_DATATYPES, f"{prop} has range {rng}, which OWL 2 DL reasoners reject"
    for prop in ontology.subjects(RDF.type, OWL.ObjectProperty):
        for rng in ontology.objects(prop, RDFS.range):
            assert rng not in OWL2_DATATYPES, f"object property {prop} has a datatype range"


def test_no_functional_properties(ontology: Graph) -> None:
    assert list(ontology.subjects(RDF.type, OWL.FunctionalProperty)) == []


def test_ontology_header_carries_version_licence_and_creator(ontology: Graph) -> None:
    o = ONTOLOGY_IRI
    assert (o, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(o, OWL.versionInfo) == Literal("0.1.0")
    assert ontology.value(o, OWL.versionIRI) == URIRef("https://w3id.org/perfkg/ontology/0.1.0")
    assert ontology.value(o, DCTERMS.license) == CC_BY
    creator = ontology.value(o, DCTERMS.creator)
    assert creator is not None
    assert ontology.value(creator, URIRef("http://xmlns.com/foaf/0.1/name")) == Literal("The perfkg developers")
    assert ontology.value(o, DCTERMS.created) is not None
    assert {t.language for t in ontology.objects(o, DCTERMS.title)} == {"zh", "en"}
    assert ontology.value(o, DCTERMS.description) is not None
    assert ontology.value(o, VANN.preferredNamespacePrefix) == Literal("pkg")
    assert ontology.value(o, VANN.preferredNamespaceUri) == Literal(str(PKG))


def test_version_matches_the_package(ontology: Graph) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert str(ontology.value(ONTOLOGY_IRI, OWL.versionInfo)) == pyproject["project"]["version"]


def test_the_budget_cube_structure_is_complete(ontology: Graph) -> None:
    qb = Namespace("http://purl.org/linked-data/cube#")
    dsd = PKG.budgetStructure
    assert (dsd, RDF.type, qb.DataStructureDefinition) in ontology
    components = list(ontology.objects(dsd, qb.component))
    dims = {ontology.value(c, qb.dimension) for c in components} - {None}
    measures = {ontology.value(c, qb.measure) for c in components} - {None}
    assert dims == {PKG.fundsProject, PKG.fundingKind, PKG.budgetYear}
    assert measures == {PKG.amountInYuan}
    for d in dims:
        assert (d, RDF.type, qb.DimensionProperty) in ontology
        assert ontology.value(d, RDFS.range) is not None, f"qb requires a range on dimension {d}"
    assert ontology.value(PKG.fundingKind, qb.codeList) == URIRef(CODE + "funding-kind")


# --- the indicator taxonomy = perfkg/vocab/taxonomy.toml -----------------------------------------

def _concepts(g: Graph, ns: Namespace) -> set[URIRef]:
    return {c for c in g.subjects(RDF.type, SKOS.Concept) if c.startswith(str(ns))}


def test_taxonomy_has_exactly_the_codes_of_the_toml(taxonomy: Graph) -> None:
    toml = _toml("taxonomy.toml")
    assert _concepts(taxonomy, L1) == {L1[c] for c in toml["level1"]}
    assert _concepts(taxonomy, L2) == {L2[c] for c in toml["level2"]}
    all_concepts = set(taxonomy.subjects(RDF.type, SKOS.Concept))
    assert all_concepts == _concepts(taxonomy, L1) | _concepts(taxonomy, L2)


@pytest.mark.parametrize("level", ["level1", "level2"])
def test_taxonomy_labels_and_notations_match_the_toml(taxonomy: Graph, level: str) -> None:
    ns = L1 if level == "level1" else L2
    for code, entry in _toml("taxonomy.toml")[level].items():
        c = ns[code]
        assert set(taxonomy.objects(c, SKOS.notation)) == {Literal(code)}
        assert set(taxonomy.objects(c, SKOS.prefLabel)) == {
            Literal(entry["label"], lang="zh"), Literal(entry["en"], lang="en")}
        alt = {Literal(w, lang="zh") for w in entry["labels"] if w != entry["label"]}
        assert set(taxonomy.objects(c, SKOS.altLabel)) == alt, code
        assert (c, SKOS.inScheme, TAXONOMY) in taxonomy


def test_taxonomy_broader_links_are_exactly_the_toml_parents(taxonomy: Graph) -> None:
    toml = _toml("taxonomy.toml")
    expected = {(L2[code], L1[parent]) for code, e in toml["level2"].items() for parent in e["parents"]}
    assert set(taxonomy.subject_objects(SKOS.broader)) == expected
    # the two placements DOMAIN.md insists on
    assert (L2.cost, SKOS.broader, L1.output) in taxonomy
    assert {L2.economic_cost, L2.social_cost, L2.environmental_cost} <= set(taxonomy.subjects(SKOS.broader, L1.cost))
    assert set(taxonomy.objects(L2.service_satisfaction, SKOS.broader)) == {L1.satisfaction, L1.benefit}


def test_level1_concepts_are_the_top_concepts(taxonomy: Graph) -> None:
    level1 = _concepts(taxonomy, L1)
    assert set(taxonomy.subjects(SKOS.topConceptOf, TAXONOMY)) == level1
    assert set(taxonomy.objects(TAXONOMY, SKOS.hasTopConcept)) == level1
    assert (TAXONOMY, RDF.type, SKOS.ConceptScheme) in taxonomy


def test_taxonomy_collections_hold_the_two_placements_of_cost(taxonomy: Graph) -> None:
    toml = _toml("taxonomy.toml")
    level1, level2 = set(toml["level1"]), set(toml["level2"])
    under_cost = {c for c, e in toml["level2"].items() if "cost" in e["parents"]}
    members = lambda name: set(taxonomy.objects(COLLECTION[name], SKOS.member))  # noqa: E731
    assert members("level1") == {L1[c] for c in level1}
    assert members("level2") == {L2[c] for c in level2}
    assert members("rules-2021") == {L1[c] for c in level1} | {L2[c] for c in level2 - {"cost"}}
    assert members("older-rules") == {L1[c] for c in level1 - {"cost"}} | {L2[c] for c in level2 - under_cost}


# --- the code lists = the model and the vocabulary --------------------------------------------

def _scheme(g: Graph, name: str) -> dict[str, URIRef]:
    scheme = URIRef(CODE + name)
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g, name
    found = {}
    for c in g.subjects(SKOS.inScheme, scheme):
        notations = list(g.objects(c, SKOS.notation))
        assert len(notations) == 1, c
        found[str(notations[0])] = c
    assert set(g.objects(scheme, SKOS.hasTopConcept)) == set(found.values())
    return found


SCHEMES = ["government-level", "funding-kind", "comparator", "comparator-source", "target-kind", "period",
           "direction", "unit-kind", "counted-thing", "document-kind", "cost-placement"]


@pytest.mark.parametrize("name", SCHEMES)
def test_every_code_has_one_label_per_language_and_sits_in_its_scheme(codes: Graph, name: str) -> None:
    for code, c in _scheme(codes, name).items():
        assert sorted(lit.language for lit in codes.objects(c, SKOS.prefLabel)) == ["en", "zh"], c
        assert (c, SKOS.topConceptOf, URIRef(CODE + name)) in codes
        assert (c, RDF.type, SKOS.Concept) in codes
        if name != "comparator":  # the comparator's codes (>=, <=) are not IRI-safe: ge, le …
            assert c == URIRef(f"{CODE}{name}/{code}")


def test_government_levels_match_labels_toml(codes: Graph) -> None:
    labels = _toml("labels.toml")
    found = _scheme(codes, "government-level")
    assert set(found) == set(labels["levels"]) == set(labels["levels_zh"])
    for code, c in found.items():
        zh = labels["levels_zh"][code]
        assert Literal(zh, lang="zh") in set(codes.objects(c, SKOS.prefLabel))
        assert set(codes.objects(c, SKOS.altLabel)) == {Literal(w, lang="zh") for w in labels["levels"][code] if w != zh}


def test_funding_kinds_match_the_model_and_labels_toml(codes: Graph) -> None:
    labels = _toml("labels.toml")["funding"]
    found = _scheme(codes, "funding-kind")
    assert set(found) == _literal_args(model.FundingKind) == set(labels)
    for code, c in found.items():
        first, *rest = labels[code]
        assert Literal(first, lang="zh") in set(codes.objects(c, SKOS.prefLabel)), code
        assert set(codes.objects(c, SKOS.altLabel)) == {Literal(w, lang="zh") for w in rest}, code
    levels = _scheme(codes, "government-level")
    for code in ("central", "provincial", "municipal", "county"):
        assert codes.value(found[code], PKG.governmentLevel) == levels[code]


def test_comparators_match_the_model(codes: Graph) -> None:
    assert set(_scheme(codes, "comparator")) == _literal_args(model.Comparator)


def test_target_codes_match_the_model(codes: Graph) -> None:
    hints = _hints(model.Target)
    assert set(_scheme(codes, "target-kind")) == _literal_args(model.TargetKind)
    assert set(_scheme(codes, "comparator-source")) == _literal_args(hints["comparator_source"])


def test_periods_cover_every_target_column(codes: Graph) -> None:
    found = set(_scheme(codes, "period"))
    assert found == {"annual", "implementation", "long", "actual"}
    from perfkg import layout

    roles = getattr(layout, "_TARGET_ROLES", None)
    if roles is not None:
        assert set(roles.values()) <= found


def test_directions_and_document_kinds_match_the_model(codes: Graph) -> None:
    assert set(_scheme(codes, "direction")) == _literal_args(_hints(model.Indicator)["direction"])
    assert set(_scheme(codes, "document-kind")) == _literal_args(_hints(model.Document)["kind"])


def test_unit_kinds_and_counted_things_match_units_toml(codes: Graph) -> None:
    units = {k: v for k, v in _toml("units.toml").items() if isinstance(v, dict) and "kind" in v}
    assert set(_scheme(codes, "unit-kind")) == {u["kind"] for u in units.values()}
    counted = _scheme(codes, "counted-thing")
    count_units = {k: v for k, v in units.items() if v["kind"] == "count"}
    assert set(counted) == set(count_units)
    for code, entry in count_units.items():
        first, *rest = entry["labels"]
        assert set(codes.objects(counted[code], SKOS.prefLabel)) == {
            Literal(first, lang="zh"), Literal(entry["en"], lang="en")}
        assert set(codes.objects(counted[code], SKOS.altLabel)) == {Literal(w, lang="zh") for w in rest}


def test_cost_placements_name_both_rules(codes: Graph) -> None:
    assert set(_scheme(codes, "cost-placement")) == {"level1", "output", "mixed"}


# --- OWL 2 RL: consistent, and the check itself can fail -----------------------------------------

def _closure_problems(g: Graph) -> list[str]:
    """Close ``g`` under OWL 2 RL; return owlrl's inconsistency messages and owl:Nothing members."""
    import owlrl
    from owlrl.Namespaces import ERRNS

    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    problems = [str(g.value(m, ERRNS.error)) for m in g.subjects(RDF.type, ERRNS.ErrorMessage)]
    problems += [f"{x} is a member of owl:Nothing" for x in g.subjects(RDF.type, OWL.Nothing)]
    return problems


def test_ontology_taxonomy_and_code_lists_are_consistent_under_owl_rl() -> None:
    assert _closure_problems(_load(*FILES)) == []


def test_the_worked_example_is_consistent_under_owl_rl(example: Graph) -> None:
    g = _load(*FILES)
    g += example
    assert _closure_problems(g) == []


def test_owl_rl_catches_a_resource_minted_as_both_target_and_indicator() -> None:
    g = _load(*FILES)
    g.add((URIRef("urn:x:t"), RDF.type, PKG.Target))
    g.add((URIRef("urn:x:t"), PKG.hasTarget, URIRef("urn:x:u")))  # the domain makes it an indicator
    problems = _closure_problems(g)
    assert any("Disjoint" in p or "owl:Nothing" in p for p in problems), problems


def test_owl_rl_infers_the_reused_classes(example: Graph) -> None:
    import owlrl

    g = _load(*FILES)
    g += example
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    unit = URIRef("https://w3id.org/perfkg/id/unit/353302")
    assert (unit, RDF.type, ORG.Organization) in g
    link = URIRef("https://w3id.org/perfkg/id/unit/353302/2025/population/public-institutions-retirees-347700/link/e9824e796733")
    indicator = URIRef("https://w3id.org/perfkg/id/unit/353302/2025/project/e9824e796733/indicator/1")
    assert (link, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), indicator) in g
    line = URIRef("https://w3id.org/perfkg/id/unit/353302/2025/project/e9824e796733/funding/total")
    project = URIRef("https://w3id.org/perfkg/id/unit/353302/2025/project/e9824e796733")
    assert (project, PKG.hasFunding, line) in g and (line, PKG.fundsProject, project) in g


# --- pySHACL takes the ontology as its ont_graph ---------------------------------------------

def test_pyshacl_loads_the_ontology_as_ont_graph(example: Graph) -> None:
    import pyshacl

    data = Graph() + example
    conforms, _, text = pyshacl.validate(
        data, shacl_graph=Graph(), ont_graph=_load(*FILES), inference="rdfs", inplace=True,
    )
    assert conforms, text
    # the ontology was mixed in and reasoned over: the budget unit is now an org:FormalOrganization
    assert (URIRef("https://w3id.org/perfkg/id/unit/353302"), RDF.type, ORG.FormalOrganization) in data


# --- the README's example and FIELDS.md --------------------------------------------------------

def test_the_worked_example_answers_the_shared_population_question(example: Graph) -> None:
    rows = list(example.query(_readme_block("sparql")))
    assert len(rows) == 1
    names = set(str(rows[0][1]).split(" | "))
    assert names == {"2025年机关事业单位养老保险补助经费-市级", "2025年机关事业单位养老保险制度改革中央补助经费-中央"}


def test_the_worked_example_keeps_the_target_as_written_and_normalised(example: Graph) -> None:
    target = URIRef("https://w3id.org/perfkg/id/unit/353302/2025/project/e9824e796733/indicator/1/target/1")
    schema = Namespace("https://schema.org/")
    assert example.value(target, PKG.writtenAs) == Literal("≥34.77万人")
    assert example.value(target, schema.value).toPython() == 347700
    assert example.value(target, PKG.comparator) == URIRef(CODE + "comparator/ge")


_FIELD_ROW = re.compile(r"^\| `(\w+)\.(\w+)` \| (.+) \|$", re.M)
_TERM = re.compile(r"`([a-z][\w-]*):([A-Za-z_][\w-]*)`")


def test_every_model_field_has_a_home(ontology: Graph, codes: Graph) -> None:
    text = (ONTOLOGY / "FIELDS.md").read_text("utf-8")
    rows = {(cls, name): rdf for cls, name, rdf in _FIELD_ROW.findall(text)}
    expected = {
        (cls.__name__, f.name)
        for cls in (model.Location, model.Note, model.SourceFile, model.BudgetUnit, model.Amount,
                    model.FundingLine, model.Target, model.Indicator, model.Project, model.Document)
        for f in dataclasses.fields(cls)
    }
    assert set(rows) - expected == set(), "FIELDS.md lists fields the model no longer has"
    assert expected - set(rows) == set(), "model fields without a home in FIELDS.md"
    # The prefixes as perfkg.ttl writes them (rdflib's own default bindings may differ).
    namespaces = dict(re.findall(r"^@prefix ([\w-]+): +<([^>]+)> \.$",
                                 (ONTOLOGY / "perfkg.ttl").read_text("utf-8"), re.M))
    unknown = []
    for (cls, name), rdf in rows.items():
        assert _TERM.search(rdf), f"{cls}.{name} names no RDF term"
        for prefix, local in _TERM.findall(rdf):
            if prefix == "pkgcode":
                if (URIRef(CODE + local), RDF.type, SKOS.ConceptScheme) not in codes:
                    unknown.append(f"{cls}.{name}: pkgcode:{local}")
            elif prefix in namespaces and prefix not in ("rdfs", "owl", "xsd", "rdf"):
                iri = URIRef(namespaces[prefix] + local)
                if not any(True for _ in ontology.triples((iri, RDF.type, None))):
                    unknown.append(f"{cls}.{name}: {prefix}:{local}")
    assert not unknown, "\n".join(unknown)
