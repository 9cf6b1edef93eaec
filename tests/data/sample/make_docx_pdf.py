"""Build the Word and PDF fixtures of the sample from its text export.

Re-run from the repository root (needs LibreOffice and poppler-utils; CI does not run this, it
reads the committed outputs)::

    .venv/bin/python tests/data/sample/make_docx_pdf.py

It writes, next to this script:

- ``tianjin-353302-2025.docx``: the sample (``data/tianjin-353302-2025-project-performance-
  targets.txt``) as a real Word document, laid out like the original: the two-line title, the
  year line, the 目录 with its eight entries and the two stray page numbers (4, 7), then per
  project its heading (none for table 4, as in the sample), a form table (unit line, 项目名称,
  the 预算规模及资金用途 block with its label merged over two rows and the use of the funds in a
  cell spanning six columns, 绩效目标) and an indicator table whose header repeats on every page
  and whose 一级指标 cells are vertically merged over their block (a blank 一级指标 in the text
  export is a merged cell). Every string is the sample's own, spaces and typos included.
- ``tianjin-353302-2025.pdf``: that document converted by ``soffice --headless --convert-to
  pdf``. Project 8's indicator table breaks across a page, its header repeats on the next
  page, and the row 效益指标 | 维护参保人员个人权益 is split by the break: its target's last words
  (权益，提升群众满意度) stand under the repeated header, in a row whose other cells are empty.
- ``../variants/scanned-no-text-layer.pdf``: page 1 of that PDF as a picture only (a pdftoppm
  JPEG in a PDF written here), the kind of scan perfkg refuses with a clear message.
- ``../variants/encrypted-needs-password.pdf``: a one-line PDF encrypted with an open password
  ("perfkg").
- ``../variants/one-word-table-header-cells-span-columns.docx``: project 1 as a single Word table
  ruled in seven columns, so that the indicator header's 三级指标 and 绩效指标描述 cells (and each
  indicator row's) span two grid columns, as in many units' forms.

The strings come from the text reader's stream of the sample (it keeps them as written:
``其中：财政    资金``, ``…12月31日日``, blank merged 一级指标 cells); ``perfkg.read()`` checks
that the stream holds the eight projects, and finally that the .docx and the PDF read back to
the same document as the text. The .docx is byte-for-byte deterministic (fixed zip dates, fixed core
properties), and so is the PDF for a given LibreOffice (7.4 made the committed one): its
creation date, ids and checksum are overwritten with fixed values. Only the encrypted variant
changes on every run (its encryption is salted at random); what it shows does not.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

import perfkg
from perfkg.grid import Para, Row
from perfkg.readers import text as text_reader
from perfkg.serialize import document_to_dict, strip_sources

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SAMPLE = ROOT / "data" / "tianjin-353302-2025-project-performance-targets.txt"
DOCX = HERE / "tianjin-353302-2025.docx"
PDF = HERE / "tianjin-353302-2025.pdf"
VARIANTS = HERE.parent / "variants"
SCANNED = VARIANTS / "scanned-no-text-layer.pdf"
ENCRYPTED = VARIANTS / "encrypted-needs-password.pdf"
ONE_TABLE = VARIANTS / "one-word-table-header-cells-span-columns.docx"

FONT = "Noto Serif CJK SC"  # fonts-noto-cjk: LibreOffice embeds it, so the PDF has a text layer
FORM_WIDTHS = [2.6, 1.8, 2.2, 2.6, 2.2, 2.0, 2.0]  # cm: label | 预算数 | v | 其中：财政资金 | v | 其他资金 | v
INDICATOR_WIDTHS = [2.2, 2.6, 3.6, 4.4, 2.6]  # cm: 一级 | 二级 | 三级 | 描述 | 指标值
# Space (pt) before heading 8. With LibreOffice 7.4 none is needed: the page break already falls
# inside one of project 8's indicator rows. If another version moves the break between two
# rows, split_row_check() fails; raise this until it passes.
HEADING_8_SPACE_PT = 0
FIXED_TIME = dt.datetime(2025, 1, 1, 0, 0, 0)


# --- the sample, as perfkg reads it --------------------------------------------------------


def sample_blocks() -> list[tuple[str, object]]:
    """The sample as blocks: ("para", text) and ("table", [rows of cell texts])."""
    items = text_reader.streams(SAMPLE.read_bytes(), str(SAMPLE))[0].items
    blocks: list[tuple[str, object]] = []
    table: list[list[str]] | None = None
    for item in items:
        if isinstance(item, Para):
            table = None
            blocks.append(("para", item.text))
            continue
        assert isinstance(item, Row)
        cells = [c.text for c in item.cells]
        # A table starts at a unit line (the form) and at the indicator header.
        if table is None or cells[0].startswith("353302") or cells[0] == "一级指标":
            table = []
            blocks.append(("table", table))
        table.append(cells)
    return blocks


# --- Word helpers ----------------------------------------------------------------------------


def set_fonts(document) -> None:
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.space_before = Pt(0)


def paragraph(document, text: str, *, size: float = 10.5, bold: bool = False, center: bool = False,
              space_before: float = 0, page_break_before: bool = False):
    p = document.add_paragraph()
    if text:
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    p.paragraph_format.space_before = Pt(space_before)
    p.paragraph_format.page_break_before = page_break_before
    return p


def set_cell(cell, text: str, *, center: bool = False) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    p.add_run(text)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def new_table(document, rows: int, widths: list[float]):
    table = document.add_table(rows=rows, cols=len(widths))
    table.style = "Table Grid"
    table.autofit = False
    for col, w in zip(table.columns, widths):
        col.width = Cm(w)
        for cell in col.cells:
            cell.width = Cm(w)
    return table


def repeat_header(row) -> None:
    """Mark a row as a header row, repeated at the top of every page (Word's w:tblHeader)."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    tr_pr.append(el)


# --- the two tables of a project -------------------------------------------------------------


def form_table(document, rows: list[list[str]]) -> None:
    table = new_table(document, len(rows), FORM_WIDTHS)
    fill_form(table, rows)


def fill_form(table, rows: list[list[str]]) -> None:
    """Unit line, 项目名称, the funding block (two rows, label merged), 绩效目标, in a table
    ruled in seven columns."""
    funding_label = None
    for r, cells in enumerate(rows):
        word_row = table.rows[r].cells
        if len(cells) == 7:  # 预算规模及资金用途 | 预算数 | v | 其中：财政资金 | v | 其他资金 | v
            for c, text in enumerate(cells):
                set_cell(word_row[c], text, center=True)
            funding_label = word_row[0]
            continue
        assert len(cells) == 2, cells
        first, second = cells
        if first.startswith("353302"):  # unit line: name over five columns, money unit over two
            left = word_row[0].merge(word_row[4])
            right = word_row[5].merge(word_row[6])
            set_cell(left, first)
            set_cell(right, second, center=True)
        elif not first:  # the use of the funds, under the merged 预算规模及资金用途 label
            assert funding_label is not None
            funding_label.merge(word_row[0])  # a real vertical merge (w:vMerge)
            set_cell(funding_label, rows[r - 1][0], center=True)
            set_cell(word_row[1].merge(word_row[6]), second)
        else:  # 项目名称 | name, 绩效目标 | goals
            set_cell(word_row[0], first, center=True)
            set_cell(word_row[1].merge(word_row[6]), second)


def indicator_table(document, rows: list[list[str]]) -> None:
    table = new_table(document, len(rows), INDICATOR_WIDTHS)
    repeat_header(table.rows[0])
    fill_indicators(table, rows)


def fill_indicators(table, rows: list[list[str]], *, first_row: int = 0,
                    spans: tuple[int, ...] = (1, 1, 1, 1, 1)) -> None:
    """Header, then one row per indicator, each of the five columns over ``spans`` grid columns;
    a blank 一级指标 continues the merge above, as Word writes a vertically merged cell."""
    starts = [sum(spans[:i]) for i in range(len(spans))]
    block_start = None
    for r, cells in enumerate(rows, start=first_row):
        assert len(cells) == 5, cells
        grid = table.rows[r].cells
        word_row = [grid[s].merge(grid[s + n - 1]) if n > 1 else grid[s] for s, n in zip(starts, spans)]
        for c, text in enumerate(cells[1:], start=1):
            set_cell(word_row[c], text, center=(r == first_row or c == 4))
        if r == first_row or cells[0]:
            set_cell(word_row[0], cells[0], center=True)
            block_start = r
        else:
            assert block_start is not None and block_start > first_row
            merged = table.cell(block_start, 0).merge(word_row[0])
            set_cell(merged, table.cell(block_start, 0).text or rows[block_start - first_row][0], center=True)


def one_table_variant() -> None:
    """Project 1 as one Word table ruled in seven columns, as many units lay the form out: the
    indicator header's 三级指标 and 绩效指标描述 cells (and every row's) span two columns each."""
    tables = [rows for kind, rows in sample_blocks() if kind == "table"]
    form, indicators = tables[0], tables[1]
    document = Document()
    set_fonts(document)
    paragraph(document, "1.社保经办大厅运转经费绩效目标表", size=12, bold=True)
    table = new_table(document, len(form) + len(indicators), FORM_WIDTHS)
    fill_form(table, form)
    fill_indicators(table, indicators, first_row=len(form), spans=(1, 1, 2, 2, 1))
    document.core_properties.created = document.core_properties.modified = FIXED_TIME
    out = io.BytesIO()
    document.save(out)
    ONE_TABLE.write_bytes(fixed_zip(out.getvalue()))


# --- the document ----------------------------------------------------------------------------


def build_docx() -> bytes:
    blocks = sample_blocks()
    doc = perfkg.read(SAMPLE)
    assert len(doc.projects) == 8 and sum(len(p.indicators) for p in doc.projects) == 71

    document = Document()
    set_fonts(document)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.5)
    page_number_footer(section)

    headings = 0
    in_contents = False
    previous = None
    for kind, value in blocks:
        if kind == "para":
            text = str(value)
            if text.startswith(("天津市社会保险基金管理中心项目", "支出绩效目标表")):
                paragraph(document, text, size=18, bold=True, center=True)
            elif text.startswith("（"):
                paragraph(document, text, size=14, center=True)
                for _ in range(3):  # the empty lines between the title and the 目录
                    paragraph(document, "")
            elif text.replace(" ", "") == "目录":
                paragraph(document, text, size=16, bold=True, center=True, page_break_before=True)
                in_contents = True
            elif text.isdigit():  # the stray page numbers after the 目录 (sample quirk)
                paragraph(document, text)
                in_contents = False
            elif in_contents:  # an entry of the 目录
                paragraph(document, text, size=12)
            else:  # a table's heading
                headings += 1
                space = HEADING_8_SPACE_PT if text.startswith("8.") else 0
                paragraph(document, text, size=12, bold=True, page_break_before=True, space_before=space)
            previous = kind
            continue
        rows = value  # type: ignore[assignment]
        if rows[0][0] == "一级指标":
            indicator_table(document, rows)
            paragraph(document, "")
        else:
            if previous == "table":
                # Table 4 has no heading: only a blank paragraph (Word needs one between two
                # tables) separates it from table 3, as in the sample's " \t353302…" line.
                paragraph(document, " ", page_break_before=True)
            form_table(document, rows)
            paragraph(document, "")  # Word would merge two adjacent tables into one
        previous = kind
    assert headings == 7, headings  # eight tables, seven headings: table 4 has none

    core = document.core_properties
    core.author = core.last_modified_by = "perfkg tests"
    core.title = "天津市社会保险基金管理中心项目支出绩效目标表"
    core.created = core.modified = FIXED_TIME
    core.revision = 1
    out = io.BytesIO()
    document.save(out)
    return fixed_zip(out.getvalue())


