"""HTML pages, as units publish their tables on government sites.

The page is decoded by its byte-order mark, its ``<meta charset>`` (or ``http-equiv`` content
type, or XML declaration) or as UTF-8 — or as the ``encoding`` the caller names, which wins —
and parsed with lxml's forgiving HTML parser. The body is read in document order: text outside
tables (headings, paragraphs, list items, a ``<div>``'s text) as paragraphs, each table row as a
row with its ``rowspan``/``colspan`` expanded into a full grid (covered positions as merged
copies, ``grid.Cell``). A layout table that wraps the data table is not a data table: its cells
are read as page text and its inner tables as tables, so no row is read twice.

Text is what a browser shows: ``<script>``/``<style>`` and hidden elements dropped, white space
collapsed, ``<br>`` a line break, ``&nbsp;`` a space that is kept; everything else — full-width
punctuation, the spaces of ``其中：财政&nbsp;&nbsp;&nbsp;&nbsp;资金`` — exactly as written.
Navigation, site headers and footers (``<nav>``, ``<footer>``, ``role="navigation"``, a
``class="breadcrumb"`` …) are not the document and are skipped, unless they hold a table.
"""

from __future__ import annotations

import codecs
import re
from typing import TYPE_CHECKING

from perfkg.errors import EncodingProblem, NotATargetTable, UnsupportedFile
from perfkg.grid import Cell, Para, Row, Stream
from perfkg.model import Location

if TYPE_CHECKING:
    from lxml.html import HtmlElement

__all__ = ["streams", "decode", "cell_text"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml\b[^>]*\bencoding\s*=\s*["']([-\w.:]+)["']""", re.IGNORECASE)
# WHATWG encoding labels that Python names differently or that browsers widen.
_LABELS = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
    "csgb2312": "gb18030", "chinese": "gb18030", "iso-ir-58": "gb18030", "gb18030": "gb18030",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "x-x-big5": "big5hkscs",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252",
    "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8",  # a meta can't say so (WHATWG)
}

_SKIP = {
    "head", "script", "style", "noscript", "template", "title", "meta", "link", "select", "option",
    "button", "input", "textarea", "iframe", "object", "embed", "svg", "canvas", "map", "audio", "video",
}
_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
_CHROME_TAGS = {"nav", "aside", "footer"}
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "search", "menu", "menubar"}
_CHROME_WORDS = {
    "nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "crumb", "crumbs", "footer",
    "sidebar", "topbar", "toolbar", "share", "skip", "skiplink",
}
_WORDS = re.compile(r"[a-z]+")
_COLLAPSE = re.compile(r"[ \t\n\r\f]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*[(（]?[0-9０-９]+\s*[.、．)）]")
_BREAK = "\x00"  # a line break a browser makes (<br>, a block's edge), unlike a newline in source
MAX_SPAN = 1000  # the HTML limit for colspan; rowspan is bounded by the table's rows
MAX_GRID_CELLS = 1_000_000  # a table's expanded grid: far beyond any target table, short of a DoS
# libxml2's HTML parser stops counting lines at 65535 (lxml does not pass it HTML_PARSE_BIG_LINES):
# from there on a line number would be wrong, so none is given.
_LAST_LINE = 65535


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """The page's text: as ``encoding``, or by BOM, ``<meta charset>`` or XML declaration, else UTF-8."""
    declared = None
    if encoding is not None:
        chosen, how = encoding, "as asked"
    elif bom := next((enc for b, enc in _BOMS if data.startswith(b)), None):
        chosen, how = bom, "by its byte-order mark"
    else:
        head = data[:8192]
        m = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
        declared = m.group(1).decode("ascii", "replace").lower() if m else None
        if declared:
            chosen, how = _LABELS.get(declared, declared), f"as its <meta charset={declared}> says"
        else:
            chosen, how = "utf-8", "as UTF-8 (it declares no charset)"
    try:
        codecs.lookup(chosen)
    except LookupError:
        raise EncodingProblem(
            f"unknown encoding {(encoding or declared or chosen)!r}; name one with --encoding (e.g. gb18030)",
            Location(name),
        ) from None
    try:
        return data.decode(chosen)
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        if encoding:
            hint = ""
        elif declared:
            hint = "; the page may be mislabelled: name its encoding with --encoding (e.g. utf-8, gb18030)"
        else:
            hint = " (try --encoding gb18030 for a GBK page)"
        raise EncodingProblem(
            f"cannot decode the page {how}: byte 0x{data[e.start]:02x} at offset {e.start} is not {chosen}{hint}",
            Location(name, line=line),
        ) from None


