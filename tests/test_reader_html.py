"""The HTML reader on the sample's tables as a government-site page (tests/data/sample/make_xlsx_html.py).

The page wraps the article in a layout table, carries a site header, navigation, breadcrumb,
footer and scripts, lists the 目录 as an ``<ol>`` and gives each table the Word merges as
rowspan/colspan. Read, it must say exactly what the text export says — in UTF-8 and in GBK.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import perfkg
from perfkg.errors import EncodingProblem, NotATargetTable
from perfkg.grid import Para, Row
from perfkg.readers import html
from perfkg.serialize import document_to_dict, strip_sources

from .conftest import DATA, run_perfkg

PAGE = DATA / "sample" / "tianjin-353302-2025.html"
GBK_PAGE = DATA / "sample" / "tianjin-353302-2025-gbk.html"


def comparable(doc: perfkg.Document) -> dict:
    """The reading without where it came from (strip_sources drops the document's own source too)."""
    return strip_sources(document_to_dict(doc))


def line_of(path: Path, needle: str, encoding: str = "utf-8") -> int:
    """The 1-based line of ``path`` where ``needle`` first appears."""
    for number, line in enumerate(path.read_text(encoding).splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture(scope="module")
def page() -> perfkg.Document:
    return perfkg.read(PAGE)


@pytest.fixture(scope="module")
def items() -> list:
    (stream,) = html.streams(PAGE.read_bytes(), str(PAGE))
    return stream.items


def cell_at(items: list, ref: str):
    return next(c for row in items if isinstance(row, Row) for c in row.cells if c.ref == ref)


# --- (1) the same reading as the Word text export ------------------------------------------


def test_page_reads_exactly_like_the_text_sample(page, sample_doc) -> None:
    assert page.source.format == "html"
    assert comparable(page) == comparable(sample_doc)


def test_gbk_page_with_meta_charset_reads_exactly_like_the_text_sample(sample_doc) -> None:
    data = GBK_PAGE.read_bytes()
    assert b'<meta charset="gbk">' in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really GBK bytes, not UTF-8
    doc = perfkg.read(GBK_PAGE)
    assert comparable(doc) == comparable(sample_doc)
    fiscal = next(f for f in doc.projects[0].funding if f.kind == "fiscal")
    assert fiscal.label == "其中：财政资金" and doc.projects[1].indicators[-3].target.text.endswith("31日日")


def test_page_reading_in_domain_terms(page) -> None:
    assert page.title == "天津市社会保险基金管理中心项目支出绩效目标表"
    assert page.year == 2025
    assert page.contents[0] == "社保经办大厅运转经费"  # the <ol> numbers it, as a browser shows
    assert [len(p.indicators) for p in page.projects] == [11, 9, 7, 6, 6, 6, 6, 20]
    assert [p.total.text for p in page.projects][-1] == "561.50"
    assert page.projects[0].indicators[1].target.text == "≤672.1万元"
    assert page.notes == []


# --- (2) locations: table, row, column and source line ---------------------------------------


def test_locations_name_table_cell_and_line(page) -> None:
    p1 = page.projects[0]
    first, second = p1.indicators[0], p1.indicators[1]
    assert (first.location.cell, first.location.line) == ("T1R7C1", line_of(PAGE, "物业服务验收合格率"))
    # the second row's 一级指标 position is covered by the rowspan; the row's own line is kept
    assert (second.location.cell, second.location.line) == ("T1R8C1", line_of(PAGE, "安保服务费用"))
    total = p1.funding[0].amount
    assert (total.location.cell, total.location.line) == ("T1R3C3", line_of(PAGE, ">1324.00<"))
    p8 = page.projects[7]
    assert p8.indicators[-1].location.cell.startswith("T8R")


def test_rows_carry_their_table_number_and_line(items) -> None:
    rows = [i for i in items if isinstance(i, Row)]
    assert sorted({r.table for r in rows}) == list(range(1, 9))
    unit = next(r for r in rows if r.table == 4)
    assert unit.cells[0].text == "353302天津市社会保险基金管理中心"
    assert unit.line == line_of(PAGE, '<a id="table4">') + 3  # <table>, <tbody>, then the row
    assert all(c.line == r.line for r in rows for c in r.cells)  # one <tr> per source line here


def test_table_4_has_no_heading(page, items) -> None:
    assert page.projects[3].heading is None
    assert page.projects[3].name == "2025年机关事业单位养老保险补助经费-市级"
    headings = [i.text for i in items if isinstance(i, Para) and i.text.endswith("绩效目标表")]
    assert len(headings) == 1 + 8 + 7  # title, 目录 entries, headings of tables 1–3 and 5–8


# --- (3) merges: rowspan/colspan expanded into a full grid -----------------------------------


def test_rowspan_covers_the_level1_block(page, items) -> None:
    origin, covered = cell_at(items, "T1R7C1"), cell_at(items, "T1R15C1")
    assert (origin.text, origin.merged) == ("产出指标", False)
    assert (covered.text, covered.merged) == ("产出指标", True)
    assert [i.level1_label for i in page.projects[0].indicators] == ["产出指标"] * 9 + ["效益指标", "满意度指标"]
    assert all(i.level1 for p in page.projects for i in p.indicators)


def test_colspan_and_rowspan_fill_the_form_rows(items) -> None:
    use = [cell_at(items, f"T1R4C{c}") for c in range(1, 8)]
    assert (use[0].text, use[0].merged) == ("预算规模及资金用途", True)  # rowspan="2" from the row above
    assert not use[1].merged and all(c.merged for c in use[2:])
    assert cell_at(items, "T1R3C4").text == "其中：财政    资金"  # &nbsp; kept as spaces
    header = [c for r in items if isinstance(r, Row) and r.table == 1 for c in r.cells if c.ref.startswith("T1R6C")]
    assert [c.text for c in header] == ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "", ""]


# --- the page around the tables --------------------------------------------------------------


def test_layout_table_rows_are_not_read_twice(items) -> None:
    rows = [i for i in items if isinstance(i, Row)]
    assert len(rows) == 8 * 6 + 71  # six form rows per table, and the 71 indicator rows
    assert all(len(r.cells) == 7 for r in rows)


def test_navigation_scripts_and_hidden_text_are_not_read(items) -> None:
    texts = [i.text for i in items if isinstance(i, Para)]
    assert texts[:3] == ["天津市社会保险基金管理中心项目支出绩效目标表", "（2025年）",
                         "发布时间：2025-02-14　来源：天津市社会保险基金管理中心"]
    joined = "\n".join(texts)
    for chrome in ("首页", "当前位置", "部门预算", "主办单位", "_hmt", "querySelectorAll", "分享到"):
        assert chrome not in joined
    assert texts[-1].startswith("附件：")


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ("<td>甲<br>乙</td>", "甲\n乙"),
        ("<td>\n   ≥98%\n  </td>", "≥98%"),
        ("<td>按时  足额\n发放，（全额）；</td>", "按时 足额 发放，（全额）；"),
        ("<td>其中：财政&nbsp;&nbsp;资金</td>", "其中：财政  资金"),
        ("<td><p>1.第一</p><p>2.第二</p></td>", "1.第一\n2.第二"),
        ("<td>≤672.1<span>万元</span><script>x=1</script><style>p{}</style></td>", "≤672.1万元"),
        ("<td>可见<span style='display:none'>隐藏</span></td>", "可见"),
        ("<td>全角　空格</td>", "全角　空格"),
    ],
)
def test_cell_text_is_what_a_browser_shows(fragment, text) -> None:
    import lxml.html

    assert html.cell_text(lxml.html.fragment_fromstring(fragment, create_parent="tr")[0]) == text


