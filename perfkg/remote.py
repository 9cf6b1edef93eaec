"""SPARQL 1.1 servers: queries over the SPARQL Protocol, and pushing the store to a server.

The only module that knows SPARQLWrapper. Credentials come from the environment, never from the
command line, and never appear in a message:

- ``PERFKG_ENDPOINT_TOKEN``: a bearer token (``Authorization: Bearer …``), or
- ``PERFKG_ENDPOINT_USER`` and ``PERFKG_ENDPOINT_PASSWORD``: HTTP basic authentication.

Every request has a timeout; a connection error or a 5xx answer is retried with exponential
back-off (``backoff`` × 2ⁿ seconds, ``retries`` times); a 4xx answer fails at once with the
server's own message (400 on a query → ``QueryError`` with its line and column when the server
gives them).

**Push.** Each document's named graph goes to the server as the same named graph through the
SPARQL 1.1 Graph Store HTTP Protocol: ``PUT {graph store}?graph={graph IRI}`` replaces the graph
with the N-Triples sent (one request, one transaction), so pushing twice leaves the same data.
A server that has no graph store (404, 405, 415, 501 on PUT, or none known) gets SPARQL Update
instead: ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { … } }`` with the first 1 000
triples, then ``INSERT DATA`` for each further 1 000 (Virtuoso refuses larger requests); a push
cut short there is completed by pushing again. Afterwards each graph's triples are counted on
the server through the query endpoint and compared with the store's.

The default graph must be the union of the named graphs, as in the embedded store: Oxigraph
``serve --union-default-graph``, Fuseki ``tdb2:unionDefaultGraph true``; Virtuoso and GraphDB
do so by default.

Where the other endpoints are, when not given: a query endpoint ``…/query`` (Oxigraph) has its
graph store at ``…/store`` and its update endpoint at ``…/update``; ``…/sparql`` (Fuseki)
at ``…/data`` and ``…/update``; otherwise the query URL itself takes updates.
"""

from __future__ import annotations

import ast
import base64
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from perfkg.errors import PerfkgError

__all__ = [
    "Endpoint", "RemoteError", "EndpointUnreachable", "AccessDenied", "remote_query", "push",
    "PushReport", "PushedGraph", "ENV_TOKEN", "ENV_USER", "ENV_PASSWORD",
]

ENV_TOKEN = "PERFKG_ENDPOINT_TOKEN"
ENV_USER = "PERFKG_ENDPOINT_USER"
ENV_PASSWORD = "PERFKG_ENDPOINT_PASSWORD"
_NO_GSP = (404, 405, 415, 501)
_T = TypeVar("_T")


