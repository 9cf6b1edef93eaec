"""perfkg against a real SPARQL server: a real `oxigraph serve` on 127.0.0.1, started for the
session and stopped after. Push the sample, ask every named query remotely, and expect the
embedded store's answers byte for byte; authentication, retries and errors go through a real
HTTP proxy in front of it (tests/servers.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfkg import query as Q
from perfkg.remote import AccessDenied, Endpoint, EndpointUnreachable, RemoteError, push
from perfkg.store import Store

from .conftest import SAMPLE, run_perfkg
from .servers import OxigraphServer, Proxy, env_without_credentials, free_port, oxigraph  # noqa: F401
from .test_query import make_store

SAMPLE_GRAPH = "https://w3id.org/perfkg/id/document/fa647eab81c35df2/graph"
MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
         "csv": "text/csv", "tsv": "text/tab-separated-values"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = make_store(tmp_path_factory.mktemp("remote") / "store", SAMPLE)
    yield db
    db.close()


@pytest.fixture(scope="module")
def server(oxigraph, store):  # noqa: F811
    """The Oxigraph server holding exactly the sample, pushed by perfkg."""
    oxigraph.clear()
    report = push(store, Endpoint(oxigraph.query_url))
    assert [(g.graph, g.method) for g in report.graphs] == [(SAMPLE_GRAPH, "graph-store")]
    return oxigraph


def document_triples(store) -> int:
    """The store's triples but its own records of the documents (what a push sends)."""
    import pyoxigraph as ox

    from perfkg.store import META_GRAPH

    return len(store) - sum(1 for _ in store.db.quads_for_pattern(None, None, None, ox.NamedNode(META_GRAPH)))


def server_triples(server: OxigraphServer) -> int:
    result = Q.run("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", endpoint=server.query_url)
    return int(result.rows[0][0].value)


# --- the same answers --------------------------------------------------------------------------


@pytest.mark.parametrize("name", [q.name for q in Q.library()])
def test_every_named_query_answers_the_same_remotely(server, store, name: str) -> None:
    embedded = Q.run(name, store=store)
    remote = Q.run(name, endpoint=server.query_url)
    assert remote.variables == embedded.variables
    assert remote.records() == embedded.records()
    assert remote.raw == embedded.raw
    assert embedded.rows, "every named query answers something on the sample"


@pytest.mark.parametrize("name, params, rows", [
    ("deadlines", {"month": "2025-11"}, 2),
    ("cost-vs-budget", {"verdict": "mismatch"}, 1),
])
def test_a_parameter_means_the_same_remotely(server, store, name: str, params: dict, rows: int) -> None:
    remote = Q.run(name, endpoint=server.query_url, params=params)
    assert remote.raw == Q.run(name, store=store, params=params).raw
    assert len(remote.rows) == rows


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("name", ["shared-beneficiaries", "funding-by-level", "cost-vs-budget", "deadlines"])
def test_results_formats_are_byte_for_byte_what_the_server_sends(server, store, name: str, fmt: str) -> None:
    q = Q.get(name)
    body, content_type = server.accept(q.sparql(), MEDIA[fmt])
    assert content_type.startswith(MEDIA[fmt])
    assert Q.run(q, store=store).serialize(fmt) == body
    assert Q.run(q, endpoint=server.query_url).serialize(fmt) == body


def test_construct_describe_and_ask_remotely(server, store) -> None:
    construct = "CONSTRUCT { ?u ?p ?o } WHERE { ?u a <https://w3id.org/perfkg/ontology#BudgetUnit> ; ?p ?o }"
    remote = Q.run(construct, endpoint=server.query_url)
    assert remote.kind == "construct" and set(remote.triples) == set(Q.run(construct, store=store).triples)
    assert "天津市社会保险基金管理中心" in remote.serialize("ttl").decode("utf-8")
    described = Q.run("DESCRIBE <https://w3id.org/perfkg/id/unit/353302>", endpoint=server.query_url)
    assert described.kind == "describe" and len(described.triples) == 4
    ask = Q.run("ASK { ?x <https://w3id.org/perfkg/ontology#servesPopulation> ?p }", endpoint=server.query_url)
    assert (ask.kind, ask.boolean) == ("ask", True)


def test_chinese_text_survives_the_round_trip(server, store) -> None:
    q = "SELECT ?name WHERE { ?p a <https://w3id.org/perfkg/ontology#Project> ; <http://www.w3.org/2000/01/rdf-schema#label> ?name } ORDER BY ?name"
    remote = [r["name"] for r in Q.run(q, endpoint=server.query_url).records()]
    assert remote == [r["name"] for r in Q.run(q, store=store).records()]
    assert "2025年机关事业单位养老保险制度改革中央补助经费-中央" in remote
    # and a Chinese string parameter, sent in the query text, matches on the server
    rows = Q.run("indicator-coverage", endpoint=server.query_url, params={"lacking": "生态效益指标"}).rows
    assert len(rows) == 8


