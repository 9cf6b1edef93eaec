"""Build the Excel and HTML fixtures of the bundled sample from the sample itself.

    .venv/bin/python tests/data/sample/make_xlsx_html.py

reads ``data/tianjin-353302-2025-project-performance-targets.txt`` (the Word text export) with
``perfkg.read()`` and writes, beside this script, the same eight tables as a unit would publish
them in other formats:

``tianjin-353302-2025.xlsx``
    A cover sheet (title, （2025年）, 目录, one cell each); sheet ``表1-4`` with tables 1–4
    stacked (two empty rows after table 1, one after table 2, and none after table 3: table 4 has
    no heading and its unit line follows table 3's last row, as in the sample); sheets ``表5`` …
    ``表8`` with one table each; and a hidden sheet of drop-down lists, as budget systems leave
    behind. Each table is laid out like the Word table: the unit line, 项目名称, the
    预算规模及资金用途 label merged over two rows, the use of funds merged across six columns,
    绩效目标, the indicator header, and every 一级指标 cell merged down its block. Budgets are
    numbers in format ``0.00`` (Excel shows ``1324.00``, the file stores ``1324``); table 5's
    预算数 is a formula with its cached value, as Excel saves it. Targets are the exact strings.
``tianjin-353302-2025-wide.xlsx``
    The same projects as one wide sheet: project columns (单位名称 … 绩效目标) and indicator
    columns, one indicator per row. Projects 1–4 have their project cells merged down their
    block, projects 5–8 only on their first row. The 指标值 column is formatted down to row
    1 048 576, as when a whole column is selected and formatted: the sheet claims a million rows.
``tianjin-353302-2025.html``
    A government-site page (UTF-8): site header, navigation and breadcrumb, an outer layout
    table around the article, the title as ``<h1>``, the 目录 as an ``<ol>``, each table as a
    ``<table>`` whose rowspan/colspan are the Word merges, headings as ``<h3>`` — none for table 4.
``tianjin-353302-2025-gbk.html``
    The same page encoded in GBK, declared by ``<meta charset="gbk">``.

Every string is the sample's, checked against the sample's lines (``其中：财政    资金`` keeps its
four spaces, table 2's ``…12月31日日`` its typo). The output is byte-for-byte deterministic: the
workbook's timestamps and the zip entries' dates are fixed. Re-run after changing the sample or
this script, and commit the outputs with it.
"""

from __future__ import annotations

import html
import re
import sys
import zipfile
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SAMPLE = ROOT / "data" / "tianjin-353302-2025-project-performance-targets.txt"
XLSX = HERE / "tianjin-353302-2025.xlsx"
WIDE = HERE / "tianjin-353302-2025-wide.xlsx"
HTML = HERE / "tianjin-353302-2025.html"
GBK = HERE / "tianjin-353302-2025-gbk.html"

FIXED_TIME = datetime(2025, 2, 14, 9, 0, 0)
ZIP_TIME = (2025, 2, 14, 9, 0, 0)
WIDTH = 7  # columns A–G: the funding row's seven cells are the widest row of the Word table


@dataclass
class Table:
    """One project table, every string as the sample writes it."""

    number: int
    heading: str | None
    unit_line: str
    money_unit: str
    name: str
    total: Decimal
    fiscal: Decimal
    other: str
    use: str
    goals: str
    indicators: list[tuple[str, str, str, str, str]]  # 一级, 二级, 三级, 描述, 指标值


def sample_strings() -> set[str]:
    text = SAMPLE.read_text("utf-8")
    return {re.sub(r"\[bookmark:[^\]]*\]", "", line).strip("\t") for line in text.splitlines()}


def from_sample(lines: set[str], text: str) -> str:
    """``text``, after checking the sample has it as a line (a cell or a paragraph) of its own."""
    if text not in lines:
        sys.exit(f"make_xlsx_html: {text!r} is not a line of the sample; update this script")
    return text


