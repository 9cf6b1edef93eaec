"""The Excel reader on the sample's tables as a workbook (tests/data/sample/make_xlsx_html.py).

The workbook holds the eight tables of the Word sample — a cover sheet, tables 1–4 stacked on
one sheet, 5–8 one per sheet, a hidden sheet of drop-down lists — with the Word merges as real
merged cells and the budgets as numbers in format ``0.00``. Read, it must say exactly what the
text export says; only the places things were read from differ.
"""

from __future__ import annotations

import time
import zipfile
from datetime import date, datetime, time as clock
from decimal import Decimal
from pathlib import Path

import pytest

import perfkg
from perfkg.readers import xlsx
from perfkg.serialize import document_to_dict, strip_sources

from .conftest import DATA, run_perfkg

WORKBOOK = DATA / "sample" / "tianjin-353302-2025.xlsx"
WIDE = DATA / "sample" / "tianjin-353302-2025-wide.xlsx"


def comparable(doc: perfkg.Document) -> dict:
    """The reading without where it came from: what every format of one table must agree on."""
    return strip_sources(document_to_dict(doc))  # also drops the document's own source (path, sha256)


@pytest.fixture(scope="module")
def book() -> perfkg.Document:
    return perfkg.read(WORKBOOK)


@pytest.fixture(scope="module")
def book_streams():
    return xlsx.streams(WORKBOOK.read_bytes(), str(WORKBOOK))


def cell(streams, sheet: str, ref: str):
    stream = next(s for s in streams if s.sheet == sheet)
    return next(c for row in stream.items if hasattr(row, "cells") for c in row.cells if c.ref == ref)


# --- (1) the same reading as the Word text export ------------------------------------------


def test_workbook_reads_exactly_like_the_text_sample(book, sample_doc) -> None:
    assert book.source.format == "xlsx"
    assert comparable(book) == comparable(sample_doc)


def test_workbook_reading_in_domain_terms(book) -> None:
    assert book.title == "天津市社会保险基金管理中心项目支出绩效目标表"
    assert book.year == 2025
    assert len(book.contents) == 8 and book.contents[3] == "2025年机关事业单位养老保险补助经费-市级"
    assert [len(p.indicators) for p in book.projects] == [11, 9, 7, 6, 6, 6, 6, 20]
    assert sum(p.total.value for p in book.projects) == Decimal("2741137.50")
    assert book.notes == []


# --- (2) locations: sheet and cell ----------------------------------------------------------


def test_one_stream_per_visible_sheet_in_order(book_streams) -> None:
    assert [s.sheet for s in book_streams] == ["封面", "表1-4", "表5", "表6", "表7", "表8"]
    assert all(row.sheet == s.sheet for s in book_streams for row in s.items)


def test_hidden_drop_down_sheet_is_not_read() -> None:
    import openpyxl

    wb = openpyxl.load_workbook(WORKBOOK)
    assert wb["下拉选项"].sheet_state == "hidden"  # the fixture really has one
    assert wb["下拉选项"]["A1"].value == "一级指标"


def test_locations_name_sheet_and_cell(book) -> None:
    p1, p4, p5, p8 = book.projects[0], book.projects[3], book.projects[4], book.projects[7]
    first = p1.indicators[0]
    assert (first.location.sheet, first.location.cell, first.location.table) == ("表1-4", "A8", 1)
    assert "sheet '表1-4'" in first.location.describe() and "cell A8" in first.location.describe()
    assert [(f.kind, f.amount.location.cell) for f in p1.funding] == [("total", "C4"), ("fiscal", "E4"), ("other", "F4")]
    # tables 1–4 share a sheet; 5–8 each have their own, starting again at row 1
    assert p4.location.sheet == "表1-4" and p4.indicators[0].location.cell == "A58"
    assert (p5.location.sheet, p5.funding[0].amount.location.cell) == ("表5", "C4")
    assert (p8.location.sheet, p8.indicators[-1].location.cell) == ("表8", "A27")


def test_table_4_has_no_heading_and_follows_table_3_directly(book, book_streams) -> None:
    p3, p4 = book.projects[2], book.projects[3]
    assert p4.heading is None and p4.name == "2025年机关事业单位养老保险补助经费-市级"
    assert p3.indicators[-1].location.cell == "A51"
    assert p3.indicators[-1].target.text == "≥90%"
    assert cell(book_streams, "表1-4", "A52").text == "353302天津市社会保险基金管理中心"


