"""The model → RDF mapping: one document becomes the quads of its own named graph.

Pure: no I/O, no clock. IRIs are minted from content (unit code, year, project name, indicator
position) under a configurable base, never blank nodes, so mapping the same file twice gives the
same quads. Which term carries which field is documented in ``ontology/FIELDS.md``; the IRI
patterns in ``ontology/README.md``. Quads are pyoxigraph terms, because the store is Oxigraph and
building them costs a fraction of rdflib's; ``to_rdflib`` gives an rdflib Dataset for pyshacl
and for Python users. ``to_nquads`` states the very same quads as N-Quads lines without building
any term (5× cheaper: what ingest's worker processes send to the store's bulk loader;
``tests/test_ingest_speedpath.py`` holds the two to the same quads).
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from decimal import Decimal
from functools import lru_cache

import pyoxigraph as ox

from perfkg.model import Amount, Document, FundingLine, Indicator, Location, Project, Target
from perfkg import namespaces
from perfkg.population import Population, populations_of
from perfkg.targets import plain_decimal
from perfkg.vocabulary import vocabulary

__all__ = ["DEFAULT_BASE", "MAPPING_VERSION", "Iris", "to_quads", "to_nquads", "document_iri", "graph_iri", "to_rdflib"]


class _Terms:
    """A namespace whose terms are worked out once: ``PKG.Project`` becomes a plain attribute at
    its first use (``namespaces.Namespace`` builds the string at every access, ~700 a table)."""

    def __init__(self, namespace: namespaces.Namespace) -> None:
        self.__dict__["_ns"] = namespace

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        value = self.__dict__[name] = getattr(self._ns, name)
        return value

    def __add__(self, other: str) -> str:
        return self._ns + other

    def __str__(self) -> str:
        return str(self._ns)

    def __format__(self, spec: str) -> str:
        return format(self._ns, spec)


CODE, DCAT, DCTERMS, FOAF, ORG, PKG, PROV, QB, QUDT, RDF, RDFS, SCHEMA, SDMX_ATTRIBUTE, SKOS, SPDX, TAX, TIME, UNIT, CUR, XSD = (
    _Terms(getattr(namespaces, name)) for name in (
        "CODE", "DCAT", "DCTERMS", "FOAF", "ORG", "PKG", "PROV", "QB", "QUDT", "RDF", "RDFS", "SCHEMA",
        "SDMX_ATTRIBUTE", "SKOS", "SPDX", "TAX", "TIME", "UNIT", "CUR", "XSD",
    )
)

DEFAULT_BASE = "https://w3id.org/perfkg/id"

# The version of what a file maps to, kept with each document in the store: raise it whenever a
# change here adds, drops or alters triples, so that `perfkg ingest` maps stored files anew
# instead of skipping them as unchanged. 2: the per-project summaries of "Derived at ingest".
# 3: pkg:key. 4: pkg:coverageCodes. 5: a self-evaluation states its figures on a
# pkg:SelfEvaluation of the project, not on the project (ontology/README.md).
MAPPING_VERSION = "5"

_COMPARATOR_CODES = {">=": "ge", "<=": "le", ">": "gt", "<": "lt", "=": "eq"}
_FORMATS = {
    "text": ("TXT", "text/plain"),
    "docx": ("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": ("PDF", "application/pdf"),
    "html": ("HTML", "text/html"),
}
_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
_MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"
_FIELD_TERMS = {"code": DCTERMS.identifier}


def resource_key(iri: str) -> str:
    """The derived ``pkg:key`` of a resource: "p" and 14 base32 characters of the SHA-256 of its
    IRI (70 bits). Fifteen bytes, which Oxigraph stores inline: a query can group and join by
    it without looking up the IRI's text, as the first step of similar-indicators does 10⁵ times."""
    digest = hashlib.sha256(iri.encode("utf-8")).digest()
    return "p" + base64.b32encode(digest).decode("ascii")[:14].lower()


