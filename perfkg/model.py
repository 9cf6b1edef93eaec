"""What a performance target table says, as typed Python objects, before any RDF.

Readers of every format produce these; ``perfkg.mapping`` turns them into triples. Amounts and
counts are ``Decimal`` (never float), every value keeps the string it was read from, and every
object knows where in its source it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

__all__ = [
    "Location",
    "Note",
    "SourceFile",
    "BudgetUnit",
    "Amount",
    "FundingLine",
    "Target",
    "Indicator",
    "Project",
    "Document",
]


@dataclass(frozen=True, slots=True)
class Location:
    """Where something was read: the file, the table (project) number, and the row within it.

    ``table`` counts the project tables of a document from 1, ``row`` the rows of that table
    from 1 (its first row, usually the unit line). ``line`` is the text line, ``cell`` a
    spreadsheet reference (``B7``) or a Word/HTML/PDF cell position, ``sheet`` and ``page`` where
    the format has them.
    """

    file: str
    table: int | None = None
    row: int | None = None
    line: int | None = None
    sheet: str | None = None
    cell: str | None = None
    page: int | None = None

    def describe(self) -> str:
        parts = []
        if self.table is not None:
            parts.append(f"table {self.table}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        where = []
        if self.sheet is not None:
            where.append(f"sheet {self.sheet!r}")
        if self.page is not None:
            where.append(f"page {self.page}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.cell is not None:
            where.append(f"cell {self.cell}")
        text = self.file
        if parts:
            text += ": " + ", ".join(parts)
        if where:
            text += f" ({', '.join(where)})"
        return text


@dataclass(frozen=True, slots=True)
class Note:
    """A warning about something read but not fully understood."""

    message: str
    location: Location | None = None

    def __str__(self) -> str:
        return f"{self.location.describe()}: {self.message}" if self.location else self.message


@dataclass(frozen=True, slots=True)
class SourceFile:
    """The file a document came from, identified by content (sha256) as well as path."""

    path: str
    sha256: str
    format: Literal["text", "docx", "xlsx", "pdf", "html"]
    size: int


@dataclass(frozen=True, slots=True)
class BudgetUnit:
    """A budget unit (预算单位): the organisation that submits the table."""

    code: str | None
    name: str


@dataclass(frozen=True, slots=True)
class Amount:
    """An amount of money exactly as the table wrote it, in the table's money unit.

    ``value`` keeps the written scale (``1324.00``); ``yuan`` is the same amount in 元.
    A cell that is present but empty holds ``value`` 0 and ``text`` "" (DOMAIN: empty = 0).
    """

    value: Decimal
    unit: str
    factor: int
    text: str
    location: Location | None = None

    @property
    def yuan(self) -> Decimal:
        return self.value * self.factor


FundingKind = Literal[
    "total", "fiscal", "other", "central", "provincial", "municipal", "county", "carryover"
]


@dataclass(slots=True)
class FundingLine:
    """One line of the budget block: 预算数, 其中：财政资金, 其他资金, 中央补助 …

    A target table fills ``amount``; a self-evaluation (绩效自评表) adds the adjusted budget,
    what was spent, the execution rate and the score of the line.
    """

    kind: FundingKind
    label: str
    amount: Amount | None
    adjusted: Amount | None = None
    executed: Amount | None = None
    rate: str | None = None
    weight: Decimal | None = None
    score: Decimal | None = None
    location: Location | None = None


TargetKind = Literal["quantity", "range", "interval", "deadline", "date", "qualitative"]
Comparator = Literal[">=", "<=", ">", "<", "=", "between", "within", "before", "after"]


@dataclass(slots=True)
class Target:
    """A target (指标值), normalised, beside the string it was read from.

    ``number`` is the number as written, ``multiplier`` the magnitude written with it (万 → 10000),
    ``value`` the normalised number in the unit's base (元 for money, a ratio for percentages,
    persons for 人 …); ``upper`` closes a range. Dates go into ``start``/``end``; a deadline has
    only ``end``. A target nobody can read stays ``qualitative`` with ``text`` kept whole.
    """

    text: str
    kind: TargetKind
    comparator: Comparator | None = None
    number: Decimal | None = None
    multiplier: int | None = None
    value: Decimal | None = None
    upper: Decimal | None = None
    unit: str | None = None
    unit_text: str | None = None
    unit_kind: str | None = None
    duration: str | None = None
    start: date | None = None
    end: date | None = None
    period: str | None = None
    comparator_text: str | None = None
    comparator_source: Literal["text", "column", "direction", "default"] | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Indicator:
    """One row of the indicator table (三级指标) with its categories and target(s).

    ``level1``/``level2`` are taxonomy codes (``output``, ``quantity`` …) or None when the label
    is not in the taxonomy; ``level1_label``/``level2_label`` keep the normalised label as written.
    ``targets`` holds one target per period column (年度, 实施期 …); most tables have one.
    """

    position: int
    level1: str | None
    level1_label: str
    level2: str | None
    level2_label: str
    name: str
    description: str | None
    targets: list[Target]
    direction: Literal["positive", "negative"] | None = None
    weight: Decimal | None = None
    actual: Target | None = None
    score: Decimal | None = None
    explanation: str | None = None
    scoring: str | None = None
    deviation: str | None = None
    note: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    location: Location | None = None

    @property
    def target(self) -> Target:
        """The annual target (or the only one)."""
        for t in self.targets:
            if t.period in (None, "annual"):
                return t
        return self.targets[0]


_GOVERNMENT_LINES = ("central", "provincial", "municipal", "county")


@dataclass(slots=True)
class Project:
    """One project table: name, funding, use, goals and indicators."""

    table: int
    name: str
    heading: str | None
    level: str | None
    budget_unit: BudgetUnit | None
    money_unit: str
    funding: list[FundingLine]
    use_of_funds: str | None
    goals: list[str]
    indicators: list[Indicator]
    fields: dict[str, str] = field(default_factory=dict)
    location: Location | None = None

    def _line(self, kind: str) -> FundingLine | None:
        return next((f for f in self.funding if f.kind == kind and f.amount is not None), None)

    @property
    def total(self) -> Amount | None:
        line = self._line("total")
        return line.amount if line else None

    @property
    def fiscal(self) -> Amount | None:
        """财政资金 as written; else the sum of the government-level lines (中央补助 + 省级 + …)."""
        line = self._line("fiscal")
        if line:
            return line.amount
        levels = [f.amount for f in self.funding if f.kind in _GOVERNMENT_LINES and f.amount is not None]
        if not levels:
            return None
        total = sum((a.value for a in levels), Decimal(0))
        return Amount(total, levels[0].unit, levels[0].factor, "", None)

    @property
    def fiscal_derived(self) -> bool:
        """True when 财政资金 is not written but summed from 中央/省级/市级/县级 lines."""
        return self._line("fiscal") is None and self.fiscal is not None

    @property
    def other(self) -> Amount | None:
        line = self._line("other")
        return line.amount if line else None


@dataclass(slots=True)
class Document:
    """Everything read from one source file."""

    source: SourceFile
    kind: Literal["targets", "self-evaluation"]
    title: str | None
    year: int | None
    budget_unit: BudgetUnit | None
    money_unit: str | None
    contents: list[str]
    projects: list[Project]
    notes: list[Note] = field(default_factory=list)

    @property
    def indicator_count(self) -> int:
        return sum(len(p.indicators) for p in self.projects)
