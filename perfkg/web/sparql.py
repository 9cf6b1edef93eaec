"""The read-only SPARQL 1.1 Protocol endpoint of ``perfkg serve``.

Queries run in a small pool of worker processes, each with the store opened read-only. A query
that outlives the time limit has its worker killed and replaced (Oxigraph cannot be interrupted
from Python, so a thread would keep burning a core); results stop at a cap and say so in the
``X-Perfkg-Truncated`` header. Refused before anything runs, with 403: every update (``update=``,
``application/sparql-update``, or update operations such as ``INSERT``, ``LOAD``, ``DROP`` sent as
a query) and every ``SERVICE`` clause — the server never reaches out to other hosts. The store
being opened read-only, nothing could be written anyway.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import queue
import re
import threading
import time
from dataclasses import dataclass, field

__all__ = ["Answer", "QueryPool", "refusal", "negotiate", "SELECT_TYPES", "GRAPH_TYPES"]

#: Result media types for SELECT/ASK, by preference, and the format names of ``format=``/``output=``.
SELECT_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "ttl", "application/n-triples": "nt", "application/rdf+xml": "xml",
    "application/ld+json": "jsonld", "text/plain": "nt",
}
_FORMAT_PARAM = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "ttl", "ttl": "ttl",
                 "nt": "nt", "ntriples": "nt", "n-triples": "nt", "rdf": "xml", "rdfxml": "xml", "json-ld": "jsonld",
                 "jsonld": "jsonld"}
_SELECT_MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8"}
_GRAPH_MEDIA = {"ttl": "text/turtle; charset=utf-8", "nt": "application/n-triples", "xml": "application/rdf+xml",
                "jsonld": "application/ld+json"}

# Strings, IRIs and comments, which may contain any word without it being a keyword.
_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*',
    re.DOTALL,
)
_PROLOGUE = re.compile(r"\b(?:PREFIX\s+[^\s:]*:|BASE)\s*", re.IGNORECASE)
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
_SERVICE = re.compile(r"(?<![?$\w])SERVICE\b", re.IGNORECASE)
_DATASET_CLAUSE = re.compile(r"(?<![?$\w])FROM\b", re.IGNORECASE)


def _code_only(text: str) -> str:
    return _SKIP.sub(" ", text)


def refusal(text: str) -> str | None:
    """Why ``text`` is refused (an update or a SERVICE clause), or None when it may run."""
    code = _code_only(text)
    first = re.match(r"\s*([A-Za-z]+)", _PROLOGUE.sub(" ", code))
    if first and first.group(1).upper() in _UPDATE_WORDS:
        return f"this endpoint is read-only: {first.group(1).upper()} (a SPARQL update) is refused"
    if _SERVICE.search(code):
        return "SERVICE is refused: this endpoint does not query other hosts"
    return None


def negotiate(accept: str | None, fmt: str | None) -> tuple[str | None, str | None]:
    """The (SELECT/ASK format, CONSTRUCT/DESCRIBE format) an ``Accept`` header or a
    ``format=``/``output=`` parameter asks for; None where it leaves the choice to us."""
    if fmt:
        f = _FORMAT_PARAM.get(fmt.lower().split("/")[-1].split("+")[-1]) or _FORMAT_PARAM.get(fmt.lower())
        if f is None and fmt in SELECT_TYPES:
            f = SELECT_TYPES[fmt]
        if f is None and fmt in GRAPH_TYPES:
            f = GRAPH_TYPES[fmt]
        if f in ("json", "xml", "csv", "tsv"):
            return f, {"json": "jsonld", "xml": "xml"}.get(f)
        if f:
            return None, f
    select = graph = None
    best_s = best_g = -1.0
    for n, part in enumerate((accept or "").split(",")):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        q = 1.0
        m = re.search(r"q\s*=\s*([0-9.]+)", params)
        if m:
            try:
                q = float(m.group(1))
            except ValueError:
                q = 0.0
        score = q - n * 1e-6
        if media in SELECT_TYPES and score > best_s:
            select, best_s = SELECT_TYPES[media], score
        if media in GRAPH_TYPES and score > best_g:
            graph, best_g = GRAPH_TYPES[media], score
    return select, graph


@dataclass
class Answer:
    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


# --- the worker (runs in its own process) ------------------------------------------------------


def _term_json(t) -> dict:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        out = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = t.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _term_json(t.subject), "predicate": _term_json(t.predicate),
                                        "object": _term_json(t.object)}}


def _format_select(variables: list[str], rows: list[dict], fmt: str) -> bytes:
    import pyoxigraph as ox

    doc = {"head": {"vars": variables}, "results": {"bindings": rows}}
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt == "json":
        return raw
    parsed = ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON)
    return parsed.serialize(format={"xml": ox.QueryResultsFormat.XML, "csv": ox.QueryResultsFormat.CSV,
                                    "tsv": ox.QueryResultsFormat.TSV}[fmt])


def _execute(store, job: dict, max_results: int) -> tuple:
    import pyoxigraph as ox

    select_fmt = job.get("select") or "json"
    graph_fmt = job.get("graph") or "ttl"
    if job["kind"] == "named":
        from perfkg.errors import PerfkgError
        from perfkg.query import run

        try:
            result = run(job["name"], store=store, params=job.get("params") or None)
        except PerfkgError as e:
            return ("error", 400, str(e))
        if result.kind in ("construct", "describe"):
            triples = result.triples[:max_results]
            return ("ok", _GRAPH_MEDIA[graph_fmt], _graph_bytes(triples, graph_fmt), len(result.triples) > max_results)
        if result.kind == "ask":
            return ("ok", _SELECT_MEDIA[select_fmt], result.serialize(select_fmt), False)
        variables = result.variables
        rows = [{v: _term_json(c) for v, c in zip(variables, row) if c is not None} for row in result.rows[:max_results]]
        return ("ok", _SELECT_MEDIA[select_fmt], _format_select(variables, rows, select_fmt), len(result.rows) > max_results)
    kwargs: dict = {}
    if _DATASET_CLAUSE.search(_code_only(job["query"])):
        pass  # FROM / FROM NAMED: the query names its own dataset (SPARQL 1.1 §13.2)
    else:
        # Listing graphs (to leave one out) makes Oxigraph 100x slower than its union of all
        # graphs: the union it is; the protocol's graph parameters narrow it when given.
        if job.get("default_graphs"):
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job["default_graphs"]]
        else:
            kwargs["use_default_graph_as_union"] = True
        if job.get("named_graphs"):
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    try:
        answer = store.db.query(job["query"], **kwargs)
    except SyntaxError as e:
        return ("error", 400, f"malformed query: {e}")
    except (OSError, ValueError, RuntimeError) as e:
        return ("error", 400, f"the query failed: {e}")
    try:
        if isinstance(answer, ox.QueryBoolean):
            raw = json.dumps({"head": {}, "boolean": bool(answer)}).encode()
            if select_fmt in ("csv", "tsv"):
                return ("ok", _SELECT_MEDIA[select_fmt], b"boolean\r\n" + (b"true" if answer else b"false") + b"\r\n", False)
            body = raw if select_fmt == "json" else ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON).serialize(
                format=ox.QueryResultsFormat.XML)
            return ("ok", _SELECT_MEDIA[select_fmt], body, False)
        if isinstance(answer, ox.QueryTriples):
            triples, truncated = [], False
            for t in answer:
                if len(triples) >= max_results:
                    truncated = True
                    break
                triples.append(t)
            return ("ok", _GRAPH_MEDIA[graph_fmt], _graph_bytes(triples, graph_fmt), truncated)
        variables = [v.value for v in answer.variables]
        rows, truncated = [], False
        for solution in answer:
            if len(rows) >= max_results:
                truncated = True
                break
            rows.append({v: _term_json(solution[v]) for v in variables if solution[v] is not None})
        return ("ok", _SELECT_MEDIA[select_fmt], _format_select(variables, rows, select_fmt), truncated)
    except (OSError, ValueError, RuntimeError) as e:
        return ("error", 400, f"the query failed: {e}")


def _graph_bytes(triples: list, fmt: str) -> bytes:
    from perfkg.export import serialize

    return serialize(triples, fmt)


def _worker(conn, store_path: str, max_results: int) -> None:
    from perfkg.store import Store

    store = Store(store_path, read_only=True)
    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        try:
            conn.send(_execute(store, job, max_results))
        except Exception:  # noqa: BLE001 - a worker must answer, whatever happened
            # The details go to the server's log, never to the client.
            import logging

            logging.getLogger("perfkg.serve").exception("query worker failed on %r", job.get("query") or job.get("name"))
            conn.send(("error", 500, "internal error while answering the query; the server log has the details"))


class _Worker:
    def __init__(self, ctx, store_path: str, max_results: int) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, store_path, max_results), daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self, timeout: float) -> bool:
        if not self.ready and self.conn.poll(timeout):
            self.ready = self.conn.recv() == ("ready",)
        return self.ready

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.join(5)
        finally:
            self.conn.close()


class _AnswerCache:
    """Least recently used answers, up to ``limit`` bytes of bodies; safe across threads."""

    def __init__(self, limit: int) -> None:
        from collections import OrderedDict

        self.limit = limit
        self.size = 0
        self._items: OrderedDict[str, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Answer | None:
        with self._lock:
            answer = self._items.get(key)
            if answer is not None:
                self._items.move_to_end(key)
            return answer

    def put(self, key: str, answer: Answer) -> None:
        if len(answer.body) > self.limit // 4:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = answer
            self.size += len(answer.body)
            while self.size > self.limit:
                _, old = self._items.popitem(last=False)
                self.size -= len(old.body)


class QueryPool:
    """``workers`` processes answering queries on the store at ``store_path``, each query within
    ``timeout`` seconds and ``max_results`` rows (or triples)."""

    def __init__(
        self, store_path: str, *, workers: int = 2, timeout: float = 10.0, max_results: int = 10_000,
        cache_bytes: int = 64 * 2**20,
    ) -> None:
        self.store_path = str(store_path)
        self.timeout = timeout
        self.max_results = max_results
        self._ctx = mp.get_context("spawn")
        # The workers see the store as it was when they opened it (read-only), so an answer
        # stays right for the server's lifetime: the same request is answered once.
        self._cache = _AnswerCache(cache_bytes)
        self._running: dict[str, threading.Event] = {}
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        for _ in range(max(1, workers)):
            self._add()

    def _add(self) -> None:
        w = _Worker(self._ctx, self.store_path, self.max_results)
        with self._lock:
            self._all.append(w)
        self._idle.put(w)

    def run(self, job: dict) -> Answer:
        """The answer to ``job``: from the cache when the same request was answered before."""
        key = json.dumps(job, sort_keys=True, ensure_ascii=False)
        while True:
            cached = self._cache.get(key)
            if cached is not None:
                return Answer(cached.status, cached.media_type, cached.body, {**cached.headers, "X-Perfkg-Cache": "hit"})
            with self._lock:
                running = self._running.get(key)
                if running is None:
                    done = self._running[key] = threading.Event()
                    break
            # The same request is being answered for another client: wait for that answer
            # rather than run it twice (a burst of 50 alike requests costs one query).
            if not running.wait(self.timeout * 2):
                break
            if self._cache.get(key) is None:
                done = None
                break
        try:
            answer = self._run(job)
            if answer.status == 200:
                self._cache.put(key, answer)
            return answer
        finally:
            if done is not None:
                with self._lock:
                    self._running.pop(key, None)
                done.set()

    def _run(self, job: dict) -> Answer:
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return Answer(503, "text/plain; charset=utf-8", b"all query workers are busy; try again shortly\n")
        if not worker.wait_ready(60):
            self._replace(worker)
            return Answer(503, "text/plain; charset=utf-8", b"a query worker could not open the store\n")
        started = time.monotonic()
        try:
            worker.conn.send(job)
            if not worker.conn.poll(self.timeout):
                self._replace(worker)
                msg = f"the query ran past the time limit of {self.timeout:g} s and was stopped\n"
                return Answer(503, "text/plain; charset=utf-8", msg.encode())
            reply = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            return Answer(500, "text/plain; charset=utf-8", b"the query worker died; try again\n")
        self._idle.put(worker)
        elapsed = time.monotonic() - started
        if reply[0] == "error":
            return Answer(reply[1], "text/plain; charset=utf-8", (reply[2] + "\n").encode("utf-8"))
        _, media, body, truncated = reply
        headers = {"X-Perfkg-Query-Time": f"{elapsed:.3f}"}
        if truncated:
            headers["X-Perfkg-Truncated"] = f"results stop at {self.max_results}"
        return Answer(200, media, body, headers)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        self._add()

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for w in workers:
            try:
                w.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
            w.kill()
