"""CSV downloads of projects and indicators, with CSV on the Web (CSVW) metadata.

One row per project (``projects.csv``) and one per indicator target (``indicators.csv``), from the
queries beside this module. IRIs are the public ones; amounts are in 元 (exact decimals, as in
the graph) beside the amount as the table wrote it. ``csv-metadata.json`` (a CSVW table group)
gives every column its title in Chinese and English, its datatype and the ontology property it
stands for, so CSVW tools can turn the tables back into RDF. The tables hold the plan, read from
target tables; a self-evaluation's figures (pkg:SelfEvaluation) are in the dataset's RDF.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

__all__ = ["COLUMNS", "rows", "write_csv", "table_schema", "metadata"]

_PKG = "https://w3id.org/perfkg/ontology#"
#: table → [(column, zh, en, datatype, property IRI or None)]
COLUMNS: dict[str, list[tuple[str, str, str, str, str | None]]] = {
    "projects": [
        ("project", "项目", "project IRI", "anyURI", None),
        ("unit_code", "单位编码", "budget unit code", "string", "http://www.w3.org/ns/org#identifier"),
        ("unit_name", "预算单位", "budget unit", "string", "http://www.w3.org/2004/02/skos/core#prefLabel"),
        ("year", "预算年度", "budget year", "integer", _PKG + "budgetYear"),
        ("name", "项目名称", "project name", "string", "http://www.w3.org/2000/01/rdf-schema#label"),
        ("level", "政府层级", "level of government", "string", _PKG + "governmentLevel"),
        ("total_yuan", "预算数（元）", "budget (yuan)", "decimal", _PKG + "amountInYuan"),
        ("fiscal_yuan", "财政资金（元）", "fiscal funds (yuan)", "decimal", _PKG + "amountInYuan"),
        ("other_yuan", "其他资金（元）", "other funds (yuan)", "decimal", _PKG + "amountInYuan"),
        ("money_unit", "金额单位", "money unit of the table", "string", _PKG + "moneyUnit"),
        ("total_as_written", "预算数（原文）", "budget as written", "string", _PKG + "writtenAs"),
        ("use_of_funds", "资金用途", "use of funds", "string", _PKG + "useOfFunds"),
        ("indicators", "指标数", "number of indicators", "integer", None),
        ("populations", "受益人群", "populations served (IRIs)", "string", _PKG + "servesPopulation"),
        ("document", "来源文档", "source document IRI", "anyURI", None),
    ],
    "indicators": [
        ("indicator", "指标", "indicator IRI", "anyURI", None),
        ("project", "项目", "project IRI", "anyURI", _PKG + "hasIndicator"),
        ("project_name", "项目名称", "project name", "string", None),
        ("position", "序号", "position", "integer", _PKG + "position"),
        ("level1", "一级指标", "level-1 category", "string", _PKG + "level1Label"),
        ("level2", "二级指标", "level-2 category", "string", _PKG + "level2Label"),
        ("name", "三级指标", "indicator", "string", "http://www.w3.org/2000/01/rdf-schema#label"),
        ("description", "绩效指标描述", "description", "string", "http://purl.org/dc/terms/description"),
        ("target_as_written", "指标值（原文）", "target as written", "string", _PKG + "writtenAs"),
        ("target_kind", "指标值类型", "kind of target", "string", _PKG + "targetKind"),
        ("comparator", "比较", "comparator", "string", _PKG + "comparator"),
        ("value", "规范值", "normalised value", "decimal", "https://schema.org/value"),
        ("min_value", "下限", "minimum", "decimal", "https://schema.org/minValue"),
        ("max_value", "上限", "maximum", "decimal", "https://schema.org/maxValue"),
        ("unit", "单位代码", "unit code", "string", _PKG + "unitCode"),
        ("start", "开始日期", "start date", "date", None),
        ("end", "结束日期（截止）", "end date (deadline)", "date", None),
    ],
}


def rows(store, table: str, graphs: list[str], to_public) -> list[list[str]]:
    """The rows of ``table`` read from the named ``graphs`` (their union is the default graph)."""
    import pyoxigraph as ox

    text = Path(__file__).with_name("queries").joinpath(f"{table}.rq").read_text("utf-8")
    names = [c[0] for c in COLUMNS[table]]
    out = []
    for solution in store.db.query(text, default_graph=[ox.NamedNode(g) for g in graphs]):
        row = []
        for n in names:
            t = solution[n]
            if t is None:
                row.append("")
            elif isinstance(t, ox.NamedNode):
                row.append(to_public(t.value))
            elif n == "populations":
                row.append(" ".join(to_public(p) for p in t.value.split()))
            else:
                row.append(t.value)
        out.append(row)
    return out


def write_csv(path: Path, table: str, data: list[list[str]], *, header: bool = True, mode: str = "w") -> None:
    """UTF-8 CSV (RFC 4180), one header row of column names."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if header:
        w.writerow([c[0] for c in COLUMNS[table]])
    w.writerows(data)
    with open(path, mode, encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


def table_schema(table: str, about: str) -> dict:
    cols = []
    for name, zh, en, datatype, prop in COLUMNS[table]:
        col: dict = {"name": name, "titles": {"zh": zh, "en": en}, "datatype": datatype}
        if prop:
            col["propertyUrl"] = prop
        if name == about:
            col["suppressOutput"] = True
        cols.append(col)
    return {"columns": cols, "aboutUrl": "{+" + about + "}", "primaryKey": about} if table == "projects" else \
        {"columns": cols, "aboutUrl": "{+" + about + "}"}


def metadata(tables: list[tuple[str, str]], licence: str) -> dict:
    """A CSVW table group: ``tables`` are (url relative to the metadata file, table kind)."""
    schemas = {"projects": table_schema("projects", "project"), "indicators": table_schema("indicators", "indicator")}
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "zh"}],
        "dc:title": {"@value": "项目支出绩效目标：项目与绩效指标", "@language": "zh"},
        "dc:license": {"@id": licence},
        "tables": [{"url": url, "tableSchema": schemas[kind]} for url, kind in tables],
    }


def dumps(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