def _h(text: str) -> str:
    """First 12 hex digits of the SHA-256 of NFKC, white-space-free ``text``: stable, short, ASCII."""
    key = "".join(unicodedata.normalize("NFKC", text).split())
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


class Iris:
    """The IRI patterns of ``ontology/README.md`` under one base."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = base.rstrip("/")

    def document(self, doc: Document) -> str:
        return f"{self.base}/document/{doc.source.sha256[:16]}"

    def graph(self, doc: Document) -> str:
        return self.document(doc) + "/graph"

    def unit(self, code: str | None, name: str) -> str:
        return f"{self.base}/unit/{code}" if code else f"{self.base}/unit/name/{_h(name)}"

    def org(self, name: str) -> str:
        return f"{self.base}/org/{_h(name)}"

    def project(self, unit_code: str | None, unit_name: str, year: int | None, name: str) -> str:
        if unit_code:
            scope = unit_code
        elif unit_name:
            scope = f"name/{_h(unit_name)}"
        else:
            scope = "unknown"
        return f"{self.base}/unit/{scope}/{year or 'unknown-year'}/project/{_h(name)}"

    def described(self, doc: Document, p: Project) -> str:
        """What ``doc`` states its facts about for project ``p``: the project itself in a target
        table; in a self-evaluation, its evaluation (``{project}/self-evaluation``), so that the
        two documents of one project never state the same triple. Oxigraph's union of graphs,
        which every query reads, keeps a triple once per graph: the project's name, budget and
        summaries stated by both would count it twice in every sum and join."""
        unit = p.budget_unit or doc.budget_unit
        s = self.project(unit.code if unit else None, unit.name if unit else "", doc.year, p.name)
        return f"{s}/self-evaluation" if doc.kind == "self-evaluation" else s

    def population(self, pop: Population) -> str:
        k = pop.key
        scope = k.unit_code or "unknown"
        group = "-".join(filter(None, (k.qualifier, k.head))).replace("_", "-")
        return f"{self.base}/unit/{scope}/{k.year or 'unknown-year'}/population/{group}-{plain_decimal(k.size)}"

    def population_group(self, qualifier: str | None, head: str) -> str:
        return f"{self.base}/population-group/" + "-".join(filter(None, (qualifier, head))).replace("_", "-")


def document_iri(doc: Document, base: str = DEFAULT_BASE) -> str:
    return Iris(base).document(doc)


def graph_iri(doc: Document, base: str = DEFAULT_BASE) -> str:
    return Iris(base).graph(doc)


def xsd_decimal(value: Decimal) -> str:
    """The canonical xsd:decimal form (XSD 1.0): `98.0`, `0.98`, `6721000.0`. Always with a point,
    so that Turtle's shorthand (`98.0`) reads back to the very same literal."""
    text = plain_decimal(value)
    return text if "." in text else text + ".0"


@lru_cache(maxsize=4096)
def _node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


_XSD_DECIMAL = ox.NamedNode(XSD.decimal)
_XSD_INTEGER = ox.NamedNode(XSD.integer)
_XSD_DATE = ox.NamedNode(XSD.date)
_XSD_DURATION = ox.NamedNode(XSD.duration)
_XSD_HEX = ox.NamedNode(XSD.hexBinary)
_XSD_NNI = ox.NamedNode(XSD.nonNegativeInteger)


