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
    """One table cell. ``merged`` marks a cell covered by a merge whose text sits elsewhere
    (left empty by text and PDF exports, repeated by readers that know the merge)."""

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
        return [c.text.strip() for c in self.cells]


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