class RemoteError(PerfkgError):
    """A SPARQL server answered with an error, or could not be reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class EndpointUnreachable(RemoteError):
    """No answer from the server: connection refused, reset, or timed out (after the retries)."""


class AccessDenied(RemoteError):
    """The server refused the credentials (401) or the request (403)."""


@dataclass
class Endpoint:
    """A SPARQL 1.1 server: its query endpoint ``url``, and optionally its update and graph
    store endpoints (found from ``url`` by convention when not given)."""

    url: str
    timeout: float = 60.0
    retries: int = 3
    backoff: float = 0.5
    update_url: str | None = None
    store_url: str | None = None
    _sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def __post_init__(self) -> None:
        for name in ("url", "update_url", "store_url"):
            value = getattr(self, name)
            if value is None:
                continue
            parts = urllib.parse.urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise RemoteError(f"{value!r} is not an http(s) URL of a SPARQL endpoint")
            if parts.username or parts.password:
                raise RemoteError(
                    f"credentials in the endpoint URL are not accepted (they would show in shell "
                    f"history and process lists): set {ENV_TOKEN}, or {ENV_USER} and {ENV_PASSWORD}"
                )
        if self.retries < 0 or self.timeout <= 0:
            raise RemoteError("retries must be 0 or more and the timeout above 0 seconds")

    # --- where things are ------------------------------------------------------------------

    def graph_store(self) -> str | None:
        if self.store_url:
            return self.store_url
        for tail, gsp in (("/query", "/store"), ("/sparql", "/data")):
            if self.url.rstrip("/").endswith(tail):
                return self.url.rstrip("/")[: -len(tail)] + gsp
        return None

    def update(self) -> str:
        if self.update_url:
            return self.update_url
        for tail in ("/query", "/sparql"):
            if self.url.rstrip("/").endswith(tail):
                return self.url.rstrip("/")[: -len(tail)] + "/update"
        return self.url

    # --- credentials -----------------------------------------------------------------------

    @staticmethod
    def auth_header() -> str | None:
        token = os.environ.get(ENV_TOKEN)
        if token:
            return f"Bearer {token}"
        user, password = os.environ.get(ENV_USER), os.environ.get(ENV_PASSWORD)
        if user:
            raw = f"{user}:{password or ''}".encode("utf-8")
            return "Basic " + base64.b64encode(raw).decode("ascii")
        return None

    # --- retrying --------------------------------------------------------------------------

    def attempt(self, what: str, call: Callable[[], _T]) -> _T:
        """``call()``, again after a connection error or a 5xx, waiting backoff × 2ⁿ seconds."""
        for n in range(self.retries + 1):
            try:
                return call()
            except _Retry as e:
                if n == self.retries:
                    cls = EndpointUnreachable if e.status is None else RemoteError
                    tries = f" (tried {self.retries + 1} times)" if self.retries else ""
                    raise cls(f"{what}: {e.message}{tries}", e.status) from None
                self._sleep(self.backoff * 2**n)
        raise AssertionError("unreachable")


class _Retry(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _body_text(body: bytes | str | None, limit: int = 600) -> str:
    if body is None:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "")


def _http_failure(url: str, status: int, body: bytes | None, *, query: bool = False) -> Exception:
    """The error for an HTTP error answer: _Retry for 5xx, a clear RemoteError for 4xx."""
    message = _body_text(body)
    if status >= 500:
        return _Retry(f"the server answered {status}" + (f": {message}" if message else ""), status)
    if status in (401, 403):
        hint = (
            f"set {ENV_TOKEN} (bearer token), or {ENV_USER} and {ENV_PASSWORD} (basic)"
            if status == 401 else "the credentials given do not allow this"
        )
        return AccessDenied(f"{url}: {status} {'unauthorised' if status == 401 else 'forbidden'}; {hint}", status)
    if status == 400 and query:
        from perfkg.query import syntax_error

        error = syntax_error(message) if message.startswith("error at") else None
        if error is not None and error.line is not None:
            error.message = f"the server rejected the query: {error.message.removeprefix('malformed SPARQL: ')}"
            return error
        from perfkg.query import QueryError

        return QueryError(f"the server rejected the query (400): {message or 'no reason given'}")
    if status == 404:
        return RemoteError(f"{url}: 404 not found; is this the SPARQL endpoint's URL?", status)
    return RemoteError(f"{url}: the server answered {status}" + (f": {message}" if message else ""), status)


def _connection_failure(url: str, e: BaseException) -> _Retry:
    reason = getattr(e, "reason", e)
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return _Retry(f"{url}: no answer within the timeout")
    return _Retry(f"cannot reach {url}: {reason}")


# --- queries ---------------------------------------------------------------------------------


def remote_query(endpoint: Endpoint, text: str):
    """Run ``text`` on the server; a ``perfkg.query.Result`` like the embedded store's."""
    import pyoxigraph as ox
    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    from perfkg.query import Result, query_kind

    kind = query_kind(text)
    graph = kind in ("construct", "describe")

    def call() -> tuple[bytes, str]:
        sw = SPARQLWrapper(endpoint.url)
        sw.setQuery(text)
        sw.setMethod(POST)  # long queries do not fit in a URL
        sw.setOnlyConneg(True)  # no format=… parameters: content negotiation only
        sw.setReturnFormat(TURTLE if graph else JSON)
        sw.setTimeout(int(max(1, round(endpoint.timeout))))
        auth = endpoint.auth_header()
        if auth:
            sw.addCustomHttpHeader("Authorization", auth)
        try:
            response = sw.query().response
            return response.read(), response.headers.get("Content-Type", "")
        except SPARQLWrapperException as e:
            status = {"QueryBadFormed": 400, "EndPointNotFound": 404, "Unauthorized": 401,
                      "URITooLong": 414, "EndPointInternalError": 500}.get(type(e).__name__, 400)
            raise _http_failure(endpoint.url, status, _wrapped_body(e), query=True) from None
        except urllib.error.HTTPError as e:
            raise _http_failure(endpoint.url, e.code, e.read(), query=True) from None
        except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError) as e:
            raise _connection_failure(endpoint.url, e) from None

    body, content_type = endpoint.attempt(f"query on {endpoint.url}", call)
    media = content_type.split(";")[0].strip().lower()
    try:
        if graph:
            fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.TURTLE
            triples = [q.triple for q in ox.parse(body, format=fmt)]
            return Result(kind, triples=triples)
        if "json" not in media:
            raise RemoteError(f"{endpoint.url} answered {media or 'no content type'}, not SPARQL JSON results")
        # The server's own bytes are kept (rows are read from them when asked for); Oxigraph
        # reads the head here, so an answer that is not SPARQL JSON fails now.
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        return Result("ask" if isinstance(parsed, ox.QueryBoolean) else "select", raw=body)
    except SyntaxError as e:
        raise RemoteError(f"{endpoint.url} answered results that do not parse: {e}") from None


def _wrapped_body(e: Exception) -> bytes | None:
    """SPARQLWrapper puts the server's answer in its message only: take it back out."""
    text = str(e)
    if "Response:\n" not in text:
        return None
    try:
        value = ast.literal_eval(text.split("Response:\n", 1)[1])
    except (ValueError, SyntaxError):
        return text.split("Response:\n", 1)[1].encode()
    return value if isinstance(value, bytes) else str(value).encode()


