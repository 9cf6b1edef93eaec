"""Validate documents against the SHACL shapes in ``shapes/``: what budget officers must fix.

The shapes are the rules (``shapes/README.md``); this module runs them and makes their results
readable: each finding with its severity, its message in Chinese and English, the label of the
node it is about and where that came from (file, table, row, line). Every document is
validated on its own named graph with the shapes of its profile — ``2021`` (财预〔2021〕101号,
成本 at level 1) or ``legacy`` (成本 under 产出) — chosen from the document's
``pkg:costPlacement`` unless the caller names one.

Two engines, the same results:

- ``compiled`` (the default): pyshacl runs a SPARQL constraint once per focus node and spends
  most of that time parsing it anew; here each shape is ONE query over every document at once
  (``GRAPH ?perfkgGraph``), run by Oxigraph where the data already is, the queries shared by
  two worker processes. SPARQL shapes run in their hand-compiled form (``shapes/compiled``:
  joins between per-graph scans, which Oxigraph hashes) while its pin matches the shape, else
  as the shape's own query rewritten; Core constraints (class and objects-of targets,
  ``sh:minCount``, ``sh:minLength``) are generated. A shape outside that subset, or data that
  declares subclasses, sends validation to the other engine.
- ``pyshacl``: pyshacl itself on each document's graph, documents spread over worker
  processes, each SPARQL text parsed once.

``tests/test_shapes_equivalence.py`` holds both to plain pyshacl on the whole graph, result for
result (focus, path, value, shape, component, constraint, severity, messages). One thing is
put right on top: pyshacl drops the language tag of a message it fills in with ``{?var}``
values; the findings and the SHACL report get it back by matching the template.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from perfkg.errors import PerfkgError
from perfkg.mapping import DEFAULT_BASE
from perfkg.namespaces import DCTERMS, PKG, PROV, RDF, RDFS
from perfkg.resources import data_dir

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from perfkg.store import Store

__all__ = [
    "validate",
    "validate_graphs",
    "pyshacl_results",
    "ValidationReport",
    "Finding",
    "DocumentResult",
    "ValidationError",
    "PROFILES",
    "ENGINES",
    "shapes_files",
    "choose_profile",
]

PROFILES = ("auto", "2021", "legacy")
ENGINES = ("auto", "compiled", "pyshacl")
Lang = Literal["zh", "en"]

SH = "http://www.w3.org/ns/shacl#"
_SEVERITIES = {SH + "Violation": "violation", SH + "Warning": "warning", SH + "Info": "info"}
_RANK = {"violation": 0, "warning": 1, "info": 2}
_CORE_FILES = ("completeness.ttl", "consistency.ttl")
_PROFILE_FILES = {"2021": "profile-2021.ttl", "legacy": "profile-legacy.ttl"}
_GRAPH_VAR = "perfkgGraph"


class ValidationError(PerfkgError):
    """Validation could not run: an unknown profile, a document not in the store, broken shapes."""


def shapes_files(profile: str) -> list[Path]:
    """The shapes files of a profile (``2021`` or ``legacy``): the common rules and its own."""
    if profile not in _PROFILE_FILES:
        raise ValidationError(f"unknown profile {profile!r}; use one of: 2021, legacy")
    try:
        d = data_dir("shapes")
    except FileNotFoundError as e:
        raise ValidationError(str(e)) from None
    return [d / name for name in (*_CORE_FILES, _PROFILE_FILES[profile])]


def choose_profile(cost_placement: str | None, year: int | None) -> str:
    """The profile of a document: cost indicators at level 1 (or in both places) → 2021, all
    under 产出 → legacy; none at all → 2021 from the budget year 2022 (the first budgets made
    under 财预〔2021〕101号), legacy before."""
    if cost_placement in ("level1", "mixed"):
        return "2021"
    if cost_placement == "output":
        return "legacy"
    return "legacy" if year is not None and year < 2022 else "2021"


# --- the report --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """One validation result, with the place in the source table an officer has to look at."""

    severity: str  # violation | warning | info
    rule: str  # the shape's local name, e.g. "CostWithinBudget"
    shape: str
    component: str
    focus: str
    message_zh: str | None
    message_en: str | None
    label: str | None = None
    value: str | None = None
    path: str | None = None
    document: str | None = None  # the named graph
    file: str | None = None
    table: int | None = None
    row: int | None = None
    line: int | None = None
    project: str | None = None
    project_name: str | None = None

    def message(self, lang: Lang = "zh") -> str:
        first, second = (self.message_zh, self.message_en) if lang == "zh" else (self.message_en, self.message_zh)
        return first or second or self.rule

    def location(self, lang: Lang = "en") -> str:
        """``table 8, row 3 (line 293)`` / ``表 8 第 3 行（第 293 行文本）``."""
        if lang == "zh":
            parts = []
            if self.table is not None:
                parts.append(f"表 {self.table}")
            if self.row is not None:
                parts.append(f"第 {self.row} 行")
            text = " ".join(parts)
            if self.line is not None:
                text += f"（文本第 {self.line} 行）"
            return text
        parts = []
        if self.table is not None:
            parts.append(f"table {self.table}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        text = ", ".join(parts)
        if self.line is not None:
            text += f" (line {self.line})"
        return text.strip()

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity, "rule": self.rule, "shape": self.shape, "component": self.component,
            "focus": self.focus, "label": self.label, "value": self.value, "path": self.path,
            "message": {"zh": self.message_zh, "en": self.message_en},
            "project": self.project, "project_name": self.project_name,
            "source": {"file": self.file, "table": self.table, "row": self.row, "line": self.line},
        }


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """One validated document: its graph, file, the profile used and how many projects it has."""

    graph: str
    file: str | None
    profile: str
    projects: int
    title: str | None = None


@dataclass(slots=True)
class ValidationReport:
    """Every finding of one validation run, and the documents it covered."""

    documents: list[DocumentResult]
    findings: list[Finding]
    engine: str
    results: list[RawResult] = field(default_factory=list, repr=False)
    notes: list = field(default_factory=list)  # the readers' warnings, when files were read

    @property
    def conforms(self) -> bool:
        """No violations (warnings and infos allowed). The SHACL report's ``sh:conforms``, by the
        standard, is false as soon as there is any result at all."""
        return not any(f.severity == "violation" for f in self.findings)

    def counts(self) -> dict[str, int]:
        c = Counter(f.severity for f in self.findings)
        return {"violations": c["violation"], "warnings": c["warning"], "infos": c["info"]}

    def exit_code(self, fail_on: str = "violation") -> int:
        """0 when nothing at or above ``fail_on`` (``violation`` or ``warning``) was found, else 1."""
        levels = {"violation": ("violation",), "warning": ("violation", "warning")}[fail_on]
        return 1 if any(f.severity in levels for f in self.findings) else 0

    def to_text(self, lang: Lang = "zh", width: int = 80) -> str:
        return _render_text(self, lang, width)

    def to_json(self) -> str:
        return json.dumps(_as_json(self), ensure_ascii=False, indent=2)

    def to_graph(self):
        """The standard SHACL validation report (an rdflib Graph), messages in both languages."""
        return _report_graph(self)

    def to_turtle(self) -> str:
        return self.to_graph().serialize(format="turtle")


class RawResult(NamedTuple):
    """A validation result as SHACL states it (rdflib terms), before perfkg reads it."""

    graph: str | None
    focus: Any
    path: Any
    value: Any
    shape: Any
    component: Any
    severity: Any
    constraint: Any
    messages: frozenset

    def key(self) -> tuple:
        """Everything but the graph: what a validation of the union graph reports."""
        return self[1:]


# --- the entry point ---------------------------------------------------------------------------


def validate(
    source: Store | str | Path | Iterable[str | Path],
    *,
    document: str | None = None,
    profile: str = "auto",
    engine: str = "auto",
    jobs: int = 2,
    encoding: str | None = None,
    base: str = DEFAULT_BASE,
) -> ValidationReport:
    """Validate every document of a ``Store`` (or the one ``document`` names: path, graph IRI or
    sha256 prefix), or table files read and mapped in memory (nothing is stored).

    ``profile``: ``auto`` (per document, from where its cost indicators sit), ``2021`` or
    ``legacy``. ``engine``: ``auto``/``compiled`` (one query per shape, all documents at once)
    or ``pyshacl`` (pyshacl per document in ``jobs`` processes). Raises ``ValidationError``
    or the reader's ``ReadError``.
    """
    from perfkg.store import Store

    if profile not in PROFILES:
        raise ValidationError(f"unknown profile {profile!r}; use one of: {', '.join(PROFILES)}")
    if engine not in ENGINES:
        raise ValidationError(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")
    path: Path | None = None
    if isinstance(source, Store):
        db, path = source.db, source.path
        everything = {d.graph for d in source.documents(counts=False)}
        if document is not None:
            found = source.find(document)
            if not found:
                raise ValidationError(f"no document {document!r} in the store; `perfkg info --documents` lists them")
            graphs = [d.graph for d in found]
        else:
            graphs = sorted(everything)
    else:
        if document is not None:
            raise ValidationError("`document` names a document of a store; give files or a store, not both")
        db, graphs, notes = _load_files([source] if isinstance(source, (str, Path)) else list(source), encoding, base)
        report = validate_graphs(db, graphs, profile=profile, engine=engine, jobs=jobs)
        report.notes = notes
        return report
    return validate_graphs(db, graphs, profile=profile, engine=engine, jobs=jobs, everything=everything, path=path)


def validate_graphs(
    db: pyoxigraph.Store, graphs: list[str], *, profile: str = "auto", engine: str = "auto", jobs: int = 2,
    everything: set[str] | None = None, path: Path | None = None, hand_compiled: bool = True,
) -> ValidationReport:
    """Validate the named graphs ``graphs`` of a pyoxigraph store, each as one document.

    ``everything``: the document graphs the store holds (queries need no graph list when all
    are validated); ``path``: the store's directory, which lets worker processes open it;
    ``hand_compiled=False`` uses the shapes' own queries only (for tests)."""
    docs = _documents(db, graphs, profile, everything)
    by_profile: dict[str, list[str]] = defaultdict(list)
    for d in docs:
        by_profile[d.profile].append(d.graph)
    shapes = _Shapes.load()
    used = engine
    if engine in ("auto", "compiled"):
        try:
            raw = _Compiled(shapes, hand_compiled=hand_compiled).run(
                db, by_profile, everything if everything is not None else set(graphs), path=path, jobs=jobs)
            used = "compiled"
        except _NotCompilable as e:
            if engine == "compiled":
                raise ValidationError(f"the compiled engine cannot run these shapes or data: {e}") from None
            raw = _run_pyshacl(db, by_profile, jobs)
            used = "pyshacl"
    else:
        raw = _run_pyshacl(db, by_profile, jobs)
    findings = _findings(db, raw, shapes, {d.graph: d for d in docs})
    return ValidationReport(docs, findings, used, raw)