def streams(data: bytes, name: str, *, encoding: str | None = None) -> list[Stream]:
    import lxml.etree
    import lxml.html

    text = decode(data, name, encoding)
    # Parse the decoded text as UTF-8 bytes: lxml then ignores the page's own (already honoured)
    # charset declaration, and line numbers stay those of the file.
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError) as e:
        raise UnsupportedFile(f"cannot parse the HTML page ({e})", Location(name)) from None
    walker = _Walker(name)
    body = root.find("body")
    try:
        walker.block(body if body is not None else root)
    except RecursionError:
        raise UnsupportedFile("the page nests its elements too deeply to read", Location(name)) from None
    walker.flush()
    if walker.tables == 0:
        raise NotATargetTable(
            "the HTML page has no <table>; perfkg reads the target tables a page publishes as tables",
            Location(name),
        )
    return [Stream(walker.items)]


def _line(el) -> int | None:
    line = el.sourceline
    return line if line is not None and line < _LAST_LINE else None


def _tag(el) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def _hidden(el) -> bool:
    return el.get("hidden") is not None or bool(_HIDDEN_STYLE.search(el.get("style", "")))


def _chrome(el) -> bool:
    """Site navigation, banners and footers: not part of the document (unless they hold a table)."""
    tag = _tag(el)
    if tag == "header":
        is_chrome = not any(_tag(a) in ("article", "main") for a in el.iterancestors())
    else:
        is_chrome = tag in _CHROME_TAGS or el.get("role", "").lower() in _CHROME_ROLES
        if not is_chrome:
            words = set(_WORDS.findall(f"{el.get('class', '')} {el.get('id', '')}".lower()))
            is_chrome = bool(words & _CHROME_WORDS)
    return is_chrome and next(el.iter("table"), None) is None


def _clean(raw: str) -> list[str]:
    """Browser white space: source runs collapse to a space, breaks split lines, &nbsp; is a kept space."""
    lines = []
    for line in _COLLAPSE.sub(" ", raw).split(_BREAK):
        line = line.strip(" ").replace("\xa0", " ")
        if line:
            lines.append(line)
    return lines


def cell_text(el: HtmlElement) -> str:
    """The text a browser shows in a cell; lines (``<br>``, inner blocks) joined by ``\\n``."""
    parts: list[str] = []

    def walk(node) -> None:
        tag = _tag(node)
        if tag in _SKIP or _hidden(node) or not tag:
            return
        if tag == "br":
            parts.append(_BREAK)
            return
        block = tag in _BLOCK
        if block:
            parts.append(_BREAK)
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append(_BREAK)

    if el.text:
        parts.append(el.text)
    for child in el:
        walk(child)
        if child.tail:
            parts.append(child.tail)
    return "\n".join(_clean("".join(parts)))


class _Walker:
    """Walks the body in order, emitting paragraphs and table rows."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[Para | Row] = []
        self.tables = 0
        self.buffer: list[str] = []
        self.lines: list[int | None] = []  # the source line of each paragraph in the buffer
        self.prefix: str | None = None

    # --- text outside tables ---------------------------------------------------------------

    def text(self, text: str | None, line: int | None) -> None:
        if not text:
            return
        if not self.buffer or self.buffer[-1] == _BREAK:
            if not text.strip():
                return
            self.lines.append(line + text[: len(text) - len(text.lstrip())].count("\n") if line else line)
        self.buffer.append(text)

    def brk(self) -> None:
        if self.buffer and self.buffer[-1] != _BREAK:
            self.buffer.append(_BREAK)

    def flush(self) -> None:
        pieces = "".join(self.buffer).split(_BREAK)
        lines = iter(self.lines)
        for piece in pieces:
            if not piece.strip():
                continue
            line = next(lines, None)
            for text in _clean(piece):
                if self.prefix is not None:
                    if not _NUMBERED.match(text):
                        text = self.prefix + text
                    self.prefix = None
                self.items.append(Para(text, line=line))
        self.buffer, self.lines = [], []

    def block(self, el) -> None:
        """Read an element's content as page text, tables as tables."""
        tag = _tag(el)
        if not tag or tag in _SKIP or _hidden(el) or _chrome(el):
            return
        if tag == "table":
            self.flush()
            self.table(el)
            return
        if tag == "br":
            self.brk()
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        if tag == "li":
            self.prefix = _ordinal(el)
        self.text(el.text, _line(el))
        for child in el:
            self.block(child)
            self.text(child.tail, _line(child))
        if block:
            self.flush()
        if tag == "li":
            self.prefix = None

    # --- tables ----------------------------------------------------------------------------

    def table(self, table) -> None:
        if next(table.iterdescendants("table"), None) is not None:
            # A layout table: its cells are page content; the tables inside are the data.
            for cell in _own_cells(table):
                if _hidden(cell) or _chrome(cell):
                    continue
                self.flush()
                self.block_children(cell)
                self.flush()
            return
        rows = [tr for tr in table.iter("tr") if not _hidden(tr)]
        caption = table.find("caption")
        if caption is not None:
            self.block(caption)
            self.flush()
        if not rows:
            return
        self.tables += 1
        self.items.extend(_grid(rows, self.tables, self.name))

    def block_children(self, el) -> None:
        self.text(el.text, _line(el))
        for child in el:
            self.block(child)
            self.text(child.tail, _line(child))


