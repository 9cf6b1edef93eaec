"""`perfkg publish`: a static linked-data site, checked as a portal and a visitor would.

The catalogue passes the official DCAT-AP 3.0.1 SHACL shapes (tests/data/dcat-ap-3.0.1, copied
unchanged); the site is served by a real static web server (Python's http.server) at the very
base URL it was published for, and every resource IRI and every link in every page resolves.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
import rdflib
from rdflib.compare import isomorphic

from .conftest import DATA, SAMPLE, run_perfkg
from .test_serve_support import build_store, free_port

DCAT_AP = DATA / "dcat-ap-3.0.1"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The sample published for http://127.0.0.1:PORT/kg and served there by a static server."""
    root = tmp_path_factory.mktemp("publish")
    store = build_store(root / "store")
    port = free_port()
    base = f"http://127.0.0.1:{port}/kg"
    site = root / "www" / "kg"
    run = run_perfkg("publish", "--store", store, "-o", site, "--base-url", base, "--contact-email", "opendata@example.gov.cn")
    assert run.code == 0, run.stderr
    assert "8 project" in run.stdout and "71 indicator" in run.stdout
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(root / "www")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/index.html", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        yield site, base
    finally:
        server.terminate()
        server.wait(10)


def _shapes() -> rdflib.Graph:
    shapes = rdflib.Graph()
    shapes.parse(DCAT_AP / "dcat-ap-SHACL.ttl")
    shapes.parse(DCAT_AP / "ranges.ttl")
    # The official 3.0.1 files reference five property shapes that neither file defines
    # (e.g. dcat:DistributionShape/653804…); pyshacl refuses such a dangling sh:property, so it
    # is dropped here — every shape that *is* defined is checked.
    sh = rdflib.SH
    for s, o in list(shapes.subject_objects(sh.property)):
        if (o, sh.path, None) not in shapes:
            shapes.remove((s, sh.property, o))
    return shapes


def _violations(data: rdflib.Graph) -> list[str]:
    import pyshacl

    conforms, report, _ = pyshacl.validate(data, shacl_graph=_shapes(), inference="none", allow_warnings=True)
    out = []
    for r in report.subjects(rdflib.RDF.type, rdflib.SH.ValidationResult):
        if report.value(r, rdflib.SH.resultSeverity) == rdflib.SH.Violation:
            out.append(f"{report.value(r, rdflib.SH.focusNode)} {report.value(r, rdflib.SH.resultPath)}: "
                       f"{report.value(r, rdflib.SH.resultMessage)}")
    return out


def _local_jsonld(path: Path, site: Path) -> rdflib.Graph:
    """Parse a published .jsonld with the site's own context (no network)."""
    doc = json.loads(path.read_text("utf-8"))
    doc["@context"] = json.loads((site / "context.jsonld").read_text("utf-8"))["@context"]
    return rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")


def test_catalogue_passes_the_official_dcat_ap_shapes(published) -> None:
    site, base = published
    ttl = rdflib.Graph().parse(site / "catalog.ttl")
    assert _violations(ttl) == []
    assert isomorphic(_local_jsonld(site / "catalog.jsonld", site), ttl)
    DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    DCT = rdflib.DCTERMS
    (dataset,) = ttl.subjects(rdflib.RDF.type, DCAT.Dataset)
    assert str(dataset) == f"{base}/catalog/#353302-2025"
    assert (dataset, DCAT.inSeries, rdflib.URIRef(f"{base}/catalog/#353302")) in ttl
    assert (rdflib.URIRef(f"{base}/catalog/#353302"), rdflib.RDF.type, DCAT.DatasetSeries) in ttl
    formats = {str(ttl.value(d, DCT.format)).rsplit("/", 1)[-1] for d in ttl.objects(dataset, DCAT.distribution)}
    assert formats == {"RDF_TURTLE", "RDF_N_TRIPLES", "RDF_N_QUADS", "RDF_TRIG", "JSON_LD", "RDF_XML", "CSV"}
    assert str(ttl.value(dataset, DCT.publisher)) == f"{base}/id/unit/353302"
    period = ttl.value(dataset, DCT.temporal)
    assert str(ttl.value(period, DCAT.startDate)) == "2025-01-01" and str(ttl.value(period, DCAT.endDate)) == "2025-12-31"
    assert str(ttl.value(rdflib.URIRef(f"{base}/catalog/"), DCT.license)).endswith("CC_BY_4_0")
    # every download URL is a file of the site, with the size the catalogue states
    for dist in ttl.objects(dataset, DCAT.distribution):
        url = str(ttl.value(dist, DCAT.downloadURL))
        local = site / url[len(base) + 1:]
        assert local.is_file(), url
        assert int(ttl.value(dist, DCAT.byteSize)) == local.stat().st_size