def test_malformed_query_on_the_server_gives_line_and_column(server) -> None:
    with pytest.raises(Q.QueryError) as e:
        Q.run("SELECT ?x WHERE {\n  ?x a\n}", endpoint=server.query_url)
    assert (e.value.line, e.value.column) == (3, 2)
    assert "the server rejected the query" in str(e.value)


# --- push ------------------------------------------------------------------------------------


def test_push_twice_leaves_the_same_data(server, store) -> None:
    before = server_triples(server)
    assert before == document_triples(store)
    for _ in range(2):
        report = push(store, Endpoint(server.query_url))
        assert [(g.triples, g.remote_triples) for g in report.graphs] == [(before, before)]
        assert server_triples(server) == before


def test_push_without_a_graph_store_falls_back_to_sparql_update(tmp_path: Path, store) -> None:
    srv = OxigraphServer(tmp_path / "srv").start()
    try:
        # Oxigraph answers 404 here: no graph store at that URL
        ep = Endpoint(srv.query_url, store_url=srv.base + "/no-graph-store")
        for _ in range(2):
            report = push(store, ep)
            (g,) = report.graphs
            assert g.method == "update" and g.triples == g.remote_triples == document_triples(store)
        assert server_triples(srv) == document_triples(store)
        # and with no graph store known at all
        (g,) = push(store, Endpoint(srv.base + "/query", store_url=None, update_url=srv.base + "/update")).graphs
        assert g.remote_triples == g.triples
    finally:
        srv.stop()


def test_push_chosen_documents_only(tmp_path: Path) -> None:
    other = tmp_path / "another-unit.txt"
    other.write_text(SAMPLE.read_text("utf-8").replace("353302", "353399"), "utf-8")
    db = make_store(tmp_path / "store", SAMPLE, other)
    srv = OxigraphServer(tmp_path / "srv").start()
    try:
        report = push(db, Endpoint(srv.query_url), [str(other)])
        assert [g.path for g in report.graphs] == [str(other)]
        graphs = Q.run("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", endpoint=srv.query_url).records()
        assert [r["g"] for r in graphs] == [report.graphs[0].graph] != [SAMPLE_GRAPH]
        rows = Q.run("funding-by-level", endpoint=srv.query_url).records()
        assert {r["unit_code"] for r in rows} == {"353399"}
        with pytest.raises(Exception, match="no document 'nothing-like-this.txt'"):
            push(db, Endpoint(srv.query_url), ["nothing-like-this.txt"])
    finally:
        srv.stop()
        db.close()


def test_push_ascii_escapes_keep_chinese_intact(tmp_path: Path, store) -> None:
    srv = OxigraphServer(tmp_path / "srv").start()
    try:
        (g,) = push(store, Endpoint(srv.query_url), ascii_only=True).graphs
        assert g.remote_triples == g.triples
        assert Q.run("shared-beneficiaries", endpoint=srv.query_url).raw == Q.run("shared-beneficiaries", store=store).raw
    finally:
        srv.stop()


# --- authentication, retries, errors ------------------------------------------------------------


def test_bearer_token_from_the_environment(server, monkeypatch) -> None:
    with Proxy(server.base, token="s3cret-token") as proxy:
        monkeypatch.delenv("PERFKG_ENDPOINT_TOKEN", raising=False)
        monkeypatch.delenv("PERFKG_ENDPOINT_USER", raising=False)
        with pytest.raises(AccessDenied, match="401 unauthorised; set PERFKG_ENDPOINT_TOKEN") as e:
            Q.run("shared-beneficiaries", endpoint=Endpoint(proxy.base + "/query", retries=0))
        assert e.value.status == 401
        monkeypatch.setenv("PERFKG_ENDPOINT_TOKEN", "wrong-token")
        with pytest.raises(AccessDenied) as e:
            Q.run("shared-beneficiaries", endpoint=Endpoint(proxy.base + "/query", retries=0))
        assert "wrong-token" not in str(e.value)
        monkeypatch.setenv("PERFKG_ENDPOINT_TOKEN", "s3cret-token")
        assert len(Q.run("shared-beneficiaries", endpoint=proxy.base + "/query").rows) == 2
        assert proxy.seen[-1][2]["Authorization"] == "Bearer s3cret-token"


