"""IRIs of the vocabularies perfkg writes, as plain strings (no rdflib import at start-up)."""

from __future__ import annotations

__all__ = [
    "Namespace", "PKG", "TAX", "RDF", "RDFS", "OWL", "XSD", "SKOS", "ORG", "QUDT", "UNIT", "CUR",
    "TIME", "PROV", "DCTERMS", "DCAT", "SCHEMA", "QB", "FOAF", "SPDX", "SDMX_ATTRIBUTE", "CODE",
    "PREFIXES",
]


class Namespace:
    """``PKG.Project`` → ``'https://w3id.org/perfkg/ontology#Project'``; ``PKG + "x"`` too.

    Not a ``str`` subclass: ``DCTERMS.title`` and ``DCTERMS.format`` would be str methods."""

    __slots__ = ("_base",)

    def __init__(self, base: str) -> None:
        self._base = base

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._base + name

    def __add__(self, other: str) -> str:
        return self._base + other

    def __str__(self) -> str:
        return self._base

    __format__ = lambda self, spec: format(self._base, spec)  # noqa: E731 - f"{PKG}x" works

    def __repr__(self) -> str:
        return f"Namespace({self._base!r})"

    def __eq__(self, other: object) -> bool:
        return str(other) == self._base

    def __hash__(self) -> int:
        return hash(self._base)


PKG = Namespace("https://w3id.org/perfkg/ontology#")
TAX = Namespace("https://w3id.org/perfkg/taxonomy/")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
ORG = Namespace("http://www.w3.org/ns/org#")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
CUR = Namespace("http://qudt.org/vocab/currency/")
TIME = Namespace("http://www.w3.org/2006/time#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SCHEMA = Namespace("https://schema.org/")
QB = Namespace("http://purl.org/linked-data/cube#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
CODE = Namespace("https://w3id.org/perfkg/code/")

PREFIXES: dict[str, Namespace] = {
    "pkg": PKG, "tax": TAX, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS,
    "org": ORG, "qudt": QUDT, "unit": UNIT, "cur": CUR, "time": TIME, "prov": PROV,
    "dcterms": DCTERMS, "dcat": DCAT, "schema": SCHEMA, "qb": QB, "foaf": FOAF, "spdx": SPDX,
    "sdmx-attribute": SDMX_ATTRIBUTE, "code": CODE,
}
