"""The PDF reader on the sample as LibreOffice prints it (built by tests/data/sample/make_docx_pdf.py).

In that PDF project 8's indicator table runs from page 10 to page 11, its header repeats on
page 11, and the page break cuts the row 效益指标 | 维护参保人员个人权益: the end of its target,
权益，提升群众满意度, stands on page 11 in a row whose other cells are empty.
"""

from __future__ import annotations

import pytest

import perfkg
from perfkg.errors import UnsupportedFile
from perfkg.grid import Para, Row
from perfkg.readers import pdf as pdf_reader
from perfkg.serialize import document_to_dict, strip_sources

from .conftest import DATA, run_perfkg

PDF = DATA / "sample" / "tianjin-353302-2025.pdf"
SCANNED = DATA / "variants" / "scanned-no-text-layer.pdf"
ENCRYPTED = DATA / "variants" / "encrypted-needs-password.pdf"


@pytest.fixture(scope="module")
def doc() -> perfkg.Document:
    return perfkg.read(PDF)


@pytest.fixture(scope="module")
def items() -> list[Para | Row]:
    (stream,) = pdf_reader.streams(PDF.read_bytes(), PDF.name)
    return stream.items


def test_reads_the_same_document_as_the_text_export(doc, sample_doc) -> None:
    # Wrapped cell text joined, merged cells empty, page furniture gone: only locations differ.
    assert doc.source.format == "pdf"
    assert strip_sources(document_to_dict(doc)) == strip_sources(document_to_dict(sample_doc))


def test_indicators_carry_their_page(doc) -> None:
    first = doc.projects[0].indicators[0]
    assert (first.location.page, first.location.table, first.location.row) == (3, 1, 7)
    assert first.location.cell == "T2R2C1"  # the page's second table (the first is the form)
    assert first.location.line is not None
    assert all(i.location.page for p in doc.projects for i in p.indicators)


def test_table_8_spans_two_pages_and_keeps_its_20_indicators(doc) -> None:
    indicators = doc.projects[7].indicators
    assert len(indicators) == 20
    assert [i.location.page for i in indicators] == [10] * 17 + [11] * 3
    cut = indicators[16]  # the row the page break cut, joined back into one
    assert cut.name == "维护参保人员个人权益"
    assert cut.targets[0].text == "通过项目实施，维护参保人员个人权益，提升群众满意度"
    assert cut.location.cell == "T2R18C1"
    assert indicators[17].location.cell == "R3C1"  # page 11: R1 is the repeated header, R2 the cut row's end


def test_the_stream_across_the_page_break(items) -> None:
    rows = [i for i in items if isinstance(i, Row) and i.table == 16]  # project 8's indicator table
    assert [r.page for r in rows].count(11) == 4  # repeated header + three rows; no fragment row
    assert [r.texts for r in rows if r.page == 11][0] == ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"]
    assert not any(r.texts[:4] == ["", "", "", ""] for r in rows)


def test_headings_and_furniture(items) -> None:
    paragraphs = [(p.page, p.text) for p in items if isinstance(p, Para)]
    assert paragraphs[:3] == [(1, "天津市社会保险基金管理中心项目"), (1, "支出绩效目标表"), (1, "（2025年）")]
    assert (10, "8.社保业务经办经费绩效目标表") in paragraphs
    assert not any(text.startswith("-") for _, text in paragraphs)  # footers `- 10 -` are dropped
    title_lines = [p.line for p in items[:2]]
    assert title_lines == [1, 2]  # adjacent lines: the interpreter joins the title


def test_a_scanned_pdf_is_refused_with_a_reason() -> None:
    with pytest.raises(UnsupportedFile, match="a scanned PDF with no text layer; perfkg reads text-based PDFs"):
        perfkg.read(SCANNED)


def test_an_encrypted_pdf_asks_for_an_unprotected_copy() -> None:
    with pytest.raises(UnsupportedFile, match="an encrypted PDF that needs a password"):
        perfkg.read(ENCRYPTED)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda tmp: _write(tmp / "cut.pdf", PDF.read_bytes()[:40_000]), "a damaged PDF"),
        (lambda tmp: _write(tmp / "garbled.pdf", b"%PDF-1.6\n" + bytes(range(256)) * 64), "a damaged PDF"),
        (lambda tmp: SCANNED, "a scanned PDF with no text layer"),
        (lambda tmp: ENCRYPTED, "an encrypted PDF that needs a password"),
    ],
    ids=["truncated", "garbled", "scanned", "encrypted"],
)
def test_unreadable_pdfs_through_the_cli(tmp_path, make, message) -> None:
    path = make(tmp_path)
    run = run_perfkg("parse", path)
    assert run.code == 2
    assert run.stdout == ""
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith(f"Error: {path}: ") and message in line
    assert "Traceback" not in run.stderr


def _write(path, data: bytes):
    path.write_bytes(data)
    return path
