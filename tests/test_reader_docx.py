"""The .docx reader on a real Word file of the sample (built by tests/data/sample/make_docx_pdf.py)."""

from __future__ import annotations

import io
import zipfile

import pytest

import perfkg
from perfkg.errors import UnsupportedFile
from perfkg.grid import Row
from perfkg.readers import docx as docx_reader
from perfkg.serialize import document_to_dict, strip_sources

from .conftest import DATA, SAMPLE, run_perfkg

DOCX = DATA / "sample" / "tianjin-353302-2025.docx"
ONE_TABLE = DATA / "variants" / "one-word-table-header-cells-span-columns.docx"


@pytest.fixture(scope="module")
def doc() -> perfkg.Document:
    return perfkg.read(DOCX)


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    (stream,) = docx_reader.streams(DOCX.read_bytes(), DOCX.name)
    return [item for item in stream.items if isinstance(item, Row)]


def test_reads_the_same_document_as_the_text_export(doc, sample_doc) -> None:
    # Every project, budget line, indicator, target and note agrees; only locations differ.
    assert doc.source.format == "docx"
    assert strip_sources(document_to_dict(doc)) == strip_sources(document_to_dict(sample_doc))


def test_the_quirks_survive(doc) -> None:
    assert doc.title == "天津市社会保险基金管理中心项目支出绩效目标表"  # two paragraphs in Word
    assert [len(p.indicators) for p in doc.projects] == [11, 9, 7, 6, 6, 6, 6, 20]
    assert doc.projects[3].heading is None  # table 4 has no heading
    assert doc.projects[3].name == "2025年机关事业单位养老保险补助经费-市级"
    assert doc.projects[0].funding[1].label == "其中：财政资金"
    assert doc.projects[1].indicators[6].targets[0].text == "2025年1月1日至2025年12月31日日"


def test_locations_name_the_word_table_row_and_cell(doc) -> None:
    first = doc.projects[0].indicators[0]  # Word table 2 is project 1's indicator table
    assert (first.location.table, first.location.row, first.location.cell) == (1, 7, "T2R2C1")
    last = doc.projects[7].indicators[-1]  # 20 indicators under a header: row 21 of table 16
    assert (last.location.table, last.location.cell) == (8, "T16R21C1")
    assert doc.projects[0].total.location.cell == "T1R3C3"  # 预算数 | 1324.00
    assert first.location.line is None and first.location.page is None  # Word has neither


def test_merged_cells_fill_every_grid_position(rows) -> None:
    unit_line = rows[0]
    assert [c.merged for c in unit_line.cells] == [False, True, True, True, True, False, True]
    assert unit_line.texts == ["353302天津市社会保险基金管理中心", "单位：万元"]
    use_of_funds = rows[3]  # under 预算规模及资金用途, merged down (w:vMerge) from the row above
    assert use_of_funds.cells[0].text == "预算规模及资金用途" and use_of_funds.cells[0].merged
    assert [c.ref for c in use_of_funds.cells[:2]] == ["T1R4C1", "T1R4C2"]


def test_a_vertically_merged_level1_gives_every_indicator_its_level1(doc, rows) -> None:
    # Project 1: 产出指标 is one cell merged over nine rows of Word table 2.
    level1 = [r.cells[0] for r in rows if r.table == 2][1:10]
    assert [c.text for c in level1] == ["产出指标"] * 9
    assert [c.merged for c in level1] == [False] + [True] * 8
    assert [i.level1_label for i in doc.projects[0].indicators] == ["产出指标"] * 9 + ["效益指标", "满意度指标"]
    assert all(i.level1 for p in doc.projects for i in p.indicators)


def test_one_word_table_with_spanning_header_cells() -> None:
    (project,) = perfkg.read(ONE_TABLE).projects
    sample = perfkg.read(SAMPLE).projects[0]
    got = [(i.level1_label, i.level2_label, i.name, i.description, i.targets[0].text) for i in project.indicators]
    want = [(i.level1_label, i.level2_label, i.name, i.description, i.targets[0].text) for i in sample.indicators]
    assert got == want
    assert project.indicators[0].location.cell == "T1R7C1"


def test_spanning_header_cells_add_no_extra_columns() -> None:
    (project,) = perfkg.read(ONE_TABLE).projects
    assert [i.extra for i in project.indicators] == [{}] * 11


def _damaged_xml(data: bytes) -> bytes:
    """The same package with word/document.xml cut in half: a valid zip, broken XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info, body[: len(body) // 2] if info.filename == "word/document.xml" else body)
    return out.getvalue()


def test_damaged_xml_is_an_unsupported_file() -> None:
    with pytest.raises(UnsupportedFile, match="a damaged .docx"):
        perfkg.read_bytes(_damaged_xml(DOCX.read_bytes()), "broken.docx")


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda data: data[: len(data) * 2 // 3], "a damaged zip archive"),
        (_damaged_xml, "a damaged .docx that cannot be opened"),
    ],
    ids=["truncated", "broken-xml"],
)
def test_damaged_docx_through_the_cli(tmp_path, damage, message) -> None:
    broken = tmp_path / "broken.docx"
    broken.write_bytes(damage(DOCX.read_bytes()))
    run = run_perfkg("parse", broken)
    assert run.code == 2
    assert run.stdout == ""
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith(f"Error: {broken}: ") and message in line
    assert "Traceback" not in run.stderr
