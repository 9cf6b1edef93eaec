"""Word .docx files, read from the document's own structure (python-docx opens the package).

The body is walked in order, paragraphs and tables interleaved, so a heading arrives just before
its table; content controls (``w:sdt``, where Word keeps a 目录) and custom XML are opened. A
cell covers one or more grid columns (``w:gridSpan``, or the legacy ``w:hMerge``) and may
continue a vertical merge from the row above (``w:vMerge``): every grid position is emitted, the
covered ones as ``merged`` copies of the merge's first cell (``grid.Cell``). Paragraphs in a cell
are joined with ``\\n``. A table nested in a cell yields rows of its own right after the row that
holds it, under the next Word table number; the holding cell keeps only its own paragraphs.

Word has no lines: ``Para.line`` numbers the body's blocks (paragraphs and tables) from 1, so
that two adjacent paragraphs (a title broken in two) have adjacent numbers. Cells carry
``T3R5C2`` references: Word table 3 (counting every table, nested ones too, in document order),
row 5, grid column 2.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from perfkg.errors import UnsupportedFile
from perfkg.grid import Cell, Para, Row, Stream
from perfkg.model import Location

__all__ = ["streams"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Subtrees whose text is not the paragraph's: deleted runs, the duplicate fallback of a drawing,
# floating text boxes, field codes, properties.
_SKIP = {_W + "del", _W + "moveFrom", _MC + "Fallback", _W + "txbxContent", _W + "instrText",
         _W + "rPr", _W + "pPr", _W + "tblPr", _W + "tcPr", _W + "trPr"}


def streams(data: bytes, name: str, *, encoding: str | None = None) -> list[Stream]:
    """The body of a .docx as one stream; ``encoding`` is ignored (XML says its own)."""
    try:
        # python-docx, imported only when a .docx is read. Its package layer finds the main
        # document part whatever its content type (.docx, .docm, .dotx alike).
        from docx.opc.package import OpcPackage
        from docx.oxml import parse_xml

        part = OpcPackage.open(BytesIO(data)).main_document_part
        root = getattr(part, "element", None)
        body = (root if root is not None else parse_xml(part.blob)).find(_W + "body")
        if body is None:
            raise ValueError("word/document.xml has no body")
    except Exception as e:  # noqa: BLE001 — whatever breaks here, the file is at fault
        reason = str(e).strip().splitlines()[0][:120] if str(e).strip() else type(e).__name__
        message = f"a damaged .docx that cannot be opened ({reason})"
        raise UnsupportedFile(message, Location(name)) from None
    body_reader = _Body()
    body_reader.blocks(body)
    return [Stream(body_reader.items)]


class _Body:
    def __init__(self) -> None:
        self.items: list[Para | Row] = []
        self.block = 0
        self.tables = 0

    def blocks(self, parent: Any) -> None:
        for child in parent.iterchildren():
            tag = child.tag
            if tag == _W + "p":
                self.block += 1
                self.items.append(Para(_paragraph_text(child), line=self.block))
            elif tag == _W + "tbl":
                self.block += 1
                self.table(child)
            elif tag == _W + "sdt":
                content = child.find(_W + "sdtContent")
                if content is not None:
                    self.blocks(content)
            elif tag == _W + "customXml":
                self.blocks(child)

    def table(self, tbl: Any) -> None:
        self.tables += 1
        number = self.tables
        origins: dict[int, str] = {}  # grid column → text of the vertical merge it is in
        for r, tr in enumerate(_children(tbl, "tr"), start=1):
            if _prop(tr, "trPr", "del") is not None:  # a row deleted with track changes on
                continue
            cells: list[Cell] = []
            nested: list[Any] = []

            for _ in range(_int_prop(tr, "trPr", "gridBefore", 0)):
                cells.append(Cell("", ref=f"T{number}R{r}C{len(cells) + 1}"))
            for tc in _children(tr, "tc"):
                text = _cell_text(tc, nested)
                span = max(1, _int_prop(tc, "tcPr", "gridSpan", 1))
                start = len(cells)
                vmerge = _merge(tc, "vMerge")
                covered = False
                if vmerge == "continue" and start in origins:
                    text, covered = origins[start], True
                elif _merge(tc, "hMerge") == "continue" and cells:
                    text, covered = cells[-1].text, True
                elif vmerge is not None:  # restart
                    for k in range(span):
                        origins[start + k] = text
                else:
                    for k in range(span):
                        origins.pop(start + k, None)
                for k in range(span):
                    ref = f"T{number}R{r}C{len(cells) + 1}"
                    cells.append(Cell(text, ref=ref, merged=covered or k > 0))
            self.items.append(Row(cells, table=number))
            for inner in nested:
                self.table(inner)


def _children(parent: Any, local: str) -> list[Any]:
    """``w:<local>`` children, looking through content controls and custom XML."""
    found = []
    for child in parent.iterchildren():
        if child.tag == _W + local:
            found.append(child)
        elif child.tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                found.extend(_children(content, local))
        elif child.tag == _W + "customXml":
            found.extend(_children(child, local))
    return found


def _prop(el: Any, pr: str, name: str) -> Any:
    props = el.find(_W + pr)
    return None if props is None else props.find(_W + name)


def _merge(tc: Any, name: str) -> str | None:
    """``restart`` or ``continue`` for a cell in a vertical (horizontal) merge, else None."""
    found = _prop(tc, "tcPr", name)
    return None if found is None else found.get(_W + "val", "continue")


def _int_prop(el: Any, pr: str, name: str, default: int) -> int:
    found = _prop(el, pr, name)
    try:
        return int(found.get(_W + "val")) if found is not None else default
    except (TypeError, ValueError):
        return default


def _cell_text(tc: Any, nested: list[Any]) -> str:
    """The cell's paragraphs joined with newlines; nested tables go to ``nested``."""
    paragraphs: list[str] = []

    def walk(parent: Any) -> None:
        for child in parent.iterchildren():
            if child.tag == _W + "p":
                paragraphs.append(_paragraph_text(child))
            elif child.tag == _W + "tbl":
                nested.append(child)
            elif child.tag == _W + "sdt":
                content = child.find(_W + "sdtContent")
                if content is not None:
                    walk(content)
            elif child.tag == _W + "customXml":
                walk(child)

    walk(tc)
    while paragraphs and not paragraphs[-1].strip():
        paragraphs.pop()
    while paragraphs and not paragraphs[0].strip():
        paragraphs.pop(0)
    return "\n".join(paragraphs)


def _paragraph_text(p: Any) -> str:
    parts: list[str] = []

    def walk(el: Any) -> None:
        for child in el.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == _W + "t":
                parts.append(child.text or "")
            elif tag == _W + "tab":
                parts.append("\t")
            elif tag == _W + "br":
                # A page or column break is layout; a line break is a new line.
                if child.get(_W + "type") in (None, "textWrapping"):
                    parts.append("\n")
            elif tag == _W + "cr":
                parts.append("\n")
            elif tag == _W + "noBreakHyphen":
                parts.append("-")
            elif tag == _W + "p":  # a paragraph inside a drawing's text: not ours
                continue
            else:
                walk(child)

    walk(p)
    return "".join(parts)
