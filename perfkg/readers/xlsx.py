"""Excel workbooks (.xlsx): one stream per sheet, each cell's text as Excel shows it.

openpyxl opens the workbook with ``data_only=True``: a formula gives the value Excel cached when
the file was last saved; nothing is ever calculated, run or fetched. A cell's text is what Excel
displays — a number through its number format (``1324`` in ``0.00`` → ``1324.00``, ``0.98`` in
``0%`` → ``98%``), a date through its date format — worked out in ``Decimal`` from the shortest
repr of the stored double, so ``672.1`` never becomes ``672.1000000000001``.

Merged cells give every grid position (``grid.Cell``): the merge's top-left cell as usual, each
covered position as a copy of its text with ``merged`` set. Hidden sheets (drop-down lists,
look-up tables) are skipped unless no visible sheet holds anything; hidden rows and columns are
read, since they hold data still. A sheet is read up to its last non-empty row and column,
whatever size it claims; every row spans those columns (``B7`` stays column 2), and a run of
empty rows becomes one empty row, which still separates the tables stacked on a sheet. Rows
carry no line number: the cell reference says where they are. A formula with no cached value (a
workbook written by a script and never opened in Excel) reads as an empty cell.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from typing import TYPE_CHECKING

from perfkg.errors import UnsupportedFile
from perfkg.grid import Cell, Row, Stream
from perfkg.model import Location

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell as SheetCell

__all__ = ["streams", "cell_text", "format_number", "format_date"]

# Merged ranges openpyxl would expand cell by cell while loading: a hostile `A1:XFD1048576`
# would take the machine, so the ranges are counted before the workbook is opened.
MAX_MERGED_CELLS = 5_000_000
MERGE_REACH = 64
MAX_GRID_CELLS = 2_000_000  # rows × columns of one sheet's stream (100 000 rows of 20 columns)
_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})\"")


def streams(data: bytes, name: str, *, encoding: str | None = None) -> list[Stream]:
    """One Stream per sheet, in workbook order; ``encoding`` does not apply to workbooks."""
    workbook = _open(data, name)
    sheets = list(workbook.worksheets)
    visible = [ws for ws in sheets if ws.sheet_state == "visible"]
    chosen = visible if any(_has_values(ws) for ws in visible) else sheets
    return [_sheet_stream(ws, name) for ws in chosen]


def _open(data: bytes, name: str):
    import openpyxl

    _check_merges(data, name)
    try:
        with warnings.catch_warnings():
            # "Data Validation extension is not supported" and the like: nothing a reader needs.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(BytesIO(data), read_only=False, data_only=True, keep_links=False)
    except Exception as e:  # openpyxl raises KeyError, ValueError, lxml errors … on damaged parts
        reason = str(e).strip().splitlines()[0][:200] if str(e).strip() else type(e).__name__
        raise UnsupportedFile(f"a damaged or unreadable .xlsx workbook ({reason})", Location(name)) from None


def _check_merges(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            members = [n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            total = 0
            for member in members:
                for c1, r1, c2, r2 in _MERGE_REF.findall(z.read(member)):
                    rows = abs(int(r2) - int(r1)) + 1
                    cols = abs(_column_number(c2) - _column_number(c1)) + 1
                    total += rows * cols
                    if total > MAX_MERGED_CELLS:
                        raise UnsupportedFile(
                            f"{member} merges more than {MAX_MERGED_CELLS:,} cells; refusing to expand it",
                            Location(name),
                        )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as e:
        raise UnsupportedFile(f"a damaged .xlsx workbook ({e})", Location(name)) from None


def _column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode("ascii"):
        n = n * 26 + ord(ch) - 64
    return n


def _column_letters(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _has_values(ws) -> bool:
    # ws._cells holds only the cells the file stores: cheap, unlike ws.iter_rows() over a sheet
    # that claims a million rows (iter_rows creates every cell it passes).
    return any(not _is_blank(c.value) for c in ws._cells.values())


def _sheet_stream(ws, name: str) -> Stream:
    title = ws.title
    stream = Stream(sheet=title)
    texts: dict[tuple[int, int], str] = {}
    for (r, c), cell in ws._cells.items():
        if not _is_blank(cell.value):
            texts[r, c] = cell_text(cell)
    if not texts:
        return stream
    last_row = max(r for r, _ in texts)
    last_col = max(c for _, c in texts)
    # A merge whose text reaches past the last value (a heading over A:G when G is always
    # empty) widens the grid with it, by at most MERGE_REACH rows or columns.
    value_row, value_col = last_row, last_col
    for rng in ws.merged_cells.ranges:
        if texts.get((rng.min_row, rng.min_col)):
            last_row = max(last_row, min(rng.max_row, value_row + MERGE_REACH))
            last_col = max(last_col, min(rng.max_col, value_col + MERGE_REACH))
    covered: dict[tuple[int, int], str] = {}
    for rng in ws.merged_cells.ranges:
        origin = texts.get((rng.min_row, rng.min_col), "")
        for r in range(rng.min_row, min(rng.max_row, last_row) + 1):
            for c in range(rng.min_col, min(rng.max_col, last_col) + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    covered[r, c] = origin
    occupied = sorted({r for r, _ in texts} | {r for (r, _), t in covered.items() if t.strip()})
    if len(occupied) * last_col > MAX_GRID_CELLS:
        raise UnsupportedFile(
            f"sheet {title!r} spans {len(occupied):,} rows by {last_col:,} columns; perfkg reads tables, "
            "not data dumps of this size",
            Location(name, sheet=title),
        )
    letters = [_column_letters(c) for c in range(1, last_col + 1)]
    previous = None
    for r in occupied:
        if previous is not None and r > previous + 1:
            # One empty row stands for the whole run: it separates tables, nothing more.
            blank = [Cell("", ref=f"{letters[c - 1]}{previous + 1}") for c in range(1, last_col + 1)]
            stream.items.append(Row(blank, sheet=title))
        cells = []
        for c in range(1, last_col + 1):
            ref = f"{letters[c - 1]}{r}"
            if (r, c) in covered:
                cells.append(Cell(covered[r, c], ref=ref, merged=True))
            else:
                cells.append(Cell(texts.get((r, c), ""), ref=ref))
        stream.items.append(Row(cells, sheet=title))
        previous = r
    return stream


# --- what Excel shows -----------------------------------------------------------------------


def cell_text(cell: SheetCell) -> str:
    """The text Excel displays for an openpyxl cell (value through its number format)."""
    value = cell.value
    fmt = cell.number_format or "General"
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (datetime, date, time)):
        return format_date(value, fmt)
    if isinstance(value, timedelta):
        return format_duration(value, fmt)
    if isinstance(value, (int, float, Decimal)):
        return format_number(value, fmt)
    return str(value)


def _exact(value: int | float | Decimal) -> Decimal:
    """The decimal Excel means: the shortest repr of the double, at most 15 significant digits."""
    if isinstance(value, float):
        d = Decimal(repr(value))
    else:
        d = Decimal(value)
    if d and d.is_finite() and len(d.as_tuple().digits) > 15:
        d = d.quantize(Decimal(1).scaleb(d.adjusted() - 14), rounding=ROUND_HALF_UP)
    return d


def _plain(d: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 672.1, 1324, 0.98."""
    if not d.is_finite():
        return str(d)
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _general(d: Decimal) -> str:
    if d and (abs(d) >= Decimal("1e15") or abs(d) < Decimal("1e-9")):
        mantissa = d.scaleb(-d.adjusted()).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP).normalize()
        return f"{_plain(mantissa)}E{'+' if d.adjusted() >= 0 else '-'}{abs(d.adjusted()):02d}"
    return _plain(d)