def test_a_catalogue_with_a_violation_is_caught() -> None:
    """The check can fail: a dataset without its mandatory description is a violation."""
    g = rdflib.Graph().parse(data="""
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        <http://x/cat> a dcat:Catalog ; dct:title "t"@en ; dct:description "d"@en ; dcat:dataset <http://x/ds> ;
            dct:publisher <http://x/p> . <http://x/p> a <http://xmlns.com/foaf/0.1/Agent> ; <http://xmlns.com/foaf/0.1/name> "p" .
        <http://x/ds> a dcat:Dataset ; dct:title "t"@en .""", format="turtle")
    assert any("description" in v for v in _violations(g))


def test_a_page_for_every_resource_with_its_rdf_beside_it(published) -> None:
    site, base = published
    pages = {p.parent.relative_to(site / "id").as_posix() for p in (site / "id").rglob("index.html")}
    assert len([p for p in pages if re.fullmatch(r"unit/353302/2025/project/[0-9a-f]{12}", p)]) == 8
    assert len([p for p in pages if re.fullmatch(r"unit/353302/2025/project/[0-9a-f]{12}/indicator/\d+", p)]) == 71
    assert len([p for p in pages if "/population/" in p]) == 4
    assert "unit/353302" in pages and len([p for p in pages if p.startswith("document/")]) == 1
    for p in pages:
        d = site / "id" / p
        html = (d / "index.html").read_text("utf-8")
        assert '<link rel="alternate" type="text/turtle" href="index.ttl"' in html
        assert '<link rel="alternate" type="application/ld+json" href="index.jsonld"' in html
        ttl = rdflib.Graph().parse(d / "index.ttl")
        assert (rdflib.URIRef(f"{base}/id/{p}"), None, None) in ttl, p
        assert not [t for t in ttl if any(str(x).startswith("https://w3id.org/perfkg/id/") for x in t)], \
            f"{p}: the ingest base is rebased to --base-url"
    project = next(site.glob("id/unit/353302/2025/project/*/index.ttl")).parent
    assert isomorphic(_local_jsonld(project / "index.jsonld", site), rdflib.Graph().parse(project / "index.ttl"))


def test_project_page_is_bilingual_and_links_to_its_population(published) -> None:
    site, _ = published
    page = next(p for p in site.glob("id/unit/353302/2025/project/*/index.html")
                if "2025年机关事业单位养老保险补助经费-市级" in p.read_text("utf-8"))
    html = page.read_text("utf-8")
    for words in ("受益人群", "Populations served", "绩效指标", "Indicators", "资金", "Funding", "341650.00"):
        assert words in html
    assert 'href="../../population/public-institutions-retirees-347700/"' in html
    population = (page.parent / "../../population/public-institutions-retirees-347700/index.html").resolve().read_text("utf-8")
    assert population.count("/project/") >= 2 and "2025年机关事业单位养老保险制度改革中央补助经费-中央" in population


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src") and v:
                self.links.append(v)