def _load_files(paths: list[str | Path], encoding: str | None, base: str):
    """Read and map each file into an in-memory store; returns it, the graphs in order, and the
    readers' notes."""
    import pyoxigraph as ox

    from perfkg.mapping import Iris, to_quads
    from perfkg.readers import read

    db = ox.Store()
    graphs: list[str] = []
    notes: list = []
    iris = Iris(base)
    for path in paths:
        doc = read(path, encoding=encoding)
        notes.extend(doc.notes)
        graph = iris.graph(doc)
        if graph not in graphs:  # the same content twice is one document
            db.extend(to_quads(doc, base=base))
            graphs.append(graph)
    return db, graphs, notes


def _documents(db, graphs: list[str], profile: str, everything: set[str] | None = None) -> list[DocumentResult]:
    """File, title, cost placement, budget year and project count of each graph."""
    if not graphs:
        return []
    only = None if everything is not None and set(graphs) == everything else graphs
    g = _GRAPH_VAR
    rows = db.query(_restrict(
        f"""SELECT ?{g} ?file ?title ?placement ?year WHERE {{ GRAPH ?{g} {{
                ?doc a <{PKG.SourceDocument}> .
                OPTIONAL {{ ?doc <{PKG.filePath}> ?file }}
                OPTIONAL {{ ?doc <{DCTERMS.title}> ?title }}
                OPTIONAL {{ ?doc <{PKG.costPlacement}> ?placement }}
                OPTIONAL {{ ?doc <{PKG.budgetYear}> ?year }}
            }} }}""", only))
    counts = {r[g].value: int(r["n"].value) for r in db.query(_restrict(
        f"SELECT ?{g} (COUNT(?p) AS ?n) WHERE {{ GRAPH ?{g} {{ {{ ?p a <{PKG.Project}> }} "
        f"UNION {{ ?p a <{PKG.SelfEvaluation}> }} }} }} GROUP BY ?{g}", only))}
    wanted = set(graphs)
    info = {}
    for r in rows:
        graph = r[g].value
        if graph not in wanted or graph in info:
            continue
        placement = r["placement"].value.rsplit("/", 1)[-1] if r["placement"] else None
        year = int(r["year"].value) if r["year"] else None
        chosen = profile if profile != "auto" else choose_profile(placement, year)
        info[graph] = DocumentResult(graph, r["file"].value if r["file"] else None, chosen, counts.get(graph, 0),
                                     r["title"].value if r["title"] else None)
    missing = [graph for graph in graphs if graph not in info]
    if missing:
        raise ValidationError(f"{missing[0]} holds no pkg:SourceDocument: not a graph perfkg wrote")
    return [info[graph] for graph in graphs]


