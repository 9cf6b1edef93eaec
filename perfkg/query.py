"""SPARQL over the knowledge graph: the library of named queries, parameters, and results.

The named queries are ``.rq`` files in ``perfkg/queries/``, real SPARQL that any tool can run,
each opening with a header of ``# key: value`` comment lines (``perfkg/queries/README.md``)::

    # title-zh: 多个项目共同服务的受益人群
    # title-en: Beneficiary populations served by more than one project
    # description: Populations that two or more projects serve …
    #   (a line indented by two or more spaces continues the one above)
    # param: unit (enum 元|万元|亿元) = 万元 -- money unit of the budget column
    # param: from (date) -- first day (no default: the parameter stays unbound)
    # post: similar-wording

A parameter is written ``$name`` in the query. Values never reach the text as typed: each is
parsed to its declared type (``string``, ``integer``, ``decimal``, ``date``, ``boolean``,
``iri``, ``enum a|b|c``) and written back as a SPARQL term with full datatype IRIs and escapes,
replacing only the ``$name`` tokens outside strings, IRIs and comments. A parameter without a
value stays an unbound variable, so each query reads ``COALESCE(?x >= $from, true)`` and still
runs, unparameterised, in any other SPARQL tool.

**Two steps.** ``post:`` names a Python step that turns the query's rows into the answer. Only
``similar-indicators`` has one: pairing every indicator name with every other by bigram
similarity is quadratic in SPARQL (and dies on a server at 10⁴ tables), while the SPARQL step
(list names with their projects) is one scan; ``similar_wording`` then pairs them by exact
normalised name and by a prefix-filtered bigram Jaccard join (AllPairs), in well under a second
at 10 000 tables. The step runs the same after an embedded or a remote query.

``run`` answers on the embedded store or a SPARQL 1.1 endpoint (``perfkg.remote``). A
``Result`` keeps the standard SPARQL JSON results (the store's as Oxigraph writes them, a
server's as it sent them), reads rows from them only when asked, and converts with Oxigraph's
own writers, so ``serialize("json" | "xml" | "csv" | "tsv")`` gives the bytes an Oxigraph
server answers with.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from perfkg.errors import PerfkgError

__all__ = [
    "QueryError", "Param", "NamedQuery", "Result", "library", "get", "load", "parse_header",
    "bind", "run", "similar_wording", "SELECT_FORMATS", "GRAPH_FORMATS", "print_table",
]

XSD = "http://www.w3.org/2001/XMLSchema#"
SELECT_FORMATS = ("json", "xml", "csv", "tsv")
GRAPH_FORMATS = ("ttl", "jsonld", "nt")
PARAM_TYPES = ("string", "integer", "decimal", "date", "month", "boolean", "iri", "enum")
_HEADER_KEYS = ("title-zh", "title-en", "description", "param", "post")


class QueryError(PerfkgError):
    """A query that cannot be parsed or run, with the parser's line and column when it has them."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"line {self.line}, column {self.column}: {self.message}"