def test_every_resource_iri_and_every_link_resolves_on_a_static_server(published) -> None:
    site, base = published
    # 1. Resource IRIs, as they appear in the published data, dereference to their pages.
    dump = rdflib.Dataset()
    dump.parse(site / "dumps" / "353302-2025.nq", format="nquads")
    PKG = rdflib.Namespace("https://w3id.org/perfkg/ontology#")
    iris = set()
    for cls in (PKG.Project, PKG.Indicator, PKG.BeneficiaryPopulation, PKG.BudgetUnit, PKG.SourceDocument):
        iris |= {str(s) for s, _, _, _ in dump.quads((None, rdflib.RDF.type, cls, None))}
    assert len(iris) == 8 + 71 + 4 + 1 + 1
    for iri in sorted(iris):
        assert iri.startswith(base + "/id/")
        with urllib.request.urlopen(iri, timeout=5) as r:  # the static server redirects to …/ and serves index.html
            assert r.status == 200 and r.headers.get_content_type() == "text/html", iri
    # 2. Every link of every page points at a file of the site (or outside it).
    broken = []
    for page in site.rglob("*.html"):
        parser = _Links()
        parser.feed(page.read_text("utf-8"))
        url = f"{base}/{page.relative_to(site).as_posix()}"
        for link in parser.links:
            target = urljoin(url, link)
            if not target.startswith(base + "/"):
                continue
            path = urlparse(target).path[len(urlparse(base).path) + 1:]
            local = site / path
            if local.is_dir():
                local = local / "index.html"
            if not local.is_file():
                broken.append(f"{page.relative_to(site)} → {link}")
    assert broken == []


def test_csv_downloads_with_csvw_metadata(published) -> None:
    site, base = published
    meta = json.loads((site / "csv" / "csv-metadata.json").read_text("utf-8"))
    tables = {t["url"]: t for t in meta["tables"]}
    for name, expected in (("projects.csv", 8), ("indicators.csv", 71)):
        with open(site / "csv" / name, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        header = rows[0]
        assert header == [c["name"] for c in tables[name]["tableSchema"]["columns"]]
        assert len(rows) - 1 >= expected if name == "indicators.csv" else len(rows) - 1 == expected
    with open(site / "csv" / "projects.csv", encoding="utf-8", newline="") as f:
        projects = list(csv.DictReader(f))
    from decimal import Decimal

    assert sum(Decimal(p["total_yuan"]) for p in projects) == Decimal("27411375000")
    assert {p["level"] for p in projects} == {"central", "municipal", ""}
    assert all(p["project"].startswith(base + "/id/unit/353302/2025/project/") for p in projects)


def test_void_and_ontology_documentation(published) -> None:
    site, base = published
    void = rdflib.Graph().parse(site / "void.ttl")
    VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
    root = rdflib.URIRef(f"{base}/void.ttl#perfkg")
    assert int(void.value(root, VOID.triples)) == 3495  # 147 of them derived at ingest
    assert str(void.value(root, VOID.uriSpace)) == f"{base}/id/"
    assert (root, VOID.dataDump, rdflib.URIRef(f"{base}/dumps/perfkg.nq")) in void
    onto = (site / "ontology" / "index.html").read_text("utf-8")
    for anchor in ("Project", "Indicator", "BeneficiaryPopulation", "servesPopulation", "code-government-level-central",
                   "taxonomy-level1-output"):
        assert f'id="{anchor}"' in onto, anchor
    assert (site / "ontology" / "perfkg.ttl").is_file()


def test_html_is_escaped(tmp_path) -> None:
    """A cell holding <script> shows as text on every page."""
    from perfkg.publish import publish
    from perfkg.store import Store

    hostile = tmp_path / "hostile.txt"
    hostile.write_text(SAMPLE.read_text("utf-8").replace("宣传费用", "<script>alert(1)</script>宣传费用", 1), "utf-8")
    store = build_store(tmp_path / "store", hostile)
    db = Store(store, read_only=True)
    publish(db, tmp_path / "site", "https://data.example.gov.cn/perfkg")
    db.close()
    pages = [p for p in (tmp_path / "site").rglob("*.html") if "alert(1)" in p.read_text("utf-8")]
    assert pages, "the hostile text is published somewhere"
    for p in pages:
        html = p.read_text("utf-8")
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
