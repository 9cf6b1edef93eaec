"""The layout interpreter: a stream of paragraphs and rows → projects, funding and indicators.

It works from the role of each cell — a label from ``vocab/labels.toml``, a value beside a
label, a column under a header — never from line positions, so one interpreter reads every
format and the many layouts units publish: form tables (the sample), wide sheets with one
indicator per row, split comparator/number/unit columns, 年度 and 实施期 targets side by side,
and self-evaluations (绩效自评表).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from perfkg.errors import MalformedTable, NotATargetTable
from perfkg.grid import Cell, Para, Row, Stream
from perfkg.model import (
    Amount,
    BudgetUnit,
    Document,
    FundingLine,
    Indicator,
    Location,
    Note,
    Project,
    SourceFile,
    Target,
)
from perfkg.targets import direction_of, normalise_target, parse_amount
from perfkg.vocabulary import fold, normalise_label, vocabulary

__all__ = ["interpret"]

# `353302天津市社会保险基金管理中心`, `[353302]天津市…`, `353302-天津市…`
_UNIT_LINE = re.compile(
    r"^[\[【(（]?(?P<code>\d{3,}(?:[.\-]\d+)*)[\]】)）]?\s*[-_—:：]?\s*"
    r"(?P<name>[^\d\s\[【(（年月日号万元%.．、个人台次项].{1,60})$"
)
_MONEY_UNIT = re.compile(r"^(?:金额|资金|预算)?单位\s*[:：]\s*(?P<unit>\S+)$")
_HEADING = re.compile(r"^(?:(?P<num>\d+)\s*[.、．]\s*)?(?P<name>.+?)(?:项目支出)?绩效(?P<kind>目标|自评)(?:申报)?表$")
_ANY_SPACE = re.compile(r"\s+")
_BRACKET_MONEY = re.compile(r"[(（](?P<unit>[千万亿]?元)[)）]$")
_TITLE_YEAR = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年")
_YEAR_LINE = re.compile(r"^[(（]?\s*(?P<year>(?:19|20)\d{2})\s*年度?\s*[)）]?$")
_NAME_YEAR = re.compile(r"^(?P<year>(?:19|20)\d{2})\s*年")
_GOAL_SPLIT = re.compile(r"(?:^|(?<=[\s。；;]))(?:\d+\s*[.、．](?!\d)|[(（]\d+[)）]|[①-⑳])\s*")  # \d is any digit, ０-９ too
_LEVEL_SUFFIX = re.compile(r"(?:[-－—–_]\s*|[(（])(?P<level>[^\s\-－—–_()（）]{1,4})[)）]?$")
_PAGE_NUMBER = re.compile(r"^(?:第?\s*\d+\s*页?|-\s*\d+\s*-|\d+\s*/\s*\d+)$")

_TARGET_ROLES = {"target": "annual", "target_implementation": "implementation", "target_long": "long"}


@dataclass(slots=True)
class _Column:
    group: str
    role: str
    header: str


@dataclass(slots=True)
class _RawIndicator:
    values: dict[str, str]
    extra: dict[str, str]
    location: Location


@dataclass(slots=True)
class _Draft:
    """A project table while it is being read."""

    table: int
    start: Location
    heading: str | None = None
    unit: BudgetUnit | None = None
    money_unit: str | None = None
    name: str | None = None
    name_location: Location | None = None
    fields: dict[str, str] = field(default_factory=dict)
    funding: list[FundingLine] = field(default_factory=list)
    use: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    header: dict[int, _Column] | None = None
    header_location: Location | None = None
    rows: list[_RawIndicator] = field(default_factory=list)
    row_count: int = 0

    @property
    def started(self) -> bool:
        return bool(self.name or self.rows or self.funding or self.header)


class _Interpreter:
    def __init__(self, source: SourceFile, display: str) -> None:
        self.voc = vocabulary()
        self.source = source
        self.file = display
        self.notes: list[Note] = []
        self.drafts: list[_Draft] = []
        self.draft: _Draft | None = None
        self.title: str | None = None
        self.year: int | None = None
        self.kind = "targets"
        self.contents: list[str] = []
        self.pending_headings: list[tuple[str, int | None]] = []
        self.seen_row = False
        # None | header | indicators | after | funding | funding-grid | goals | wide
        self.mode: str | None = None
        self.funding_header: dict[int, str] | None = None
        self.wide_header: dict[int, _Column] = {}
        self.wide_header_location: Location | None = None
        self.last_unit: BudgetUnit | None = None
        self.last_money_unit: str | None = None
        self.sheet: str | None = None
        self.previous_para: Para | None = None
        self.partial_row: Location | None = None

    # --- locations -------------------------------------------------------------------------

    def loc(self, row: Row | Para | None = None, cell: Cell | None = None) -> Location:
        d = self.draft
        return Location(
            file=self.file,
            table=d.table if d else None,
            row=d.row_count if d and isinstance(row, Row) else None,
            line=(cell.line if cell and cell.line is not None else getattr(row, "line", None)),
            sheet=getattr(row, "sheet", None) or self.sheet,
            cell=cell.ref if cell else None,
            page=getattr(row, "page", None),
        )

    def note(self, message: str, location: Location | None) -> None:
        self.notes.append(Note(message, location))

    # --- drafts ----------------------------------------------------------------------------

    def new_draft(self, row: Row | None) -> _Draft:
        heading = self.take_heading()
        table = len(self.drafts) + 1
        d = _Draft(
            table=table,
            start=Location(self.file, table, 1 if row else None, line=getattr(row, "line", None),
                           sheet=getattr(row, "sheet", None) or self.sheet,
                           cell=next((c.ref for c in row.cells if c.ref), None) if row else None,
                           page=getattr(row, "page", None)),
            heading=heading,
            unit=self.last_unit,
            money_unit=self.last_money_unit,
        )
        self.drafts.append(d)
        self.draft = d
        self.mode = None
        self.funding_header = None
        return d

    def take_heading(self) -> str | None:
        """The heading just before a table is its own; earlier numbered ones are the 目录."""
        if not self.pending_headings:
            return None
        *before, (last, _) = self.pending_headings
        if not self.seen_row:
            for text, num in before:
                if num is not None:
                    self.contents.append(text)
                elif self.title is None:
                    self.title = text
        self.pending_headings = []
        return last

    def current(self, row: Row) -> _Draft:
        if self.draft is None or (self.pending_headings and self.draft.started):
            self.new_draft(row)
        return self.draft  # type: ignore[return-value]

    # --- the stream ------------------------------------------------------------------------

    def feed(self, stream: Stream) -> None:
        self.sheet = stream.sheet
        for item in stream.items:
            if isinstance(item, Para):
                self.paragraph(item)
            else:
                for part in self.split_run_in(item):
                    self.row(part)
        # Tables do not run across sheets: the next stream starts afresh.
        self.mode = None
        if stream.sheet is not None:
            self.draft = None

    def paragraph(self, p: Para) -> None:
        self.partial_row = None
        raw = p.text.strip()
        text = fold(raw)
        if not text or _PAGE_NUMBER.match(text):
            return
        key = normalise_label(text)
        if self.voc.role("section", key) == "contents":
            return
        if m := _YEAR_LINE.match(text):
            self.year = self.year or int(m["year"])
            return
        m = _HEADING.match(_ANY_SPACE.sub("", raw))
        if not m and (self.money_unit([text]) or (_UNIT_LINE.match(raw) and self.unit_line([raw]))):
            # `单位：万元` or the unit line above a table, written as a paragraph (HTML, PDF).
            # (A heading never goes this way: row() sends lone headings back here.)
            self.row(Row([Cell(raw, line=p.line)], line=p.line, page=p.page))
            return
        previous = self.previous_para
        if (
            m and not m["num"] and len(m["name"]) < 4 and previous and previous.line is not None
            and p.line == previous.line + 1
        ):
            # A title broken over two lines: `…中心项目` / `支出绩效目标表` (the second, alone,
            # names no project: its "name" is a fragment like 支出).
            raw = previous.text.strip() + raw
            m = _HEADING.match(_ANY_SPACE.sub("", raw))
        self.previous_para = None if m else p
        if m:
            if m["kind"] == "自评":
                self.kind = "self-evaluation"
            num = int(fold(m["num"])) if m["num"] else None
            if num is None and not self.seen_row and not self.pending_headings and self.title is None:
                self.title = raw
                return
            self.pending_headings.append((raw, num))
            self.mode = None
            return
        if not self.seen_row and self.title is None and not self.pending_headings and ("表" in raw or "绩效" in raw):
            self.title = raw
            return
        # Any other paragraph ends an indicator table (tables do not hold paragraphs).
        if self.mode == "indicators":
            self.mode = "after"

    def opens_table(self, row: Row) -> bool:
        """Whether ``row`` can begin a table: a form label, a funding line or grid, a money unit."""
        for cell in row.cells:
            text = cell.text.strip()
            if not text or cell.merged:
                continue
            key = normalise_label(text.replace("：", ":").partition(":")[0])
            if any(self.voc.roles[g].get(key) for g in ("project", "section", "funding", "fundcol")):
                return True
            if self.money_unit([text]) or self.bracket_money_unit([text]):
                return True
        return False

    def para_like(self, text: str) -> bool:
        folded = fold(text)
        return bool(
            _HEADING.match(_ANY_SPACE.sub("", text))
            or _YEAR_LINE.match(folded)
            or self.voc.role("section", folded) == "contents"
        )

    def split_run_in(self, row: Row) -> list[Row]:
        """A row that runs into the next table's unit line (no blank line between them, as in the
        sample's table 3 → 4) is two rows."""
        if self.mode != "indicators" or self.draft is None or not self.draft.header:
            return [row]
        width = max(self.draft.header) + 1
        for i in range(width, len(row.cells)):
            # A covered cell repeats its merge's text; only a merge's first cell starts a line.
            if not row.cells[i].merged and _UNIT_LINE.match(row.cells[i].text.strip()):
                head = Row(row.cells[:i], row.line, row.page, row.sheet, row.table)
                tail = Row(row.cells[i:], row.cells[i].line, row.page, row.sheet, row.table)
                return [head, tail]
        return [row]

    def row(self, row: Row) -> None:
        texts = row.texts
        nonempty = [t for t in texts if t]
        self.partial_row = None
        if not nonempty:
            if self.draft is not None:
                self.draft.row_count += 1
                header = self.draft.header
                if self.mode in ("header", "indicators") and header and len(row.cells) <= max(header):
                    # Blank so far, and short: a row cut off by the end of the file?
                    self.partial_row = self.loc(row)
            return
        if len(nonempty) == 1 and self.para_like(nonempty[0]):
            # Spreadsheets and HTML put titles, 目录 entries and headings in a lone cell.
            self.paragraph(Para(nonempty[0], line=row.line, page=row.page))
            return
        if self.mode == "wide":
            columns = self.header_columns(row)
            if columns is None:
                self.wide_row(row)
                return
        unit = self.unit_line(nonempty) if len(nonempty) <= 2 else None
        money = self.money_unit(nonempty)
        if unit is not None:
            d = self.draft
            if d is None or d.started or self.pending_headings:
                d = self.new_draft(row)
            d.unit = unit
            self.last_unit = unit
            self.seen_row = True
            d.row_count += 1
            if money:
                d.money_unit = self.last_money_unit = money
            return
        if money and len(nonempty) == 1:
            self.last_money_unit = money
            if self.draft is not None and not self.pending_headings:
                self.draft.money_unit = money
                self.draft.row_count += 1
            return
        columns = self.header_columns(row)
        if columns is not None and any(c.group == "project" and c.role == "name" for c in columns.values()):
            self.start_wide(row, columns)
            return
        if (self.draft is None or self.pending_headings and self.draft.started) and columns is None and not self.opens_table(row):
            # A row before any table (a sheet of notes, a drop-down list): not a project's row.
            self.note(f"row outside any table, skipped: {' | '.join(t[:20] for t in nonempty[:6])}",
                      Location(self.file, line=row.line, sheet=row.sheet or self.sheet, page=row.page,
                               cell=next((c.ref for c in row.cells if c.ref), None)))
            return
        d = self.current(row)
        self.seen_row = True
        d.row_count += 1
        if money:
            # `金额单位：元` beside other cells: note it, and read the row without it.
            d.money_unit = self.last_money_unit = money
            row = Row([c for c in row.cells if not self.money_unit([c.text.strip()])], row.line, row.page, row.sheet, row.table)
        elif bracket := self.bracket_money_unit(nonempty):
            d.money_unit = self.last_money_unit = bracket
        if columns is not None:
            d.header = columns
            d.header_location = self.loc(row)
            self.mode = "header"
            return
        if self.mode == "header" and self.sub_header(row, d):
            return
        if self.mode in ("header", "indicators") and d.header:
            self.indicator_row(row, d)
            return
        if self.try_funding_grid(row, d):
            return
        self.form_row(row, d)

    # --- unit line and money unit ----------------------------------------------------------

    def unit_line(self, nonempty: list[str]) -> BudgetUnit | None:
        for text in nonempty:
            m = _UNIT_LINE.match(text)
            if m and not self.voc.role("project", m["name"]) and not _MONEY_UNIT.match(fold(m["name"])):
                others = [t for t in nonempty if t != text]
                if all(_MONEY_UNIT.match(fold(o)) for o in others):
                    return BudgetUnit(code=fold(m["code"]), name=m["name"].strip())
        return None

    def bracket_money_unit(self, nonempty: list[str]) -> str | None:
        """`项目资金（万元）`, `年初预算数(元)`: a money unit in a label's bracket."""
        for text in nonempty:
            m = _BRACKET_MONEY.search(fold(text))
            if m and self.voc.money_units.get(m["unit"]) and (
                self.voc.role("section", text) or self.voc.role("funding", text) or self.voc.role("fundcol", text)
            ):
                return m["unit"]
        return None

    def money_unit(self, nonempty: list[str]) -> str | None:
        for text in nonempty:
            m = _MONEY_UNIT.match(fold(text).replace(" ", ""))
            if m and normalise_label(m["unit"]) in self.voc.money_units:
                return normalise_label(m["unit"])
        return None

    # --- headers ---------------------------------------------------------------------------

    def column_role(self, text: str) -> _Column | None:
        key = normalise_label(text)
        if not key:
            return None
        for group in ("indicator", "project", "funding"):
            role = self.voc.roles[group].get(key)
            if role:
                return _Column(group, role, text.strip())
        return None

    def header_columns(self, row: Row) -> dict[int, _Column] | None:
        """The column roles if ``row`` is an indicator table header (or a wide sheet's), else None."""
        columns: dict[int, _Column] = {}
        for i, cell in enumerate(row.cells):
            col = self.column_role(cell.text)
            if col and not any(c.group == col.group and c.role == col.role for c in columns.values()):
                columns[i] = col
        roles = {c.role for c in columns.values() if c.group == "indicator"}
        if len(roles & {"level1", "level2", "level3", "target"}) < 2 or not roles & {"level3", "target"}:
            return None
        # Unknown header cells are kept by their text, so nothing a table says is lost; the
        # covered positions of a header cell spanning columns are that cell, not new columns.
        for i, cell in enumerate(row.cells):
            if i not in columns and cell.text.strip() and not cell.merged:
                columns[i] = _Column("extra", normalise_label(cell.text), cell.text.strip())
        return columns

    def sub_header(self, row: Row, d: _Draft) -> bool:
        """A second header row under a merged 指标值 cell: 年度指标值 | 实施期指标值."""
        assert d.header is not None
        found = {i: self.column_role(c.text) for i, c in enumerate(row.cells) if c.text.strip()}
        if not found or any(col is None or col.group != "indicator" for col in found.values()):
            return False
        for i, col in found.items():
            d.header[i] = col  # type: ignore[assignment]
        return True

    # --- wide sheets: one indicator per row, project cells on each project's first row -------

    def start_wide(self, row: Row, columns: dict[int, _Column]) -> None:
        self.mode = "wide"
        self.seen_row = True
        self.wide_header = columns
        self.wide_header_location = Location(
            self.file, line=row.line, sheet=row.sheet or self.sheet, page=row.page,
            cell=next((c.ref for c in row.cells if c.ref), None),
        )
        # A draft opened by a title row above the sheet's header holds nothing of its own; a
        # table before the header is finished: the sheet's rows open projects of their own.
        if self.draft is not None and not self.draft.started:
            self.drafts.remove(self.draft)
        self.draft = None

    def wide_row(self, row: Row) -> None:
        columns = self.wide_header
        cell_of = {i: row.cells[i] for i in columns if i < len(row.cells)}
        name_i = next(i for i, c in columns.items() if c.group == "project" and c.role == "name")
        name = cell_of[name_i].text.strip() if name_i in cell_of else ""
        d = self.draft
        if name and (d is None or name != d.name):
            d = self.new_draft(row)
            d.row_count = 1
            d.name = name
            d.name_location = self.loc(row, cell_of[name_i])
            d.header = {i: c for i, c in columns.items() if c.group in ("indicator", "extra")}
            d.header_location = self.wide_header_location
        elif d is None:
            self.note("row before any 项目名称 in a wide sheet; skipped", Location(self.file, line=row.line, sheet=row.sheet))
            return
        else:
            d.row_count += 1
        first_row = d.row_count == 1
        for i, col in columns.items():
            cell = cell_of.get(i)
            if first_row and cell is not None and col.group == "funding" and not cell.merged and not cell.text.strip():
                # An empty amount on the project's own row is 0, as in a form (其他资金 left blank).
                d.funding.append(FundingLine(col.role, col.header, self.amount("", row, cell, d), location=self.loc(row, cell)))  # type: ignore[arg-type]
                continue
            if cell is None or not cell.text.strip() or cell.merged:
                continue
            if col.group == "project" and col.role != "name":
                if col.role in ("goals", "use_of_funds") and (col.role == "goals" and d.goals or col.role == "use_of_funds" and d.use):
                    continue
                self.set_field(col.role, cell.text.strip(), row, cell, d)
            elif col.group == "funding" and not any(f.kind == col.role for f in d.funding):
                amount = self.amount(cell.text, row, cell, d)
                if amount is not None:
                    d.funding.append(FundingLine(col.role, col.header, amount, location=amount.location))  # type: ignore[arg-type]
        self.mode = "wide"
        if d.header is None:
            # A draft a form row opened after the wide header (a fuzzer's find): its indicator
            # rows follow the sheet's header.
            d.header = {i: c for i, c in columns.items() if c.group in ("indicator", "extra")}
            d.header_location = self.wide_header_location
        if any(cell_of.get(i) is not None and cell_of[i].text.strip() for i, c in d.header.items() if c.group == "indicator"):
            self.indicator_row(row, d)
            self.mode = "wide"

    # --- form rows (label / value pairs) ---------------------------------------------------

    def form_row(self, row: Row, d: _Draft) -> None:
        cells = [c for c in row.cells if c.text.strip() and not c.merged]
        if not cells:
            # nothing left to read: e.g. a row whose only text was a money unit (a fuzzer's find)
            return
        first = normalise_label(cells[0].text)
        section = self.voc.roles["section"].get(first)
        if section == "funding":
            self.mode = "funding"
            cells = cells[1:]
            if not cells:
                return
            first = normalise_label(cells[0].text)
        elif section == "total_score":
            self.mode = "after"
            return
        elif section == "indicators":
            self.mode = "after"
            return

        project_role = self.voc.roles["project"].get(first)
        funding_role = self.voc.roles["funding"].get(first) if self.mode == "funding" or self.funding_like(cells) else None
        if project_role and not funding_role:
            self.project_field(project_role, cells, row, d)
            return
        if funding_role or self.mode == "funding":
            if self.funding_pairs(cells, row, d):
                return
            if self.mode == "funding":
                # Under 预算规模及资金用途, a row of prose is the use of the funds.
                text = " ".join(c.text.strip() for c in cells)
                if not parse_amount(text):
                    d.use.append(text)
                    return
        if self.mode == "goals":
            for c in cells:
                d.goals.extend(_split_goals(c.text))
            return
        if ":" in fold(cells[0].text) or "：" in cells[0].text:
            label, _, value = cells[0].text.replace("：", ":").partition(":")
            role = self.voc.roles["project"].get(normalise_label(label))
            if role:
                self.project_field(role, [Cell(label), Cell(value)] + cells[1:], row, d)
                return
        self.note(f"row not recognised, skipped: {' | '.join(c.text.strip()[:20] for c in cells)}", self.loc(row))

    def funding_like(self, cells: list[Cell]) -> bool:
        return any(self.voc.roles["funding"].get(normalise_label(c.text)) for c in cells) and any(
            parse_amount(c.text) for c in cells if c.text.strip()
        )

    def project_field(self, role: str, cells: list[Cell], row: Row, d: _Draft) -> None:
        # Pairs: label, value, label, value … (项目名称 | X | 主管部门 | Y)
        i = 0
        while i < len(cells):
            key = normalise_label(cells[i].text)
            r = self.voc.roles["project"].get(key)
            if r is None:
                i += 1
                continue
            value = ""
            if i + 1 < len(cells) and not self.voc.roles["project"].get(normalise_label(cells[i + 1].text)):
                value = cells[i + 1].text.strip()
                i += 1
            self.set_field(r, value, row, cells[i], d)
            i += 1

    def set_field(self, role: str, value: str, row: Row, cell: Cell, d: _Draft) -> None:
        if role == "name":
            if d.name and (d.rows or d.header):
                # A second 项目名称 without a unit line between: the next table begins.
                d = self.new_draft(row)
                d.row_count = 1
            d.name = value
            d.name_location = self.loc(row, cell)
            self.mode = None
        elif role == "goals":
            self.mode = "goals"
            d.goals.extend(_split_goals(value))
        elif role == "use_of_funds":
            self.mode = "funding" if self.mode == "funding" else None
            if value:
                d.use.append(value)
        elif role == "unit_name":
            m = _UNIT_LINE.match(value)
            d.unit = BudgetUnit(fold(m["code"]), m["name"].strip()) if m else BudgetUnit(
                d.unit.code if d.unit else None, value
            )
            self.last_unit = d.unit
        elif role == "unit_code":
            d.unit = BudgetUnit(value, d.unit.name if d.unit else "")
            self.last_unit = d.unit
        elif role == "year":
            m = re.search(r"(?:19|20)\d{2}", fold(value))
            if m:
                self.year = self.year or int(m.group())
            d.fields[role] = value
        else:
            d.fields[role] = value

    def funding_pairs(self, cells: list[Cell], row: Row, d: _Draft) -> bool:
        """`预算数 | 1324.00 | 其中：财政资金 | 1324.00 | 其他资金 | ` → three funding lines."""
        found = False
        i = 0
        while i < len(cells):
            kind = self.voc.roles["funding"].get(normalise_label(cells[i].text))
            if kind is None:
                # A label that carries its value: `预算数：1324.00`
                label, sep, value = cells[i].text.replace("：", ":").partition(":")
                kind = self.voc.roles["funding"].get(normalise_label(label)) if sep else None
                if kind:
                    amount = self.amount(value, row, cells[i], d)
                    if amount is not None:
                        d.funding.append(FundingLine(kind, label.strip(), amount, location=amount.location))  # type: ignore[arg-type]
                        found = True
                i += 1
                continue
            value_cell = None
            if i + 1 < len(cells) and not self.voc.roles["funding"].get(normalise_label(cells[i + 1].text)):
                value_cell = cells[i + 1]
            label = cells[i].text.strip()
            amount = self.amount(value_cell.text if value_cell else "", row, value_cell or cells[i], d)
            if amount is None:
                if value_cell is not None and not found and self.mode != "funding":
                    return False
                self.note(f"{label}: cannot read the amount {value_cell.text.strip()!r}" if value_cell else f"{label}: no amount", self.loc(row, value_cell))
            else:
                d.funding.append(FundingLine(kind, _squash(label), amount, location=amount.location))  # type: ignore[arg-type]
            found = True
            i += 2 if value_cell is not None else 1
        if found:
            self.mode = "funding"
        return found

    def amount(self, text: str, row: Row, cell: Cell, d: _Draft) -> Amount | None:
        parsed = parse_amount(text)
        if parsed is None:
            return None
        value, written_unit = parsed
        unit = written_unit or d.money_unit or self.last_money_unit
        if unit is None:
            unit = "万元"
            self.note("no money unit stated (单位：万元 / 元); amounts read as 万元", self.loc(row, cell))
            d.money_unit = self.last_money_unit = unit
        return Amount(value, unit, self.voc.money_units[unit], text.strip(), self.loc(row, cell))

    # --- funding grids (self-evaluations) --------------------------------------------------

    def try_funding_grid(self, row: Row, d: _Draft) -> bool:
        roles = {i: self.voc.roles["fundcol"].get(normalise_label(c.text)) for i, c in enumerate(row.cells)}
        roles = {i: r for i, r in roles.items() if r}
        if len(roles) >= 2 and len(set(roles.values())) >= 2 and not any(parse_amount(c.text) and c.text.strip() for c in row.cells if not self.voc.roles["fundcol"].get(normalise_label(c.text)) and not self.voc.roles["section"].get(normalise_label(c.text))):
            self.funding_header = roles
            self.mode = "funding-grid"
            if any(self.voc.roles["fundcol"].get(normalise_label(c.text)) in ("weight", "score") for c in row.cells):
                self.kind = "self-evaluation"
            return True
        if self.mode == "funding-grid" and self.funding_header:
            label_cell = next(
                (c for c in row.cells if self.voc.roles["funding"].get(normalise_label(c.text))), None
            )
            if label_cell is None:
                self.mode = None
                return False
            kind = self.voc.roles["funding"][normalise_label(label_cell.text)]
            line = FundingLine(kind, _squash(label_cell.text), None, location=self.loc(row, label_cell))  # type: ignore[arg-type]
            for i, role in self.funding_header.items():
                if i >= len(row.cells):
                    continue
                cell = row.cells[i]
                if role in ("planned", "adjusted", "executed"):
                    amount = self.amount(cell.text, row, cell, d)
                    setattr(line, "amount" if role == "planned" else role, amount)
                elif role == "rate":
                    line.rate = cell.text.strip() or None
                elif role in ("weight", "score"):
                    setattr(line, role, _decimal_or_none(cell.text))
            d.funding.append(line)
            return True
        return False

    # --- indicator rows --------------------------------------------------------------------

    def indicator_row(self, row: Row, d: _Draft) -> None:
        header = d.header or {}
        if self.mode == "header":
            self.mode = "indicators"
        # A label row (项目名称, 预算数 …) ends the indicator table.
        first = next((c for c in row.cells if c.text.strip()), None)
        if first is not None and header.get(row.cells.index(first), _Column("", "", "")).group != "project":
            key = normalise_label(first.text)
            if self.voc.roles["section"].get(key) == "total_score":
                # 总分 | … | 100 | 96.65: the self-evaluation's total, under the 分值/得分 columns.
                for i, col in header.items():
                    if col.role in ("weight", "score") and i < len(row.cells) and row.cells[i].text.strip():
                        d.fields[f"total_{col.role}"] = row.cells[i].text.strip()
                self.mode = "after"
                return
            if self.voc.roles["project"].get(key) == "name" or self.voc.roles["section"].get(key) == "funding":
                self.mode = "after"
                self.form_row(row, d)
                return
        values: dict[str, str] = {}
        extra: dict[str, str] = {}
        for i, col in header.items():
            if i >= len(row.cells):
                continue
            text = row.cells[i].text.strip()
            if col.group == "extra":
                # A merged section cell (绩效指标) repeats its header text on every row.
                if text and text != col.header:
                    extra[col.header] = text
            else:
                values[f"{col.group}.{col.role}"] = text
        ref = next((c.ref for c in row.cells if c.ref), None)
        location = Location(
            self.file, d.table, d.row_count, line=row.cells[0].line if row.cells else row.line,
            sheet=row.sheet or self.sheet, cell=ref, page=row.page,
        )
        d.rows.append(_RawIndicator(values, extra, location))

    # --- the end ---------------------------------------------------------------------------

    def finish(self) -> Document:
        if self.partial_row is not None:
            raise MalformedTable("the file ends in the middle of an indicator row; it seems truncated", self.partial_row)
        drafts = [d for d in self.drafts if d.started or d.heading]
        if not any(d.header or d.rows or d.name for d in drafts):
            raise NotATargetTable(
                "no performance target table found (no 项目名称 and no 一级指标/二级指标/三级指标 header)",
                Location(self.file),
            )
        title_year = _TITLE_YEAR.search(fold(self.title)) if self.title else None
        year = self.year or (int(title_year["year"]) if title_year else None) or _year_from_names(
            [d.name or "" for d in drafts]
        )
        projects = [self.project(d, year) for d in drafts]
        self.cross_check(projects)
        units = {p.budget_unit for p in projects if p.budget_unit}
        money = {p.money_unit for p in projects}
        return Document(
            source=self.source,
            kind=self.kind,  # type: ignore[arg-type]
            title=self.title,
            year=year,
            budget_unit=units.pop() if len(units) == 1 else None,
            money_unit=money.pop() if len(money) == 1 else None,
            contents=[_contents_name(c) for c in self.contents],
            projects=projects,
            notes=self.notes,
        )

    def project(self, d: _Draft, year: int | None) -> Project:
        if not d.name:
            raise MalformedTable(
                "this table has no 项目名称 (project name) row; every target table names its project",
                d.start,
            )
        if d.header is None:
            raise MalformedTable(
                f"project {d.name!r} has no indicator table (一级指标 | 二级指标 | 三级指标 … | 指标值); "
                "is the table cut short?",
                d.name_location or d.start,
            )
        if not d.rows:
            raise MalformedTable(
                f"project {d.name!r}: the indicator table has a header but no rows; is the table cut short?",
                d.header_location or d.start,
            )
        if self.kind == "self-evaluation" or any(c.role in ("actual", "score") for c in d.header.values()):
            self.kind = "self-evaluation"
        indicators = self.indicators(d, year)
        money_unit = d.money_unit or self.last_money_unit or "万元"
        return Project(
            table=d.table,
            name=d.name,
            heading=d.heading,
            level=_level_of(d.name),
            budget_unit=d.unit,
            money_unit=money_unit,
            funding=d.funding,
            use_of_funds="\n".join(d.use) or None,
            goals=d.goals,
            indicators=indicators,
            fields=d.fields,
            location=d.start,
        )

    def indicators(self, d: _Draft, year: int | None) -> list[Indicator]:
        assert d.header is not None
        last = d.rows[-1]
        if self._cut_short(last, d):
            raise MalformedTable(
                "the last indicator row is cut short (it has no "
                + " / ".join(c.header for c in d.header.values() if c.role in ("level3", "target"))
                + "); the file seems truncated",
                last.location,
            )
        level1 = _resolve_levels(d.rows, "indicator.level1", self.voc)
        level2 = _fill_down(d.rows, "indicator.level2", level1)
        result = []
        for n, (raw, l1, l2) in enumerate(zip(d.rows, level1, level2), start=1):
            v = raw.values
            name = v.get("indicator.level3", "")
            description = v.get("indicator.description") or None
            if not name:
                if description:
                    name = description
                    self.note("no 三级指标 name; the description stands in for it", raw.location)
                else:
                    self.note("row has no 三级指标 name", raw.location)
            unit = v.get("indicator.unit") or None
            comparator = v.get("indicator.comparator") or None
            direction = v.get("indicator.direction") or None
            targets = []
            for role, period in _TARGET_ROLES.items():
                key = f"indicator.{role}"
                if key in v and (v[key] or role == "target"):
                    t = normalise_target(
                        v[key], unit=unit, comparator=comparator, direction=direction, year=year,
                        period=period if len([r for r in _TARGET_ROLES if f"indicator.{r}" in v]) > 1 else None,
                    )
                    targets.append(t)
                    for message in t.notes:
                        self.note(f"target {t.text!r}: {message}", raw.location)
            actual = None
            if v.get("indicator.actual"):
                actual = normalise_target(v["indicator.actual"], unit=unit, year=year, period="actual")
            l1_code = self.voc.level1.get(l1) if l1 else None
            l2_code = self.voc.level2.get(l2) if l2 else None
            if l1 and l1_code is None:
                self.note(f"一级指标 {l1!r} is not in the taxonomy (vocab/taxonomy.toml)", raw.location)
            if l2 and l2_code is None:
                self.note(f"二级指标 {l2!r} is not in the taxonomy (vocab/taxonomy.toml)", raw.location)
            result.append(
                Indicator(
                    position=n,
                    level1=l1_code,
                    level1_label=l1,
                    level2=l2_code,
                    level2_label=l2,
                    name=name,
                    description=description,
                    targets=[t for t in targets if t.text or t.period in (None, "annual")],
                    direction=direction_of(direction) or direction_of(comparator),  # type: ignore[arg-type]
                    weight=_decimal_or_none(v.get("indicator.weight")),
                    actual=actual,
                    score=_decimal_or_none(v.get("indicator.score")),
                    explanation=v.get("indicator.explanation") or None,
                    scoring=v.get("indicator.scoring") or None,
                    deviation=v.get("indicator.deviation") or None,
                    note=v.get("indicator.note") or None,
                    extra=raw.extra,
                    location=raw.location,
                )
            )
        return result

    def _cut_short(self, raw: _RawIndicator, d: _Draft) -> bool:
        v = raw.values
        keys = [k for k in ("indicator.level3", "indicator.target") if any(
            c.group == "indicator" and f"indicator.{c.role}" == k for c in d.header.values()  # type: ignore[union-attr]
        )]
        return any(k not in v for k in keys)

    def cross_check(self, projects: list[Project]) -> None:
        if not self.contents:
            for p in projects:
                if p.heading and not _same_name(_contents_name(p.heading), p.name):
                    self.note(f"heading {p.heading!r} differs from 项目名称 {p.name!r}; 项目名称 is used", p.location)
            return
        names = [_contents_name(c) for c in self.contents]
        if len(names) != len(projects):
            self.note(
                f"the 目录 lists {len(names)} tables but {len(projects)} were found", Location(self.file)
            )
        for p in projects:
            if not any(_same_name(n, p.name) for n in names):
                self.note(f"project {p.name!r} is not listed in the 目录", p.location)
            if p.heading and not _same_name(_contents_name(p.heading), p.name):
                self.note(f"heading {p.heading!r} differs from 项目名称 {p.name!r}; 项目名称 is used", p.location)

