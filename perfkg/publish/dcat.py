"""The DCAT-AP 3 catalogue and the VoID description of a published (or served) store.

One ``dcat:Dataset`` per budget unit and year (the documents of that unit and year), the years
of one unit as a ``dcat:DatasetSeries``, a distribution per RDF serialisation and per CSV
table, the publisher, a contact point, the licence (CC BY 4.0 unless told otherwise), themes
from the EU data-theme vocabulary, spatial and temporal coverage, and issued/modified dates from
the ingest times. Catalogue resources are hash IRIs on ``{base-url}/catalog/`` (the catalogue's
own HTML page), so they resolve on any static host. Checked against the official DCAT-AP 3.0.1
SHACL shapes by ``tests/test_publish.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from perfkg.namespaces import DCAT, DCTERMS, FOAF, RDF, SKOS, SPDX, XSD

__all__ = ["Dataset", "datasets", "catalogue_graph", "void_graph", "DEFAULTS", "DUMP_FORMATS"]

VCARD = "http://www.w3.org/2006/vcard/ns#"
VOID = "http://rdfs.org/ns/void#"
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
DUMP_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "xml")

#: Labels of the EU data themes (http://publications.europa.eu/resource/authority/data-theme).
_THEMES = {
    "GOVE": ("政府与公共部门", "Government and public sector"), "ECON": ("经济与金融", "Economy and finance"),
    "SOCI": ("人口与社会", "Population and society"), "REGI": ("地区与城市", "Regions and cities"),
    "EDUC": ("教育、文化与体育", "Education, culture and sport"), "HEAL": ("卫生", "Health"),
    "JUST": ("司法、法律体系与公共安全", "Justice, legal system and public safety"),
    "ENVI": ("环境", "Environment"), "AGRI": ("农业、渔业、林业与食品", "Agriculture, fisheries, forestry and food"),
    "TRAN": ("交通", "Transport"), "ENER": ("能源", "Energy"), "TECH": ("科学技术", "Science and technology"),
    "INTR": ("国际事务", "International issues"),
}

DEFAULTS = {
    "title_zh": "项目支出绩效目标数据目录",
    "title_en": "Catalogue of project expenditure performance targets",
    "description_zh": "各预算单位公开的项目支出绩效目标表（项目、资金、绩效指标与指标值、受益人群），以关联数据发布。",
    "description_en": "Project expenditure performance target tables (项目支出绩效目标表) published by budget units: "
                      "projects, funding, indicators with normalised targets, and the populations they serve, as linked data.",
    "publisher": "perfkg",
    "contact_name": None,
    "contact_email": None,
    "licence": EU + "licence/CC_BY_4_0",
    "spatial": [EU + "country/CHN"],
    "themes": [EU + "data-theme/GOVE", EU + "data-theme/ECON"],
    "sparql_endpoint": None,
}


@dataclass
class Dataset:
    key: str  # "353302-2025"
    series: str  # "353302"
    unit: str | None
    code: str | None
    name: str
    year: int | None
    graphs: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    issued: str = ""
    modified: str = ""


def datasets(site) -> list[Dataset]:
    """The documents grouped by budget unit and year."""
    from perfkg.mapping import _h
    from perfkg.web.site import query_text

    out: dict[str, Dataset] = {}
    for r in site.store.query(query_text("datasets")):
        code = r["code"].value if r["code"] else None
        name = r["name"].value if r["name"] else ""
        unit = r["unit"].value if r["unit"] else None
        series = code or (_h(name) if name else "unknown")
        year = int(r["year"].value) if r["year"] else None
        key = f"{series}-{year or 'unknown'}"
        d = out.setdefault(key, Dataset(key, series, unit, code, name, year))
        g = r["graph"].value
        if g not in d.graphs:
            d.graphs.append(g)
            if r["title"]:
                d.titles.append(r["title"].value)
        when = r["ingested"].value
        d.issued = min(d.issued or when, when)
        d.modified = max(d.modified, when)
    return sorted(out.values(), key=lambda d: (d.series, d.year or 0))


class _G:
    def __init__(self) -> None:
        import pyoxigraph as ox

        self.ox = ox
        self.triples: list = []

    def add(self, s: str, p: str, o) -> None:
        ox = self.ox
        obj = o if isinstance(o, (ox.Literal, ox.NamedNode)) else ox.NamedNode(o)
        self.triples.append(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), obj))

    def a(self, s: str, *types: str) -> None:
        for t in types:
            self.add(s, RDF.type, t)

    def lit(self, s: str, p: str, value, lang: str | None = None, datatype: str | None = None) -> None:
        ox = self.ox
        if value is None or value == "":
            return
        if lang:
            self.add(s, p, ox.Literal(str(value), language=lang))
        elif datatype:
            self.add(s, p, ox.Literal(str(value), datatype=ox.NamedNode(datatype)))
        else:
            self.add(s, p, ox.Literal(str(value)))


def _datetime(text: str) -> str:
    return text if text else "1970-01-01T00:00:00Z"


def catalogue_graph(site, options: dict | None = None, sizes: dict[str, tuple[int, str]] | None = None) -> list:
    """The catalogue's triples. ``sizes`` maps a download path (``dumps/353302-2025.ttl``) to its
    byte size and SHA-256 when the files exist (publish); a live server leaves them out."""
    o = {**DEFAULTS, **{k: v for k, v in (options or {}).items() if v is not None}}
    base = site.public
    cat = f"{base}/catalog/"
    g = _G()
    sets = datasets(site)
    g.a(cat, DCAT.Catalog)
    g.lit(cat, DCTERMS.title, o["title_zh"], "zh")
    g.lit(cat, DCTERMS.title, o["title_en"], "en")
    g.lit(cat, DCTERMS.description, o["description_zh"], "zh")
    g.lit(cat, DCTERMS.description, o["description_en"], "en")
    publisher = cat + "#publisher"
    g.add(cat, DCTERMS.publisher, publisher)
    g.a(publisher, FOAF.Agent)
    g.lit(publisher, FOAF.name, o["publisher"])
    home = f"{base}/"
    g.add(cat, FOAF.homepage, home)
    g.a(home, FOAF.Document)
    _licence(g, cat, o["licence"])
    _language(g, cat)
    for sp in o["spatial"]:
        g.add(cat, DCTERMS.spatial, sp)
        g.a(sp, DCTERMS.Location)
    g.add(cat, DCAT.themeTaxonomy, EU + "data-theme")
    g.a(EU + "data-theme", SKOS.ConceptScheme)
    g.lit(EU + "data-theme", DCTERMS.title, "Data theme", "en")
    g.lit(EU + "data-theme", DCTERMS.title, "数据主题", "zh")
    if sets:
        g.lit(cat, DCTERMS.issued, _datetime(min(d.issued for d in sets)), datatype=XSD.dateTime)
        g.lit(cat, DCTERMS.modified, _datetime(max(d.modified for d in sets)), datatype=XSD.dateTime)
    contact = cat + "#contact"
    g.a(contact, VCARD + "Kind", VCARD + "Organization")
    g.lit(contact, VCARD + "fn", o["contact_name"] or o["publisher"])
    if o["contact_email"]:
        g.add(contact, VCARD + "hasEmail", "mailto:" + o["contact_email"])
    g.add(contact, VCARD + "hasURL", home)
    if o["sparql_endpoint"]:
        service = cat + "#sparql"
        g.add(cat, DCAT.service, service)
        g.a(service, DCAT.DataService)
        g.lit(service, DCTERMS.title, "SPARQL 查询端点", "zh")
        g.lit(service, DCTERMS.title, "SPARQL endpoint", "en")
        g.add(service, DCAT.endpointURL, o["sparql_endpoint"])
        g.a(o["sparql_endpoint"], "http://www.w3.org/2000/01/rdf-schema#Resource")
        g.add(service, DCTERMS.conformsTo, "https://www.w3.org/TR/sparql11-protocol/")
        g.a("https://www.w3.org/TR/sparql11-protocol/", DCTERMS.Standard)
        _licence(g, service, o["licence"])
    series_done: set[str] = set()
    themes_done: set[str] = set()
    for d in sets:
        ds = f"{cat}#{d.key}"
        series = f"{cat}#{d.series}"
        g.add(cat, DCAT.dataset, ds)
        g.a(ds, DCAT.Dataset)
        unit_label = d.name or d.series
        year = d.year or ""
        g.lit(ds, DCTERMS.title, f"{unit_label} {year}年项目支出绩效目标", "zh")
        g.lit(ds, DCTERMS.title, f"Project performance targets {year}: {unit_label}", "en")
        g.lit(ds, DCTERMS.description, f"{unit_label}（单位编码 {d.code or '—'}）{year}年的项目支出绩效目标表："
              f"{'、'.join(d.titles) or '—'}。共 {len(d.graphs)} 个文档。", "zh")
        g.lit(ds, DCTERMS.description, f"The project expenditure performance target tables of {unit_label} "
              f"(unit code {d.code or '—'}) for {year}: projects, funding, indicators and targets, beneficiary populations.", "en")
        g.lit(ds, DCTERMS.identifier, d.key)
        agent = site.rebase.to_public(d.unit) if d.unit else publisher
        g.add(ds, DCTERMS.publisher, agent)
        if d.unit:
            g.a(agent, FOAF.Agent)
            g.lit(agent, FOAF.name, unit_label, "zh")
            g.add(ds, DCAT.landingPage, agent)
            g.a(agent, FOAF.Document)
        g.add(ds, DCAT.contactPoint, contact)
        for kw in ("项目支出", "绩效目标", "预算", "绩效指标", unit_label):
            g.lit(ds, DCAT.keyword, kw, "zh")
        for th in o["themes"]:
            g.add(ds, DCAT.theme, th)
            if th not in themes_done:
                themes_done.add(th)
                g.a(th, SKOS.Concept)
                g.add(th, SKOS.inScheme, EU + "data-theme")
                zh, en = _THEMES.get(th.rsplit("/", 1)[-1], (None, th.rsplit("/", 1)[-1]))
                g.lit(th, SKOS.prefLabel, en, "en")
                g.lit(th, SKOS.prefLabel, zh, "zh")
        for sp in o["spatial"]:
            g.add(ds, DCTERMS.spatial, sp)
        if d.year:
            period = f"{cat}#{d.key}-period"
            g.add(ds, DCTERMS.temporal, period)
            g.a(period, DCTERMS.PeriodOfTime)
            g.lit(period, DCAT.startDate, date(d.year, 1, 1).isoformat(), datatype=XSD.date)
            g.lit(period, DCAT.endDate, date(d.year, 12, 31).isoformat(), datatype=XSD.date)
        g.lit(ds, DCTERMS.issued, _datetime(d.issued), datatype=XSD.dateTime)
        g.lit(ds, DCTERMS.modified, _datetime(d.modified), datatype=XSD.dateTime)
        _language(g, ds)
        g.add(ds, DCAT.inSeries, series)
        if d.series not in series_done:
            series_done.add(d.series)
            g.a(series, DCAT.DatasetSeries)
            g.lit(series, DCTERMS.title, f"{unit_label} 项目支出绩效目标（各年度）", "zh")
            g.lit(series, DCTERMS.title, f"Project performance targets of {unit_label}, by year", "en")
            g.lit(series, DCTERMS.description, f"{unit_label}各年度的项目支出绩效目标表，每年一个数据集。", "zh")
            g.lit(series, DCTERMS.description, f"The yearly datasets of {unit_label}'s performance target tables.", "en")
            g.add(series, DCTERMS.publisher, agent)
            g.add(series, DCAT.contactPoint, contact)
        from perfkg.export import FORMATS

        for fmt in DUMP_FORMATS:
            spec = FORMATS[fmt]
            _distribution(g, ds, f"{ds}-{fmt}", f"dumps/{d.key}.{spec.extension}", base, spec.media_type,
                          spec.file_type, f"{spec.name.upper()} dump", o["licence"], sizes)
        for table in ("projects", "indicators"):
            _distribution(g, ds, f"{ds}-{table}-csv", f"csv/{d.key}-{table}.csv", base, "text/csv", "CSV",
                          f"{table}.csv", o["licence"], sizes, conforms="http://www.w3.org/TR/tabular-data-primer/")
    return g.triples


def _licence(g: _G, s: str, licence: str) -> None:
    g.add(s, DCTERMS.license, licence)
    g.a(licence, DCTERMS.LicenseDocument)


def _language(g: _G, s: str) -> None:
    g.add(s, DCTERMS.language, EU + "language/ZHO")
    g.a(EU + "language/ZHO", DCTERMS.LinguisticSystem)


def _distribution(g: _G, ds: str, dist: str, path: str, base: str, media: str, file_type: str, title: str,
                  licence: str, sizes: dict | None, conforms: str | None = None) -> None:
    url = f"{base}/{path}"
    g.add(ds, DCAT.distribution, dist)
    g.a(dist, DCAT.Distribution)
    g.lit(dist, DCTERMS.title, title, "en")
    g.add(dist, DCAT.accessURL, url)
    g.add(dist, DCAT.downloadURL, url)
    g.add(dist, DCAT.mediaType, IANA + media)
    g.a(IANA + media, DCTERMS.MediaType)
    g.add(dist, DCTERMS.format, EU + "file-type/" + file_type)
    g.a(EU + "file-type/" + file_type, DCTERMS.MediaTypeOrExtent)
    _licence(g, dist, licence)
    if conforms:
        g.add(dist, DCTERMS.conformsTo, conforms)
        g.a(conforms, DCTERMS.Standard)
    if sizes and path in sizes:
        size, sha = sizes[path]
        g.lit(dist, DCAT.byteSize, size, datatype=XSD.nonNegativeInteger)
        checksum = dist + "-checksum"
        g.add(dist, SPDX.checksum, checksum)
        g.a(checksum, SPDX.Checksum)
        g.add(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
        g.a(SPDX.checksumAlgorithm_sha256, SPDX.ChecksumAlgorithm)
        g.lit(checksum, SPDX.checksumValue, sha, datatype=XSD.hexBinary)


def void_graph(site, options: dict | None = None) -> list:
    """VoID: the whole dataset with its triples, classes, properties, partitions, dumps, endpoint."""
    import pyoxigraph as ox

    from perfkg.ingest import info

    o = {**DEFAULTS, **{k: v for k, v in (options or {}).items() if v is not None}}
    base = site.public
    root = f"{base}/void.ttl#perfkg"
    g = _G()
    g.a(root, VOID + "Dataset")
    g.lit(root, DCTERMS.title, o["title_zh"], "zh")
    g.lit(root, DCTERMS.title, o["title_en"], "en")
    _licence(g, root, o["licence"])
    counts = info(site.store)
    g.lit(root, VOID + "triples", counts["triples"], datatype=XSD.integer)
    classes: dict[str, int] = {}
    properties: dict[str, int] = {}
    subjects: set = set()
    meta = ox.NamedNode("urn:perfkg:meta")
    for q in site.store.db.quads_for_pattern(None, None, None, None):
        if q.graph_name == meta:
            continue
        properties[q.predicate.value] = properties.get(q.predicate.value, 0) + 1
        if q.predicate.value == RDF.type:
            classes[q.object.value] = classes.get(q.object.value, 0) + 1
        subjects.add(q.subject)
    g.lit(root, VOID + "distinctSubjects", len(subjects), datatype=XSD.integer)
    g.lit(root, VOID + "classes", len(classes), datatype=XSD.integer)
    g.lit(root, VOID + "properties", len(properties), datatype=XSD.integer)
    g.lit(root, VOID + "uriSpace", site.rebase.space)
    for vocab in ("https://w3id.org/perfkg/ontology#", str(SKOS), str(DCTERMS), "https://schema.org/",
                  "http://www.w3.org/ns/prov#", "http://www.w3.org/ns/org#", "http://qudt.org/schema/qudt/",
                  "http://www.w3.org/2006/time#", "http://purl.org/linked-data/cube#"):
        g.add(root, VOID + "vocabulary", vocab)
    if o["sparql_endpoint"]:
        g.add(root, VOID + "sparqlEndpoint", o["sparql_endpoint"])
    g.add(root, VOID + "dataDump", f"{base}/dumps/perfkg.nq")
    g.add(root, VOID + "rootResource", f"{base}/")
    for n, (cls, count) in enumerate(sorted(classes.items())):
        part = f"{root}-class-{n}"
        g.add(root, VOID + "classPartition", part)
        g.add(part, VOID + "class", cls)
        g.lit(part, VOID + "entities", count, datatype=XSD.integer)
    for n, (prop, count) in enumerate(sorted(properties.items())):
        part = f"{root}-property-{n}"
        g.add(root, VOID + "propertyPartition", part)
        g.add(part, VOID + "property", prop)
        g.lit(part, VOID + "triples", count, datatype=XSD.integer)
    for d in datasets(site):
        sub = f"{base}/void.ttl#{d.key}"
        g.add(root, VOID + "subset", sub)
        g.a(sub, VOID + "Dataset")
        g.add(sub, DCTERMS.source, f"{base}/catalog/#{d.key}")
        for fmt in ("nq", "ttl"):
            from perfkg.export import FORMATS

            g.add(sub, VOID + "dataDump", f"{base}/dumps/{d.key}.{FORMATS[fmt].extension}")
        if d.unit:
            g.add(sub, VOID + "exampleResource", site.rebase.to_public(d.unit))
    return g.triples
