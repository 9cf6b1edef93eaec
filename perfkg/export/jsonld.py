"""Compact JSON-LD with perfkg's own context (``context.jsonld`` beside this file).

A small, exact compactor for the shapes of data perfkg writes: flattened node objects (one per
subject, in ``@graph``), keys and types as the context's readable terms (``label``,
``servesPopulation``, ``Project``), values in their shortest form the term's coercion allows
(``"budgetYear": 2025``, ``"amountInYuan": "3416500000.0"``, Chinese text as plain strings since
the context's default language is ``zh``). A value the term does not fit is written as an explicit
value object, so nothing is ever lost: the export tests parse the output back with rdflib and
pyoxigraph and compare graphs by isomorphism.

Why not rdflib's serializer: it leaves full IRIs wherever its term matching is unsure, and it is
slow for the 10⁶ triples of a portal's store.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Context", "context", "CONTEXT_PATH", "compact", "node_objects", "dumps"]

CONTEXT_PATH = Path(__file__).with_name("context.jsonld")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_UNSET = object()


@dataclass(frozen=True, slots=True)
class _Term:
    name: str
    type: str | None  # "@id", a datatype IRI, or None
    language: object  # a tag, None (no language), or _UNSET (the context's default applies)


class Context:
    """The term definitions of one JSON-LD context, indexed for compaction."""

    def __init__(self, document: dict) -> None:
        ctx = document.get("@context", document)
        self.document = {"@context": ctx}
        self.default_language: str | None = ctx.get("@language")
        self.prefixes: list[tuple[str, str]] = []  # (namespace, prefix), longest namespace first
        self.vocab_terms: dict[str, str] = {}  # IRI → term, for classes and plain terms
        self.properties: dict[str, _Term] = {}
        raw: dict[str, object] = {k: v for k, v in ctx.items() if not k.startswith("@")}
        for name, value in raw.items():
            if isinstance(value, str) and value.endswith(("/", "#")) and ":" in value and not value.startswith("@"):
                self.prefixes.append((value, name))
        self.prefixes.sort(key=lambda p: -len(p[0]))
        for name, value in raw.items():
            if isinstance(value, str):
                if value.startswith("@") or value.endswith(("/", "#")):
                    continue
                iri = self.expand(value)
                self.vocab_terms.setdefault(iri, name)
                self.properties.setdefault(iri, _Term(name, None, _UNSET))
            elif isinstance(value, dict):
                iri = self.expand(value["@id"])
                typ = value.get("@type")
                if typ is not None and typ != "@id":
                    typ = self.expand(typ)
                lang = value["@language"] if "@language" in value else _UNSET
                self.properties.setdefault(iri, _Term(name, typ, lang))
        self.aliases = {v: k for k, v in raw.items() if v in ("@id", "@type")}

    def expand(self, value: str) -> str:
        prefix, sep, local = value.partition(":")
        if sep and not local.startswith("//"):
            for ns, name in self.prefixes:
                if name == prefix:
                    return ns + local
        return value

    def compact_iri(self, iri: str, *, vocab: bool) -> str:
        """``pkg:Project`` or a term (``Project``) when ``vocab``; the IRI itself when no prefix fits."""
        if vocab and iri in self.vocab_terms:
            return self.vocab_terms[iri]
        for ns, name in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                local = iri[len(ns):]
                if not local.startswith("//"):
                    return f"{name}:{local}"
        return iri

    def key(self, predicate: str) -> tuple[str, _Term | None]:
        term = self.properties.get(predicate)
        if term is not None:
            return term.name, term
        return self.compact_iri(predicate, vocab=False), None


@lru_cache(maxsize=1)
def context() -> Context:
    """perfkg's shipped context."""
    return Context(json.loads(CONTEXT_PATH.read_text("utf-8")))