# --- plain HTTP (graph store and update) -----------------------------------------------------


def _send(endpoint: Endpoint, method: str, url: str, body: bytes, content_type: str) -> int:
    def call() -> int:
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("Content-Type", content_type)
        auth = endpoint.auth_header()
        if auth:
            request.add_header("Authorization", auth)
        try:
            with urllib.request.urlopen(request, timeout=endpoint.timeout) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as e:
            if method == "PUT" and e.code in _NO_GSP:
                return e.code  # no graph store here: the caller falls back to SPARQL Update
            raise _http_failure(url, e.code, e.read()) from None
        except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError) as e:
            raise _connection_failure(url, e) from None

    return endpoint.attempt(f"{method} {url}", call)


# --- push ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushedGraph:
    graph: str
    path: str
    triples: int
    remote_triples: int
    method: str  # "graph-store" | "update"


@dataclass
class PushReport:
    endpoint: str
    graphs: list[PushedGraph] = field(default_factory=list)

    @property
    def mismatched(self) -> list[PushedGraph]:
        return [g for g in self.graphs if g.triples != g.remote_triples]


def push(
    store: Any,
    endpoint: Endpoint,
    documents: Iterable[str] = (),
    *,
    ascii_only: bool = False,
    progress: Callable[[PushedGraph], None] | None = None,
) -> PushReport:
    """Upload each stored document (or those ``documents`` name: path, graph IRI or sha256
    prefix) to ``endpoint`` as its own named graph, replacing what the server held there.

    ``ascii_only`` writes every non-ASCII character as a ``\\uXXXX`` escape, for servers that
    misread UTF-8 request bodies (the Chinese text then survives any charset guess).
    """
    import pyoxigraph as ox

    from perfkg.store import StoreError

    records = store.documents(counts=False)
    refs = list(documents)
    if refs:
        chosen: dict[str, Any] = {}
        for ref in refs:
            found = store.find(ref)
            if not found:
                raise StoreError(f"no document {ref!r} in the store; `perfkg info --documents` lists them")
            for d in found:
                chosen[d.graph] = d
        records = list(chosen.values())
    if not records:
        raise StoreError("the store holds no documents; run `perfkg ingest` first")
    report = PushReport(endpoint.url)
    gsp = endpoint.graph_store()
    for record in records:
        g = ox.NamedNode(record.graph)
        triples = [q.triple for q in store.db.quads_for_pattern(None, None, None, g)]
        method = "graph-store"
        if gsp:
            data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            if ascii_only:
                data = _ascii(data.decode("utf-8")).encode("ascii")
            url = f"{gsp}?{urllib.parse.urlencode({'graph': record.graph})}"
            if _send(endpoint, "PUT", url, data, "application/n-triples; charset=utf-8") in _NO_GSP:
                gsp = None  # no graph store there: SPARQL Update from now on
        if gsp is None:
            method = "update"
            _update_graph(endpoint, record.graph, triples, ascii_only)
        remote = _count(endpoint, record.graph)
        pushed = PushedGraph(record.graph, record.path, len(triples), remote, method)
        report.graphs.append(pushed)
        if progress:
            progress(pushed)
    return report


UPDATE_CHUNK = 1000  # triples per INSERT DATA: Virtuoso 7 refuses a request that compiles to
# more than 10 000 lines of SQL (about 3 000 triples)


def _update_graph(endpoint: Endpoint, graph: str, triples: list, ascii_only: bool) -> None:
    """Replace ``graph`` by SPARQL Update: DROP and the first chunk in one request, the rest in
    more. Not one transaction on every server: a push cut short is completed by pushing again."""
    import pyoxigraph as ox

    chunks = [triples[i : i + UPDATE_CHUNK] for i in range(0, len(triples), UPDATE_CHUNK)] or [[]]
    for n, chunk in enumerate(chunks):
        data = ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES) or b""
        if ascii_only:
            data = _ascii(data.decode("utf-8")).encode("ascii")
        body = f"DROP SILENT GRAPH <{graph}> ;\n".encode() if n == 0 else b""
        if chunk:
            body += f"INSERT DATA {{ GRAPH <{graph}> {{\n".encode() + data + b"}}\n"
        _send(endpoint, "POST", endpoint.update(), body, "application/sparql-update; charset=utf-8")


def _count(endpoint: Endpoint, graph: str) -> int:
    from perfkg.query import to_python

    result = remote_query(endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(to_python(result.rows[0][0])) if result.rows else 0


def _ascii(text: str) -> str:
    """N-Triples with every non-ASCII character as a UCHAR escape (valid in IRIs and literals)."""
    return re.sub(
        r"[^\x00-\x7f]",
        lambda m: f"\\u{ord(m.group()):04X}" if ord(m.group()) <= 0xFFFF else f"\\U{ord(m.group()):08X}",
        text,
    )