def test_basic_authentication_for_query_and_push(server, store, monkeypatch) -> None:
    monkeypatch.delenv("PERFKG_ENDPOINT_TOKEN", raising=False)
    monkeypatch.setenv("PERFKG_ENDPOINT_USER", "analyst")
    monkeypatch.setenv("PERFKG_ENDPOINT_PASSWORD", "密码 with spaces")
    with Proxy(server.base, basic=("analyst", "密码 with spaces")) as proxy:
        assert len(Q.run("per-capita", endpoint=proxy.base + "/query").rows) == 4
        (g,) = push(store, Endpoint(proxy.base + "/query")).graphs
        assert g.remote_triples == g.triples
        assert {m for m, _, _ in proxy.seen} >= {"POST", "PUT"}


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(RemoteError, match="credentials in the endpoint URL are not accepted") as e:
        Endpoint("http://analyst:hunter2@127.0.0.1:1/query")
    assert "hunter2" not in str(e.value)


def test_5xx_is_retried_with_exponential_back_off(server) -> None:
    waits: list[float] = []
    with Proxy(server.base) as proxy:
        proxy.fail_next = 2
        ep = Endpoint(proxy.base + "/query", retries=3, backoff=0.05, _sleep=waits.append)
        assert len(Q.run("shared-beneficiaries", endpoint=ep).rows) == 2
        assert len(proxy.seen) == 3 and waits == [0.05, 0.1]
        proxy.fail_next = 10
        waits.clear()
        with pytest.raises(RemoteError, match=r"answered 503: temporarily unavailable \(tried 3 times\)") as e:
            Q.run("shared-beneficiaries", endpoint=Endpoint(proxy.base + "/query", retries=2, backoff=0.05, _sleep=waits.append))
        assert e.value.status == 503 and waits == [0.05, 0.1]


def test_4xx_is_not_retried(server) -> None:
    with Proxy(server.base) as proxy:
        with pytest.raises(RemoteError, match="404 not found; is this the SPARQL endpoint's URL") as e:
            Q.run("shared-beneficiaries", endpoint=Endpoint(proxy.base + "/nowhere", retries=3, _sleep=lambda s: None))
        assert e.value.status == 404 and len(proxy.seen) == 1


def test_connection_refused_is_retried_then_reported() -> None:
    waits: list[float] = []
    ep = Endpoint(f"http://127.0.0.1:{free_port()}/query", retries=2, backoff=0.01, _sleep=waits.append)
    with pytest.raises(EndpointUnreachable, match=r"cannot reach .*refused.*\(tried 3 times\)"):
        Q.run("shared-beneficiaries", endpoint=ep)
    assert waits == [0.01, 0.02]


def test_timeout(server) -> None:
    with Proxy(server.base) as proxy:
        proxy.delay = 3
        with pytest.raises(EndpointUnreachable, match="no answer within the timeout"):
            Q.run("shared-beneficiaries", endpoint=Endpoint(proxy.base + "/query", timeout=1, retries=0))


# --- the command line --------------------------------------------------------------------------


def test_cli_push_then_query_remotely(tmp_path: Path, store) -> None:
    srv = OxigraphServer(tmp_path / "srv").start()
    try:
        env = env_without_credentials()
        for _ in range(2):
            run = run_perfkg("push", "--endpoint", srv.query_url, "--store", store.path, env=env)
            assert run.code == 0, run.stderr
            assert f"{document_triples(store)} triples" in run.stdout and "(graph-store)" in run.stdout
        assert server_triples(srv) == document_triples(store)
        remote = run_perfkg("query", "shared-beneficiaries", "--endpoint", srv.query_url, "-f", "json", env=env)
        local = run_perfkg("query", "shared-beneficiaries", "--store", store.path, "-f", "json")
        assert remote.code == 0, remote.stderr
        assert remote.stdout == local.stdout
        assert len(json.loads(remote.stdout)["results"]["bindings"]) == 2
        table = run_perfkg("query", "shared-beneficiaries", "--endpoint", srv.query_url, env={**env, "COLUMNS": "250"})
        assert "685446" in table.stdout and "2049178" in table.stdout
        bad = run_perfkg("query", "-q", "SELECT ?x WHERE {\n ?x ?y\n}", "--endpoint", srv.query_url, env=env)
        assert bad.code == 2 and "line 3, column 2" in bad.stderr and "Traceback" not in bad.stderr
    finally:
        srv.stop()


def test_cli_remote_errors_are_one_line(tmp_path: Path) -> None:
    run = run_perfkg("query", "per-capita", "--endpoint", f"http://127.0.0.1:{free_port()}/query", "--retries", "0")
    assert run.code == 2 and run.stderr.startswith("Error: query on http://127.0.0.1:") and "refused" in run.stderr
    assert "Traceback" not in run.stderr
    run = run_perfkg("push", "--endpoint", "http://u:p@127.0.0.1:1/query", "--store", tmp_path)
    assert run.code == 2 and "credentials in the endpoint URL are not accepted" in run.stderr


def test_the_store_left_alone(store) -> None:
    """Querying and pushing read the store; nothing was written to it."""
    assert isinstance(store, Store) and len(store.documents(counts=False)) == 1
