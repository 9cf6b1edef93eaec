"""The content of one resource's page, as plain data for the templates (``templates/resource.html``).

Every page shows the resource's statements and those of what it owns (a project's funding lines
and goals, an indicator's targets), each property named in Chinese and English, each IRI a link;
above them, a summary written for its kind: a project's budget, indicators and the populations it
serves; a population's projects and the evidence linking them; a unit's projects by year; a
document's tables. Links are *site paths* (``id/unit/353302/``) that the renderer turns into
relative links (a published site) or root paths (``perfkg serve``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from perfkg.namespaces import DCAT, DCTERMS, ORG, PKG, PROV, RDF, RDFS, SCHEMA, SKOS, TIME
from perfkg.web.view import GraphView, Labels, Rebase, natural_key

__all__ = ["Value", "Statement", "Block", "Page", "Linker", "build_page", "KINDS"]

#: Page kinds: (Chinese, English).
KINDS = {
    "document": ("文档", "Document"), "unit": ("预算单位", "Budget unit"), "project": ("项目", "Project"),
    "evaluation": ("项目绩效自评", "Self-evaluation"), "indicator": ("绩效指标", "Indicator"),
    "population": ("受益人群", "Beneficiary population"),
    "concept": ("概念", "Concept"), "organization": ("组织", "Organisation"), "resource": ("资源", "Resource"),
}
_ONTOLOGY_NS = ("https://w3id.org/perfkg/ontology#", "https://w3id.org/perfkg/taxonomy", "https://w3id.org/perfkg/code/")
_XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass
class Value:
    text: str
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None
    en: str | None = None  # the English label of a linked resource, when it has one


@dataclass
class Statement:
    label_zh: str
    label_en: str
    href: str | None
    values: list[Value]


@dataclass
class Block:
    anchor: str
    iri: str
    title: str
    types: list[Value]
    statements: list[Statement]


@dataclass
class Page:
    kind: str
    iri: str  # the store's IRI
    public_iri: str
    path: str  # site path of the page's directory, "id/unit/353302/"
    title_zh: str
    title_en: str | None
    kind_zh: str
    kind_en: str
    blocks: list[Block] = field(default_factory=list)
    summary: dict = field(default_factory=dict)


class Linker:
    """Site paths for IRIs: pages for the store's resources, the ontology page for vocabulary terms."""

    def __init__(self, view: GraphView, rebase: Rebase, labels: Labels) -> None:
        self.view, self.rebase, self.labels = view, rebase, labels

    def page_path(self, iri: str) -> str:
        return f"id/{self.rebase.path(iri)}/"

    def href(self, iri: str) -> str | None:
        if self.rebase.path(iri) is not None:
            owner, anchor = self.view.owner(iri, self.rebase)
            if self.rebase.path(owner) is None:
                return None
            return self.page_path(owner) + (f"#{anchor}" if anchor else "")
        if iri.startswith(_ONTOLOGY_NS):
            from perfkg.web.ontology import anchor

            return f"ontology/#{anchor(iri)}"
        if iri.startswith(("http://", "https://")):
            return iri
        return None

    def value(self, term) -> Value:
        import pyoxigraph as ox

        if isinstance(term, ox.NamedNode):
            zh, en = self.labels.of(term.value)
            path = self.rebase.path(term.value)
            text = zh or en or path or term.value
            return Value(text, self.href(term.value), en=en if zh and en != zh else None)
        if isinstance(term, ox.BlankNode):
            return Value(f"_:{term.value}")
        dt = term.datatype.value
        shown = None if dt in (_XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString") else dt.replace(_XSD, "xsd:")
        return Value(term.value, lang=term.language or None, datatype=shown)


def _text(view: GraphView, iri: str, predicate: str) -> str | None:
    v = view.value(iri, predicate)
    return v.value if v is not None else None


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text is not None else None
    except InvalidOperation:
        return None


def yuan(amount: Decimal | None) -> str:
    """3416500000 → ``3,416,500,000 元``; None → ``—``."""
    if amount is None:
        return "—"
    q = amount.quantize(Decimal("0.01")) if amount != amount.to_integral() else amount.to_integral()
    return f"{q:,} 元"


def wan(amount: Decimal | None) -> str:
    """Yuan shown in 万元, the tables' own unit: 3416500000 → ``341,650 万元``."""
    if amount is None:
        return "—"
    v = (amount / 10000).normalize()
    return f"{v:,f} 万元"


def statements(view: GraphView, linker: Linker, labels: Labels, iri: str) -> tuple[list[Value], list[Statement]]:
    by_prop: dict[str, list] = {}
    types: list[Value] = []
    for t in view.outgoing(iri):
        if t.predicate.value == RDF.type:
            types.append(linker.value(t.object))
            continue
        by_prop.setdefault(t.predicate.value, []).append(t.object)
    out = []
    for p in sorted(by_prop, key=lambda p: (p not in (RDFS.label, SKOS.prefLabel, DCTERMS.title), labels.of(p)[1] or p)):
        zh, en = labels.of(p)
        values = sorted((linker.value(o) for o in by_prop[p]), key=lambda v: natural_key(v.text))
        out.append(Statement(zh or en or p, en or p.rsplit("/", 1)[-1].rsplit("#", 1)[-1], linker.href(p), values))
    return sorted(types, key=lambda v: v.text), out


def build_page(view: GraphView, rebase: Rebase, labels: Labels, iri: str) -> Page:
    """The page of ``iri`` (a resource with a page of its own)."""
    linker = Linker(view, rebase, labels)
    kind = view.kind(iri) or "resource"
    zh, en = labels.of(iri)
    if kind == "indicator" and not zh:
        zh = _text(view, iri, RDFS.label)
    kzh, ken = KINDS.get(kind, KINDS["resource"])
    page = Page(kind, iri, rebase.to_public(iri), linker.page_path(iri), zh or en or rebase.to_public(iri),
                en if en != zh else None, kzh, ken)
    for s in view.owned(iri):
        types, stmts = statements(view, linker, labels, s)
        anchor = "" if s == iri else s[len(iri) + 1:]
        title = page.title_zh if s == iri else anchor
        page.blocks.append(Block(anchor, rebase.to_public(s), title, types, stmts))
    builder = _SUMMARIES.get(kind)
    if builder:
        page.summary = builder(view, linker, labels, iri)
    return page


# --- summaries, one per kind ------------------------------------------------------------------


def _fact(zh: str, en: str, *values: Value | None) -> dict:
    return {"zh": zh, "en": en, "values": [v for v in values if v is not None]}


def _link(linker: Linker, view: GraphView, predicate: str, iri: str) -> Value | None:
    o = view.value(iri, predicate)
    return linker.value(o) if o is not None else None


def project_budget(view: GraphView, project: str) -> tuple[Decimal | None, str | None]:
    """The project's total (元) and the total as written with its money unit (``341650.00 万元``)."""
    for line in view.objects(project, PKG.hasFunding):
        if view.value(line.value, PKG.fundingKind) and view.value(line.value, PKG.fundingKind).value.endswith("/total"):
            amount = view.value(line.value, PKG.amount)
            written = None
            if amount is not None:
                w = _text(view, amount.value, PKG.writtenAs)
                unit = _text(view, amount.value, PKG.moneyUnit)
                written = f"{w} {unit}" if w and unit else w
            return _decimal(_text(view, line.value, PKG.amountInYuan)), written
    return None, None


def _targets(view: GraphView, linker: Linker, indicator: str) -> list[dict]:
    rows = []
    for t in sorted(view.objects(indicator, PKG.hasTarget), key=lambda t: natural_key(t.value)):
        s = t.value
        dates = []
        interval = view.value(s, PKG.targetInterval)
        if interval is not None:
            for p in (TIME.hasBeginning, TIME.hasEnd):
                inst = view.value(interval.value, p)
                if inst is not None:
                    dates.append(_text(view, inst.value, TIME.inXSDDate) or "")
        date = view.value(s, PKG.targetDate)
        if date is not None:
            dates.append(_text(view, date.value, TIME.inXSDDate) or "")
        rows.append({
            "anchor": s[len(indicator) + 1:] if s.startswith(indicator + "/") else "",
            "written": _text(view, s, PKG.writtenAs) or "",
            "kind": _link(linker, view, PKG.targetKind, s),
            "comparator": _link(linker, view, PKG.comparator, s),
            "value": _text(view, s, SCHEMA.value),
            "unit": _text(view, s, PKG.unitCode),
            "period": _link(linker, view, PKG.period, s),
            "dates": " … ".join(dates),
        })
    return rows


def _source(view: GraphView, linker: Linker, iri: str) -> dict | None:
    row = view.value(iri, PROV.wasDerivedFrom)
    if row is None:
        return None
    line = _text(view, iri, PKG.lineNumber)
    return {"row": linker.value(row), "href": linker.href(row.value), "line": line}


def _project(view: GraphView, linker: Linker, labels: Labels, iri: str) -> dict:
    total, written = project_budget(view, iri)
    indicators = []
    for ind in sorted(view.objects(iri, PKG.hasIndicator), key=lambda o: natural_key(o.value)):
        s = ind.value
        targets = [_text(view, t.value, PKG.writtenAs) or "" for t in view.objects(s, PKG.hasTarget)]
        indicators.append({
            "position": _text(view, s, PKG.position),
            "level1": _text(view, s, PKG.level1Label) or "", "level2": _text(view, s, PKG.level2Label) or "",
            "link": Value(_text(view, s, RDFS.label) or s, linker.href(s)),
            "target": " / ".join(targets),
        })
    funding = []
    for line in sorted(view.objects(iri, PKG.hasFunding), key=lambda o: natural_key(o.value)):
        s = line.value
        amount = view.value(s, PKG.amount)
        funding.append({
            "anchor": s[len(iri) + 1:],
            "kind": _link(linker, view, PKG.fundingKind, s),
            "label": _text(view, s, PKG.labelAsWritten) or "",
            "written": (_text(view, amount.value, PKG.writtenAs) or "") if amount is not None else "",
            "yuan": yuan(_decimal(_text(view, s, PKG.amountInYuan))),
        })
    populations = []
    for pop in view.objects(iri, PKG.servesPopulation):
        size = _decimal(_text(view, pop.value, PKG.populationSize))
        populations.append({"link": linker.value(pop), "size": f"{size:,f}" if size is not None else ""})
    goals = []
    for g in sorted(view.objects(iri, PKG.hasGoal), key=lambda o: natural_key(o.value)):
        goals.append(_text(view, g.value, DCTERMS.description) or "")
    table = view.value(iri, PKG.describedInTable)
    return {
        "facts": [
            _fact("预算单位", "Budget unit", _link(linker, view, PKG.budgetUnit, iri)),
            _fact("预算年度", "Budget year", Value(_text(view, iri, PKG.budgetYear) or "—")),
            _fact("政府层级", "Level of government", _link(linker, view, PKG.governmentLevel, iri) or Value("—")),
            _fact("预算数", "Budget", Value(written or "—"), Value(yuan(total))),
            _fact("资金用途", "Use of funds", Value(_text(view, iri, PKG.useOfFunds) or "—", lang="zh")),
            _fact("来源表格", "Source table", linker.value(table) if table is not None else None),
        ],
        "goals": goals, "funding": funding, "indicators": indicators,
        "populations": sorted(populations, key=lambda p: p["link"].text),
        "source": _source(view, linker, iri),
    }


def _indicator(view: GraphView, linker: Linker, labels: Labels, iri: str) -> dict:
    project = view.subjects(PKG.hasIndicator, iri)
    return {
        "facts": [
            _fact("所属项目", "Project", *(linker.value(view.node(p)) for p in project)),
            _fact("一级指标", "Level-1 category", _link(linker, view, PKG.level1Category, iri)),
            _fact("二级指标", "Level-2 category", _link(linker, view, PKG.level2Category, iri)),
            _fact("指标描述", "Description", Value(_text(view, iri, DCTERMS.description) or "—", lang="zh")),
        ],
        "targets": _targets(view, linker, iri),
        "source": _source(view, linker, iri),
    }


def _population(view: GraphView, linker: Linker, labels: Labels, iri: str) -> dict:
    rows, total = [], Decimal(0)
    links = view.subjects(PKG.linkedPopulation, iri)
    for project in sorted(view.subjects(PKG.servesPopulation, iri), key=natural_key):
        budget, written = project_budget(view, project)
        total += budget or 0
        evidence = [l for l in links if (v := view.value(l, PKG.linkedProject)) is not None and v.value == project]
        ev = evidence[0] if evidence else None
        rows.append({
            "project": linker.value(view.node(project)),
            "budget": written or "—", "yuan": yuan(budget),
            "indicator": _link(linker, view, PKG.evidenceIndicator, ev) if ev else None,
            "rule": _text(view, ev, PKG.matchedRule) if ev else "",
            "rationale": _text(view, ev, PKG.rationale) if ev else "",
        })
    size = _decimal(_text(view, iri, PKG.populationSize))
    return {
        "facts": [
            _fact("人群类别", "Group", _link(linker, view, PKG.populationGroup, iri)),
            _fact("人数", "Size", Value(f"{size:,f}" if size is not None else "—")),
            _fact("年度", "Year", Value(_text(view, iri, PKG.budgetYear) or "—")),
            _fact("服务项目数", "Projects serving it", Value(str(len(rows)))),
            _fact("项目预算合计", "Their budgets together", Value(wan(total)), Value(yuan(total))),
        ],
        "projects": rows,
    }


def _unit(view: GraphView, linker: Linker, labels: Labels, iri: str) -> dict:
    projects = []
    for p in view.subjects(PKG.budgetUnit, iri):
        if PKG.Project not in view.types(p):
            continue
        budget, written = project_budget(view, p)
        projects.append({
            "year": _text(view, p, PKG.budgetYear) or "", "link": linker.value(view.node(p)),
            "level": _link(linker, view, PKG.governmentLevel, p), "budget": written or "—", "yuan": budget,
        })
    projects.sort(key=lambda r: (r["year"], natural_key(r["link"].text)))
    years: dict[str, Decimal] = {}
    for r in projects:
        years[r["year"]] = years.get(r["year"], Decimal(0)) + (r["yuan"] or 0)
    for r in projects:
        r["yuan"] = yuan(r["yuan"])
    documents = [linker.value(view.node(d)) for d in view.subjects(PKG.budgetUnit, iri) if PKG.SourceDocument in view.types(d)]
    return {
        "facts": [
            _fact("单位编码", "Unit code", Value(_text(view, iri, ORG.identifier) or "—")),
            _fact("项目数", "Projects", Value(str(len(projects)))),
            *(_fact(f"{y}年预算合计", f"Budget {y}", Value(wan(v)), Value(yuan(v))) for y, v in sorted(years.items())),
        ],
        "projects": projects, "documents": documents,
    }


def _document(view: GraphView, linker: Linker, labels: Labels, iri: str) -> dict:
    tables = []
    for t in view.subjects(DCTERMS.isPartOf, iri):
        if PKG.ProjectTable not in view.types(t):
            continue
        projects = [linker.value(view.node(p)) for p in view.subjects(PKG.describedInTable, t)]
        tables.append({"number": int(_text(view, t, PKG.tableNumber) or 0), "heading": _text(view, t, PKG.heading) or "",
                       "projects": projects, "anchor": t[len(iri) + 1:]})
    tables.sort(key=lambda t: t["number"])
    checksum = view.value(iri, "http://spdx.org/rdf/terms#checksum")
    notes = [_text(view, n.value, PKG.message) or "" for n in view.objects(iri, PKG.readingNote)]
    return {
        "facts": [
            _fact("标题", "Title", Value(_text(view, iri, DCTERMS.title) or "—")),
            _fact("预算单位", "Budget unit", _link(linker, view, PKG.budgetUnit, iri)),
            _fact("预算年度", "Budget year", Value(_text(view, iri, PKG.budgetYear) or "—")),
            _fact("文件", "File", Value(_text(view, iri, PKG.filePath) or "—")),
            _fact("格式", "Format", _link(linker, view, DCAT.mediaType, iri)),
            _fact("大小", "Size", Value(f"{_text(view, iri, DCAT.byteSize) or '—'} B")),
            _fact("SHA-256", "SHA-256", Value(_text(view, checksum.value, "http://spdx.org/rdf/terms#checksumValue") or "—") if checksum else None),
        ],
        "tables": tables, "notes": notes,
    }


_SUMMARIES = {"project": _project, "evaluation": _project, "indicator": _indicator, "population": _population,
              "unit": _unit, "document": _document}