def test_table_start_names_its_first_cell(book) -> None:
    # table 4 has no heading: its unit line's cell is the only way to find where it begins
    assert book.projects[3].location.cell == "A52"


# --- (3) merged cells and numbers as Excel shows them -------------------------------------------


def test_merged_level1_cell_covers_its_block(book, book_streams) -> None:
    a8, a9, a18 = (cell(book_streams, "表1-4", ref) for ref in ("A8", "A9", "A18"))
    assert (a8.text, a8.merged) == ("产出指标", False)
    assert (a9.text, a9.merged) == ("产出指标", True)  # covered: a copy of the merge's text
    assert (a18.text, a18.merged) == ("满意度指标", False)
    levels = [i.level1_label for i in book.projects[0].indicators]
    assert levels == ["产出指标"] * 9 + ["效益指标", "满意度指标"]
    assert all(i.level1 for p in book.projects for i in p.indicators)


def test_horizontal_merges_are_said_once(book_streams) -> None:
    use = [cell(book_streams, "表1-4", f"{col}5") for col in "BCDEFG"]
    assert not use[0].merged and all(c.merged for c in use[1:])
    assert {c.text for c in use} == {"为社保大厅及分中心提供物业服务，保障办事大厅正常运转"}
    assert cell(book_streams, "表1-4", "A5").merged  # 预算规模及资金用途 spans two rows


def test_budgets_render_with_their_number_format(book, book_streams) -> None:
    import openpyxl

    stored = openpyxl.load_workbook(WORKBOOK)["表8"]["C4"]
    assert (stored.value, stored.number_format) == (561.5, "0.00")  # what the file holds
    assert cell(book_streams, "表8", "C4").text == "561.50"  # what Excel shows
    assert [p.total.text for p in book.projects] == [
        "1324.00", "350.00", "4278.00", "341650.00", "343796.00", "44000.00", "2005178.00", "561.50",
    ]
    cost = book.projects[0].indicators[1].target
    assert (cost.text, cost.value) == ("≤672.1万元", Decimal("6721000"))


def test_formula_gives_its_cached_value_never_runs() -> None:
    import openpyxl

    assert openpyxl.load_workbook(WORKBOOK)["表5"]["C4"].value == "=E4+G4"
    doc = perfkg.read(WORKBOOK)
    assert doc.projects[4].total.text == "343796.00"


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (1324, "0.00", "1324.00"),
        (561.5, "0.00", "561.50"),
        (0.98, "0%", "98%"),
        (0.955, "0.0%", "95.5%"),
        (1324, "#,##0.00", "1,324.00"),
        (2005178, "#,##0", "2,005,178"),
        (672.1, "General", "672.1"),
        (34.77, "General", "34.77"),
        (0.1 + 0.2, "General", "0.3"),  # 15 significant digits, as Excel
        (2.675, "0.00", "2.68"),  # rounded half up from the decimal, not the binary double
        (1324, '0.00"万元"', "1324.00万元"),
        (12345678, "0.00E+00", "1.23E+07"),
        (-1234.5, "#,##0.00_);(#,##0.00)", "(1,234.50)"),
        (0, '_(* #,##0.00_);_(* \\(#,##0.00\\);_(* "-"??_);_(@_)', "-  "),
        (1234567, "#,##0,", "1,235"),
        (1324, "[$¥-804]#,##0.00", "¥1,324.00"),
        (True, "General", "TRUE"),
    ],
)
def test_number_formats(value, fmt, shown) -> None:
    class Cell:  # the two attributes cell_text reads from an openpyxl cell
        def __init__(self, value, number_format):
            self.value, self.number_format = value, number_format

    assert xlsx.cell_text(Cell(value, fmt)) == shown


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (datetime(2025, 11, 30), "mm-dd-yy", "2025-11-30"),  # format 14: the locale's date, as ISO
        (datetime(2025, 11, 30), 'yyyy"年"m"月"d"日"', "2025年11月30日"),
        (datetime(2025, 11, 30), "yyyy/m/d", "2025/11/30"),
        (datetime(2025, 1, 5, 9, 5), "yyyy-mm-dd hh:mm", "2025-01-05 09:05"),
        (date(2025, 12, 31), "General", "2025-12-31"),
        (clock(16, 30), "h:mm AM/PM", "4:30 PM"),
    ],
)
def test_date_formats(value, fmt, shown) -> None:
    assert xlsx.format_date(value, fmt) == shown


