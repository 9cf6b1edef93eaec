"""Text-based PDF files: ruled tables and the lines around them, page by page (pdfplumber).

pdfplumber finds each page's tables from their ruling lines; this module places every character
in its cell, rebuilds the cells' lines and the page's other lines itself, and emits both in
reading order (top to bottom), so headings come just before their tables. What it has to mend:

- **Wrapped text.** A cell or paragraph wrapped at its right edge reads on as one line (CJK
  text joins without a space); a line that stops short of the edge ends a paragraph (``\\n``).
- **Spaces.** PDFs draw words, not spaces: a gap wider than a space between two Latin
  characters is a space, while the narrow gap LibreOffice and Word put between Chinese and Latin
  text (``2025 年``) is not; wide gaps inside Chinese text (``目    录``) are.
- **Page breaks.** A table that goes on over a page break is one table: the header rows the
  next page repeats are passed on (the interpreter reads a header again), and a row cut by the
  break (its text's first part at the bottom of page N, the rest at the top of page N+1 with
  empty cells beside it) is joined back into one row.
- **Page furniture.** Page numbers and running headers or footers (in the top or bottom band of
  the page) are dropped.

Covered cells of a merge come out empty, as in a text export (PDF keeps no merge structure).
``Row.page`` is the page of the row's first line, ``line`` the line's number on its page, and a
cell's ``ref`` is ``R5C2`` (row 5, column 2 of the page's table; ``T2R5C2`` for the page's second
table).
"""

from __future__ import annotations

import re
import statistics
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from io import BytesIO

from perfkg.errors import UnsupportedFile
from perfkg.grid import Cell, Para, Row, Stream
from perfkg.model import Location

__all__ = ["streams"]

_PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:第\s*)?\d+\s*(?:页)?\s*(?:/\s*(?:共\s*)?\d+\s*页?)?[-–—\s]*$")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
# A line that starts like this begins a paragraph of its own (`6.…`, `（二）…`, `三、…`).
_NUMBERED = re.compile(r"^\s*(?:\d+\s*[.、．](?!\d)|[(（][\d一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)")
_FURNITURE_BAND = 0.08  # top and bottom share of the page where headers and footers live

BBox = tuple[float, float, float, float]


# --- what pdfplumber gives ---------------------------------------------------------------------


@dataclass(slots=True)
class _Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass(slots=True)
class _RawPage:
    number: int
    height: float
    chars: list[_Char]
    tables: list[tuple[BBox, list[list[BBox | None]]]]


def streams(data: bytes, name: str, *, encoding: str | None = None) -> list[Stream]:
    """The pages of a PDF as one stream; ``encoding`` is ignored (PDF fonts say their own)."""
    where = Location(name)
    pages = _load(data, where)
    if not any(c.text.strip() for p in pages for c in p.chars):
        raise UnsupportedFile(
            "a scanned PDF with no text layer; perfkg reads text-based PDFs "
            "(run OCR first, e.g. ocrmypdf)",
            where,
        )
    furniture = _furniture(pages)
    margins = _margins(pages)
    laid_out = [_lay_out(p, furniture, margins) for p in pages]
    return [Stream(_join_pages(laid_out))]