# --- (4) encodings ---------------------------------------------------------------------------


def test_gbk_without_a_declaration_needs_an_encoding(tmp_path: Path) -> None:
    data = GBK_PAGE.read_bytes().replace(b'<meta charset="gbk">', b"")
    page = tmp_path / "undeclared.html"
    page.write_bytes(data)
    with pytest.raises(EncodingProblem, match="--encoding gb18030"):
        perfkg.read(page)
    assert len(perfkg.read(page, encoding="gb18030").projects) == 8


def test_http_equiv_gb2312_declaration_is_honoured(tmp_path: Path) -> None:
    data = GBK_PAGE.read_bytes().replace(
        b'<meta charset="gbk">', b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    )
    page = tmp_path / "gb2312.html"
    page.write_bytes(data)
    assert perfkg.read(page).projects[7].name == "社保业务经办经费"


def test_unknown_charset_is_a_clear_error(tmp_path: Path) -> None:
    page = tmp_path / "odd.html"
    page.write_bytes(b'<html><head><meta charset="x-klingon"></head><body><table><tr><td>a</td></tr></table></body></html>')
    with pytest.raises(EncodingProblem, match="unknown encoding 'x-klingon'"):
        perfkg.read(page)


# --- (5) errors through the command line --------------------------------------------------------