# --- stacked tables, empty rows, sheets that claim a million rows -----------------------------


def test_runs_of_empty_rows_collapse_to_one(book_streams) -> None:
    rows = next(s for s in book_streams if s.sheet == "表1-4").items
    blank = [i for i, r in enumerate(rows) if not any(c.text.strip() for c in r.cells)]
    # two empty rows after table 1 → one; one after table 2; none between tables 3 and 4
    assert [rows[i].cells[0].ref for i in blank] == ["A19", "A37"]
    assert all(len(r.cells) == 7 for r in rows)  # every row spans the sheet's columns A–G


def test_wide_sheet_claiming_a_million_rows_is_read_in_bounds() -> None:
    import openpyxl

    assert openpyxl.load_workbook(WIDE).active.max_row == 1_048_576
    started = time.perf_counter()
    (stream,) = xlsx.streams(WIDE.read_bytes(), str(WIDE))
    assert time.perf_counter() - started < 5
    assert len(stream.items) == 74  # title, 单位：万元, header, 71 indicator rows
    assert stream.items[-1].cells[-1].ref == "L74"


def test_wide_sheet_gives_the_same_projects_and_indicators(sample_doc) -> None:
    wide = perfkg.read(WIDE)
    assert wide.notes == []
    assert wide.title == sample_doc.title and wide.budget_unit == sample_doc.budget_unit
    keys = ("name", "level", "budget_unit", "money_unit", "use_of_funds", "goals", "indicators")
    got = strip_sources(document_to_dict(wide))["projects"]
    want = strip_sources(document_to_dict(sample_doc))["projects"]
    assert [{k: p[k] for k in keys} for p in got] == [{k: p[k] for k in keys} for p in want]
    assert [(p.total.text, p.fiscal.text) for p in wide.projects] == [
        (p.total.text, p.fiscal.text) for p in sample_doc.projects
    ]
    first = wide.projects[4].indicators[0]  # project 5: project cells only on its first row
    assert first.location.sheet == "绩效目标" and first.location.cell == "A37"


# --- (5) errors through the command line --------------------------------------------------------


def test_truncated_workbook_is_one_error_line(tmp_path: Path) -> None:
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(WORKBOOK.read_bytes()[:9000])
    run = run_perfkg("parse", cut)
    assert run.code == 2
    assert run.stderr.startswith(f"Error: {cut}: ") and "damaged" in run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert run.stdout == ""


def test_workbook_with_a_broken_part_is_one_error_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook><sheets><sheet")
    run = run_perfkg("parse", broken)
    assert run.code == 2
    assert run.stderr.startswith(f"Error: {broken}: ") and ".xlsx" in run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


def test_hostile_merge_is_refused_before_openpyxl_expands_it(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(WORKBOOK) as src, zipfile.ZipFile(hostile, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = part.replace(b'<mergeCell ref="A1:G1"/>', b'<mergeCell ref="A1:XFD1048576"/>')
                assert b"XFD1048576" in part
            dst.writestr(info, part)
    started = time.perf_counter()
    with pytest.raises(perfkg.UnsupportedFile, match="refusing to expand"):
        perfkg.read(hostile)
    assert time.perf_counter() - started < 5


def test_command_reads_the_workbook() -> None:
    run = run_perfkg("parse", WORKBOOK, "--format", "json")
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    assert '"format": "xlsx"' in run.stdout and '"cell": "A8"' in run.stdout


def test_rows_of_a_sheet_without_a_table_are_not_the_previous_tables(tmp_path: Path) -> None:
    # The drop-down sheet, unhidden: its rows are noted where they are, not as rows of table 8.
    shown = tmp_path / "lists-shown.xlsx"
    with zipfile.ZipFile(WORKBOOK) as src, zipfile.ZipFile(shown, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                part = part.replace(b'state="hidden"', b'state="visible"')
            dst.writestr(info, part)
    doc = perfkg.read(shown)
    assert len(doc.projects) == 8 and doc.notes  # the drop-down rows are not understood: fine
    assert all(n.location.sheet == "下拉选项" and n.location.table is None for n in doc.notes)