# --- the header ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One parameter of a named query: ``$name`` in its text."""

    name: str
    default: str | None
    description: str
    type: str = "string"
    choices: tuple[str, ...] = ()

    def convert(self, raw: str) -> Any:
        """``raw`` (as typed on a command line) as a Python value of the declared type."""
        t, text = self.type, raw.strip() if self.type != "string" else raw
        try:
            if t == "string":
                return raw
            if t == "enum":
                if text not in self.choices:
                    raise ValueError(f"one of {', '.join(self.choices)}")
                return text
            if t == "integer":
                if not re.fullmatch(r"[+-]?\d+", text):
                    raise ValueError("an integer")
                return int(text)
            if t == "decimal":
                value = Decimal(text)
                if not value.is_finite():
                    raise ValueError("a finite decimal number")
                return value
            if t == "date":
                return date.fromisoformat(text)
            if t == "month":
                m = re.fullmatch(r"(\d{4})-(\d{2})", text)
                if not m or not 1 <= int(m.group(2)) <= 12:
                    raise ValueError()
                return text
            if t == "boolean":
                if text.lower() in ("true", "1", "yes"):
                    return True
                if text.lower() in ("false", "0", "no"):
                    return False
                raise ValueError("true or false")
            if t == "iri":
                if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*", text):
                    raise ValueError("an absolute IRI without spaces or <>\"{}|^`\\")
                return text
        except (ValueError, InvalidOperation) as e:
            want = str(e) if t in ("enum", "integer", "boolean", "iri", "decimal") and str(e) else f"a {t}"
            if t == "date":
                want = "a date as YYYY-MM-DD"
            if t == "month":
                want = "a month as YYYY-MM"
            if t == "decimal" and not str(e).startswith("a "):
                want = "a decimal number"
            raise QueryError(f"parameter {self.name}={raw!r}: expected {want}") from None
        raise QueryError(f"parameter {self.name}: unknown type {t!r}")

    def to_sparql(self, value: Any) -> str:
        """``value`` as a SPARQL term: typed, escaped, with full IRIs (no prefix needed)."""
        t = self.type
        if t in ("string", "enum"):
            return _string_literal(str(value))
        if t == "integer":
            return f'"{int(value)}"^^<{XSD}integer>'
        if t == "decimal":
            return f'"{_plain(Decimal(value))}"^^<{XSD}decimal>'
        if t == "date":
            return f'"{value.isoformat()}"^^<{XSD}date>'
        if t == "month":
            return f'"{value}"^^<{XSD}gYearMonth>'
        if t == "boolean":
            return "true" if value else "false"
        return f"<{value}>"  # iri, checked by convert


def _plain(d: Decimal) -> str:
    text = format(d, "f")
    return text if "." in text else text + ".0"


def _string_literal(text: str) -> str:
    """A SPARQL string literal: every character that could end or bend it is escaped."""
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ch in "\u2028\u2029":
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library, or any ``.rq`` file with a header."""

    name: str
    title_zh: str
    title_en: str
    description: str
    params: list[Param]
    text: str
    post: str | None = None
    path: Path | None = field(default=None, compare=False)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        takes = ", ".join(p.name for p in self.params) or "no parameters"
        raise QueryError(f"{self.name} has no parameter {name!r} (it takes {takes})")

    def values(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Typed values of every parameter: the defaults, overridden by ``params`` (raw strings
        are converted; Python values of the right type are taken as they are)."""
        given = dict(params or {})
        values: dict[str, Any] = {}
        for p in self.params:
            if p.name in given:
                raw = given.pop(p.name)
                values[p.name] = p.convert(raw) if isinstance(raw, str) else _check_value(p, raw)
            elif p.default is not None:
                values[p.name] = p.convert(p.default)
        for name in given:
            self.param(name)  # raises: no such parameter
        return values

    def sparql(self, params: Mapping[str, Any] | None = None) -> str:
        """The query text with the parameters bound."""
        return bind(self.text, self.params, self.values(params))


def _check_value(p: Param, value: Any) -> Any:
    ok = {
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "decimal": lambda v: isinstance(v, (Decimal, int)) and not isinstance(v, bool),
        "date": lambda v: isinstance(v, date),
        "boolean": lambda v: isinstance(v, bool),
    }.get(p.type)
    if ok is None:
        return p.convert(str(value))
    if not ok(value):
        raise QueryError(f"parameter {p.name}={value!r}: expected a {p.type}")
    return Decimal(value) if p.type == "decimal" else value


_PARAM_LINE = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\(\s*(?P<type>[a-z]+)(?:\s+(?P<choices>[^)]*?))?\s*\)"
    r"\s*(?:=\s*(?P<default>.*?))?\s*(?:--\s*(?P<desc>.*))?$"
)