def test_page_without_a_table_is_one_error_line(tmp_path: Path) -> None:
    page = tmp_path / "notice.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
        "<h1>天津市社会保险基金管理中心项目支出绩效目标表</h1><p>详见附件。</p></body></html>",
        "utf-8",
    )
    with pytest.raises(NotATargetTable):
        perfkg.read(page)
    run = run_perfkg("parse", page)
    assert run.code == 2
    assert run.stderr.startswith(f"Error: {page}: ") and "<table>" in run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


def test_mislabelled_page_is_one_error_line(tmp_path: Path) -> None:
    page = tmp_path / "mislabelled.html"
    page.write_bytes(GBK_PAGE.read_bytes().replace(b'<meta charset="gbk">', b'<meta charset="utf-8">'))
    run = run_perfkg("parse", page)
    assert run.code == 2
    assert run.stderr.startswith(f"Error: {page} (line ") and "utf-8" in run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


# --- small pages: what HTML showed the interpreter had to learn -------------------------------------

_SMALL_TABLE = """<table>
<tr><td>项目名称</td><td colspan="6">示例项目</td></tr>
<tr><td rowspan="2">预算规模及资金用途</td><td>预算数</td><td>10.00</td><td>其中：财政资金</td><td>10.00</td><td>其他资金</td><td></td></tr>
<tr><td colspan="6">用途</td></tr>
<tr><td>一级指标</td><td>二级指标</td><td>三级指标</td><td{span}>绩效指标描述</td><td{span}>指标值</td></tr>
<tr><td rowspan="2">产出指标</td><td>数量指标</td><td>甲</td><td{span}>甲描述</td><td{span}>≥5个</td></tr>
<tr><td>质量指标</td><td>乙</td><td{span}>乙描述</td><td{span}>100%</td></tr>
</table>"""


def _small_page(tmp_path: Path, before: str, span: str) -> Path:
    page = tmp_path / "small.html"
    page.write_text(
        f'<html><head><meta charset="utf-8"></head><body>\n{before}'
        f"<h1>示例单位项目支出绩效目标表</h1>\n<p>单位：万元</p>\n{_SMALL_TABLE.format(span=span)}\n</body></html>",
        "utf-8",
    )
    return page


def test_small_page_reads(tmp_path: Path) -> None:
    doc = perfkg.read(_small_page(tmp_path, "", ""))
    assert doc.title == "示例单位项目支出绩效目标表"
    assert [(i.level1, i.name, i.target.text, i.extra) for i in doc.projects[0].indicators] == [
        ("output", "甲", "≥5个", {}), ("output", "乙", "100%", {}),
    ]


def test_colspan_in_the_indicator_table_adds_no_extra_columns(tmp_path: Path) -> None:
    # Word's HTML often spans 绩效指标描述 and 指标值 over two grid columns each.
    doc = perfkg.read(_small_page(tmp_path, "", ' colspan="2"'))
    assert [i.description for i in doc.projects[0].indicators] == ["甲描述", "乙描述"]
    assert [i.extra for i in doc.projects[0].indicators] == [{}, {}]


def test_block_on_the_line_above_the_title_is_not_part_of_it(tmp_path: Path) -> None:
    # Only a fragment (`支出绩效目标表`) continues the line above it, as in the Word export.
    doc = perfkg.read(_small_page(tmp_path, '<div class="info">发布时间：2025-02-14</div>\n', ""))
    assert doc.title == "示例单位项目支出绩效目标表"


def test_money_unit_paragraph_above_the_table_is_read(tmp_path: Path) -> None:
    # `<p>单位：万元</p>` above the table, as pages (and Word) often write it.
    doc = perfkg.read(_small_page(tmp_path, "", ""))
    assert doc.notes == []