def page_number_footer(section) -> None:
    """A centred `- N -` page number in the footer (a PAGE field), as government documents do."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("- ")
    run = p.add_run()
    for tag, attr in (("w:fldChar", "begin"), ("w:instrText", None), ("w:fldChar", "separate")):
        el = OxmlElement(tag)
        if attr:
            el.set(qn("w:fldCharType"), attr)
        else:
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        run._r.append(el)
    run = p.add_run("1")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    p.add_run()._r.append(end)
    p.add_run(" -")


def fixed_zip(data: bytes) -> bytes:
    """The same archive with fixed member dates, so that a re-run writes identical bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------


def soffice_pdf(source: Path, target: Path, filter_options: str = "", *, stable: bool = True) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
             "--convert-to", "pdf" + filter_options, "--outdir", tmp, str(source)],
            check=True, capture_output=True, timeout=300,
        )
        produced = Path(tmp) / (source.stem + ".pdf")
        data = produced.read_bytes()
        target.write_bytes(stable_pdf(data) if stable else data)


def stable_pdf(data: bytes) -> bytes:
    """The PDF with its creation date, ids and checksum fixed, each in place and of the same
    length (so the cross-reference offsets stay right): a re-run writes the same bytes."""
    def same_length(pattern: bytes, fixed: bytes) -> None:
        nonlocal data
        data = re.sub(pattern, lambda m: m.group(1) + fixed[: len(m.group(2))].ljust(len(m.group(2)), b"0"), data)

    same_length(rb"(/CreationDate\(D:)(\d{14})", b"20250101000000")
    same_length(rb"(/ID \[ ?<)([0-9A-F]+)", b"0" * 64)
    same_length(rb"(> ?\n?<)([0-9A-F]{32})(?=> ?\])", b"0" * 64)
    same_length(rb"(/DocChecksum /)([0-9A-F]+)", b"0" * 64)
    return data