def _contents_name(text: str) -> str:
    """`3.2025年城乡…-市级绩效目标表` → `2025年城乡…-市级`."""
    key = _ANY_SPACE.sub("", text)
    m = _HEADING.match(key)
    return m["name"] if m else key


def _same_name(heading: str, name: str) -> bool:
    """A heading names its project even when it leaves off the level suffix (`-市级`)."""
    name = _ANY_SPACE.sub("", name)
    return heading == name or heading == _LEVEL_SUFFIX.sub("", name)


def _squash(text: str) -> str:
    """A label as written, without the runs of spaces tables pad labels with (`财政    资金`)."""
    return _ANY_SPACE.sub("", text)


def _split_goals(text: str) -> list[str]:
    """`1.甲 2.乙` → [甲, 乙]; the text is kept as written, numbering aside."""
    text = text.strip()
    if not text:
        return []
    parts = [p.strip() for p in _GOAL_SPLIT.split(text) if p and p.strip()]
    return parts or [text]


def _level_of(name: str) -> str | None:
    m = _LEVEL_SUFFIX.search(fold(name))
    if not m:
        return None
    return vocabulary().levels.get(m["level"])


def _year_from_names(names: list[str]) -> int | None:
    years = Counter(int(m["year"]) for n in names if (m := _NAME_YEAR.match(fold(n))))
    return years.most_common(1)[0][0] if years else None