class _Graph:
    """Collects the quads of one named graph."""

    def __init__(self, graph: str) -> None:
        self.g = ox.NamedNode(graph)
        self.quads: list[ox.Quad] = []

    def iri(self, s: str, p: str, o: str) -> None:
        self.quads.append(ox.Quad(_node(s), _node(p), _node(o), self.g))

    def a(self, s: str, *classes: str) -> None:
        for c in classes:
            self.iri(s, RDF.type, c)

    def text(self, s: str, p: str, value: str | None, lang: str | None = None) -> None:
        if value is None:
            return
        self.quads.append(ox.Quad(_node(s), _node(p), ox.Literal(value, language=lang) if lang else ox.Literal(value), self.g))

    def zh(self, s: str, p: str, value: str | None) -> None:
        if value:
            self.text(s, p, value, "zh")

    def dec(self, s: str, p: str, value: Decimal | None) -> None:
        if value is not None:
            self.quads.append(ox.Quad(_node(s), _node(p), ox.Literal(xsd_decimal(value), datatype=_XSD_DECIMAL), self.g))

    def int(self, s: str, p: str, value: int | None, datatype: ox.NamedNode = _XSD_INTEGER) -> None:
        if value is not None:
            self.quads.append(ox.Quad(_node(s), _node(p), ox.Literal(str(value), datatype=datatype), self.g))

    def typed(self, s: str, p: str, value: str, datatype: ox.NamedNode) -> None:
        self.quads.append(ox.Quad(_node(s), _node(p), ox.Literal(value, datatype=datatype), self.g))


def _escape(text: str) -> str:
    """A string as N-Quads writes it between quotes (the four characters it must escape)."""
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return text


class _NQuads:
    """Collects the quads of one named graph as N-Quads lines: the same calls as ``_Graph``, the
    same quads, but no pyoxigraph term is built. Each IRI is still checked once by building
    its NamedNode, so a bad IRI fails as it does in ``to_quads``."""

    def __init__(self, graph: str) -> None:
        self.g = f" <{self._iri(graph)}> .\n"
        self.quads: list[str] = []
        self._checked: set[str] = set()

    @staticmethod
    def _iri(iri: str) -> str:
        ox.NamedNode(iri)  # raises ValueError on what is not an IRI, as _Graph does
        return iri

    def _check(self, *iris: str) -> None:
        for iri in iris:
            if iri not in self._checked:
                self._iri(iri)
                self._checked.add(iri)

    def iri(self, s: str, p: str, o: str) -> None:
        self._check(s, p, o)
        self.quads.append(f"<{s}> <{p}> <{o}>{self.g}")

    def a(self, s: str, *classes: str) -> None:
        for c in classes:
            self.iri(s, RDF.type, c)

    def text(self, s: str, p: str, value: str | None, lang: str | None = None) -> None:
        if value is None:
            return
        self._check(s, p)
        tag = f"@{lang}" if lang else ""
        self.quads.append(f'<{s}> <{p}> "{_escape(value)}"{tag}{self.g}')

    def zh(self, s: str, p: str, value: str | None) -> None:
        if value:
            self.text(s, p, value, "zh")

    def dec(self, s: str, p: str, value: Decimal | None) -> None:
        if value is not None:
            self._check(s, p)
            self.quads.append(f'<{s}> <{p}> "{xsd_decimal(value)}"^^<{_XSD_DECIMAL.value}>{self.g}')

    def int(self, s: str, p: str, value: int | None, datatype: ox.NamedNode = _XSD_INTEGER) -> None:
        if value is not None:
            self._check(s, p)
            self.quads.append(f'<{s}> <{p}> "{_escape(str(value))}"^^<{datatype.value}>{self.g}')

    def typed(self, s: str, p: str, value: str, datatype: ox.NamedNode) -> None:
        self._check(s, p)
        self.quads.append(f'<{s}> <{p}> "{_escape(value)}"^^<{datatype.value}>{self.g}')