def read_sample() -> tuple[dict[str, str], list[str], list[str], list[Table]]:
    sys.path.insert(0, str(ROOT))
    import perfkg

    doc = perfkg.read(SAMPLE)
    lines = sample_strings()
    labels = {
        "contents": from_sample(lines, "目    录"),
        "year": from_sample(lines, f"（{doc.year}年）"),
        "name": from_sample(lines, "项目名称"),
        "funding": from_sample(lines, "预算规模及资金用途"),
        "total": from_sample(lines, "预算数"),
        "fiscal": from_sample(lines, "其中：财政    资金"),
        "other": from_sample(lines, "其他资金"),
        "goals": from_sample(lines, "绩效目标"),
        "title": doc.title or "",
    }
    header = [from_sample(lines, h) for h in ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值")]
    contents = [from_sample(lines, f"{n}.{name}绩效目标表") for n, name in enumerate(doc.contents, start=1)]
    tables = []
    for p in doc.projects:
        amounts = {f.kind: f.amount for f in p.funding}
        unit = p.budget_unit
        tables.append(Table(
            number=p.table,
            heading=from_sample(lines, p.heading) if p.heading else None,
            unit_line=from_sample(lines, f"{unit.code}{unit.name}"),
            money_unit=from_sample(lines, f"单位：{p.money_unit}"),
            name=from_sample(lines, p.name),
            total=Decimal(from_sample(lines, amounts["total"].text)),
            fiscal=Decimal(from_sample(lines, amounts["fiscal"].text)),
            other=amounts["other"].text,
            use=from_sample(lines, p.use_of_funds or ""),
            goals=from_sample(lines, " ".join(f"{n}.{g}" for n, g in enumerate(p.goals, start=1))),
            indicators=[
                tuple(from_sample(lines, s) for s in (
                    i.level1_label, i.level2_label, i.name, i.description or "", i.target.text,
                ))
                for i in p.indicators
            ],
        ))
    assert [t.heading is None for t in tables] == [False, False, False, True, False, False, False, False]
    return labels, header, contents, tables


def blocks(indicators: list[tuple[str, ...]]) -> list[tuple[int, int]]:
    """(first, length) of each run of rows that share a 一级指标: the Word merges."""
    runs: list[tuple[int, int]] = []
    for i, row in enumerate(indicators):
        if runs and indicators[runs[-1][0]][0] == row[0]:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((i, 1))
    return runs


def number(value: Decimal) -> int | float:
    """The number Excel stores: 1324, 561.5 (the display format adds the decimals)."""
    return int(value) if value == value.to_integral_value() else float(value)


# --- the workbook -----------------------------------------------------------------------------


def write_table(ws, r: int, t: Table, labels: dict[str, str], header: list[str], *, formula_at: list) -> int:
    """Write table ``t`` from row ``r``; return the row after it."""
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")

    def put(row: int, col: int, value, *, fmt: str | None = None, bold: bool = False):
        cell = ws.cell(row=row, column=col, value=value)
        cell.alignment = wrap
        if fmt:
            cell.number_format = fmt
        if bold:
            cell.font = Font(bold=True)
        return cell

    def frame(first: int, last: int) -> None:
        for row in ws.iter_rows(min_row=first, max_row=last, min_col=1, max_col=WIDTH):
            for cell in row:
                cell.border = box

    if t.heading:
        put(r, 1, t.heading, bold=True)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=WIDTH)
        r += 1
    top = r
    put(r, 1, t.unit_line)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
    put(r, 6, t.money_unit).alignment = Alignment(horizontal="right")
    ws.merge_cells(start_row=r, start_column=6, end_row=r, end_column=WIDTH)
    r += 1
    put(r, 1, labels["name"])
    put(r, 2, t.name)
    ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=WIDTH)
    r += 1
    put(r, 1, labels["funding"])
    ws.merge_cells(start_row=r, start_column=1, end_row=r + 1, end_column=1)
    put(r, 2, labels["total"])
    put(r, 3, number(t.total), fmt="0.00")
    put(r, 4, labels["fiscal"])
    put(r, 5, number(t.fiscal), fmt="0.00")
    put(r, 6, labels["other"])
    if t.other:
        put(r, 7, number(Decimal(t.other)), fmt="0.00")
    if t.number == 5:
        formula_at.append((ws.title, f"C{r}", f"E{r}+G{r}"))
    r += 1
    put(r, 2, t.use)
    ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=WIDTH)
    r += 1
    put(r, 1, labels["goals"])
    put(r, 2, t.goals)
    ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=WIDTH)
    r += 1
    for c, text in enumerate(header, start=1):
        put(r, c, text, bold=True)
    r += 1
    first = r
    for row in t.indicators:
        for c, text in enumerate(row, start=1):
            put(r, c, text)
        r += 1
    for start, length in blocks(t.indicators):
        for k in range(1, length):  # Word leaves the covered cells empty
            ws.cell(row=first + start + k, column=1).value = None
        if length > 1:
            ws.merge_cells(start_row=first + start, start_column=1, end_row=first + start + length - 1, end_column=1)
    frame(top, r - 1)
    return r