def _values(graphs: Iterable[str]) -> str:
    return f"VALUES ?{_GRAPH_VAR} {{ " + " ".join(f"<{g}>" for g in graphs) + " }"


# --- the shapes, as perfkg reads them ----------------------------------------------------------


class _NotCompilable(Exception):
    """A shape or the data falls outside what the compiled engine handles exactly."""


@dataclass(frozen=True)
class _Sparql:
    node: Any  # the sh:sparql constraint node
    select: str  # with its PREFIX declarations
    messages: tuple  # sh:message of the constraint node


@dataclass(frozen=True)
class _Shape:
    node: Any
    profile: str  # core | 2021 | legacy
    severity: Any
    messages: tuple  # rdflib Literals
    targets: tuple  # (kind, rdflib term)
    path: Any  # an IRI, or None for a node shape
    min_count: int | None
    min_length: int | None
    sparql: tuple[_Sparql, ...]
    problem: str | None  # why the compiled engine cannot run it (None: it can)

    @property
    def name(self) -> str:
        return _local(str(self.node))

    def templates(self) -> list[tuple[str | None, str]]:
        """(language, text) of every message template: the shape's and its constraints'."""
        out = [(m.language, str(m)) for m in self.messages]
        for s in self.sparql:
            out.extend((m.language, str(m)) for m in s.messages)
        return out


class _Shapes:
    """Every shape of every file, each tagged with the profile it belongs to."""

    _cache: _Shapes | None = None

    def __init__(self, shapes: list[_Shape], graphs: dict[str, Any]) -> None:
        self.shapes = shapes
        self.by_node = {s.node: s for s in shapes}
        self.graphs = graphs  # profile → rdflib Graph of the files pyshacl loads

    @classmethod
    def load(cls) -> _Shapes:
        if cls._cache is None:
            cls._cache = cls._read()
        return cls._cache

    @classmethod
    def _read(cls) -> _Shapes:
        import rdflib

        try:
            d = data_dir("shapes")
        except FileNotFoundError as e:
            raise ValidationError(str(e)) from None
        parsed = {}
        for name in (*_CORE_FILES, *_PROFILE_FILES.values()):
            g = rdflib.Graph()
            try:
                g.parse(d / name, format="turtle")
            except Exception as e:  # noqa: BLE001 - a broken shapes file is the user's to fix
                raise ValidationError(f"{d / name}: not valid Turtle: {e}") from None
            parsed[name] = g
        shapes = []
        for name, g in parsed.items():
            profile = next((p for p, f in _PROFILE_FILES.items() if f == name), "core")
            shapes.extend(_read_shapes(g, profile))
        graphs = {}
        for profile, own in _PROFILE_FILES.items():
            merged = rdflib.Graph()
            for name in (*_CORE_FILES, own):
                for t in parsed[name]:
                    merged.add(t)
            graphs[profile] = merged
        return cls(shapes, graphs)


_TARGETS = {"targetClass": "class", "targetObjectsOf": "objectsOf"}
_KNOWN = {
    "targetClass", "targetObjectsOf", "path", "minCount", "minLength", "sparql", "severity", "message",
    "name", "description", "order", "group", "deactivated",
}


def _read_shapes(g, profile: str) -> list[_Shape]:
    from rdflib import RDF as R
    from rdflib import Literal, URIRef

    sh = lambda name: URIRef(SH + name)  # noqa: E731
    nodes = set(g.subjects(R.type, sh("NodeShape"))) | set(g.subjects(R.type, sh("PropertyShape")))
    for kind in ("targetClass", "targetObjectsOf", "targetSubjectsOf", "targetNode", "target"):
        nodes |= set(g.subjects(sh(kind), None))
    shapes = []
    for node in sorted(nodes, key=str):
        if g.value(node, sh("deactivated")) == Literal(True):
            continue  # SHACL: a deactivated shape reports nothing
        problems = []
        preds = {str(p)[len(SH):] for p in g.predicates(node, None) if str(p).startswith(SH)}
        unknown = preds - _KNOWN
        if unknown:
            problems.append("uses " + ", ".join(f"sh:{p}" for p in sorted(unknown)))
        if (node, R.type, URIRef(str(RDFS) + "Class")) in g:
            problems.append("is also a class (implicit class target)")
        targets = tuple((_TARGETS[k], o) for k in _TARGETS for o in g.objects(node, sh(k)))
        path = g.value(node, sh("path"))
        if path is not None and not isinstance(path, URIRef):
            problems.append("has a complex sh:path")
        sparql = []
        for c in g.objects(node, sh("sparql")):
            select = g.value(c, sh("select"))
            if select is None:
                problems.append("has an sh:sparql without sh:select")
                continue
            prefixes = []
            for decl_owner in g.objects(c, sh("prefixes")):
                for decl in g.objects(decl_owner, sh("declare")):
                    prefixes.append((str(g.value(decl, sh("prefix"))), str(g.value(decl, sh("namespace")))))
            if g.value(c, sh("deactivated")) == Literal(True):
                continue
            head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(set(prefixes)))
            sparql.append(_Sparql(c, head + str(select), tuple(sorted(g.objects(c, sh("message")), key=str))))
        if sparql and path is not None:
            problems.append("is a property shape with a SPARQL constraint")
        if any(t for t, _ in targets if t == "objectsOf") and sparql:
            problems.append("targets objects of a property in a SPARQL constraint")
        min_count = g.value(node, sh("minCount"))
        min_length = g.value(node, sh("minLength"))
        messages = tuple(sorted(g.objects(node, sh("message")),
                                key=lambda m: (getattr(m, "language", None) or "", str(m))))
        if not messages and not any(s.messages for s in sparql):
            problems.append("has no sh:message")
        if (min_count is not None or min_length is not None) and path is None:
            problems.append("has sh:minCount or sh:minLength but no sh:path")
        shapes.append(_Shape(
            node=node, profile=profile, severity=g.value(node, sh("severity")) or sh("Violation"),
            messages=messages, targets=targets, path=path,
            min_count=int(min_count) if min_count is not None else None,
            min_length=int(min_length) if min_length is not None else None,
            sparql=tuple(sparql), problem="; ".join(problems) or None,
        ))
    return shapes