def _ordinal(li) -> str | None:
    """`3.` for the third item of an <ol> (as a browser numbers it), None in a <ul>."""
    parent = li.getparent()
    if parent is None or _tag(parent) != "ol" or "none" in parent.get("style", "").replace(" ", ""):
        return None
    number = _int(parent.get("start"), 1) - 1
    for sibling in parent:
        if _tag(sibling) == "li":
            number = _int(sibling.get("value"), number + 1)
        if sibling is li:
            return f"{number}."
    return None


def _int(text: str | None, default: int) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        return default


def _own_cells(table):
    """The cells of ``table`` itself, not of the tables nested in it."""
    for el in table.iter("td", "th"):
        owner = next((a for a in el.iterancestors("table")), None)
        if owner is table:
            yield el


def _grid(rows: list, number: int, name: str) -> list[Row]:
    """The rows of one data table with rowspan/colspan expanded into a full grid."""
    covered: dict[tuple[int, int], str] = {}
    placed: list[dict[int, Cell]] = []
    positions = 0
    for r, tr in enumerate(rows):
        line = _line(tr)
        cells: dict[int, Cell] = {}
        c = 0
        for td in tr:
            if _tag(td) not in ("td", "th") or _hidden(td):
                continue
            while (r, c) in covered:
                c += 1
            rowspan = _int(td.get("rowspan"), 1)
            rowspan = len(rows) - r if rowspan == 0 else max(1, min(rowspan, len(rows) - r))
            colspan = max(1, min(_int(td.get("colspan"), 1), MAX_SPAN))
            positions += rowspan * colspan
            if positions > MAX_GRID_CELLS:
                raise UnsupportedFile(
                    f"table {number} spans more than {MAX_GRID_CELLS:,} cells (rowspan/colspan); refusing to expand it",
                    Location(name, line=_line(td)),
                )
            text = cell_text(td)
            cells[c] = Cell(text, line=_line(td), ref=f"T{number}R{r + 1}C{c + 1}")
            for i in range(rowspan):
                for j in range(colspan):
                    if i or j:
                        covered[r + i, c + j] = text
            c += colspan
        placed.append(cells)
    width = max([max(cells) + 1 for cells in placed if cells] + [c + 1 for _, c in covered] + [0])
    if width * len(rows) > MAX_GRID_CELLS:
        raise UnsupportedFile(
            f"table {number} is {len(rows):,} rows by {width:,} columns; refusing to expand it",
            Location(name, line=_line(rows[0])),
        )
    result = []
    for r, (tr, cells) in enumerate(zip(rows, placed)):
        if not cells and not any((r, c) in covered for c in range(width)):
            continue  # a <tr> with no cell at all
        line = _line(tr)
        row = []
        for c in range(width):
            ref = f"T{number}R{r + 1}C{c + 1}"
            if c in cells:
                row.append(cells[c])
            elif (r, c) in covered:
                row.append(Cell(covered[r, c], line=line, ref=ref, merged=True))
            else:
                row.append(Cell("", line=line, ref=ref))
        result.append(Row(row, line=line, table=number))
    return result