def check_text_layer(pdf: Path) -> str:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    for must in ("天津市社会保险基金管理中心", "其中：财政", "12月31日日", "社保业务经办经费绩效目标表"):
        assert must in text.replace(" ", "") or must in text, f"{must!r} missing from the PDF text layer"
    return text


def split_row_check(pdf: Path) -> None:
    """Project 8's indicator table must run over a page break that cuts one of its rows."""
    import pdfplumber

    with pdfplumber.open(pdf) as p:
        texts = [(pg.extract_text() or "").replace(" ", "") for pg in p.pages]
        start = next(i for i, t in enumerate(texts) if "8.社保业务经办经费绩效目标表" in t and "353302" in t)
        rows = p.pages[start + 1].find_tables()[0].extract()
    assert rows[0][:3] == ["一级指标", "二级指标", "三级指标"], "no repeated header on the next page"
    fragment = rows[1]
    assert not any(fragment[:4]) and fragment[4], f"no row split by the page break: {fragment}"
    print(f"table 8 breaks from page {start + 1} to {start + 2}; the split row continues with {fragment}")


def scanned_variant() -> None:
    """Page 1 as a greyscale JPEG in a one-page PDF written by hand: pictures, no text."""
    with tempfile.TemporaryDirectory() as tmp:
        stem = Path(tmp) / "page"
        subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "40", "-gray", "-jpeg", "-singlefile",
                        str(PDF), str(stem)], check=True)
        jpeg = stem.with_suffix(".jpg").read_bytes()
    SCANNED.write_bytes(image_pdf(jpeg))
    out = subprocess.run(["pdftotext", str(SCANNED), "-"], capture_output=True, text=True, check=True).stdout
    assert not out.strip(), "the scanned variant must have no text layer"