class _Mapper:
    def __init__(self, doc: Document, iris: Iris, graph: type = _Graph) -> None:
        self.doc = doc
        self.iris = iris
        self.doc_iri = iris.document(doc)
        self.out = graph(iris.graph(doc))
        self.voc = vocabulary()
        self.rows: set[str] = set()
        self.tables: set[int] = set()

    # --- provenance ------------------------------------------------------------------------

    def table_iri(self, n: int) -> str:
        return f"{self.doc_iri}/table/{n}"

    def derived(self, s: str, loc: Location | None) -> None:
        """``s`` prov:wasDerivedFrom its row (or table, or document); line and cell on ``s``."""
        o = self.out
        if loc is None:
            o.iri(s, PROV.wasDerivedFrom, self.doc_iri)
            return
        if loc.table is not None:
            table = self.table_iri(loc.table)
            if loc.row is not None:
                row = f"{table}/row/{loc.row}"
                if row not in self.rows:
                    self.rows.add(row)
                    o.a(row, PKG.SourceRow, PROV.Entity)
                    o.iri(row, DCTERMS.isPartOf, table)
                    o.int(row, PKG.rowNumber, loc.row)
                    o.text(row, PKG.sheetName, loc.sheet)
                    o.int(row, PKG.pageNumber, loc.page)
                o.iri(s, PROV.wasDerivedFrom, row)
            else:
                o.iri(s, PROV.wasDerivedFrom, table)
        else:
            o.iri(s, PROV.wasDerivedFrom, self.doc_iri)
        o.int(s, PKG.lineNumber, loc.line)
        o.text(s, PKG.cellReference, loc.cell)

    # --- the document ----------------------------------------------------------------------

    def document(self) -> None:
        doc, o, d = self.doc, self.out, self.doc_iri
        o.a(d, PKG.SourceDocument, FOAF.Document, DCAT.Distribution, PROV.Entity)
        o.text(d, DCTERMS.title, doc.title)
        o.text(d, PKG.filePath, doc.source.path)
        file_type, media = _FORMATS[doc.source.format]
        o.iri(d, DCTERMS.format, _FILE_TYPE + file_type)
        o.iri(d, DCAT.mediaType, _MEDIA_TYPE + media)
        o.int(d, DCAT.byteSize, doc.source.size, _XSD_NNI)
        checksum = d + "/checksum"
        o.iri(d, SPDX.checksum, checksum)
        o.a(checksum, SPDX.Checksum)
        o.iri(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
        o.typed(checksum, SPDX.checksumValue, doc.source.sha256, _XSD_HEX)
        o.iri(d, PKG.documentKind, CODE + f"document-kind/{doc.kind}")
        o.int(d, PKG.budgetYear, doc.year)
        o.text(d, PKG.moneyUnit, doc.money_unit)
        if doc.budget_unit:
            o.iri(d, PKG.budgetUnit, self.unit(doc.budget_unit.code, doc.budget_unit.name))
        for entry in doc.contents:
            o.text(d, PKG.contentsEntry, entry)
        placement = self.cost_placement()
        if placement:
            o.iri(d, PKG.costPlacement, CODE + f"cost-placement/{placement}")
        for n, note in enumerate(doc.notes, start=1):
            s = f"{d}/note/{n}"
            o.a(s, PKG.ReadingNote)
            o.iri(d, PKG.readingNote, s)
            o.text(s, PKG.message, note.message)
            self.derived(s, note.location)
        budget = d + "/budget"
        o.a(budget, QB.DataSet)
        o.iri(budget, QB.structure, PKG.budgetStructure)
        o.iri(budget, SDMX_ATTRIBUTE.unitMeasure, CUR.CNY)

    def cost_placement(self) -> str | None:
        places = {i.level1 for p in self.doc.projects for i in p.indicators if i.level2 == "cost" or i.level1 == "cost"}
        if not places:
            return None
        if places == {"cost"}:
            return "level1"
        if places == {"output"}:
            return "output"
        return "mixed"

    def unit(self, code: str | None, name: str) -> str:
        s = self.iris.unit(code, name)
        o = self.out
        o.a(s, PKG.BudgetUnit, ORG.FormalOrganization)
        o.text(s, ORG.identifier, code)
        o.zh(s, SKOS.prefLabel, name)
        return s

    def org(self, name: str) -> str:
        s = self.iris.org(name)
        self.out.a(s, ORG.Organization)
        self.out.zh(s, SKOS.prefLabel, name)
        return s

    # --- projects --------------------------------------------------------------------------

    def project(self, p: Project) -> str:
        """The project's resource, or in a self-evaluation the evaluation's (``Iris.described``)."""
        o, doc = self.out, self.doc
        unit = p.budget_unit or doc.budget_unit
        s = self.iris.described(doc, p)
        table = self.table_iri(p.table)
        if p.table not in self.tables:
            self.tables.add(p.table)
            o.a(table, PKG.ProjectTable, PROV.Entity)
            o.iri(table, DCTERMS.isPartOf, self.doc_iri)
            o.int(table, PKG.tableNumber, p.table)
            o.text(table, PKG.heading, p.heading)
            o.text(table, PKG.moneyUnit, p.money_unit)
        if doc.kind == "self-evaluation":
            o.a(s, PKG.SelfEvaluation, PROV.Entity)
            o.iri(s, PKG.evaluates, s.removesuffix("/self-evaluation"))
        else:
            o.a(s, PKG.Project, PROV.Entity)
        o.zh(s, RDFS.label, p.name)
        # The name again as the preferred label, as budget units have theirs: a property that
        # names projects and few else, so a query joins 10⁴ names, not 10⁵ indicator labels too.
        o.zh(s, SKOS.prefLabel, p.name)
        o.iri(s, PKG.describedInTable, table)
        if unit:
            o.iri(s, PKG.budgetUnit, self.unit(unit.code, unit.name))
        o.int(s, PKG.budgetYear, doc.year)
        if p.level:
            o.iri(s, PKG.governmentLevel, CODE + f"government-level/{p.level}")
        o.text(s, PKG.moneyUnit, p.money_unit)
        o.zh(s, PKG.useOfFunds, p.use_of_funds)
        self.derived(s, p.location)
        for n, goal in enumerate(p.goals, start=1):
            g = f"{s}/goal/{n}"
            o.a(g, PKG.PerformanceGoal, PROV.Entity)
            o.iri(s, PKG.hasGoal, g)
            o.int(g, PKG.position, n)
            o.zh(g, DCTERMS.description, goal)
            self.derived(g, p.location and Location(p.location.file, p.location.table))
        for role, value in p.fields.items():
            f = f"{s}/field/{role}"
            o.a(f, PKG.LabelledField)
            o.iri(s, PKG.hasField, f)
            o.text(f, PKG.fieldRole, role)
            o.text(f, PKG.fieldValue, value)
            if role in _FIELD_TERMS:
                o.text(s, _FIELD_TERMS[role], value)
            elif role == "department" and value:
                o.iri(s, PKG.supervisingDepartment, self.org(value))
            elif role == "implementer" and value:
                o.iri(s, PKG.implementingUnit, self.org(value))
        for line in p.funding:
            self.funding(s, line)
        for ind in p.indicators:
            self.indicator(s, ind)
        return s

    def funding(self, project: str, line: FundingLine) -> None:
        o = self.out
        s = f"{project}/funding/{line.kind}"
        o.a(s, PKG.FundingLine, PROV.Entity)
        o.iri(project, PKG.hasFunding, s)
        o.iri(s, PKG.fundsProject, project)
        o.iri(s, PKG.fundingKind, CODE + f"funding-kind/{line.kind}")
        o.int(s, PKG.budgetYear, self.doc.year)
        o.text(s, PKG.labelAsWritten, line.label)
        o.text(s, PKG.executionRate, line.rate)
        o.dec(s, PKG.weight, line.weight)
        o.dec(s, PKG.score, line.score)
        self.derived(s, line.location)
        if line.amount is not None:
            o.a(s, QB.Observation)
            o.iri(s, QB.dataSet, self.doc_iri + "/budget")
            o.dec(s, PKG.amountInYuan, line.amount.yuan)
        for prop, suffix, amount in (
            (PKG.amount, "amount", line.amount),
            (PKG.adjustedAmount, "adjusted", line.adjusted),
            (PKG.executedAmount, "executed", line.executed),
        ):
            if amount is not None:
                self.amount(s, prop, f"{s}/{suffix}", amount)

    def amount(self, owner: str, prop: str, s: str, a: Amount) -> None:
        o = self.out
        o.iri(owner, prop, s)
        o.a(s, SCHEMA.MonetaryAmount, PROV.Entity)
        o.dec(s, SCHEMA.value, a.yuan)
        o.text(s, SCHEMA.currency, "CNY")
        o.dec(s, PKG.valueAsWritten, a.value)
        o.text(s, PKG.moneyUnit, a.unit)
        o.int(s, PKG.moneyUnitFactor, a.factor)
        o.text(s, PKG.writtenAs, a.text)
        self.derived(s, a.location)

    # --- indicators and targets ------------------------------------------------------------

    def indicator(self, project: str, ind: Indicator) -> None:
        o = self.out
        s = f"{project}/indicator/{ind.position}"
        o.a(s, PKG.Indicator, PROV.Entity)
        o.iri(project, PKG.hasIndicator, s)
        o.zh(s, RDFS.label, ind.name)
        o.zh(s, DCTERMS.description, ind.description)
        o.int(s, PKG.position, ind.position)
        if ind.level1:
            o.iri(s, PKG.level1Category, TAX + f"level1/{ind.level1}")
        if ind.level2:
            o.iri(s, PKG.level2Category, TAX + f"level2/{ind.level2}")
        o.text(s, PKG.level1Label, ind.level1_label or None)
        o.text(s, PKG.level2Label, ind.level2_label or None)
        if ind.direction:
            o.iri(s, PKG.direction, CODE + f"direction/{ind.direction}")
        o.dec(s, PKG.weight, ind.weight)
        o.dec(s, PKG.score, ind.score)
        o.zh(s, PKG.explanation, ind.explanation)
        o.zh(s, PKG.scoringRule, ind.scoring)
        o.zh(s, PKG.deviationAnalysis, ind.deviation)
        o.zh(s, PKG.remark, ind.note)
        self.derived(s, ind.location)
        for n, (label, value) in enumerate(ind.extra.items(), start=1):
            f = f"{s}/field/{n}"
            o.a(f, PKG.LabelledField)
            o.iri(s, PKG.hasField, f)
            o.text(f, PKG.fieldLabel, label)
            o.text(f, PKG.fieldValue, value)
        for n, t in enumerate(ind.targets, start=1):
            t_iri = f"{s}/target/{n}"
            o.iri(s, PKG.hasTarget, t_iri)
            self.target(t_iri, t, ind.location)
        if ind.actual is not None:
            o.iri(s, PKG.actualValue, f"{s}/actual")
            self.target(f"{s}/actual", ind.actual, ind.location)

    def target(self, s: str, t: Target, loc: Location | None) -> None:
        o = self.out
        o.a(s, PKG.Target, PROV.Entity)
        o.text(s, PKG.writtenAs, t.text)
        o.iri(s, PKG.targetKind, CODE + f"target-kind/{t.kind}")
        if t.comparator:
            o.iri(s, PKG.comparator, CODE + f"comparator/{_COMPARATOR_CODES.get(t.comparator, t.comparator)}")
        o.text(s, PKG.comparatorWrittenAs, t.comparator_text)
        if t.comparator_source:
            o.iri(s, PKG.comparatorSource, CODE + f"comparator-source/{t.comparator_source}")
        if t.period:
            o.iri(s, PKG.period, CODE + f"period/{t.period}")
        for note in t.notes:
            o.text(s, PKG.parsingNote, note)
        self.derived(s, loc)
        if t.kind in ("quantity", "range"):
            self.quantity(s, t)
        if t.kind == "interval" and t.start and t.end:
            interval = f"{s}/interval"
            o.iri(s, PKG.targetInterval, interval)
            o.a(interval, TIME.Interval)
            for prop, suffix, day in ((TIME.hasBeginning, "start", t.start), (TIME.hasEnd, "end", t.end)):
                instant = f"{interval}/{suffix}"
                o.iri(interval, prop, instant)
                o.a(instant, TIME.Instant)
                o.typed(instant, TIME.inXSDDate, day.isoformat(), _XSD_DATE)
        elif t.kind in ("deadline", "date") and (t.end or t.start):
            instant = f"{s}/date"
            day = (t.end or t.start).isoformat()  # type: ignore[union-attr]
            o.iri(s, PKG.targetDate, instant)
            o.a(instant, TIME.Instant)
            o.typed(instant, TIME.inXSDDate, day, _XSD_DATE)
            if self.doc.kind != "self-evaluation":  # derived, for target tables (as the summaries)
                o.typed(s, PKG.targetDateValue, day, _XSD_DATE)  # the instant's date, one hop nearer

    def quantity(self, s: str, t: Target) -> None:
        o = self.out
        o.a(s, SCHEMA.QuantitativeValue)
        o.dec(s, PKG.numberAsWritten, t.number)
        o.int(s, PKG.multiplier, t.multiplier)
        o.dec(s, SCHEMA.value, t.value)
        if t.comparator in (">=", ">", "between"):
            o.dec(s, SCHEMA.minValue, t.value)
        if t.comparator in ("<=", "<"):
            o.dec(s, SCHEMA.maxValue, t.value)
        if t.comparator == "between":
            o.dec(s, SCHEMA.maxValue, t.upper)
        o.text(s, SCHEMA.unitText, t.unit_text)
        o.text(s, PKG.unitCode, t.unit)
        if t.duration:
            o.typed(s, PKG.duration, t.duration, _XSD_DURATION)
        if t.unit_kind:
            o.iri(s, PKG.unitKind, CODE + f"unit-kind/{t.unit_kind}")
        info = self.voc.units.get(t.unit or "")
        if info is not None and t.number is not None:
            if info.kind == "count":
                o.iri(s, PKG.countedThing, CODE + f"counted-thing/{info.code}")
                o.iri(s, QUDT.unit, UNIT.NUM)
            elif info.kind == "money":
                o.iri(s, QUDT.unit, CUR.CNY)
            elif info.qudt:
                o.iri(s, QUDT.unit, UNIT + info.qudt)
            if info.kind == "count" or info.kind == "money" or info.qudt:
                o.dec(s, QUDT.numericValue, t.number * (t.multiplier or 1))

    # --- populations -----------------------------------------------------------------------

    def populations(self, projects: dict[int, str]) -> None:
        o = self.out
        for pop in populations_of(self.doc):
            s = self.iris.population(pop)
            k = pop.key
            group = self.iris.population_group(k.qualifier, k.head)
            o.a(s, PKG.BeneficiaryPopulation, PROV.Entity)
            o.zh(s, RDFS.label, pop.label_zh)
            o.text(s, RDFS.label, pop.label_en, "en")
            o.dec(s, PKG.populationSize, k.size)
            o.int(s, PKG.budgetYear, k.year)
            o.iri(s, PKG.populationGroup, group)
            o.a(group, SKOS.Concept)
            o.iri(group, SKOS.inScheme, f"{self.iris.base}/population-group")
            o.zh(group, SKOS.prefLabel, pop.label_zh.split(" ")[0])
            o.text(group, SKOS.prefLabel, pop.label_en.split(":")[0], "en")
            o.a(f"{self.iris.base}/population-group", SKOS.ConceptScheme)
            for link in pop.links:
                project = projects[link.project.table]
                indicator = f"{project}/indicator/{link.indicator.position}"
                o.iri(project, PKG.servesPopulation, s)
                o.iri(s, PROV.wasDerivedFrom, f"{indicator}/target/1")
                ev = f"{s}/link/{_h(link.project.name)}"
                o.a(ev, PKG.PopulationLink, PROV.Entity)
                o.iri(ev, PKG.linkedProject, project)
                o.iri(ev, PKG.linkedPopulation, s)
                o.iri(ev, PKG.evidenceIndicator, indicator)
                o.text(ev, PKG.matchedRule, link.rule)
                o.text(ev, PKG.rationale, link.explanation)

    # --- derived per project ----------------------------------------------------------------

    def summaries(self, projects: list[tuple[Project, str]]) -> None:
        """Facts derived from what the document says of each project, stated on the project in
        this document's graph (so they come and go with it), for queries that would otherwise
        walk every funding line and indicator: the budget lines in 元, the count and sum of the
        annual money targets of its cost indicators, how many indicators it has and which
        categories of the taxonomy they cover. Two tables of one document that name the same
        project (one IRI) are summed, as a query over the graph would."""
        o = self.out
        by_iri: dict[str, list[Project]] = {}
        for p, iri in projects:
            by_iri.setdefault(iri, []).append(p)
        for s, ps in by_iri.items():
            for kind, prop in _BUDGET_FACTS:
                for yuan in dict.fromkeys(
                    f.amount.yuan for p in ps for f in p.funding if f.kind == kind and f.amount is not None
                ):
                    o.dec(s, prop, yuan)
            count, total = 0, Decimal(0)
            indicators = 0
            categories: dict[str, None] = {}
            for p in ps:
                for ind in p.indicators:
                    indicators += 1
                    if ind.level1:
                        categories[f"level1/{ind.level1}"] = None
                    if ind.level2:
                        categories[f"level2/{ind.level2}"] = None
                    if ind.level1 != "cost" and ind.level2 != "cost":
                        continue
                    for t in ind.targets:
                        if (t.kind in ("quantity", "range") and t.unit_kind == "money" and t.value is not None
                                and t.period in (None, "", "annual")):
                            count += 1
                            total += t.value
            o.int(s, PKG.costTargetCount, count)
            o.dec(s, PKG.costTargetSumInYuan, total)
            o.int(s, PKG.indicatorCount, indicators)
            o.text(s, PKG.key, resource_key(s))
            for c in categories:
                o.iri(s, PKG.coversCategory, TAX + c)
            # the same set as one literal, so that projects that cover the same categories share
            # one term: a query applies its coverage rules once per pattern (about a hundred in
            # 10⁴ projects), not once per project
            o.text(s, PKG.coverageCodes, " ".join(sorted(categories)))

    def run(self) -> list:
        self.document()
        mapped = [(p, self.project(p)) for p in self.doc.projects]
        # What a project plans — its summaries and the populations its targets serve — is read
        # from its target table; a self-evaluation reports on the plan (ontology/README.md).
        if self.doc.kind != "self-evaluation":
            self.summaries(mapped)
            self.populations({p.table: s for p, s in mapped})
        # Shared resources (the unit, a population's group) are stated once per mention: keep one.
        return list(dict.fromkeys(self.out.quads))


_BUDGET_FACTS = (
    ("total", PKG.totalBudgetInYuan), ("fiscal", PKG.fiscalFundsInYuan), ("other", PKG.otherFundsInYuan),
)


def to_quads(doc: Document, *, base: str = DEFAULT_BASE) -> list[ox.Quad]:
    """The quads of ``doc``, all in its named graph ``{document}/graph``."""
    return _Mapper(doc, Iris(base)).run()


def to_nquads(doc: Document, *, base: str = DEFAULT_BASE) -> tuple[bytes, int]:
    """The quads of ``doc`` (those of ``to_quads``) as N-Quads, and how many there are."""
    lines = _Mapper(doc, Iris(base), _NQuads).run()
    return "".join(lines).encode("utf-8"), len(lines)


def to_rdflib(quads: list[ox.Quad]):
    """The quads as an rdflib Dataset (for pyshacl and rdflib users)."""
    import rdflib

    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    ds = rdflib.Dataset()
    ds.parse(data=data, format="nquads")
    return ds