# --- the compiled engine -----------------------------------------------------------------------

_SELECT = re.compile(r"^\s*SELECT\s+(DISTINCT\s+|REDUCED\s+)?(.*?)\s*$", re.S | re.I)
_FORBIDDEN = re.compile(
    r"\b(MINUS|VALUES|SERVICE|ORDER\s+BY|LIMIT|OFFSET|FROM|GRAPH)\b"
    r"|[?$](PATH|currentShape|shapesGraph)\b|SELECT\s*\*",
    re.I,
)


def _split_query(text: str) -> tuple[str, str, str, str]:
    """PREFIX lines, ``SELECT …``, the WHERE group's inside, and what follows it (GROUP BY …).
    Strings, IRIs and comments are skipped while matching braces."""
    i, n = 0, len(text)
    depth, start, end = 0, -1, -1
    while i < n:
        ch = text[i]
        if ch == "#" :
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if ch in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else ch
            j = i + len(quote)
            while j < n and text[j:j + len(quote)] != quote:
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
            continue
        if ch == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]):
            i = text.index(">", i) + 1
            continue
        if ch == "{":
            if depth == 0 and start < 0:
                start = i
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and start >= 0 and end < 0:
                end = i
        i += 1
    if start < 0 or end < 0:
        raise _NotCompilable("cannot find the WHERE group")
    head = text[:start]
    where = re.search(r"\bWHERE\s*$", head, re.I)
    head = head[: where.start()] if where else head
    sel = re.search(r"\bSELECT\b", head, re.I)
    if sel is None:
        raise _NotCompilable("not a SELECT query")
    return head[: sel.start()], head[sel.start():], text[start + 1:end], text[end + 1:]


def _projected(projection: str) -> tuple[str, ...]:
    """The variables a SELECT projects, in order: ``?x`` at the top level, ``(… AS ?y)``."""
    names, depth, group = [], 0, ""
    for token in re.findall(r"\(|\)|[?$]\w+|[^()?$]+|[?$]", projection):
        if token == "(":
            depth += 1
        if depth == 0 and token[0] in "?$" and len(token) > 1:
            names.append(token[1:])
        elif depth > 0:
            group += token
        if token == ")":
            depth -= 1
            if depth == 0:
                m = re.search(r"\bAS\s+[?$](\w+)\s*\)$", group, re.I)
                if m is None:
                    raise _NotCompilable(f"cannot read the projection {projection!r}")
                names.append(m.group(1))
                group = ""
    return tuple(names)


class _Query(NamedTuple):
    shape: _Shape
    sparql: _Sparql | None
    component: str
    text: str  # over every graph: GRAPH ?perfkgGraph { … }, restricted by _restrict
    variables: tuple[str, ...]  # projected, in order (without the graph)
    origin: str  # "core" (minCount/minLength), "rewritten" (the shape's query) or "compiled/X.rq"


def _rule_hash(shape: _Shape) -> str:
    """What a hand-compiled query is pinned to: the shape's targets and SPARQL text."""
    import hashlib

    text = repr(sorted((k, str(t)) for k, t in shape.targets)) + "".join(s.select for s in shape.sparql)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _restrict(text: str, graphs: list[str] | None) -> str:
    """Limit every ``GRAPH ?perfkgGraph`` of a query to ``graphs`` (None: every graph)."""
    if graphs is None:
        return text
    return text.replace(f"GRAPH ?{_GRAPH_VAR} {{", f"{_values(graphs)} GRAPH ?{_GRAPH_VAR} {{")


def _scan(variables: str, body: str) -> str:
    g = _GRAPH_VAR
    return f"{{ SELECT ?{g} {variables} WHERE {{ GRAPH ?{g} {{ {body} }} }} }}"


