"""What a page or an RDF document about one resource holds, read from the store.

Shared by ``perfkg publish`` (every resource, once) and ``perfkg serve`` (one per request):

- ``Rebase`` maps the store's IRIs (minted under the ingest ``--base``) to public IRIs under
  ``{base-url}/id/``, where the published site or the server answers for them;
- ``GraphView`` looks triples up in the union of the documents' graphs (never the meta graph);
- a resource's **description** is its own triples, those of the resources it owns (the IRIs
  under its own that have no page: funding lines, amounts, goals, targets, intervals, table
  rows…), and the triples that point at it from elsewhere;
- ``Labels`` gives every IRI a Chinese and an English label: the ontology's, ``terms.toml``'s
  for borrowed vocabularies, or the data's own ``rdfs:label`` / ``skos:prefLabel``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from perfkg.namespaces import DCTERMS, PKG, RDF, RDFS, SKOS
from perfkg.store import META_GRAPH

__all__ = ["Rebase", "GraphView", "Labels", "PAGED_TYPES", "store_bases", "natural_key"]

#: The classes whose instances get a page of their own (the rest live on their owner's page).
PAGED_TYPES = {
    PKG.SourceDocument: "document", PKG.BudgetUnit: "unit", PKG.Project: "project", PKG.SelfEvaluation: "evaluation",
    PKG.Indicator: "indicator", PKG.BeneficiaryPopulation: "population",
    SKOS.Concept: "concept", SKOS.ConceptScheme: "concept", "http://www.w3.org/ns/org#Organization": "organization",
}
_DOC_GRAPH = re.compile(r"^(.*)/document/[0-9a-f]{16}/graph$")


def store_bases(store) -> list[str]:
    """The ingest bases the store's documents were minted under (from their graph IRIs)."""
    bases = []
    for d in store.documents(counts=False):
        m = _DOC_GRAPH.match(d.graph)
        if m and m.group(1) not in bases:
            bases.append(m.group(1))
    return bases or ["https://w3id.org/perfkg/id"]


class Rebase:
    """Store IRI ``{base}/unit/353302`` ↔ public IRI ``{public}/id/unit/353302``, for every base."""

    def __init__(self, bases: list[str], public: str) -> None:
        self.bases = [b.rstrip("/") for b in bases]
        self.public = public.rstrip("/")
        self.space = self.public + "/id/"
        self.identity = all(b + "/" == self.space for b in self.bases)

    def path(self, iri: str) -> str | None:
        """``unit/353302`` for a store IRI under a base, else None."""
        for b in self.bases:
            if iri.startswith(b + "/"):
                return iri[len(b) + 1:]
        return None

    def to_public(self, iri: str) -> str:
        p = self.path(iri)
        return iri if p is None else self.space + p

    def candidates(self, path: str) -> list[str]:
        """Store IRIs that ``id/{path}`` may name."""
        return [f"{b}/{path}" for b in self.bases]

    def quads(self, quads) -> list:
        """``quads`` (or triples) with every IRI under a base rewritten to the public space."""
        import pyoxigraph as ox

        if self.identity:
            return list(quads)

        def node(t):
            if isinstance(t, ox.NamedNode):
                p = self.path(t.value)
                return t if p is None else ox.NamedNode(self.space + p)
            return t

        out = []
        for q in quads:
            if isinstance(q, ox.Quad):
                out.append(ox.Quad(node(q.subject), q.predicate, node(q.object), node(q.graph_name)))
            else:
                out.append(ox.Triple(node(q.subject), q.predicate, node(q.object)))
        return out


