"""The text export of a Word document (the form of ``data/`` 's sample).

In that export every table cell is a line that starts with a tab, table rows are separated by
blank lines, a merged cell repeats as an empty cell (a lone tab), and paragraphs outside tables
are plain lines, some carrying ``[bookmark: …]`` markers. Two quirks matter (DOMAIN.md): a
paragraph can run into a table's first cell on one line (`` \\t353302…``: text before the tab),
and a table's last row can run straight into the next table with no blank line between them.
"""

from __future__ import annotations

import codecs
import re

from perfkg.errors import EncodingProblem
from perfkg.grid import Cell, Para, Row, Stream
from perfkg.model import Location

__all__ = ["streams", "decode"]

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """Decode as ``encoding``, or by BOM, or as UTF-8; a clear error names the first bad byte."""
    chosen = encoding
    if chosen is None:
        chosen = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8")
    try:
        return data.decode(chosen)
    except LookupError:
        raise EncodingProblem(f"unknown encoding {encoding!r}", Location(name)) from None
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        hint = " (try --encoding gb18030 for GBK text)" if encoding is None else ""
        raise EncodingProblem(
            f"not valid {chosen} text: byte 0x{data[e.start]:02x} at offset {e.start}{hint}",
            Location(name, line=line),
        ) from None


def streams(data: bytes, name: str, *, encoding: str | None = None) -> list[Stream]:
    text = decode(data, name, encoding)
    stream = Stream()
    items = stream.items
    cells: list[Cell] = []
    row_line: int | None = None
    last_was_cell = False

    def close_row() -> None:
        nonlocal cells, row_line
        if cells:
            items.append(Row(cells, line=row_line))
        cells, row_line = [], None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = _BOOKMARK.sub("", raw.replace("\ufeff", ""))
        if "\t" in line:
            before, cell = line.split("\t", 1)
            if before:
                # Text before the tab is a paragraph between tables: the row ends here.
                close_row()
                if before.strip():
                    items.append(Para(before.strip(), line=number))
            if not cells:
                row_line = number
            cells.append(Cell(cell.replace("\t", " ").strip(), line=number))
            last_was_cell = True
        elif not line.strip():
            close_row()
            last_was_cell = False
        elif last_was_cell and cells:
            # A cell of several paragraphs continues on a line of its own.
            cells[-1].text += "\n" + line.strip()
        else:
            close_row()
            items.append(Para(line.strip(), line=number))
            last_was_cell = False
    close_row()
    return [stream]