class _Compiled:
    """Each shape → one SPARQL query over every document's graph at once (``GRAPH ?g``).

    Oxigraph joins the patterns of one group by an index seek per solution, but hashes a join
    between sub-SELECTs; so ``shapes/compiled/{Shape}.rq`` holds each SPARQL shape written as
    joins of per-graph scans — the same rows, a fraction of the seeks. A hand-compiled query is
    used only while its ``# rule:`` pin matches the shape (else the shape's own query is
    rewritten mechanically); tests/test_validate_equivalence.py holds both to pyshacl.
    """

    def __init__(self, shapes: _Shapes, *, hand_compiled: bool = True) -> None:
        self.shapes = shapes
        self.queries: list[_Query] = []
        for shape in shapes.shapes:
            if shape.problem:
                raise _NotCompilable(f"shape {shape.name} {shape.problem}")
            self.queries.extend(self._compile(shape, hand_compiled))

    def _target(self, shape: _Shape) -> str:
        if len(shape.targets) > 1 and all(kind == "class" for kind, _ in shape.targets):
            # pkg:Project and pkg:SelfEvaluation: one resource is never both, so no focus twice
            return " UNION ".join(f"{{ ?this <{RDF.type}> <{term}> }}" for _, term in sorted(shape.targets))
        if len(shape.targets) != 1:
            raise _NotCompilable(f"shape {shape.name} has {len(shape.targets)} targets; the compiled engine "
                                 "takes one, or only class targets")
        kind, term = shape.targets[0]
        if kind == "class":
            return f"?this <{RDF.type}> <{term}> ."
        return f"?perfkgSubject <{term}> ?this ."

    def _compile(self, shape: _Shape, hand_compiled: bool) -> list[_Query]:
        target = self._target(shape)
        focus = _scan("?this", target)
        out = []
        if shape.min_count is not None and shape.min_count > 0:
            if shape.min_count != 1:
                raise _NotCompilable(f"shape {shape.name}: sh:minCount other than 1")
            text = (f"SELECT DISTINCT ?{_GRAPH_VAR} ?this WHERE {{ {focus} "
                    f"MINUS {_scan('?this', f'?this <{shape.path}> ?perfkgValue')} }}")
            out.append(_Query(shape, None, SH + "MinCountConstraintComponent", text, ("this",), "core"))
        if shape.min_length is not None and shape.min_length > 0:
            values = _scan("?this ?value", f"?this <{shape.path}> ?value "
                           f"FILTER (isBlank(?value) || STRLEN(STR(?value)) < {shape.min_length})")
            text = f"SELECT DISTINCT ?{_GRAPH_VAR} ?this ?value WHERE {{ {focus} {values} }}"
            out.append(_Query(shape, None, SH + "MinLengthConstraintComponent", text, ("this", "value"), "core"))
        for s in shape.sparql:
            rewritten = self._sparql(shape, s, target)
            own = self._hand_compiled(shape, rewritten) if hand_compiled and len(shape.sparql) == 1 else None
            out.append(own or rewritten)
        return out

    def _hand_compiled(self, shape: _Shape, rewritten: _Query) -> _Query | None:
        path = data_dir("shapes") / "compiled" / f"{shape.name}.rq"
        if not path.is_file():
            return None
        text = path.read_text("utf-8")
        pin = re.search(r"^# rule: (\w+)", text, re.M)
        if pin is None or pin.group(1) != _rule_hash(shape):
            return None  # written for another version of the shape
        _, select, _, _ = _split_query(text)
        m = _SELECT.match(select)
        if m is None or _projected(m.group(2)) != (_GRAPH_VAR, *rewritten.variables):
            return None
        return rewritten._replace(text=text, origin=f"compiled/{path.name}")

    def _sparql(self, shape: _Shape, s: _Sparql, target: str) -> _Query:
        prefixes, select, body, tail = _split_query(s.select)
        if _FORBIDDEN.search(select + body + tail) or re.search(r"\bSELECT\b", body, re.I):
            raise _NotCompilable(f"shape {shape.name}: its query uses what the compiled engine does not rewrite")
        m = _SELECT.match(select)
        assert m is not None
        modifier, projection = m.group(1) or "", m.group(2)
        projection = re.sub(r"\$this\b", "?this", projection)
        variables = _projected(projection)
        if "this" not in variables:
            raise _NotCompilable(f"shape {shape.name}: its query does not select $this")
        body = re.sub(r"\$this\b", "?this", body)
        tail = re.sub(r"\$this\b", "?this", tail)
        tail = re.sub(r"\bGROUP\s+BY\b", f"GROUP BY ?{_GRAPH_VAR}", tail, flags=re.I)
        aggregates = re.search(r"\b(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(", projection, re.I)
        if aggregates and "GROUP BY" not in tail:
            raise _NotCompilable(f"shape {shape.name}: aggregates without GROUP BY $this")
        text = (f"{prefixes}SELECT {modifier}?{_GRAPH_VAR} {projection} WHERE {{ "
                f"GRAPH ?{_GRAPH_VAR} {{ {target} {body} }} }} {tail}")
        return _Query(shape, s, SH + "SPARQLConstraintComponent", text, variables, "rewritten")

    def tasks(self, by_profile: dict[str, list[str]], everything: set[str]) -> list[tuple[int, list[str] | None]]:
        """(query, graphs to restrict it to — None: all) for every query that has graphs to run on."""
        out = []
        every = [g for graphs in by_profile.values() for g in graphs]
        for i, q in enumerate(self.queries):
            graphs = every if q.shape.profile == "core" else by_profile.get(q.shape.profile, [])
            if graphs:
                out.append((i, None if set(graphs) == everything else graphs))
        return out

    def run_one(self, db, index: int, graphs: list[str] | None) -> list[RawResult]:
        q = self.queries[index]
        return list(self._results(q, db.query(_restrict(q.text, graphs))))

    def run(self, db, by_profile: dict[str, list[str]], everything: set[str], *,
            path: Path | None = None, jobs: int = 1) -> list[RawResult]:
        if bool(db.query(f"ASK {{ GRAPH ?g {{ ?a <{RDFS.subClassOf}> ?b }} }}")):
            raise _NotCompilable("the data declares subclasses, which SHACL targets follow")
        tasks = self.tasks(by_profile, everything)
        documents = sum(len(graphs) for graphs in by_profile.values())
        # Workers pay ~1 s each to start (imports, shapes); small validations run here.
        if path is None or jobs <= 1 or len(tasks) <= 1 or documents < _WORKERS_FROM:
            return [r for i, graphs in tasks for r in self.run_one(db, i, graphs)]
        return [r for chunk in _in_workers(tasks, path, jobs) for r in chunk]

    def _results(self, q: _Query, rows) -> Iterator[RawResult]:
        from rdflib import Literal, URIRef

        shape, sh = q.shape, URIRef
        seen = set()
        for row in rows:
            graph = row[_GRAPH_VAR].value
            bound = {v: _to_rdflib(row[v]) for v in q.variables if row[v] is not None}
            this = bound.pop("this")
            if q.sparql is None:
                messages = frozenset(shape.messages)
                value = bound.get("value")
                yield RawResult(graph, this, shape.path, value, shape.node, sh(q.component), shape.severity,
                                None, messages)
                continue
            # pyshacl: one result per distinct (this, path, value, other variables) of a focus node
            path, value = bound.pop("path", None), bound.pop("value", None)
            key = (graph, this, path, value, tuple(sorted(bound.items())))
            if key in seen:
                continue
            seen.add(key)
            if value is None:
                value = this  # a node shape's result names the focus node as its value
            fill = dict(bound)
            fill.update({k: v for k, v in (("this", this), ("path", path), ("value", value)) if v is not None})
            messages = set()
            for m in (*q.sparql.messages, *shape.messages):
                messages.add(Literal(_substitute(str(m), fill)))
            yield RawResult(graph, this, path if path is not None else shape.path, value, shape.node,
                            sh(q.component), shape.severity, q.sparql.node, frozenset(messages))