def natural_key(text: str) -> list:
    """``indicator/2`` before ``indicator/10``."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


class GraphView:
    """Look-ups in the union of the document graphs of a pyoxigraph store, with small caches."""

    def __init__(self, store) -> None:
        import pyoxigraph as ox

        self.store = store
        self.db = store.db if hasattr(store, "db") else store
        self._ox = ox
        self._meta = ox.NamedNode(META_GRAPH)
        self._types: dict[str, frozenset[str]] = {}
        self._owned: dict[str, list[str]] = {}

    def _quads(self, s=None, p=None, o=None):
        for q in self.db.quads_for_pattern(s, p, o, None):
            if q.graph_name != self._meta:
                yield q

    def node(self, iri: str):
        return self._ox.NamedNode(iri)

    def outgoing(self, iri: str) -> list:
        """Distinct triples with subject ``iri`` (a unit is stated in each of its documents)."""
        return list(dict.fromkeys(q.triple for q in self._quads(self.node(iri))))

    def incoming(self, iri: str) -> list:
        return list(dict.fromkeys(q.triple for q in self._quads(None, None, self.node(iri))))

    def objects(self, iri: str, predicate: str) -> list:
        return list(dict.fromkeys(q.object for q in self._quads(self.node(iri), self.node(predicate))))

    def subjects(self, predicate: str, obj) -> list[str]:
        o = obj if not isinstance(obj, str) else self.node(obj)
        return list(dict.fromkeys(q.subject.value for q in self._quads(None, self.node(predicate), o)))

    def value(self, iri: str, predicate: str):
        found = self.objects(iri, predicate)
        return found[0] if found else None

    def types(self, iri: str) -> frozenset[str]:
        cached = self._types.get(iri)
        if cached is None:
            cached = frozenset(o.value for o in self.objects(iri, RDF.type))
            if len(self._types) > 200_000:
                self._types.clear()
            self._types[iri] = cached
        return cached

    def exists(self, iri: str) -> bool:
        return next(self._quads(self.node(iri)), None) is not None

    def kind(self, iri: str) -> str | None:
        """The page kind of ``iri`` (``project``, ``indicator`` …), None if it has no page of its own."""
        for t in self.types(iri):
            k = PAGED_TYPES.get(t)
            if k:
                return k
        return None

    def owner(self, iri: str, rebase: Rebase) -> tuple[str, str]:
        """The resource whose page describes ``iri``, and the anchor on it (``""`` for itself)."""
        if self.kind(iri):
            return iri, ""
        path = rebase.path(iri)
        if path is None:
            return iri, ""
        parts = path.split("/")
        for cut in range(len(parts) - 1, 0, -1):
            candidate = iri[: len(iri) - len("/".join(parts[cut:])) - 1]
            if self.kind(candidate):
                return candidate, "/".join(parts[cut:])
        return iri, ""

    def owned(self, iri: str) -> list[str]:
        """``iri`` and the resources under its IRI that have no page of their own, in natural order."""
        hit = self._owned.get(iri)
        if hit is not None:
            return hit
        if len(self._owned) > 64:
            self._owned.clear()
        self._owned[iri] = found = self._find_owned(iri)
        return found

    def _find_owned(self, iri: str) -> list[str]:
        prefix = iri + "/"
        seen = {iri}
        todo = [iri]
        while todo:
            s = todo.pop()
            nexts = [t.object.value for t in self.outgoing(s) if isinstance(t.object, self._ox.NamedNode)]
            nexts += [t.subject.value for t in self.incoming(s) if isinstance(t.subject, self._ox.NamedNode)]
            if s == iri:
                nexts.append(iri + "/budget")  # a document's budget cube: only observations point at it
            for n in nexts:
                if n not in seen and n.startswith(prefix) and not self.kind(n) and self.exists(n):
                    seen.add(n)
                    todo.append(n)
        return sorted(seen, key=lambda s: (s != iri, natural_key(s)))

    def description(self, iri: str) -> list:
        """The triples of ``iri``'s RDF document: its own and its owned resources', and those pointing at it."""
        triples: dict = {}
        for s in self.owned(iri):
            for t in self.outgoing(s):
                triples[t] = None
        for t in self.incoming(iri):
            triples[t] = None
        return list(triples)


@dataclass
class Labels:
    """Chinese and English labels for IRIs: ontology, ``terms.toml``, then the data."""

    static: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    view: GraphView | None = None
    _cache: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    def of(self, iri: str) -> tuple[str | None, str | None]:
        if iri in self.static:
            return self.static[iri]
        hit = self._cache.get(iri)
        if hit is not None:
            return hit
        zh = en = plain = None
        if self.view is not None:
            for p in (RDFS.label, SKOS.prefLabel, DCTERMS.title):
                for o in self.view.objects(iri, p):
                    if not hasattr(o, "language"):
                        continue
                    if o.language == "zh" and zh is None:
                        zh = o.value
                    elif o.language == "en" and en is None:
                        en = o.value
                    elif not o.language and plain is None:
                        plain = o.value
                if zh or en:
                    break
        result = (zh or plain, en)
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[iri] = result
        return result

    def text(self, iri: str) -> str:
        zh, en = self.of(iri)
        return zh or en or _local_name(iri)


def _local_name(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/"))[-1] or iri


@lru_cache(maxsize=1)
def static_labels() -> dict[str, tuple[str | None, str | None]]:
    """Labels of the ontology's classes, properties and concepts, and of borrowed terms."""
    import pyoxigraph as ox

    from perfkg.resources import ontology_files

    found: dict[str, dict[str, str]] = {}
    for path in ontology_files():
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if t.predicate.value in (RDFS.label, SKOS.prefLabel) and isinstance(t.subject, ox.NamedNode):
                lang = t.object.language or ""
                found.setdefault(t.subject.value, {}).setdefault(lang, t.object.value)
    labels = {iri: (d.get("zh") or d.get(""), d.get("en")) for iri, d in found.items()}
    terms = tomllib.loads(Path(__file__).with_name("terms.toml").read_text("utf-8"))["labels"]
    for iri, (zh, en) in terms.items():
        labels.setdefault(iri, (zh, en))
    return labels