def _sections(fmt: str) -> list[str]:
    """Split a number format at the `;` that are not quoted, escaped or bracketed."""
    parts, current, i = [], [], 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == '"':
            j = fmt.find('"', i + 1)
            j = len(fmt) - 1 if j < 0 else j
            current.append(fmt[i : j + 1])
            i = j + 1
            continue
        if ch == "\\" and i + 1 < len(fmt):
            current.append(fmt[i : i + 2])
            i += 2
            continue
        if ch == "[":
            j = fmt.find("]", i)
            j = len(fmt) - 1 if j < 0 else j
            current.append(fmt[i : j + 1])
            i = j + 1
            continue
        if ch == ";":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


_CONDITION = re.compile(r"\[(<=|>=|<>|<|>|=)(-?\d+(?:\.\d+)?)\]")


def _tokens(section: str) -> list[tuple[str, str]]:
    """A format section as (kind, text): `lit` literal text, `ph` a 0/#/? placeholder, and the
    single characters `.`, `,`, `%`, `E` (with its sign in the text), `@`, `elapsed`."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            j = section.find('"', i + 1)
            j = len(section) if j < 0 else j
            out.append(("lit", section[i + 1 : j]))
            i = j + 1
        elif ch == "\\" and i + 1 < len(section):
            out.append(("lit", section[i + 1]))
            i += 2
        elif ch in "_*" and i + 1 < len(section):
            # Padding to a character's width and fill-to-width: layout, not text.
            i += 2
        elif ch == "[":
            j = section.find("]", i)
            j = len(section) if j < 0 else j
            inner = section[i + 1 : j]
            if inner.startswith("$"):
                symbol = inner[1:].split("-", 1)[0]  # [$¥-804] → ¥, [$-409] → nothing
                if symbol:
                    out.append(("lit", symbol))
            elif re.fullmatch(r"[hHmMsS]+", inner):
                out.append(("elapsed", inner.lower()))
            i = j + 1
        elif section[i : i + 7].lower() == "general":
            out.append(("general", section[i : i + 7]))
            i += 7
        elif ch in "0#?":
            out.append(("ph", ch))
            i += 1
        elif ch in ".,%@":
            out.append((ch, ch))
            i += 1
        elif ch in "Ee" and i + 1 < len(section) and section[i + 1] in "+-":
            out.append(("E", section[i + 1]))
            i += 2
        else:
            out.append(("lit", ch))
            i += 1
    return out


def format_number(value: int | float | Decimal, fmt: str = "General") -> str:
    """``value`` as Excel displays it in number format ``fmt`` (``0.00``, ``#,##0``, ``0%`` …)."""
    d = _exact(value)
    if not d.is_finite():
        return str(value)
    sections = _sections(fmt)
    conditions = [_CONDITION.search(s) for s in sections]
    if any(conditions):
        section = _conditional_section(d, sections, conditions)
        return _render(d, section, sign=d < 0 and "-" not in section)
    if d < 0 and len(sections) >= 2 and sections[1].strip():
        return _render(-d, sections[1], sign=False)
    if d == 0 and len(sections) >= 3 and sections[2].strip():
        return _render(d, sections[2], sign=False)
    return _render(abs(d), sections[0], sign=d < 0)


def _conditional_section(d: Decimal, sections: list[str], conditions: list) -> str:
    ops = {"<": d.__lt__, ">": d.__gt__, "=": d.__eq__, "<=": d.__le__, ">=": d.__ge__, "<>": d.__ne__}
    for section, cond in zip(sections, conditions):
        if cond is None:
            return section
        if ops[cond[1]](Decimal(cond[2])):
            return section
    return sections[-1]


def _render(d: Decimal, section: str, *, sign: bool) -> str:
    tokens = _tokens(section)
    kinds = {kind for kind, _ in tokens}
    minus = "-" if sign and d else ""
    if not tokens or "general" in kinds:
        number = _general(abs(d))
        return minus + ("".join(number if kind == "general" else text for kind, text in tokens
                                if kind in ("lit", "general")) or number)
    if "ph" not in kinds:
        # Text only (accounting's "-" for zero), or `@`: the number as General where `@` stands.
        return "".join(minus + _general(abs(d)) if kind == "@" else text
                       for kind, text in tokens if kind in ("lit", "@", "%"))
    if "E" in kinds:
        return minus + _scientific(abs(d), tokens)
    if any(kind == "lit" and text == "/" for kind, text in tokens):
        return minus + _general(abs(d))  # fractions (`# ?/?`): shown as the decimal they stand for
    return minus + _fixed(abs(d), tokens)


def _fixed(d: Decimal, tokens: list[tuple[str, str]]) -> str:
    placeholders = [i for i, (kind, _) in enumerate(tokens) if kind == "ph"]
    last = placeholders[-1]
    # The decimal point: the first `.` before the last placeholder, or right after it (`0.`).
    point = next((i for i, (kind, _) in enumerate(tokens) if kind == "." and i < last), None)
    if point is None and last + 1 < len(tokens) and tokens[last + 1][0] == ".":
        point = last + 1
    first = min(placeholders[0], point) if point is not None else placeholders[0]
    percent = sum(1 for kind, _ in tokens if kind == "%")
    int_end = point if point is not None else last + 1
    int_last = max((i for i in placeholders if i < int_end), default=None)
    # Commas right after the last digit placeholder (of either part) scale by 1000 each;
    # commas between integer placeholders group thousands.
    scale = 0
    for end in {int_last, last} - {None}:
        j = end + 1
        while j < len(tokens) and tokens[j][0] == ",":
            scale += 1
            j += 1
    int_tokens = tokens[first : int_last + 1] if int_last is not None else []
    grouping = any(kind == "," for kind, _ in int_tokens)
    int_tokens = [t for t in int_tokens if t[0] != ","]
    frac_tokens = [t for t in tokens[point + 1 : last + 1] if t[0] != ","] if point is not None and point < last else []
    frac_ph = [text for kind, text in frac_tokens if kind == "ph"]

    x = d * Decimal(100) ** percent / Decimal(1000) ** scale
    q = x.quantize(Decimal(1).scaleb(-len(frac_ph)), rounding=ROUND_HALF_UP)
    int_digits, _, frac_digits = format(q, "f").partition(".")
    int_digits = int_digits.lstrip("0")

    int_ph = [text for kind, text in int_tokens if kind == "ph"]
    int_literal_inside = any(kind == "lit" for kind, _ in int_tokens)
    if not int_literal_inside:
        width = sum(1 for p in int_ph if p == "0")
        digits = int_digits.rjust(width, "0") if width else int_digits
        if grouping and digits:
            digits = f"{int(digits):,}"
        pad = sum(1 for p in int_ph if p == "?") - len(digits)
        int_text = " " * max(pad, 0) + digits
    else:
        int_text = _fill_digits(int_digits, int_tokens)

    frac_text = ""
    if point is not None:
        chars = list(frac_digits)
        for k in range(len(frac_ph) - 1, -1, -1):  # optional trailing digits: # drops, ? spaces
            if chars[k] != "0" or frac_ph[k] == "0":
                break
            chars[k] = " " if frac_ph[k] == "?" else ""
        frac_out, n = [], 0
        for kind, text in frac_tokens:
            if kind == "ph":
                frac_out.append(chars[n])
                n += 1
            elif kind == "lit":
                frac_out.append(text)
        frac_text = "." + "".join(frac_out)

    before = "".join(text for kind, text in tokens[:first] if kind in ("lit", "%"))
    after_start = last + 1 if point is None or point < last else point + 1
    after = "".join(text for kind, text in tokens[after_start:] if kind in ("lit", "%"))
    return before + int_text + frac_text + after


def _fill_digits(digits: str, tokens: list[tuple[str, str]]) -> str:
    """Integer digits into placeholders with literals between them (`000-0000`), right to left."""
    out: list[str] = []
    remaining = digits
    ph_positions = [i for i, (kind, _) in enumerate(tokens) if kind == "ph"]
    for i in range(len(tokens) - 1, -1, -1):
        kind, text = tokens[i]
        if kind == "lit":
            out.append(text)
            continue
        if i == ph_positions[0]:
            take, remaining = remaining, ""
        else:
            take, remaining = remaining[-1:], remaining[:-1]
        out.append(take or ("0" if text == "0" else " " if text == "?" else ""))
    return "".join(reversed(out))


def _scientific(d: Decimal, tokens: list[tuple[str, str]]) -> str:
    e_at = next(i for i, (kind, _) in enumerate(tokens) if kind == "E")
    mantissa_tokens, exp_tokens = tokens[:e_at], tokens[e_at + 1 :]
    int_ph = 0
    frac_ph = 0
    seen_point = False
    for kind, _ in mantissa_tokens:
        if kind == ".":
            seen_point = True
        elif kind == "ph":
            frac_ph += seen_point
            int_ph += not seen_point
    step = int_ph if int_ph > 1 and mantissa_tokens and mantissa_tokens[0] == ("ph", "#") else 1
    exponent = d.adjusted() if d else 0
    exponent -= exponent % step if step > 1 else 0
    mantissa = (d.scaleb(-exponent)).quantize(Decimal(1).scaleb(-frac_ph), rounding=ROUND_HALF_UP)
    if mantissa >= Decimal(10) ** max(step, 1):
        exponent += step
        mantissa = (d.scaleb(-exponent)).quantize(Decimal(1).scaleb(-frac_ph), rounding=ROUND_HALF_UP)
    exp_width = sum(1 for kind, text in exp_tokens if kind == "ph" and text == "0")
    sign = "-" if exponent < 0 else ("+" if tokens[e_at][1] == "+" else "")
    body = format(mantissa, "f")
    tail = "".join(text for kind, text in exp_tokens if kind == "lit")
    return f"{body}E{sign}{str(abs(exponent)).rjust(exp_width, '0')}{tail}"


# --- dates ------------------------------------------------------------------------------------

_LOCALE_SHORT_DATES = {"mm-dd-yy"}  # built-in format 14: "the system's short date"
_DATE_TOKEN = re.compile(
    r'"[^"]*"|\\.|\[[^\]]*\]|[_*].|am/pm|a/p|上午/下午|y+|m+|d+|h+|s+|e+|\.0+|.', re.IGNORECASE | re.DOTALL
)
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def format_date(value: datetime | date | time, fmt: str) -> str:
    """A date or time as its number format shows it; Excel's locale short date (format 14,
    ``mm-dd-yy`` in the file) and General as ISO 8601 (``2025-11-30``)."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        dt = datetime(1899, 12, 31, value.hour, value.minute, value.second, value.microsecond)
    section = _sections(fmt)[0]
    lowered = section.strip().lower()
    if lowered in ("", "general", "@") or lowered in _LOCALE_SHORT_DATES or lowered == "m/d/yy h:mm":
        if isinstance(value, time):
            return value.isoformat(timespec="seconds")
        text = dt.date().isoformat()
        if lowered == "m/d/yy h:mm" or (isinstance(value, datetime) and dt.time() != time(0)):
            text += f" {dt:%H:%M}" + (f":{dt:%S}" if dt.second and lowered != "m/d/yy h:mm" else "")
        return text
    raw = _DATE_TOKEN.findall(section)
    ampm = any(t.lower() in ("am/pm", "a/p", "上午/下午") for t in raw)
    out: list[str] = []
    for n, tok in enumerate(raw):
        low = tok.lower()
        if tok.startswith('"'):
            out.append(tok[1:-1])
        elif tok.startswith("\\"):
            out.append(tok[1])
        elif tok.startswith("[") or (tok[0] in "_*" and len(tok) == 2):
            continue
        elif low[0] in "ye":
            out.append(f"{dt.year % 100:02d}" if len(low) <= 2 and low[0] == "y" else str(dt.year))
        elif low[0] == "m":
            if _is_minute(raw, n):
                out.append(f"{dt.minute:02d}" if len(low) >= 2 else str(dt.minute))
            elif len(low) == 1:
                out.append(str(dt.month))
            elif len(low) == 2:
                out.append(f"{dt.month:02d}")
            elif len(low) == 3:
                out.append(_MONTHS[dt.month - 1][:3])
            elif len(low) == 5:
                out.append(_MONTHS[dt.month - 1][0])
            else:
                out.append(_MONTHS[dt.month - 1])
        elif low[0] == "d":
            out.append(
                str(dt.day) if len(low) == 1 else f"{dt.day:02d}" if len(low) == 2
                else _DAYS[dt.weekday()][:3] if len(low) == 3 else _DAYS[dt.weekday()]
            )
        elif low[0] == "h":
            hour = (dt.hour % 12 or 12) if ampm else dt.hour
            out.append(f"{hour:02d}" if len(low) >= 2 else str(hour))
        elif low[0] == "s":
            out.append(f"{dt.second:02d}" if len(low) >= 2 else str(dt.second))
        elif low.startswith(".0"):
            digits = len(low) - 1
            out.append("." + f"{dt.microsecond:06d}"[:digits])
        elif low == "am/pm":
            out.append("AM" if dt.hour < 12 else "PM")
        elif low == "a/p":
            out.append("A" if dt.hour < 12 else "P")
        elif tok == "上午/下午":
            out.append("上午" if dt.hour < 12 else "下午")
        else:
            out.append(tok)
    return "".join(out)


def _is_minute(raw: list[str], n: int) -> bool:
    """`m` is minutes right after an hour or right before seconds, else the month."""
    for tok in reversed(raw[:n]):
        low = tok.lower()
        if low[0] in "hymd" and not tok.startswith(('"', "\\", "[")):
            if low[0] == "h":
                return True
            break
    for tok in raw[n + 1 :]:
        low = tok.lower()
        if low[0] in "hymds" and not tok.startswith(('"', "\\", "[")):
            return low[0] == "s"
    return False


def format_duration(value: timedelta, fmt: str) -> str:
    """An elapsed time (`[h]:mm:ss`) as Excel shows it."""
    total = int(value.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if "[m" in fmt.lower():
        return f"{sign}{hours * 60 + minutes}:{seconds:02d}"
    return f"{sign}{hours}:{minutes:02d}:{seconds:02d}" if "s" in fmt.lower() else f"{sign}{hours}:{minutes:02d}"