_WORKERS_FROM = 50  # documents


def _in_workers(tasks: list, path: Path, jobs: int) -> list[list[RawResult]]:
    """Run the queries in ``jobs`` worker processes that each open the store read-only; a
    thread per worker hands it the next query as soon as it is free. (Plain subprocesses, not
    multiprocessing: that would re-run the caller's main module in every worker.)"""
    import subprocess
    import sys
    import threading

    from perfkg.frames import EOF, read_frame, write_frame

    results: list[list[RawResult] | None] = [None] * len(tasks)
    pending = list(range(len(tasks)))[::-1]
    lock = threading.Lock()
    errors: list[str] = []

    def feed(proc) -> None:
        while True:
            with lock:
                if not pending or errors:
                    break
                k = pending.pop()
            write_frame(proc.stdin, tasks[k])
            status, payload = _receive(proc.stdout)
            if status != "ok":
                errors.append(payload)
                break
            results[k] = payload
        write_frame(proc.stdin, None)

    def _receive(stream):
        reply = read_frame(stream)
        return ("error", "a validation worker stopped") if reply is EOF else reply

    code = "import perfkg.validate as v; v._worker_main()"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
             for _ in range(min(jobs, len(tasks)))]
    threads = [threading.Thread(target=feed, args=(p,)) for p in procs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in procs:
        p.stdin.close()
        p.wait()
    if errors:
        raise ValidationError(f"validation failed in a worker: {errors[0]}")
    return results  # type: ignore[return-value]


def _worker_main() -> None:
    """A validation worker: reads (query, graphs) from stdin, writes its results to stdout."""
    import sys

    import pyoxigraph as ox

    from perfkg.frames import EOF, read_frame, write_frame

    channel_in, channel_out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but results on the channel
    db = ox.Store.read_only(sys.argv[1])
    engine = _Compiled(_Shapes.load())
    while (task := read_frame(channel_in)) is not EOF and task is not None:
        try:
            reply = ("ok", engine.run_one(db, *task))
        except Exception as e:  # noqa: BLE001 - reported by the parent as one line
            reply = ("error", f"{type(e).__name__}: {e}")
        write_frame(channel_out, reply)


def _substitute(message: str, bound: dict) -> str:
    """``{?var}``/``{$var}`` → the value, exactly as pyshacl does it (str() of the term)."""
    for var, val in bound.items():
        message = re.sub("{{[?$]{}}}".format(var), str(val), message)
    return message


def _to_rdflib(term):
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value
    if dt == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(dt))


# --- the pyshacl engine ------------------------------------------------------------------------