def _value(ctx: Context, term: _Term | None, o) -> object:
    """The compact form of object ``o`` (a pyoxigraph term) under ``term``."""
    import pyoxigraph as ox

    id_key = ctx.aliases.get("@id", "@id")
    if isinstance(o, ox.NamedNode):
        iri = ctx.compact_iri(o.value, vocab=False)
        return iri if term is not None and term.type == "@id" else {id_key: iri}
    if isinstance(o, ox.BlankNode):
        ref = f"_:{o.value}"
        return ref if term is not None and term.type == "@id" else {id_key: ref}
    lexical, datatype, language = o.value, o.datatype.value, o.language
    if language:
        if term is not None and term.type is None:
            effective = ctx.default_language if term.language is _UNSET else term.language
            if effective == language:
                return lexical
        return {"@value": lexical, "@language": language}
    if datatype == _XSD + "string":
        if term is not None and term.type is None:
            effective = ctx.default_language if term.language is _UNSET else term.language
            if effective is None:
                return lexical
        if term is None and ctx.default_language is None:
            return lexical
        return {"@value": lexical}
    if term is not None and term.type == datatype:
        return lexical
    if datatype == _XSD + "integer" and (term is None or term.type is None):
        try:
            number = int(lexical)
        except ValueError:
            number = None
        if number is not None and str(number) == lexical:
            return number  # a JSON integer reads back as xsd:integer
    if datatype == _XSD + "boolean" and lexical in ("true", "false") and (term is None or term.type is None):
        return lexical == "true"
    return {"@value": lexical, "@type": ctx.compact_iri(datatype, vocab=False)}


def _sort_key(v: object) -> str:
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


def node_objects(triples: Iterable, ctx: Context | None = None) -> list[dict]:
    """Flattened, compacted node objects for ``triples`` (pyoxigraph Triples or Quads), sorted by id."""
    import pyoxigraph as ox

    ctx = ctx or context()
    id_key = ctx.aliases.get("@id", "@id")
    type_key = ctx.aliases.get("@type", "@type")
    nodes: dict[str, dict[str, list]] = {}
    for t in triples:
        s = t.subject
        sid = f"_:{s.value}" if isinstance(s, ox.BlankNode) else s.value
        props = nodes.setdefault(sid, {})
        p = t.predicate.value
        if p == _RDF_TYPE and isinstance(t.object, ox.NamedNode):
            props.setdefault(type_key, []).append(ctx.compact_iri(t.object.value, vocab=True))
            continue
        key, term = ctx.key(p)
        props.setdefault(key, []).append(_value(ctx, term, t.object))
    out = []
    for sid in sorted(nodes):
        props = nodes[sid]
        node: dict[str, object] = {id_key: sid if sid.startswith("_:") else ctx.compact_iri(sid, vocab=False)}
        if type_key in props:
            types = sorted(set(props.pop(type_key)))
            node[type_key] = types[0] if len(types) == 1 else types
        for key in sorted(props):
            values = sorted({_sort_key(v): v for v in props[key]}.values(), key=_sort_key)
            node[key] = values[0] if len(values) == 1 else values
        out.append(node)
    return out


def compact(quads: Iterable, *, ctx: Context | None = None, context_ref: str | None = None,
            datasets: bool = False) -> dict:
    """A JSON-LD document for ``quads``: a flat ``@graph`` of node objects, or, with ``datasets``,
    one named graph object per graph. The context is inlined unless ``context_ref`` (a URL) is given."""
    ctx = ctx or context()
    head: object = context_ref if context_ref else ctx.document["@context"]
    if not datasets:
        return {"@context": head, "@graph": node_objects(quads, ctx)}
    import pyoxigraph as ox

    by_graph: dict[str, list] = {}
    default: list = []
    for q in quads:
        if isinstance(q.graph_name, ox.DefaultGraph):
            default.append(q)
        else:
            by_graph.setdefault(q.graph_name.value, []).append(q)
    id_key = ctx.aliases.get("@id", "@id")
    graph = node_objects(default, ctx)
    for g in sorted(by_graph):
        graph.append({id_key: ctx.compact_iri(g, vocab=False), "@graph": node_objects(by_graph[g], ctx)})
    return {"@context": head, "@graph": graph}


def dumps(document: dict, *, indent: int | None = 2) -> str:
    """JSON text with Chinese kept as characters (not \\u escapes)."""
    return json.dumps(document, ensure_ascii=False, indent=indent)
