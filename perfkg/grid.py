"""What every reader hands to the layout interpreter: paragraphs and table rows, in order.

A reader's only job is to turn its format into this stream — a Word export, a .docx body, an
Excel sheet, PDF pages, an HTML page — with merged cells expanded and each cell's position
kept. Finding projects, funding lines and indicators in it is ``perfkg.layout``'s job, the same
for every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Cell", "Row", "Para", "Item", "Stream"]


@dataclass(slots=True)
class Cell:
    """One table cell.

    Readers that know the table's merges (Word, Excel, HTML) emit every grid position: the
    merge's first cell as usual, each covered position as a copy of its text with ``merged``
    set. The interpreter reads covered cells in indicator columns (a merged 一级指标 applies to
    every row it spans) and ignores them elsewhere (a use-of-funds sentence spanning six
    columns is said once). Text and PDF exports leave covered positions empty instead.
    ``ref`` is a short human reference to the cell: ``B7`` in a sheet, ``T3R5C2`` (table 3,
    row 5, column 2) in Word or HTML, ``R5C2`` on a PDF page."""

    text: str
    line: int | None = None
    ref: str | None = None
    merged: bool = False


@dataclass(slots=True)
class Row:
    """One table row; ``table`` numbers the physical tables of the source when the format has them."""

    cells: list[Cell]
    line: int | None = None
    page: int | None = None
    sheet: str | None = None
    table: int | None = None

    @property
    def texts(self) -> list[str]:
        """The stripped text of the cells that are not covered by a merge."""
        return [c.text.strip() for c in self.cells if not c.merged]


@dataclass(slots=True)
class Para:
    """A paragraph outside any table: a heading, a title, a page number, a note."""

    text: str
    line: int | None = None
    page: int | None = None


Item = Row | Para


@dataclass(slots=True)
class Stream:
    """The items of one flow of a document (a Word body, one spreadsheet sheet …)."""

    items: list[Item] = field(default_factory=list)
    sheet: str | None = None