def _run_pyshacl(db, by_profile: dict[str, list[str]], jobs: int) -> list[RawResult]:
    """pyshacl on each document's graph; documents spread over ``jobs`` processes."""
    import pyoxigraph as ox

    tasks = [
        (g, profile, db.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)))
        for profile, graphs in by_profile.items() for g in graphs
    ]
    if jobs <= 1 or len(tasks) <= 1:
        return [r for t in tasks for r in _pyshacl_document(*t)]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        chunks = pool.map(_pyshacl_document_args, tasks, chunksize=max(1, len(tasks) // (jobs * 8)))
        return [r for chunk in chunks for r in chunk]


def _pyshacl_document_args(task: tuple) -> list[RawResult]:
    return _pyshacl_document(*task)


def _pyshacl_document(graph: str, profile: str, ntriples: bytes) -> list[RawResult]:
    """pyshacl's results for one document's triples, with the shapes of ``profile``."""
    import pyshacl

    data = _prepared_graph_class()()
    data.parse(data=ntriples.decode("utf-8"), format="nt")
    _, report, _ = pyshacl.validate(data, shacl_graph=_Shapes.load().graphs[profile])
    return [r._replace(graph=graph) for r in pyshacl_results(report)]


_PREPARED_CLASS = None


def _prepared_graph_class():
    """An rdflib Graph that parses each SPARQL text once: pyshacl sends a constraint's text anew
    for every focus node, and parsing — not evaluating — took ~90 % of its time here."""
    global _PREPARED_CLASS
    if _PREPARED_CLASS is None:
        import rdflib
        from rdflib.plugins.sparql import prepareQuery

        prepared: dict[str, Any] = {}

        class PreparedQueryGraph(rdflib.Graph):
            def query(self, query_object, processor="sparql", result="sparql", initNs=None,  # noqa: N803
                      initBindings=None, use_store_provided=True, **kwargs):  # noqa: N803
                if isinstance(query_object, str) and processor == "sparql":
                    q = prepared.get(query_object)
                    if q is None:
                        namespaces = initNs or dict(self.namespaces())
                        q = prepared[query_object] = prepareQuery(query_object, initNs=namespaces)
                    query_object = q
                return super().query(query_object, processor, result, initNs, initBindings,
                                     use_store_provided, **kwargs)

        _PREPARED_CLASS = PreparedQueryGraph
    return _PREPARED_CLASS


def pyshacl_results(report) -> list[RawResult]:
    """The results of a SHACL validation report graph (pyshacl's), as ``RawResult``s without graph."""
    from rdflib import URIRef

    sh = lambda name: URIRef(SH + name)  # noqa: E731
    out = []
    for r in report.subjects(URIRef(str(RDF.type)), sh("ValidationResult")):
        out.append(RawResult(
            None, report.value(r, sh("focusNode")), report.value(r, sh("resultPath")),
            report.value(r, sh("value")), report.value(r, sh("sourceShape")),
            report.value(r, sh("sourceConstraintComponent")), report.value(r, sh("resultSeverity")),
            report.value(r, sh("sourceConstraint")), frozenset(report.objects(r, sh("resultMessage"))),
        ))
    return out


# --- from results to findings ------------------------------------------------------------------


def _findings(db, raw: list[RawResult], shapes: _Shapes, docs: dict[str, DocumentResult]) -> list[Finding]:
    where = _where(db, {(r.graph, str(r.focus)) for r in raw if r.graph is not None})
    findings = []
    for r in raw:
        shape = shapes.by_node.get(r.shape)
        zh, en = _languages(r.messages, shape)
        w = where.get((r.graph, str(r.focus)), {})
        doc = docs.get(r.graph)
        findings.append(Finding(
            severity=_SEVERITIES.get(str(r.severity), "violation"), rule=_local(str(r.shape)),
            shape=str(r.shape), component=str(r.component), focus=str(r.focus),
            message_zh=zh, message_en=en, label=w.get("label"),
            value=None if r.value is None or r.value == r.focus else str(r.value),
            path=str(r.path) if r.path is not None else None, document=r.graph,
            file=doc.file if doc else None, table=w.get("table"), row=w.get("row"),
            line=w.get("line"), project=w.get("project"), project_name=w.get("project_name"),
        ))
    findings.sort(key=_order)
    return findings


def _order(f: Finding) -> tuple:
    return (f.file or "", f.document or "", f.table if f.table is not None else -1,
            f.row if f.row is not None else -1, f.line if f.line is not None else -1,
            _RANK.get(f.severity, 3), f.rule, f.focus)


def _languages(messages: frozenset, shape: _Shape | None) -> tuple[str | None, str | None]:
    """The Chinese and English message: by language tag, or — for pyshacl's untagged substituted
    messages — by which of the shape's templates the text matches."""
    found: dict[str, str] = {}
    templates = shape.templates() if shape else []
    for m in sorted(messages, key=str):
        lang = getattr(m, "language", None)
        if lang is None:
            for tlang, template in templates:
                if tlang and _template_regex(template).fullmatch(str(m)):
                    lang = tlang
                    break
        if lang is None:
            lang = "zh" if re.search(r"[\u3400-\u9fff]", str(m)) and "zh" not in found else "en"
        found.setdefault(lang.split("-")[0], str(m))
    return found.get("zh"), found.get("en")


@lru_cache(maxsize=512)
def _template_regex(template: str) -> re.Pattern:
    parts = re.split(r"\{[?$]\w+\}", template)
    return re.compile("(.*?)".join(re.escape(p) for p in parts), re.S)


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def _where(db, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    """Label, project, table, row and line of each focus node, by index look-ups in its graph:
    prov:wasDerivedFrom → pkg:SourceRow (pkg:rowNumber) → dcterms:isPartOf pkg:ProjectTable
    (pkg:tableNumber); the file is the document's pkg:filePath (``DocumentResult.file``)."""
    import pyoxigraph as ox

    n = ox.NamedNode
    rdf_type = n(str(RDF.type))
    project_classes = (n(str(PKG.Project)), n(str(PKG.SelfEvaluation)))  # what a table says of a project
    label_props = [n(str(RDFS.label)), n(str(PKG.labelAsWritten)), n(str(DCTERMS.title))]
    has_target, actual = n(str(PKG.hasTarget)), n(str(PKG.actualValue))
    has_indicator, funds = n(str(PKG.hasIndicator)), n(str(PKG.fundsProject))
    derived, part_of = n(str(PROV.wasDerivedFrom)), n(str(DCTERMS.isPartOf))
    row_number, table_number, line_number = n(str(PKG.rowNumber)), n(str(PKG.tableNumber)), n(str(PKG.lineNumber))

    out: dict[tuple[str, str], dict] = {}
    for graph, focus in pairs:
        g, f = n(graph), n(focus)

        def objects(s, p):
            return [q.object for q in db.quads_for_pattern(s, p, None, g)]

        def subject(p, o):
            return next((q.subject for q in db.quads_for_pattern(None, p, o, g)), None)

        def label(node):
            for p in label_props:
                values = objects(node, p)
                if values:
                    return min(values, key=lambda v: (getattr(v, "language", None) != "zh", v.value)).value
            return None

        def number(node, p):
            values = objects(node, p) if node is not None else []
            return int(values[0].value) if values else None

        indicator = subject(has_target, f) or subject(actual, f)
        own = label(f)
        project = None
        if any(next(db.quads_for_pattern(f, rdf_type, c, g), None) is not None for c in project_classes):
            project = f
        else:
            project = next(iter(objects(f, funds)), None) or subject(has_indicator, f) or (
                subject(has_indicator, indicator) if indicator is not None else None)
        source = next(iter(objects(f, derived)), None)
        row = number(source, row_number)
        table = number(source, table_number)
        if row is not None and source is not None:
            table = number(next(iter(objects(source, part_of)), None), table_number)
        out[(graph, focus)] = {
            "label": own if own is not None else (label(indicator) if indicator is not None else None),
            "project": project.value if project is not None else None,
            "project_name": label(project) if project is not None else None,
            "table": table, "row": row, "line": number(f, line_number),
        }
    return out


# --- rendering ---------------------------------------------------------------------------------

_WORDS = {
    "zh": {"violation": "错误", "warning": "警告", "info": "提示", "profile": "规则", "document": "文件本身",
           "2021": "财预〔2021〕101号（成本指标为一级指标）", "legacy": "原有规则（成本指标在产出指标下）"},
    "en": {"violation": "violation", "warning": "warning", "info": "info", "profile": "profile",
           "document": "the document itself", "2021": "2021 (成本 at level 1, Caiyu [2021] No. 101)",
           "legacy": "legacy (成本 under 产出)"},
}


_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
# One CJK character (a line may break before any), or a run of anything else up to a space.
_TOKEN = re.compile(f"[{_CJK}][，。；：、）》”]*|[^\\s{_CJK}]+\\s*|\\s+")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def _wrap(text: str, width: int, indent: str, first: str | None = None) -> list[str]:
    """Wrap by display width (a CJK character takes two columns): at spaces for English,
    anywhere for Chinese; ``first`` replaces the indent of the first line."""
    lines: list[str] = []
    prefix = first if first is not None else indent
    current, current_w = prefix, _width(prefix)
    for token in re.findall(_TOKEN, text):
        w = _width(token.rstrip())
        if current_w + w > width and current.strip() and current != prefix:
            lines.append(current.rstrip())
            token = token.lstrip()
            current, current_w = indent, _width(indent)
            w = _width(token.rstrip())
        while current_w + w > width and len(token) > 1:  # a word longer than the line: cut it
            room = width - current_w
            cut, cw = 0, 0
            while cut < len(token) and cw + _width(token[cut]) <= room:
                cw += _width(token[cut])
                cut += 1
            cut = max(cut, 1)
            lines.append((current + token[:cut]).rstrip())
            token = token[cut:]
            current, current_w = indent, _width(indent)
            w = _width(token.rstrip())
        current += token
        current_w += _width(token)
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _render_text(report: ValidationReport, lang: Lang, width: int) -> str:
    words = _WORDS[lang]
    out: list[str] = []
    by_doc: dict[str | None, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_doc[f.document].append(f)
    for doc in report.documents:
        findings = by_doc.get(doc.graph, [])
        c = Counter(f.severity for f in findings)
        head = doc.file or doc.graph
        out.extend(_wrap(head, width, "  "))
        if lang == "zh":
            summary = (f"{words['profile']}：{words[doc.profile]} · {doc.projects} 个项目 · "
                       f"{c['violation']} 个错误，{c['warning']} 个警告")
        else:
            summary = (f"{words['profile']} {words[doc.profile]} · {_n(doc.projects, 'project')} · "
                       f"{_n(c['violation'], 'violation')}, {_n(c['warning'], 'warning')}")
        if c["info"]:
            summary += f"，{c['info']} 个提示" if lang == "zh" else f", {_n(c['info'], 'info')}"
        out.extend(_wrap(summary, width, "  ", "  "))
        groups: dict[tuple, list[Finding]] = defaultdict(list)
        for f in findings:
            # the document's own findings first, then project by project in table order
            groups[(f.project is not None, f.table if f.table is not None else 0, f.project_name or "")].append(f)
        for (of_project, table, name), items in sorted(groups.items()):
            out.append("")
            if not of_project:
                title = words["document"]
            elif lang == "zh":
                title = f"表 {table}  {name}" if table else name
            else:
                title = f"table {table}  {name}" if table else name
            out.extend(_wrap(title, width, "    ", "  "))
            for f in items:
                label = f.label if f.label and f.label != f.project_name else None
                head = " · ".join(x for x in (_row_text(f, lang), label) if x) or "—"
                out.extend(_wrap(head, width, " " * 8, f"    {words[f.severity]}  "))
                out.extend(_wrap(f.message(lang), width, " " * 8))
                out.append(" " * 8 + f"[{f.rule}]")
        out.append("")
    c = report.counts()
    docs, projects = len(report.documents), sum(d.projects for d in report.documents)
    if lang == "zh":
        verdict = "符合要求" if report.conforms else "不符合要求"
        tail = f"，{c['infos']} 个提示" if c["infos"] else ""
        out.extend(_wrap(f"已检查 {docs} 个文件、{projects} 个项目：{c['violations']} 个错误，"
                         f"{c['warnings']} 个警告{tail}。{verdict}。", width, ""))
    else:
        verdict = "Conforms." if report.conforms else "Does not conform."
        tail = f", {_n(c['infos'], 'info')}" if c["infos"] else ""
        out.extend(_wrap(f"Checked {_n(docs, 'document')}, {_n(projects, 'project')}: "
                         f"{_n(c['violations'], 'violation')}, {_n(c['warnings'], 'warning')}{tail}. {verdict}",
                         width, ""))
    return "\n".join(out) + "\n"


def _row_text(f: Finding, lang: Lang) -> str:
    """Where in its table (the table is in the group's title): row and text line."""
    if f.row is None:
        return f.location(lang) if f.project is None else ""
    if lang == "zh":
        return f"第 {f.row} 行" + (f"（文本第 {f.line} 行）" if f.line is not None else "")
    return f"row {f.row}" + (f" (line {f.line})" if f.line is not None else "")


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 or noun == "info" else "s")


def _as_json(report: ValidationReport) -> dict:
    by_doc: dict[str | None, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_doc[f.document].append(f)
    documents = []
    for d in report.documents:
        findings = by_doc.get(d.graph, [])
        c = Counter(f.severity for f in findings)
        documents.append({
            "graph": d.graph, "file": d.file, "title": d.title, "profile": d.profile, "projects": d.projects,
            "conforms": c["violation"] == 0,
            "violations": c["violation"], "warnings": c["warning"], "infos": c["info"],
            "findings": [f.as_dict() for f in findings],
        })
    return {"perfkg_validate": 1, "conforms": report.conforms, "engine": report.engine,
            **report.counts(), "documents": documents}


def _report_graph(report: ValidationReport):
    from rdflib import BNode, Graph, Literal, URIRef
    from rdflib.namespace import RDF as R

    sh = lambda name: URIRef(SH + name)  # noqa: E731
    g = Graph()
    g.bind("sh", SH)
    g.bind("pkgsh", "https://w3id.org/perfkg/shapes#")
    g.bind("pkg", str(PKG))
    shapes = _Shapes.load()
    node = BNode()
    g.add((node, R.type, sh("ValidationReport")))
    g.add((node, sh("conforms"), Literal(not report.results)))
    for r in report.results:
        res = BNode()
        g.add((node, sh("result"), res))
        g.add((res, R.type, sh("ValidationResult")))
        g.add((res, sh("focusNode"), r.focus))
        g.add((res, sh("sourceShape"), r.shape))
        g.add((res, sh("sourceConstraintComponent"), r.component))
        g.add((res, sh("resultSeverity"), r.severity))
        for p, o in ((sh("resultPath"), r.path), (sh("value"), r.value), (sh("sourceConstraint"), r.constraint)):
            if o is not None:
                g.add((res, p, o))
        zh, en = _languages(r.messages, shapes.by_node.get(r.shape))
        for text, lang in ((zh, "zh"), (en, "en")):
            if text:
                g.add((res, sh("resultMessage"), Literal(text, lang=lang)))
    return g