def parse_header(text: str, name: str, path: Path | None = None) -> NamedQuery:
    """Read the header comment block of a query (the leading ``#`` lines) into a NamedQuery.

    A file without a header is still a query: its titles are its name."""
    entries: list[tuple[str, str, int]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        body = line[1:]
        if not body.strip():
            continue
        if body.startswith("   ") and entries:  # continuation: '#' then 2+ spaces of indent
            key, value, at = entries[-1]
            entries[-1] = (key, f"{value} {body.strip()}", at)
            continue
        m = re.match(r"\s*([a-z-]+):\s*(.*)$", body)
        if not m:
            raise QueryError(f"{name}: header line {n} is not 'key: value'", n, 1)
        if m.group(1) not in _HEADER_KEYS:
            raise QueryError(
                f"{name}: unknown header key {m.group(1)!r} (known: {', '.join(_HEADER_KEYS)})", n, 3
            )
        entries.append((m.group(1), m.group(2).strip(), n))
    fields: dict[str, str] = {}
    params: list[Param] = []
    for key, value, n in entries:
        if key == "param":
            params.append(_param(value, name, n))
        elif key in fields:
            raise QueryError(f"{name}: header key {key!r} given twice", n, 3)
        else:
            fields[key] = value
    post = fields.get("post")
    if post is not None and post not in POST_STEPS:
        raise QueryError(f"{name}: unknown post step {post!r} (known: {', '.join(POST_STEPS)})")
    return NamedQuery(
        name=name,
        title_zh=fields.get("title-zh", name),
        title_en=fields.get("title-en", name),
        description=fields.get("description", ""),
        params=params,
        text=text,
        post=post,
        path=path,
    )


def _param(value: str, name: str, line: int) -> Param:
    m = _PARAM_LINE.fullmatch(value)
    if not m or m.group("type") not in PARAM_TYPES:
        raise QueryError(
            f"{name}: header line {line}: a parameter reads 'param: NAME (TYPE) = DEFAULT -- "
            f"description', TYPE one of {', '.join(PARAM_TYPES)}", line, 3,
        )
    choices = tuple(c.strip() for c in (m.group("choices") or "").split("|") if c.strip())
    if m.group("type") == "enum" and not choices:
        raise QueryError(f"{name}: header line {line}: an enum lists its values, 'enum a|b|c'", line, 3)
    default = m.group("default")
    p = Param(
        name=m.group("name"),
        default=default if default else None,
        description=(m.group("desc") or "").strip(),
        type=m.group("type"),
        choices=choices,
    )
    if p.default is not None:
        p.convert(p.default)  # a default that is not of its own type is a bug in the file
    return p


# --- the library -----------------------------------------------------------------------------


def _queries_dir() -> Path:
    return Path(str(resources.files("perfkg").joinpath("queries")))


@cache
def _library() -> tuple[NamedQuery, ...]:
    out = []
    for path in sorted(_queries_dir().glob("*.rq")):
        out.append(parse_header(path.read_text("utf-8"), path.stem, path))
    return tuple(out)


def library() -> list[NamedQuery]:
    """Every named query shipped with perfkg, by name."""
    return list(_library())


def get(name: str) -> NamedQuery:
    """The named query ``name``; QueryError names the ones there are."""
    for q in _library():
        if q.name == name:
            return q
    names = ", ".join(q.name for q in _library())
    raise QueryError(f"no named query {name!r}; the library has: {names}")


def load(path: str | Path) -> NamedQuery:
    """A ``.rq`` file as a query (its header, when it has one, declares titles and parameters)."""
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except FileNotFoundError:
        raise QueryError(f"{p}: no such file") from None
    except UnicodeDecodeError as e:
        raise QueryError(f"{p}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    except OSError as e:
        raise QueryError(f"{p}: {e.strerror}") from None
    return parse_header(text, p.stem, p)


# --- binding parameters ----------------------------------------------------------------------

# What can contain a '$name' that is not a parameter: strings (long ones first), IRIs, comments.
_TOKENS = re.compile(
    r'(?P<skip>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\''
    r'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*)'
    r"|(?P<var>\$[A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)",
    re.DOTALL,
)


def bind(text: str, params: Iterable[Param], values: Mapping[str, Any]) -> str:
    """``text`` with each ``$name`` of a parameter that has a value replaced by its SPARQL term."""
    declared = {p.name: p for p in params}

    def replace(m: re.Match) -> str:
        var = m.group("var")
        if var is None:
            return m.group(0)
        name = var[1:]
        if name in declared and name in values:
            return declared[name].to_sparql(values[name])
        return var

    return _TOKENS.sub(replace, text)


# --- results ---------------------------------------------------------------------------------


class Result:
    """The answer to one query: ``kind`` select | ask | construct | describe.

    SELECT and ASK keep the SPARQL 1.1 JSON results (``raw``) and read ``variables``, ``rows``
    and ``boolean`` from them; CONSTRUCT and DESCRIBE keep their ``triples``.
    """

    def __init__(self, kind: str, *, raw: bytes | None = None, triples: list | None = None) -> None:
        self.kind = kind
        self.raw = raw
        self.triples = triples if triples is not None else []
        self._parsed: tuple[list[str], list[tuple], bool | None] | None = None

    def _parse(self) -> tuple[list[str], list[tuple], bool | None]:
        if self._parsed is None:
            if self.kind in ("construct", "describe"):
                self._parsed = ([], [], None)
            else:
                import pyoxigraph as ox

                try:
                    parsed = ox.parse_query_results(self.raw, format=ox.QueryResultsFormat.JSON)
                    if isinstance(parsed, ox.QueryBoolean):
                        self._parsed = ([], [], bool(parsed))
                    else:
                        variables = [v.value for v in parsed.variables]
                        rows = [tuple(s[v] for v in variables) for s in parsed]
                        self._parsed = (variables, rows, None)
                except SyntaxError as e:
                    raise QueryError(f"the results do not parse as SPARQL JSON: {e}") from None
        return self._parsed

    @property
    def variables(self) -> list[str]:
        return self._parse()[0]

    @property
    def rows(self) -> list[tuple]:
        """One tuple per solution, of pyoxigraph terms (None where unbound)."""
        return self._parse()[1]

    @property
    def boolean(self) -> bool | None:
        return self._parse()[2]

    def __len__(self) -> int:
        return len(self.triples) if self.kind in ("construct", "describe") else len(self.rows)

    def __iter__(self):
        return iter(self.triples if self.kind in ("construct", "describe") else self.rows)

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts of Python values: Decimal, int, date, bool, str; None where unbound."""
        return [{v: to_python(t) for v, t in zip(self.variables, row)} for row in self.rows]

    def serialize(self, format: str = "json") -> bytes:
        """SELECT/ASK: json, xml, csv, tsv (SPARQL 1.1 results); CONSTRUCT/DESCRIBE: ttl, jsonld, nt."""
        import pyoxigraph as ox

        if self.kind in ("construct", "describe"):
            fmt = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD, "nt": ox.RdfFormat.N_TRIPLES}.get(format)
            if fmt is None:
                raise QueryError(f"a {self.kind.upper()} result is RDF: --format ttl, jsonld or nt, not {format}")
            prefixes = _used_prefixes(self.triples) if fmt is not ox.RdfFormat.N_TRIPLES else None
            return ox.serialize(self.triples, format=fmt, prefixes=prefixes) or b""
        fmt = {
            "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
        }.get(format)
        if fmt is None:
            raise QueryError(f"a {self.kind.upper()} result is a table: --format json, xml, csv or tsv, not {format}")
        if fmt is ox.QueryResultsFormat.JSON:
            return self.raw  # type: ignore[return-value]
        try:
            return ox.parse_query_results(self.raw, format=ox.QueryResultsFormat.JSON).serialize(format=fmt)
        except SyntaxError as e:
            raise QueryError(f"the results do not parse as SPARQL JSON: {e}") from None

    @classmethod
    def from_rows(cls, variables: list[str], rows: Iterable[Iterable[Any]]) -> Result:
        """A SELECT result built in Python (a post step); cells are pyoxigraph terms or None."""
        import pyoxigraph as ox

        bindings = []
        for row in rows:
            b = {}
            for var, term in zip(variables, row):
                if term is not None:
                    b[var] = _json_term(term)
            bindings.append(b)
        doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        # Through Oxigraph's writer, so the bytes are the ones its server would send.
        raw = ox.parse_query_results(text, format=ox.QueryResultsFormat.JSON).serialize(format=ox.QueryResultsFormat.JSON)
        return cls("select", raw=raw)


def _json_term(term) -> dict[str, str]:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        out["datatype"] = term.datatype.value
    return out


def to_python(term) -> Any:
    """A pyoxigraph term as a Python value (numbers exact; IRIs and other literals as str)."""
    import pyoxigraph as ox

    if term is None:
        return None
    if not isinstance(term, ox.Literal):
        return term.value
    dt = term.datatype.value
    v = term.value
    try:
        if dt in (XSD + "integer", XSD + "int", XSD + "long", XSD + "nonNegativeInteger"):
            return int(v)
        if dt in (XSD + "decimal", XSD + "double", XSD + "float"):
            return Decimal(v)
        if dt == XSD + "date":
            return date.fromisoformat(v)
        if dt == XSD + "boolean":
            return v in ("true", "1")
    except (ValueError, InvalidOperation):
        pass
    return v


def _used_prefixes(triples: list) -> dict[str, str]:
    """The perfkg prefixes whose namespace some IRI of ``triples`` starts with."""
    iris = {t.value for tr in triples for t in (tr.subject, tr.predicate, tr.object) if hasattr(t, "value")
            and not hasattr(t, "datatype")}
    iris |= {tr.object.datatype.value for tr in triples if hasattr(tr.object, "datatype")}
    return {k: ns for k, ns in _prefixes().items() if any(i.startswith(ns) for i in iris)}


@cache
def _prefixes() -> dict[str, str]:
    from perfkg.namespaces import PREFIXES

    return {k: str(v) for k, v in PREFIXES.items()}


# --- running ---------------------------------------------------------------------------------


def run(
    sparql_or_named: str | NamedQuery,
    *,
    store: Any = None,
    endpoint: Any = None,
    params: Mapping[str, Any] | None = None,
) -> Result:
    """Answer a named query (a NamedQuery or the name of one) or SPARQL text.

    On ``endpoint`` (a URL or a ``perfkg.remote.Endpoint``) when given, else on ``store`` (a
    ``perfkg.store.Store`` or a store directory; default: the default store, read-only).
    ``params`` are given as strings (as on a command line) or typed Python values.
    """
    named = _resolve(sparql_or_named)
    if named is not None:
        text = named.sparql(params)
        post = named.post
        values = named.values(params)
    else:
        if params:
            raise QueryError("parameters need a query whose header declares them (a named query or a .rq file)")
        text, post, values = sparql_or_named, None, {}  # type: ignore[assignment]
    own = None
    if endpoint is not None:
        from perfkg.remote import Endpoint, remote_query

        ep = endpoint if isinstance(endpoint, Endpoint) else Endpoint(str(endpoint))

        def ask(sparql: str) -> Result:
            return remote_query(ep, sparql)
    else:
        if store is None or isinstance(store, (str, Path)):
            from perfkg.store import Store, default_store_path

            own = store = Store(store if store is not None else default_store_path(), read_only=True)

        def ask(sparql: str) -> Result:
            return embedded_query(store, sparql)

    try:
        result = ask(text)
        if post:
            result = POST_STEPS[post](result, values, ask)
        if (endpoint is None and named is not None and named.path is not None
                and named.path.parent == _queries_dir() and _empty(result)):
            _check_derived(ask)
        return result
    finally:
        if own is not None:
            own.close()


_PKG = "https://w3id.org/perfkg/ontology#"


def _empty(result: Result) -> bool:
    """A SELECT without rows, told without reading the rows of a big answer (that costs more
    than the query: 150 ms for 10⁴ rows)."""
    return result.kind == "select" and result.raw is not None and len(result.raw) < 4096 and not result.rows


def _check_derived(ask: Callable[[str], Result]) -> None:
    """A named query that found nothing in a store of projects without the summaries that
    ingest derives per project (ontology/FIELDS.md, "Derived at ingest") ran on a store made by
    an older perfkg: say so rather than answer nothing."""
    projects = ask(f"ASK {{ ?p a <{_PKG}Project> }}").boolean
    if not projects and ask(f"ASK {{ ?e a <{_PKG}SelfEvaluation> }}").boolean:
        raise QueryError(
            "this store holds self-evaluations (绩效自评表) only; the named queries read each "
            "project's plan from its target table (绩效目标表): ingest the target tables too"
        )
    if projects and not ask(f"ASK {{ ?p <{_PKG}indicatorCount> ?n ; <{_PKG}key> ?k ; <{_PKG}coverageCodes> ?c }}").boolean:
        raise QueryError(
            "this store was ingested by an older perfkg and lacks the per-project summaries the "
            "named queries read; run `perfkg ingest` on the same files again to map them anew"
        )


def _resolve(q: str | NamedQuery) -> NamedQuery | None:
    if isinstance(q, NamedQuery):
        return q
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", q.strip()):
        return get(q.strip())
    return None


def embedded_query(store: Any, text: str) -> Result:
    """Run ``text`` on a perfkg Store (or a pyoxigraph Store), the union of its graphs as default."""
    import pyoxigraph as ox

    try:
        if hasattr(store, "db"):
            answer = store.query(text)
        else:
            answer = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as e:
        raise syntax_error(str(e)) from None
    except (OSError, ValueError, RuntimeError) as e:
        raise QueryError(f"the query failed: {e}") from None
    if isinstance(answer, ox.QueryBoolean):
        raw = json.dumps({"head": {}, "boolean": bool(answer)}, separators=(",", ":")).encode()
        return Result("ask", raw=ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON).serialize(
            format=ox.QueryResultsFormat.JSON))
    if isinstance(answer, ox.QueryTriples):
        kind = "describe" if re.search(r"\bDESCRIBE\b", _strip_comments(text), re.IGNORECASE) else "construct"
        return Result(kind, triples=list(answer))
    return Result("select", raw=answer.serialize(format=ox.QueryResultsFormat.JSON))


def syntax_error(message: str) -> QueryError:
    """Oxigraph's 'error at LINE:COL: message' as a QueryError with its position."""
    m = re.match(r"error at (\d+):(\d+): (.*)", message, re.DOTALL)
    if m:
        return QueryError(f"malformed SPARQL: {m.group(3)}", int(m.group(1)), int(m.group(2)))
    return QueryError(f"malformed SPARQL: {message}")


def _strip_comments(text: str) -> str:
    return _TOKENS.sub(lambda m: " " if m.group("skip") else m.group(0), text)


def query_kind(text: str) -> str:
    """select | ask | construct | describe, from the query form (after prologue and comments)."""
    m = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", _strip_comments(text), re.IGNORECASE)
    return m.group(1).lower() if m else "select"


# --- the two-step query: similar wording -----------------------------------------------------


def normalise_name(name: str) -> str:
    """An indicator name for comparison: NFKC (full-width → ASCII), no spaces, no punctuation."""
    text = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZC")


def _bigrams(text: str) -> frozenset[str]:
    if len(text) < 2:
        return frozenset([text])
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


@dataclass
class _Name:
    key: str
    spellings: dict[str, int] = field(default_factory=dict)
    projects: set[str] = field(default_factory=set)
    units: set[str] = field(default_factory=set)

    @property
    def shown(self) -> str:
        return max(self.spellings.items(), key=lambda kv: (kv[1], kv[0]))[0]


def _values(result: Result, variables: tuple[str, ...]) -> Iterator[tuple[str | None, ...]]:
    """The text of each cell of a SELECT result's JSON, None where unbound: for 10⁴ rows, a
    third of the time of building pyoxigraph terms (``Result.rows``)."""
    for b in json.loads(result.raw)["results"]["bindings"]:  # type: ignore[arg-type]
        yield tuple(b[v]["value"] if v in b else None for v in variables)


def _step(name: str) -> str:
    return (_queries_dir() / "steps" / f"{name}.rq").read_text("utf-8")


def similar_wording(rows: Result, values: Mapping[str, Any], ask: Callable[[str], Result]) -> Result:
    """Pairs of indicator names worded alike, from rows of (name, projects): the first step.

    Similarity is the Jaccard index of the names' character-bigram sets after
    ``normalise_name``; names equal after normalisation score 1. A pair is kept when it reaches
    ``threshold`` and its names are used by two different projects (``across=projects``) or
    budget units (``across=units``), and not always side by side (names that every project
    using one also uses are two indicators, not one worded twice). Candidate pairs come from
    an inverted index on the rarest bigrams of each name (prefix filtering, AllPairs, Bayardo
    et al. 2007), so similar names are found without comparing every name with every other.
    The second step (``queries/steps/project-units.rq``) names each project and its unit.
    """
    import pyoxigraph as ox

    threshold = Decimal(values.get("threshold", Decimal("0.6")))
    if not (0 < threshold <= 1):
        raise QueryError(f"parameter threshold={threshold}: expected a number above 0 and at most 1")
    across = values.get("across", "projects")
    t = float(threshold)
    details = ask(_step("project-units"))
    unit_of: dict[str, str] = {}
    name_of: dict[str, str] = {}
    # projects are named by their pkg:key in both steps
    for project, pname, unit in _values(details, ("key", "project_name", "unit")):
        name_of[project] = pname
        unit_of[project] = unit if unit is not None else "project:" + project
    names: dict[str, _Name] = {}
    for name, projects in _values(rows, ("name", "projects")):
        key = normalise_name(name)
        if not key:
            continue
        entry = names.setdefault(key, _Name(key))
        used = projects.split()
        entry.spellings[name] = entry.spellings.get(name, 0) + len(used)
        entry.projects.update(used)
    for entry in names.values():
        entry.units = {unit_of.get(p, "project:" + p) for p in entry.projects}

    def spans(a: _Name, b: _Name) -> bool:
        sa, sb = (a.units, b.units) if across == "units" else (a.projects, b.projects)
        return len(sa | sb) > 1 and (a is b or sa != sb)

    pairs: list[tuple[_Name, _Name, Decimal]] = [(n, n, Decimal(1)) for n in names.values() if spans(n, n)]
    # AllPairs: tokens ordered rarest first; two sets can reach Jaccard t only if they share a
    # token among the first |x| - ceil(t|x|) + 1 of each.
    grams = {k: _bigrams(k) for k in names}
    freq: dict[str, int] = {}
    for g in grams.values():
        for tok in g:
            freq[tok] = freq.get(tok, 0) + 1
    order = sorted(names, key=lambda k: (len(grams[k]), k))
    index: dict[str, list[str]] = {}
    for key in order:
        g = grams[key]
        toks = sorted(g, key=lambda tok: (freq[tok], tok))
        size = len(toks)
        prefix = size - math.ceil(t * size - 1e-9) + 1
        seen: set[str] = set()
        for tok in toks[:prefix]:
            for other in index.get(tok, ()):
                if other in seen:
                    continue
                seen.add(other)
                go = grams[other]
                if len(go) < t * size - 1e-9:
                    continue
                common = len(g & go)
                sim = Decimal(common) / Decimal(size + len(go) - common)
                if sim >= threshold and spans(names[other], names[key]):
                    a, b = sorted((names[other], names[key]), key=lambda n: n.shown)
                    pairs.append((a, b, sim))
            index.setdefault(tok, []).append(key)
    pairs.sort(key=lambda p: (-p[2], p[0].shown, p[1].shown))
    variables = ["name_a", "name_b", "similarity", "projects", "units", "project_names"]
    dec = ox.NamedNode(XSD + "decimal")
    integer = ox.NamedNode(XSD + "integer")
    out = []
    for a, b, sim in pairs:
        projects = a.projects | b.projects
        pnames = sorted({name_of.get(p, p) for p in projects})
        shown = " | ".join(pnames[:4]) + (" | …" if len(pnames) > 4 else "")
        out.append((
            ox.Literal(a.shown, language="zh"), ox.Literal(b.shown, language="zh"),
            ox.Literal(_plain(sim.quantize(Decimal("0.001"))), datatype=dec),
            ox.Literal(str(len(projects)), datatype=integer), ox.Literal(str(len(a.units | b.units)), datatype=integer),
            ox.Literal(shown, language="zh"),
        ))
    return Result.from_rows(variables, out)


POST_STEPS: dict[str, Callable[[Result, Mapping[str, Any], Callable[[str], Result]], Result]] = {
    "similar-wording": similar_wording,
}


# --- printing --------------------------------------------------------------------------------


def print_table(result: Result, console: Any = None) -> None:
    """A SELECT result as a rich table: numbers right-aligned, text (Chinese included) as is."""
    import pyoxigraph as ox
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = console or Console(highlight=False)
    if result.kind == "ask":
        console.print("true" if result.boolean else "false")
        return
    from rich.markup import escape

    numeric = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")}
    columns = list(zip(*result.rows)) if result.rows else [() for _ in result.variables]
    # Columns of IRIs only are for machines (csv, json …); a table for people leaves them out
    # unless nothing else is left.
    iris = {
        i for i, cells in enumerate(columns)
        if cells and all(isinstance(c, ox.NamedNode) for c in cells)
    }
    if len(iris) == len(result.variables):
        iris = set()
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for i, (var, cells) in enumerate(zip(result.variables, columns)):
        if i in iris:
            continue
        right = any(c is not None for c in cells) and all(
            c is None or (isinstance(c, ox.Literal) and c.datatype.value in numeric) for c in cells
        )
        table.add_column(var, justify="right" if right else "left", overflow="fold")
    for row in result.rows:
        table.add_row(*(escape(_cell(c)) for i, c in enumerate(row) if i not in iris))
    console.print(table)
    hidden = [result.variables[i] for i in sorted(iris)]
    note = f"; IRI column(s) {', '.join(hidden)} shown by --format csv or json" if hidden else ""
    console.print(f"{len(result.rows)} row(s){note}", style="dim")


def _cell(term) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return _compact(term.value)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def _compact(iri: str) -> str:
    from perfkg.mapping import DEFAULT_BASE

    if iri.startswith(DEFAULT_BASE + "/"):
        return iri[len(DEFAULT_BASE) + 1 :]
    for prefix, ns in _prefixes().items():
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z0-9_.-]*", iri[len(ns) :]):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def print_library(queries: list[NamedQuery], console: Any = None) -> None:
    """The named queries: name, titles, parameters with their types and defaults."""
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console(highlight=False)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("query", no_wrap=True)
    table.add_column("title")
    table.add_column("parameters")
    for q in queries:
        params = "\n".join(
            f"{p.name}: {p.type}{' ' + '|'.join(p.choices) if p.choices else ''}"
            f" = {p.default if p.default is not None else '(none)'}"
            for p in q.params
        )
        table.add_row(escape(q.name), escape(f"{q.title_zh}\n{q.title_en}"), escape(params))
    console.print(table)
