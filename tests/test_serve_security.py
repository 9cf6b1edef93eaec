"""A public endpoint: what `perfkg serve` refuses, caps and hides (issue 8). A real server on
127.0.0.1, real requests; every attack is sent as an attacker would send it."""

from __future__ import annotations

import json
import threading
import urllib.error
import time
import urllib.parse
from pathlib import Path

import pytest

from .conftest import DATA
from .test_serve import get
from .test_serve_support import build_store, running_server

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/perfkg/ontology#Project> }"
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("secure") / "store", DATA / "hostile" / "html-and-formula-injection.txt")
    with running_server(store, "--timeout", "2", "--max-results", "100") as base:
        yield base


def sparql(server: str, query: str, accept: str = "application/sparql-results+json"):
    return get(server + "/sparql?" + urllib.parse.urlencode({"query": query}), accept)


def count_projects(server: str) -> int:
    status, _, body = sparql(server, COUNT)
    assert status == 200
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("attack", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "PREFIX x: <urn:x#> DELETE WHERE { ?s ?p ?o }",
    "# comment first\nDROP ALL",
    "LOAD <http://example.org/evil.ttl>",
    "LOAD <file:///etc/passwd> INTO GRAPH <urn:g>",
    "CLEAR DEFAULT",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "SELECT * WHERE { SERVICE <http://169.254.169.254/latest/meta-data/> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <file:///etc/passwd> { ?s ?p ?o } }",
    "select * where { service <http://127.0.0.1:22/> { ?s ?p ?o } }",
])
def test_updates_load_service_and_file_access_are_refused(server: str, attack: str) -> None:
    for method in ("get", "post-form", "post-query", "post-update"):
        if method == "get":
            status, _, body = sparql(server, attack)
        elif method == "post-form":
            status, _, body = get(server + "/sparql", data=urllib.parse.urlencode({"query": attack}).encode(),
                                  ctype="application/x-www-form-urlencoded")
        elif method == "post-query":
            status, _, body = get(server + "/sparql", data=attack.encode(), ctype="application/sparql-query")
        else:
            status, _, body = get(server + "/sparql", data=attack.encode(), ctype="application/sparql-update")
        assert status == 403, (method, attack, body)
        assert b"Traceback" not in body
    assert count_projects(server) == 8, "nothing was written"


def test_a_query_that_reads_files_through_from_gets_nothing(server: str) -> None:
    # FROM names a graph of the store; it never makes the server fetch anything
    status, _, body = sparql(server, "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }")
    assert status == 200 and json.loads(body)["results"]["bindings"] == []


def test_oversized_requests_are_refused(server: str) -> None:
    import socket

    host, port = urllib.parse.urlparse(server).netloc.split(":")
    # A body announced as 1 GB is refused on its headers, before a byte of it is read.
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                  b"Content-Length: 1000000000\r\n\r\n")
        reply = b""
        while b"KiB" not in reply and (chunk := s.recv(4096)):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 413") and b"larger than" in reply
    # A body that really is too large: refused while it streams in (the client may see the
    # connection close before it finishes sending, which is the refusal too).
    huge = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (512 * 1024)
    assert refused(lambda: get(server + "/sparql", data=huge.encode(), ctype="application/sparql-query"))
    # … and a URL of 300 KiB is refused by the HTTP layer itself.
    assert refused(lambda: sparql(server, "SELECT * WHERE { ?s ?p ?o } #" + "x" * (300 * 1024)))
    assert count_projects(server) == 8, "the server goes on"


def refused(request) -> bool:
    """A 4xx answer, or the connection closed on a request still being sent: both refusals."""
    try:
        status, _, body = request()
    except (urllib.error.URLError, ConnectionError) as e:
        reason = getattr(e, "reason", e)
        return isinstance(reason, (BrokenPipeError, ConnectionResetError))
    return status in (400, 413, 414, 431) and b"Traceback" not in body


