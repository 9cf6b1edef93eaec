"""`perfkg serve` over HTTP, as curl, a browser and SPARQLWrapper see it: a real server on
127.0.0.1 and a free port, real requests, no mocks."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import rdflib

from .test_serve_support import build_store, running_server

PROJECT = "/id/unit/353302/2025/project/e9824e796733"  # 2025年机关事业单位养老保险补助经费-市级
POPULATION = "/id/unit/353302/2025/population/public-institutions-retirees-347700"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/perfkg/ontology#Project> }"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("serve") / "store")


@pytest.fixture(scope="module")
def server(store):
    with running_server(store, "--timeout", "2", "--max-results", "50") as base:
        yield base


def get(url: str, accept: str | None = None, data: bytes | None = None, ctype: str | None = None):
    headers = {}
    if accept:
        headers["Accept"] = accept
    if ctype:
        headers["Content-Type"] = ctype
    req = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


@pytest.mark.parametrize("accept, media, fmt", [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", None),
    ("application/n-triples", "application/n-triples", "nt"),
])
def test_project_iri_answers_rdf_by_content_negotiation(server, accept, media, fmt) -> None:
    status, headers, body = get(server + PROJECT, accept)
    assert status == 200 and headers.get_content_type() == media
    assert "Accept" in headers["Vary"]
    if fmt is None:  # JSON-LD refers to the server's own context
        doc = json.loads(body)
        assert doc["@context"] == server + "/context.jsonld"
        _, _, ctx = get(server + "/context.jsonld")
        doc["@context"] = json.loads(ctx)["@context"]
        g = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    else:
        g = rdflib.Graph().parse(data=body, format=fmt)
    me = rdflib.URIRef(server + PROJECT)
    assert str(g.value(me, rdflib.RDFS.label)) == "2025年机关事业单位养老保险补助经费-市级"
    assert (me, rdflib.URIRef("https://w3id.org/perfkg/ontology#servesPopulation"), rdflib.URIRef(server + POPULATION)) in g


def test_the_same_iri_in_a_browser_is_a_page(server) -> None:
    status, headers, body = get(server + PROJECT, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    html = body.decode("utf-8")
    assert status == 200 and headers.get_content_type() == "text/html"
    assert "2025年机关事业单位养老保险补助经费-市级" in html and "Populations served" in html
    assert f'href="{POPULATION}/"' in html
    assert '<link rel="alternate" type="text/turtle"' in html
    # a resource that lives on its owner's page: 303 to its place there
    req = urllib.request.Request(server + PROJECT + "/funding/total", headers={"Accept": "text/html"})
    opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,), {
        "redirect_request": lambda self, *a, **k: None})())
    with pytest.raises(urllib.error.HTTPError) as e:
        opener.open(req, timeout=10)
    assert e.value.code == 303 and e.value.headers["Location"] == PROJECT + "/#funding/total"
    assert get(server + "/id/unit/999999", "text/turtle")[0] == 404


def test_site_pages_answer(server) -> None:
    for path in ("/", "/dashboard/", "/query/", "/ontology/", "/assets/style.css", "/assets/vendor/codemirror/codemirror.js"):
        status, _, _ = get(server + path)
        assert status == 200, path
    status, headers, body = get(server + "/catalog.ttl")
    g = rdflib.Graph().parse(data=body, format="turtle")
    assert (None, rdflib.URIRef("http://www.w3.org/ns/dcat#endpointURL"), rdflib.URIRef(server + "/sparql")) in g


def test_sparqlwrapper_select_ask_construct(server) -> None:
    from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

    for method in ("GET", "POST"):
        sw = SPARQLWrapper(server + "/sparql")
        sw.setMethod(method)
        sw.setQuery(COUNT)
        sw.setReturnFormat(JSON)
        res = sw.query().convert()
        assert res["results"]["bindings"][0]["n"]["value"] == "8"
    sw = SPARQLWrapper(server + "/sparql")
    sw.setQuery(COUNT)
    sw.setReturnFormat(XML)
    assert sw.query().convert().getElementsByTagName("literal")[0].firstChild.data == "8"
    sw.setReturnFormat(CSV)
    assert sw.query().convert().decode().splitlines() == ["n", "8"]
    sw.setQuery("ASK { ?p <https://w3id.org/perfkg/ontology#servesPopulation> ?x }")
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["boolean"] is True
    sw.setQuery("CONSTRUCT { ?p a ?t } WHERE { ?p a ?t } LIMIT 3")
    sw.setReturnFormat(TURTLE)
    g = rdflib.Graph().parse(data=sw.query().convert(), format="turtle")
    assert len(g) == 3


def test_protocol_forms_and_negotiation(server) -> None:
    q = urllib.parse.urlencode({"query": COUNT}).encode()
    status, headers, body = get(server + "/sparql", "text/tab-separated-values", data=q, ctype="application/x-www-form-urlencoded")
    assert status == 200 and headers.get_content_type() == "text/tab-separated-values" and body.decode().splitlines()[1] == "8"
    status, headers, body = get(server + "/sparql", "application/sparql-results+json", data=COUNT.encode(), ctype="application/sparql-query")
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == "8"
    status, _, body = get(server + "/sparql?" + urllib.parse.urlencode({"query": "SELECT WHERE {"}))
    assert status == 400 and b"malformed" in body
    # a result cap (50 here) cuts long answers and says so
    status, headers, body = get(server + "/sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"}),
                                "application/sparql-results+json")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 50 and "X-Perfkg-Truncated" in headers


def test_updates_load_and_service_are_refused(server) -> None:
    from SPARQLWrapper import POST, SPARQLWrapper

    sw = SPARQLWrapper(server + "/sparql")
    sw.setMethod(POST)
    sw.setQuery("INSERT DATA { <urn:x> <urn:y> <urn:z> }")
    with pytest.raises(Exception) as e:
        sw.query()
    assert "403" in str(e.value) or getattr(e.value, "code", None) == 403
    refused = [
        ("update=" + urllib.parse.quote("DROP ALL"), "application/x-www-form-urlencoded"),
        ("CLEAR ALL", "application/sparql-update"),
        ("query=" + urllib.parse.quote("LOAD <http://example.org/data.ttl>"), "application/x-www-form-urlencoded"),
        ("query=" + urllib.parse.quote("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"),
         "application/x-www-form-urlencoded"),
    ]
    for body, ctype in refused:
        status, _, text = get(server + "/sparql", data=body.encode(), ctype=ctype)
        assert status == 403, (body, text)
    status, _, body = get(server + "/sparql?" + urllib.parse.urlencode({"query": COUNT}), "application/sparql-results+json")
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "8", "nothing was written"


def test_a_query_past_the_time_limit_is_stopped(server) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    status, _, body = get(server + "/sparql?" + urllib.parse.urlencode({"query": slow}))
    assert status == 503 and b"time limit" in body
    assert time.monotonic() - started < 10
    # the server still answers, with a fresh worker
    status, _, body = get(server + "/sparql?" + urllib.parse.urlencode({"query": COUNT}), "application/sparql-results+json")
    assert status == 200


def test_named_queries_api(server) -> None:
    status, _, body = get(server + "/api/queries")
    names = {q["name"] for q in json.loads(body)}
    assert {"funding-by-level", "shared-beneficiaries", "indicator-coverage"} <= names
    status, _, body = get(server + "/api/queries/funding-by-level?unit=%E5%85%83", "application/sparql-results+json")
    rows = json.loads(body)["results"]["bindings"]
    totals = {r["level_zh"]["value"]: r["total"]["value"] for r in rows}
    assert totals["中央"] == "23489740000" and totals["市级"] == "3899280000"
    assert get(server + "/api/queries/funding-by-level?unit=bogus")[0] == 400
