"""The ontology's documentation, generated from the Turtle files in ``ontology/`` (never by hand):
classes, properties, the indicator taxonomy and the code lists, each with its Chinese and English
label, its comment, domain and range, and an anchor that pages link to (``ontology/#Project``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from perfkg.namespaces import DCTERMS, OWL, RDF, RDFS, SKOS

__all__ = ["anchor", "OntologyDoc", "ontology_doc"]

_PKG = "https://w3id.org/perfkg/ontology#"
_TAX = "https://w3id.org/perfkg/taxonomy"
_CODE = "https://w3id.org/perfkg/code/"


def anchor(iri: str) -> str:
    """``pkg:Project`` → ``Project``; ``…/taxonomy/level1/output`` → ``taxonomy-level1-output``;
    ``…/code/government-level/central`` → ``code-government-level-central``."""
    if iri.startswith(_PKG):
        return iri[len(_PKG):]
    if iri.startswith(_TAX):
        return "taxonomy" + iri[len(_TAX):].replace("/", "-")
    if iri.startswith(_CODE):
        return "code-" + iri[len(_CODE):].rstrip("/").replace("/", "-")
    return iri.rsplit("/", 1)[-1]


@dataclass
class Term:
    iri: str
    anchor: str
    zh: str | None
    en: str | None
    comment_en: str | None = None
    comment_zh: str | None = None
    notation: str | None = None
    links: dict[str, list[str]] = field(default_factory=dict)  # "subClassOf" → IRIs


@dataclass
class OntologyDoc:
    title_zh: str
    title_en: str
    description_en: str
    description_zh: str
    version: str
    licence: str
    classes: list[Term]
    properties: list[tuple[str, list[Term]]]  # (kind, terms)
    schemes: list[tuple[Term, list[Term]]]  # a concept scheme and its concepts
    files: list[str]


@lru_cache(maxsize=1)
def ontology_doc() -> OntologyDoc:
    import pyoxigraph as ox

    from perfkg.resources import ontology_files

    store = ox.Store()
    for path in ontology_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)

    def lit(s: str, p: str, lang: str | None = None) -> str | None:
        for q in store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), None):
            if isinstance(q.object, ox.Literal) and (lang is None or q.object.language == lang):
                return q.object.value
        return None

    def iris(s: str, p: str) -> list[str]:
        return sorted(q.object.value for q in store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), None)
                      if isinstance(q.object, ox.NamedNode))

    def of_type(t: str) -> list[str]:
        return sorted({q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(RDF.type), ox.NamedNode(t))
                       if isinstance(q.subject, ox.NamedNode)})

    def term(iri: str, *links: tuple[str, str]) -> Term:
        label = RDFS.label if lit(iri, RDFS.label) else SKOS.prefLabel
        comment = RDFS.comment if lit(iri, RDFS.comment) else SKOS.definition
        t = Term(iri, anchor(iri), lit(iri, label, "zh"), lit(iri, label, "en"),
                 lit(iri, comment, "en"), lit(iri, comment, "zh"), lit(iri, SKOS.notation))
        for name, p in links:
            found = iris(iri, p)
            if found:
                t.links[name] = found
        return t

    onto = "https://w3id.org/perfkg/ontology"
    classes = [term(c, ("subClassOf", RDFS.subClassOf), ("disjointWith", OWL.disjointWith))
               for c in of_type(OWL.Class) if c.startswith(_PKG)]
    properties = []
    for kind, t in (("Object properties", OWL.ObjectProperty), ("Datatype properties", OWL.DatatypeProperty),
                    ("Annotation properties", OWL.AnnotationProperty)):
        found = [term(p, ("domain", RDFS.domain), ("range", RDFS.range), ("subPropertyOf", RDFS.subPropertyOf))
                 for p in of_type(t) if p.startswith(_PKG)]
        if found:
            properties.append((kind, found))
    schemes = []
    for scheme in of_type(SKOS.ConceptScheme):
        members = [c for c in of_type(SKOS.Concept) if scheme in iris(c, SKOS.inScheme)]
        schemes.append((term(scheme), [term(c, ("broader", SKOS.broader)) for c in members]))
    return OntologyDoc(
        lit(onto, DCTERMS.title, "zh") or "", lit(onto, DCTERMS.title, "en") or "",
        lit(onto, DCTERMS.description, "en") or "", lit(onto, DCTERMS.description, "zh") or "",
        lit(onto, OWL.versionInfo) or "", (iris(onto, DCTERMS.license) or [""])[0],
        classes, properties, schemes, [p.name for p in ontology_files()],
    )