def test_results_are_capped(server: str) -> None:
    status, headers, body = sparql(server, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 100
    assert "results stop at 100" in headers["X-Perfkg-Truncated"]


def test_malformed_queries_get_the_parser_message_not_a_stack_trace(server: str) -> None:
    status, _, body = sparql(server, "SELECT * WHERE { ?s ?p ")
    assert status == 400 and b"malformed query" in body
    assert b"Traceback" not in body and b'File "' not in body


def test_an_expensive_query_hits_the_limit_without_starving_the_others(server: str) -> None:
    results: dict[str, tuple[int, float]] = {}

    def slow() -> None:
        started = time.monotonic()
        status, _, body = sparql(server, CROSS_JOIN)
        results["slow"] = (status, time.monotonic() - started)
        results["slow-body"] = body  # type: ignore[assignment]

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)
    cheap = []
    while thread.is_alive() and len(cheap) < 20:
        started = time.monotonic()
        assert count_projects(server) == 8
        cheap.append(time.monotonic() - started)
    thread.join(30)
    status, seconds = results["slow"]
    assert status == 503 and b"time limit of 2 s" in results["slow-body"]  # type: ignore[operator]
    assert seconds < 8
    assert cheap and max(cheap) < 2, f"cheap queries waited {max(cheap):.2f} s behind the expensive one"


def test_cells_holding_markup_show_as_text(server: str) -> None:
    status, _, body = sparql(server, """SELECT ?i WHERE { ?i <http://www.w3.org/2000/01/rdf-schema#label> ?l
        FILTER(CONTAINS(STR(?l), "script")) }""")
    iri = json.loads(body)["results"]["bindings"][0]["i"]["value"]
    path = urllib.parse.urlparse(iri).path
    status, _, page = get(server + "/id/" + path.split("/id/", 1)[1], "text/html")
    assert status == 200
    assert b"<script>alert" not in page
    assert b"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page or b"&lt;script&gt;alert(&#x27;x&#x27;)" in page


def test_unknown_paths_and_methods_do_not_leak_internals(server: str) -> None:
    status, _, body = get(server + "/id/../../etc/passwd", "text/html")
    assert status in (400, 404) and b"root:" not in body
    status, _, body = get(server + "/static/../../pyproject.toml")
    assert status in (400, 404) and b"[project]" not in body
    status, _, body = get(server + "/sparql", data=b"query=x", ctype="multipart/form-data")
    assert status == 415 and b"Traceback" not in body


def test_the_bookkeeping_graph_is_not_public(server: str) -> None:
    """Where files lay on the server and when they were ingested is not the public's business."""
    status, _, body = sparql(server, "SELECT ?g WHERE { GRAPH ?g { ?s <https://w3id.org/perfkg/ontology#sourcePath> ?p } }")
    assert status == 200 and json.loads(body)["results"]["bindings"] == []
    status, _, body = sparql(server, "SELECT ?p WHERE { ?s <https://w3id.org/perfkg/ontology#sourcePath> ?p }")
    assert json.loads(body)["results"]["bindings"] == []


def test_the_snapshot_served_is_swept_away_and_the_store_left_as_it_was(tmp_path: Path) -> None:
    """The snapshots (public, and whole for the pages) live beside the store only while the
    server runs; those left by a killed server are removed at the next start; the store itself
    keeps its bookkeeping."""
    import signal
    import subprocess
    import sys

    from perfkg.store import Store

    from .conftest import ROOT, SAMPLE
    from .test_serve_support import free_port

    store = build_store(tmp_path / "store", SAMPLE)
    snapshots = lambda: sorted(p.name for p in tmp_path.glob(".store.serve-*"))  # noqa: E731
    with running_server(store) as base:
        assert len(snapshots()) == 2 and sum(n.endswith("-pages") for n in snapshots()) == 1
        assert count_projects(base) == 8
    assert snapshots() == []
    # A server killed outright leaves its snapshot behind; the next one sweeps it.
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "perfkg", "serve", "--store", str(store), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(snapshots()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    left = snapshots()
    assert len(left) == 2
    with running_server(store):
        assert not set(left) & set(snapshots())
    assert snapshots() == []
    kept = Store(store, read_only=True)
    try:
        assert [Path(d.path).name for d in kept.documents()] == [SAMPLE.name]
    finally:
        kept.close()