def image_pdf(jpeg: bytes) -> bytes:
    """A minimal A4 PDF showing one greyscale JPEG over the whole page."""
    i = 2
    while jpeg[i] == 0xFF and jpeg[i + 1] not in (0xC0, 0xC1, 0xC2):  # walk to the SOF marker
        i += 2 + int.from_bytes(jpeg[i + 2:i + 4], "big")
    height, width = int.from_bytes(jpeg[i + 5:i + 7], "big"), int.from_bytes(jpeg[i + 7:i + 9], "big")
    content = b"q 595.3 0 0 841.9 0 0 cm /Im1 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.3 841.9] "
        b"/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n" % (width, height, len(jpeg))
        + jpeg + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def encrypted_variant() -> None:
    """A one-paragraph document exported with an open password: only the lock matters."""
    options = (':writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
               '"DocumentOpenPassword":{"type":"string","value":"perfkg"}}')
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / ENCRYPTED.with_suffix(".docx").name
        document = Document()
        set_fonts(document)
        paragraph(document, "1.社保经办大厅运转经费绩效目标表")
        document.save(small)
        # Encryption salts are random and the file id is part of the key: left as produced.
        soffice_pdf(small, ENCRYPTED, options, stable=False)
    probe = subprocess.run(["pdftotext", str(ENCRYPTED), "-"], capture_output=True, text=True)
    assert probe.returncode != 0, "the encrypted variant opens without a password"


def reads_like_the_sample(path: Path) -> None:
    expected = strip_sources(document_to_dict(perfkg.read(SAMPLE)))
    got = strip_sources(document_to_dict(perfkg.read(path)))
    if got != expected:
        print(json.dumps(got, ensure_ascii=False, indent=1)[:3000], file=sys.stderr)
        raise SystemExit(f"{path.name} does not read back to the sample's document")


def main() -> None:
    DOCX.write_bytes(build_docx())
    reads_like_the_sample(DOCX)
    soffice_pdf(DOCX, PDF)
    check_text_layer(PDF)
    split_row_check(PDF)
    reads_like_the_sample(PDF)
    scanned_variant()
    encrypted_variant()
    one_table_variant()
    print(f"wrote {DOCX.name}, {PDF.name}, {SCANNED.name}, {ENCRYPTED.name}, {ONE_TABLE.name}")


if __name__ == "__main__":
    main()