def _decimal_or_none(text: str | None) -> Decimal | None:
    """A weight or score cell: `20`, `20分`, `96.65`; None when blank or a dash (not applicable)."""
    text = (text or "").strip().rstrip("分%％")
    if not text or text in ("-", "—", "——", "/", "无"):
        return None
    parsed = parse_amount(text)
    return parsed[0] if parsed else None


def _resolve_levels(rows: list[_RawIndicator], key: str, voc) -> list[str]:
    """Level-1 labels for every row. A merged cell leaves blanks; its label may sit on the first
    row of its block (Word) or a middle row (PDF, hand-made sheets). A blank takes the label of
    the neighbour block that its level-2 belongs to by the taxonomy, else the one above."""
    labels = [normalise_label(r.values.get(key, "")) for r in rows]
    result = list(labels)
    for i, lab in enumerate(labels):
        if lab:
            continue
        above = next((labels[j] for j in range(i - 1, -1, -1) if labels[j]), None)
        below = next((labels[j] for j in range(i + 1, len(labels)) if labels[j]), None)
        l2 = voc.level2.get(normalise_label(rows[i].values.get("indicator.level2", "")))
        parents = voc.level2_parents.get(l2, ()) if l2 else ()
        choice = above
        if above is None:
            choice = below
        elif below is not None and parents:
            fits_above = voc.level1.get(above) in parents
            fits_below = voc.level1.get(below) in parents
            if fits_below and not fits_above:
                choice = below
        result[i] = choice or ""
    return result


def _fill_down(rows: list[_RawIndicator], key: str, blocks: list[str]) -> list[str]:
    """Level-2 labels: a blank repeats the label above within the same level-1 block, or takes
    the first label below when the block's label sits lower down."""
    labels = [normalise_label(r.values.get(key, "")) for r in rows]
    result = list(labels)
    for i, lab in enumerate(labels):
        if lab:
            continue
        above = next(
            (labels[j] for j in range(i - 1, -1, -1) if blocks[j] == blocks[i] and labels[j]), None
        )
        below = next(
            (labels[j] for j in range(i + 1, len(labels)) if blocks[j] == blocks[i] and labels[j]), None
        )
        result[i] = above or below or ""
    return result


def interpret(streams: list[Stream], source: SourceFile, display: str) -> Document:
    """Read the streams of one source file into a Document; raises ReadError subclasses."""
    interp = _Interpreter(source, display)
    for stream in streams:
        interp.feed(stream)
    return interp.finish()