def build_workbook(labels, header, contents, tables) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    cover = wb.active
    cover.title = "封面"
    cover["A1"] = labels["title"]
    cover["A1"].font = Font(bold=True, size=16)
    cover["A1"].alignment = Alignment(horizontal="center")
    cover.merge_cells("A1:G1")
    cover["A2"] = labels["year"]
    cover["A2"].alignment = Alignment(horizontal="center")
    cover.merge_cells("A2:G2")
    cover["A4"] = labels["contents"]
    for n, line in enumerate(contents, start=5):
        cover.cell(row=n, column=1, value=line)

    formulas: list[tuple[str, str, str]] = []
    stacked = wb.create_sheet("表1-4")
    r = 1
    for t in tables[:4]:
        r = write_table(stacked, r, t, labels, header, formula_at=formulas)
        # Two empty rows after table 1, one after table 2, none after table 3 (the sample's run-in).
        r += {1: 2, 2: 1, 3: 0}.get(t.number, 0)
    for t in tables[4:]:
        ws = wb.create_sheet(f"表{t.number}")
        write_table(ws, 1, t, labels, header, formula_at=formulas)
    for ws in wb.worksheets[1:]:
        for col, width in zip("ABCDEFG", (14, 16, 30, 30, 16, 12, 10)):
            ws.column_dimensions[col].width = width

    lists = wb.create_sheet("下拉选项")
    lists.sheet_state = "hidden"
    lists.append(["一级指标", "二级指标"])
    for level1, level2 in [("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "时效指标"),
                           ("产出指标", "成本指标"), ("效益指标", "社会效益指标"), ("满意度指标", "服务对象满意度指标")]:
        lists.append([level1, level2])
    return _save(wb, formulas)


def build_wide(labels, header, tables) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "绩效目标"
    ws["A1"] = labels["title"]
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:L1")
    ws["L2"] = tables[0].money_unit
    columns = ["单位名称", labels["name"], labels["total"], "财政资金", labels["other"], "资金用途", labels["goals"], *header]
    ws.append(columns)
    r = 4
    for t in tables:
        project = [t.unit_line, t.name, number(t.total), number(t.fiscal),
                   number(Decimal(t.other)) if t.other else None, t.use, t.goals]
        first = r
        for k, row in enumerate(t.indicators):
            for c, value in enumerate(project, start=1):
                if k == 0:
                    cell = ws.cell(row=r, column=c, value=value)
                    if c in (3, 4, 5):
                        cell.number_format = "0.00"
            for c, text in enumerate(row, start=len(project) + 1):
                ws.cell(row=r, column=c, value=text)
            r += 1
        for start, length in blocks(t.indicators):
            for k in range(1, length):
                ws.cell(row=first + start + k, column=8).value = None
            if length > 1:
                ws.merge_cells(start_row=first + start, start_column=8, end_row=first + start + length - 1, end_column=8)
        if t.number <= 4 and len(t.indicators) > 1:
            for c in range(1, len(project) + 1):
                ws.merge_cells(start_row=first, start_column=c, end_row=r - 1, end_column=c)
    ws.cell(row=1_048_576, column=len(columns)).number_format = "@"  # an empty, formatted cell
    return _save(wb, [])


def _save(wb, formulas: list[tuple[str, str, str]]) -> bytes:
    """The workbook's bytes with fixed timestamps; ``formulas`` put (sheet, cell, formula) over
    the cached value openpyxl wrote there, as Excel saves a formula cell."""
    wb.properties.creator = "perfkg tests"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buffer = BytesIO()
    wb.save(buffer)
    sheet_files = {ws.title: f"xl/worksheets/sheet{n}.xml" for n, ws in enumerate(wb.worksheets, start=1)}
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            for sheet, ref, formula in formulas:
                if sheet_files[sheet] == info.filename:
                    data, n = re.subn(
                        rb'(<c r="' + ref.encode() + rb'"[^>]*>)(<v>)', rb"\g<1><f>" + formula.encode() + rb"</f>\g<2>", data
                    )
                    assert n == 1, (sheet, ref)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --- the page ---------------------------------------------------------------------------------

PAGE_HEAD = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="{charset}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>天津市社会保险基金管理中心2025年项目支出绩效目标_天津市人力资源和社会保障局</title>
<style>
  body {{ font-family: "Microsoft YaHei", SimSun, sans-serif; }}
  table.MsoTableGrid {{ border-collapse: collapse; width: 100%; }}
  table.MsoTableGrid td {{ border: 1px solid #000; padding: 2px 4px; }}
</style>
<script>var _hmt = _hmt || []; /* 统计代码：绩效目标表 */</script>
</head>
<body>
<header class="site-header"><div class="logo"><img src="/images/logo.png" alt="天津市人力资源和社会保障局"> 天津市人力资源和社会保障局</div></header>
<nav class="nav">
  <ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwgk/czzj/">财政资金</a></li><li><a href="/zwgk/yjsgk/">预决算公开</a></li><li><a href="/hdjl/">互动交流</a></li></ul>
</nav>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/yjsgk/">预决算公开</a> &gt; 项目支出绩效目标表</div>
<table class="layout" width="1000" align="center" cellpadding="0" cellspacing="0">
<tr>
<td class="left" width="200" valign="top"><div class="sidebar"><h4>预决算公开</h4><ul><li><a href="#">部门预算</a></li><li><a href="#">部门决算</a></li><li><a href="#">绩效目标</a></li></ul></div></td>
<td class="main" valign="top">
<div class="article">
"""

PAGE_TAIL = """<p class="attachment">附件：<a href="/uploadfiles/2025/02/353302-2025-jxmb.docx">{title}.docx</a></p>
<div class="share" style="display:none">分享到：微信 微博</div>
</div>
</td>
</tr>
</table>
<footer class="site-footer"><p>主办单位：天津市人力资源和社会保障局　网站标识码：1200000000　津ICP备00000000号</p></footer>
<script>document.querySelectorAll("table.MsoTableGrid").forEach(function (t) {{ t.dataset.ready = "1"; }});</script>
</body>
</html>
"""


def td(text: str, **attrs: object) -> str:
    attributes = "".join(f' {k}="{v}"' for k, v in attrs.items())
    # Word's HTML keeps runs of spaces as &nbsp; (a browser would collapse plain ones).
    body = html.escape(text, quote=False).replace("  ", "&nbsp;&nbsp;")
    return f"<td{attributes}>{body}</td>"


def html_table(t: Table, labels: dict[str, str], header: list[str]) -> str:
    rows = [
        td(t.unit_line, colspan=4) + td(t.money_unit, colspan=3, align="right"),
        td(labels["name"]) + td(t.name, colspan=6),
        td(labels["funding"], rowspan=2) + td(labels["total"]) + td(f"{t.total:.2f}") + td(labels["fiscal"])
        + td(f"{t.fiscal:.2f}") + td(labels["other"]) + td(t.other),
        td(t.use, colspan=6),
        td(labels["goals"]) + td(t.goals, colspan=6),
        "".join(td(h) for h in header),
    ]
    spans = dict(blocks(t.indicators))
    for i, row in enumerate(t.indicators):
        first = ""
        if i in spans:
            first = td(row[0], rowspan=spans[i]) if spans[i] > 1 else td(row[0])
        rows.append(first + "".join(td(text) for text in row[1:]))
    body = "\n".join(f"<tr>{r}</tr>" for r in rows)
    return f'<table class="MsoTableGrid" border="1" cellspacing="0" cellpadding="0">\n<tbody>\n{body}\n</tbody>\n</table>\n'


def build_page(labels, header, contents, tables, charset: str) -> str:
    parts = [PAGE_HEAD.format(charset=charset)]
    parts.append(f'<h1 style="text-align:center">{html.escape(labels["title"])}</h1>\n')
    parts.append(f'<p class="subtitle" style="text-align:center">{labels["year"]}</p>\n')
    parts.append('<div class="info">发布时间：2025-02-14　来源：天津市社会保险基金管理中心</div>\n')
    parts.append(f'<h2 style="text-align:center">{labels["contents"].replace(" ", "&nbsp;")}</h2>\n<ol class="toc">\n')
    for n, line in enumerate(contents, start=1):
        # An <ol> numbers its items itself: the page writes `社保…绩效目标表`, a browser shows `1.社保…`.
        name = line.split(".", 1)[1]
        parts.append(f'<li><a href="#table{n}">{html.escape(name)}</a></li>\n')
    parts.append("</ol>\n")
    for t in tables:
        if t.heading:
            parts.append(f'<h3 id="table{t.number}">{html.escape(t.heading)}</h3>\n')
        else:
            parts.append(f'<a id="table{t.number}"></a>\n')  # the sample's table 4 has no heading
        parts.append(html_table(t, labels, header))
    parts.append(PAGE_TAIL.format(title=html.escape(labels["title"])))
    return "".join(parts)


def main() -> None:
    labels, header, contents, tables = read_sample()
    XLSX.write_bytes(build_workbook(labels, header, contents, tables))
    WIDE.write_bytes(build_wide(labels, header, tables))
    HTML.write_bytes(build_page(labels, header, contents, tables, "utf-8").encode("utf-8"))
    GBK.write_bytes(build_page(labels, header, contents, tables, "gbk").encode("gbk"))
    for path in (XLSX, WIDE, HTML, GBK):
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