def _load(data: bytes, where: Location) -> list[_RawPage]:
    try:
        import pdfplumber  # heavy, imported only when a PDF is read

        pages = []
        with pdfplumber.open(BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                page = page.dedupe_chars()
                chars = [
                    _Char(c["text"], *(float(c[k]) for k in ("x0", "x1", "top", "bottom")),
                          float(c.get("size") or 10))
                    for c in page.chars
                ]
                tables = [
                    (tuple(t.bbox), [list(row.cells) for row in t.rows])
                    for t in page.find_tables()
                ]
                pages.append(_RawPage(number, float(page.height), chars, tables))  # type: ignore[arg-type]
        return pages
    except Exception as e:  # noqa: BLE001 — whatever breaks in the PDF parser, the file is at fault
        raise _unreadable(e, where) from None


def _unreadable(error: BaseException, where: Location) -> UnsupportedFile:
    chain = [error, *(e for e in (error.__cause__, error.__context__) if e is not None)]
    chain += [a for e in list(chain) for a in getattr(e, "args", ()) if isinstance(a, BaseException)]
    names = [type(e).__name__.lower() for e in chain]
    if any("password" in n or "encrypt" in n for n in names):
        return UnsupportedFile(
            "an encrypted PDF that needs a password; save an unprotected copy "
            "(e.g. qpdf --decrypt --password=… in.pdf out.pdf) and read that",
            where,
        )
    inner = chain[-1]
    reason = str(inner).strip().splitlines()[0][:100] if str(inner).strip() else type(inner).__name__
    return UnsupportedFile(
        f"a damaged PDF that cannot be read ({reason}); is the file complete?", where
    )


# --- lines -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


def _lines(chars: list[_Char]) -> list[_Line]:
    """Characters → text lines, top to bottom (characters of one line share their top)."""
    ink = sorted((c for c in chars if c.text.strip()), key=lambda c: (c.top, c.x0))
    groups: list[list[_Char]] = []
    for c in ink:
        if groups and abs(c.top - groups[-1][0].top) <= 0.5 * min(c.size, groups[-1][0].size):
            groups[-1].append(c)
        else:
            groups.append([c])
    blanks = [c for c in chars if not c.text.strip()]
    lines = []
    for group in groups:
        line_chars = sorted(group, key=lambda c: c.x0)
        spaces = [c for c in blanks if abs(c.top - group[0].top) <= 0.5 * c.size]
        lines.append(_Line(
            _line_text(line_chars, spaces),
            min(c.x0 for c in line_chars), max(c.x1 for c in line_chars),
            min(c.top for c in line_chars), max(c.bottom for c in line_chars),
            statistics.median(c.size for c in line_chars),
        ))
    lines.sort(key=lambda ln: ln.top)
    return lines


def _line_text(chars: list[_Char], spaces: list[_Char]) -> str:
    """The line's text; the spaces a PDF draws are kept, the ones it leaves as gaps restored."""
    parts = [chars[0].text]
    for a, b in zip(chars, chars[1:]):
        drawn = sum(1 for s in spaces if a.x1 - 0.5 <= s.x0 and s.x1 <= b.x0 + 0.5)
        if drawn:
            parts.append(" " * drawn)
        elif b.x0 - a.x1 > _space_gap(a.text, b.text, min(a.size, b.size)):
            parts.append(" ")
        parts.append(b.text)
    return "".join(parts)


def _space_gap(a: str, b: str, size: float) -> float:
    """The gap that means a space: narrow between Latin letters, wide next to Chinese text
    (layout engines add about a quarter em between Chinese and Latin without any space)."""
    if a.isascii() and b.isascii():
        return 0.15 * size
    return 0.5 * size


def _join_lines(lines: list[_Line], right: float, width: float) -> str:
    """Lines of one cell or paragraph: a line that reaches ``right`` wrapped and reads on."""
    text = ""
    for i, line in enumerate(lines):
        if i:
            text += _separator(lines[i - 1], line.text, right, width)
        text += line.text
    return text


def _full(line: _Line, right: float, width: float) -> bool:
    """Did the line run to ``right`` (so it wrapped)? A CJK line may stop a character or two
    short, when a comma or a closing bracket may not begin the next line."""
    return line.x1 >= right - min(2.2 * line.size, 0.4 * width)


def _separator(previous: _Line, following: str, right: float, width: float) -> str:
    if not _full(previous, right, width):
        return "\n"  # the line stopped short: a paragraph ended
    a, b = previous.text[-1:], following[:1]
    if _ASCII_WORD.match(a) and _ASCII_WORD.match(b) and (a.isalpha() or b.isalpha()):
        return " "  # Latin words wrap at a space
    return ""


# --- one page ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _PCell:
    text: str
    lines: list[_Line]
    right: float  # where a full line of this cell ends
    width: float  # the cell's inner width
    line: int | None


@dataclass(slots=True)
class _PRow:
    number: int  # the row's number in the table's part on its page
    cells: list[_PCell | None]
    line: int | None


@dataclass(slots=True)
class _Segment:
    """The part of a table on one page."""

    page: int
    index: int  # 1 for the page's first table
    bbox: BBox
    columns: list[float]
    rows: list[_PRow]


@dataclass(slots=True)
class _Page:
    number: int
    blocks: list[Para | _Segment]
    bottom: float  # the lowest content of the page, furniture aside


def _margins(pages: list[_RawPage]) -> tuple[float, float]:
    """The left and right edges of the text area, the same on every page: where tables are
    ruled, else where the text reaches."""
    edges = [t[0] for p in pages for t in p.tables]
    if edges:
        return min(e[0] for e in edges), max(e[2] for e in edges)
    ink = [c for p in pages for c in p.chars if c.text.strip()]
    return min(c.x0 for c in ink), max(c.x1 for c in ink)


def _furniture(pages: list[_RawPage]) -> set[tuple[int, str]]:
    """(page, text) of the lines in a page's top or bottom band that are page numbers or repeat
    on most pages (running headers and footers)."""
    banded: list[tuple[int, str]] = []
    for p in pages:
        for line in _lines(p.chars):
            if line.bottom < p.height * _FURNITURE_BAND or line.top > p.height * (1 - _FURNITURE_BAND):
                banded.append((p.number, line.text))
    shape = Counter(re.sub(r"\d+", "#", t) for _, t in set(banded))
    repeated = {s for s, n in shape.items() if len(pages) >= 3 and n >= max(3, len(pages) // 2)}
    return {
        (n, t) for n, t in banded
        if _PAGE_NUMBER.match(t) or re.sub(r"\d+", "#", t) in repeated
    }


def _lay_out(raw: _RawPage, furniture: set[tuple[int, str]], margins: tuple[float, float]) -> _Page:
    tables = sorted(raw.tables, key=lambda t: t[0][1])
    in_cell: dict[tuple[int, int, int], list[_Char]] = {}
    outside: list[_Char] = []
    for c in raw.chars:
        place = _place(c, tables)
        if place is None:
            outside.append(c)
        else:
            in_cell.setdefault(place, []).append(c)
    outside_lines = [ln for ln in _lines(outside) if (raw.number, ln.text) not in furniture]
    cell_lines = {place: _lines(chars) for place, chars in in_cell.items()}
    tops = _bands([ln for ln in outside_lines] + [ln for lines in cell_lines.values() for ln in lines])

    def line_at(y: float) -> int | None:
        """The number of the page's first text line at or below ``y``."""
        return min(bisect_left(tops, y - 0.5) + 1, len(tops)) if tops else None

    segments = []
    for t, (bbox, rows) in enumerate(tables):
        prows = []
        for r, row in enumerate(rows):
            boxes = [b for b in row if b]
            if not boxes:
                continue
            cells: list[_PCell | None] = []
            for k, box in enumerate(row):
                if box is None:
                    cells.append(None)
                    continue
                lines = cell_lines.get((t, r, k), [])
                # The cell's inner edges: its left padding, mirrored.
                pad = max(min((ln.x0 - box[0] for ln in lines), default=0.0), 0.0)
                right, width = box[2] - pad, max(box[2] - box[0] - 2 * pad, 1.0)
                line = line_at(lines[0].top) if lines else None
                cells.append(_PCell(_join_lines(lines, right, width), lines, right, width, line))
            top = min(b[1] for b in boxes)
            first = [c.line for c in cells if c and c.line is not None]
            prows.append(_PRow(r + 1, cells, min(first) if first else line_at(top)))
        columns = sorted({round(x, 1) for row in rows for box in row if box for x in (box[0], box[2])})
        segments.append(_Segment(raw.number, t + 1, bbox, columns, prows))

    blocks: list[tuple[float, Para | _Segment]] = [(s.bbox[1], s) for s in segments]
    left, right = margins
    for paragraph in _paragraphs(outside_lines, segments, margins):
        top = paragraph[0].top
        text = _join_lines(paragraph, right, right - left)
        blocks.append((top, Para(text, line=line_at(top), page=raw.number)))
    blocks.sort(key=lambda b: b[0])
    bottom = max([s.bbox[3] for s in segments] + [ln.bottom for ln in outside_lines], default=0.0)
    return _Page(raw.number, [b for _, b in blocks], bottom)


def _place(c: _Char, tables: list[tuple[BBox, list[list[BBox | None]]]]) -> tuple[int, int, int] | None:
    """(table, row, column) of the cell that holds the character's centre, if any."""
    x, y = (c.x0 + c.x1) / 2, (c.top + c.bottom) / 2
    for t, (bbox, rows) in enumerate(tables):
        if not (bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]):
            continue
        for r, row in enumerate(rows):
            for k, box in enumerate(row):
                if box and box[0] <= x <= box[2] and box[1] <= y <= box[3]:
                    return t, r, k
    return None


def _bands(lines: list[_Line]) -> list[float]:
    """The tops of the page's lines of text, cells' lines included; their order numbers lines."""
    tops: list[float] = []
    for ln in sorted(lines, key=lambda ln: ln.top):
        if not tops or ln.top > tops[-1] + 0.5 * ln.size:
            tops.append(ln.top)
    return tops


def _paragraphs(
    lines: list[_Line], segments: list[_Segment], margins: tuple[float, float]
) -> list[list[_Line]]:
    """Lines outside tables grouped into paragraphs: a line that reaches the right margin and
    is followed closely by a line of the same size at the left margin, not numbered, goes on in
    it. Anything else (a centred title line, a 目录 entry) is a paragraph of its own."""
    left, right = margins
    groups: list[list[_Line]] = []
    for line in lines:
        if groups:
            prev = groups[-1][-1]
            between = any(prev.bottom <= s.bbox[1] <= line.top for s in segments)
            if (
                not between
                and _full(prev, right, right - left)
                and abs(line.size - prev.size) < 0.5
                and line.top - prev.bottom < 0.8 * line.size
                and line.x0 <= left + 1.5 * line.size
                and not _NUMBERED.match(line.text)
            ):
                groups[-1].append(line)
                continue
        groups.append([line])
    return groups


# --- across pages ------------------------------------------------------------------------------


def _join_pages(pages: list[_Page]) -> list[Para | Row]:
    """The stream: pages in order, a table that goes on over a page break kept as one run of
    rows, with the row the break cut joined back together."""
    body_bottom = max((p.bottom for p in pages), default=0.0)
    items: list[Para | Row] = []
    tables = 0
    # The table that ended the last block: its first part, its last row (as emitted and as read).
    open_table: tuple[_Segment, Row, _PRow] | None = None
    previous_bottom = 0.0
    for page in pages:
        for b, block in enumerate(page.blocks):
            if isinstance(block, Para):
                items.append(block)
                open_table = None
                continue
            rows = block.rows
            if b == 0 and open_table and _same_columns(open_table[0].columns, block.columns):
                head, last_row, last_prow = open_table
                n = _repeated_header(head, block)
                at_bottom = previous_bottom >= body_bottom - 2 * _size(last_prow)
                if at_bottom and n < len(rows) and _continues(last_prow, rows[n]):
                    _merge_into(last_row, last_prow, rows[n])
                    rows = rows[:n] + rows[n + 1:]
            else:
                tables += 1
                head = block
            prefix = f"T{block.index}" if block.index > 1 else ""
            for prow in rows:
                cells = [
                    Cell(c.text if c else "", line=c.line if c and c.line is not None else prow.line,
                         ref=f"{prefix}R{prow.number}C{k}")
                    for k, c in enumerate(prow.cells, start=1)
                ]
                row = Row(cells, line=prow.line, page=block.page, table=tables)
                items.append(row)
                open_table = (head, row, prow)
        previous_bottom = page.bottom
    return items


def _same_columns(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= 2.0 for x, y in zip(a, b))


def _texts(row: _PRow) -> list[str]:
    return [c.text if c else "" for c in row.cells]


def _repeated_header(head: _Segment, segment: _Segment) -> int:
    """How many of the segment's first rows repeat the table's first rows (Word's header rows)."""
    n = 0
    while (n < len(head.rows) - 1 and n < len(segment.rows)
           and any(_texts(head.rows[n])) and _texts(head.rows[n]) == _texts(segment.rows[n])):
        n += 1
    return n


def _size(row: _PRow) -> float:
    sizes = [ln.size for c in row.cells if c for ln in c.lines]
    return statistics.median(sizes) if sizes else 10.0


def _continues(above: _PRow, below: _PRow) -> bool:
    """Is ``below`` (top of page N+1) the rest of ``above`` (bottom of page N)? Yes when each of
    its non-empty cells goes on from a cell of ``above`` whose last line ran to the cell's edge,
    i.e. was wrapped. A new row fails: its short cells (二级指标 …) follow short lines."""
    if len(above.cells) != len(below.cells):
        return False
    for up, down in zip(above.cells, below.cells):
        if down is None or not down.text:
            continue
        if up is None or not up.lines:
            return False
        if not _full(up.lines[-1], up.right, up.width):
            return False
    return True


def _merge_into(row: Row, above: _PRow, below: _PRow) -> None:
    """Append the rest of a cut row to its first part (and let a third page go on from it)."""
    for k, (up, down) in enumerate(zip(above.cells, below.cells)):
        if down is None or not down.text or up is None:
            continue
        up.text += _separator(up.lines[-1], down.text, up.right, up.width) + down.text
        up.lines, up.right, up.width = down.lines, down.right, down.width
        row.cells[k].text = up.text
