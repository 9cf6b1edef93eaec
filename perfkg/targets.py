"""The target normaliser: `≥34.77万人` → comparator ≥, 347700 persons, as written `≥34.77万人`.

Every form of DOMAIN.md is read here — comparators in symbols or words, prefix or suffix;
numbers with 万/亿 and thousands separators; percentages; counts, money, durations and measures;
dates, date ranges and deadlines — with exact decimals. What cannot be read stays qualitative
with a note saying why: never a crash, never a silent guess.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from perfkg.model import Target
from perfkg.vocabulary import fold, normalise_label, vocabulary

__all__ = ["normalise_target", "plain_decimal", "parse_amount"]

_WS = re.compile(r"\s+")
_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_QUANTITY = re.compile(rf"^(?P<num>{_NUMBER})(?P<unit>.*)$")
_RANGE = re.compile(rf"^(?P<lo>{_NUMBER})(?P<u1>[^\d,.~\-至到]*)(?:-|~|至|到|—|–)(?P<hi>{_NUMBER})(?P<u2>.*)$")
_PERCENT_WORDS = re.compile(r"^百分之(?P<num>" + _NUMBER + r"|[零〇一二两三四五六七八九十百点]+)$")
_CN_NUMERALS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_INCLUSIVE = re.compile(r"[(（]含[)）]|\(含本数\)")
_TRAILING_REMARK = re.compile(r"^(?P<body>.+?)[(（](?P<remark>[^()（）]+)[)）]$")
_DIGIT = re.compile(r"\d")
_UNKNOWN_UNIT = re.compile(r"^[\u4e00-\u9fffA-Za-z]{1,4}$")
_RANGE_SEP = r"(?:-|~|至|到|—|–)"
_YEAR = r"(?P<{n}>\d{{4}})\s*(?:年度?|[.\-/])"
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


def plain_decimal(value: Decimal) -> str:
    """A decimal as plain digits, no exponent, no trailing zeros: 347700, 0.98, 1."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


_MONEY_SUFFIX = re.compile(r"^(?P<num>.*?)(?P<unit>亿元|万元|千元|元)?$")


def parse_amount(text: str) -> tuple[Decimal, str | None] | None:
    """An amount cell as (Decimal, unit written in the cell or None): `1,324.00` → (1324.00, None).

    An empty cell (or `-`, `/`, `无`) is 0, as budget tables leave 其他资金 blank for none;
    a cell that holds no number gives None.
    """
    folded = _WS.sub("", fold(text))
    if folded in ("", "-", "—", "/", "无", "——"):
        return Decimal(0), None
    m = _MONEY_SUFFIX.match(folded)
    num = m["num"] if m else folded
    if not re.fullmatch(_NUMBER, num):
        return None
    return Decimal(num.replace(",", "")), (m["unit"] if m else None)


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


@dataclass(slots=True)
class _Comparison:
    symbol: str | None
    text: str | None
    rest: str


def _split_comparator(s: str) -> _Comparison:
    """Take the comparator off the front (`≥`, `不低于`) or the back (`以上`, `以内`) of ``s``."""
    voc = vocabulary()
    for word, symbol in voc.comparator_prefixes:
        if s.startswith(word) and len(s) > len(word):
            rest = s[len(word):]
            # `≥90%以上` says it twice; the suffix adds nothing.
            for suffix, _ in voc.comparator_suffixes:
                if rest.endswith(suffix) and len(rest) > len(suffix):
                    rest = rest[: -len(suffix)]
                    break
            return _Comparison(symbol, word, rest)
    for word, symbol in voc.comparator_suffixes:
        if s.endswith(word) and len(s) > len(word):
            return _Comparison(symbol, word, s[: -len(word)])
    return _Comparison(None, None, s)


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _valid_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


_FULL_DATE = r"(?P<{y}>\d{{4}})(?:年|[.\-/])(?P<{m}>\d{{1,2}})(?:月|[.\-/])(?P<{d}>\d{{1,2}})(?:日|号)*"
_DEADLINE_WORDS = r"(?:前|之前|以前|前完成|之前完成|前完工|前办结|完成)"
_DATE_PATTERNS = {
    "day_interval": re.compile(
        "^" + _FULL_DATE.format(y="y1", m="m1", d="d1") + _RANGE_SEP
        + r"(?:(?P<y2>\d{4})(?:年|[.\-/]))?(?:(?P<m2>\d{1,2})(?:月|[.\-/]))?(?P<d2>\d{1,2})(?:日|号)*$"
    ),
    "deadline_day": re.compile("^" + _FULL_DATE.format(y="y", m="m", d="d") + _DEADLINE_WORDS + "$"),
    "day": re.compile("^" + _FULL_DATE.format(y="y", m="m", d="d") + "$"),
    "month_interval": re.compile(
        r"^(?:(?P<y1>\d{4})年)?(?P<m1>\d{1,2})月?" + _RANGE_SEP
        + r"(?:(?P<y2>\d{4})年)?(?P<m2>\d{1,2})月(?:份)?(?:底|末)?$"
    ),
    "deadline_month": re.compile(
        r"^(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?:份)?(?P<end>底|末|末前|底前)?" + _DEADLINE_WORDS + "?$"
    ),
    "deadline_year": re.compile(r"^(?P<y>\d{4})年(?:底|末|年底|年末)" + _DEADLINE_WORDS + "?$"),
    "quarter": re.compile(r"^(?:(?P<y>\d{4})年)?第?(?P<q>[1-4一二三四])季度(?P<end>末|底)?(?P<dl>前|之前|以前)?$"),
    "half": re.compile(r"^(?:(?P<y>\d{4})年)?(?P<h>上|下)半年(?P<dl>前|之前|以前)?$"),
    "year_interval": re.compile(r"^(?P<y1>\d{4})" + _RANGE_SEP + r"(?P<y2>\d{4})年(?:度)?$"),
    "year": re.compile(r"^(?P<y>\d{4})年(?:度)?(?:全年|内|年内|度内)?$"),
    "this_year": re.compile(r"^(?:年内|当年|本年度?|全年|年度内)$"),
}


def _read_date(s: str, year: int | None, t: Target) -> bool:
    """Fill ``t`` from a date, interval or deadline in ``s``; False when ``s`` is no date."""
    p = _DATE_PATTERNS
    if m := p["day_interval"].match(s):
        y1, m1, d1 = int(m["y1"]), int(m["m1"]), int(m["d1"])
        y2 = int(m["y2"]) if m["y2"] else y1
        m2 = int(m["m2"]) if m["m2"] else m1
        start, end = _valid_date(y1, m1, d1), _valid_date(y2, m2, int(m["d2"]))
        if start and end:
            t.kind, t.start, t.end = "interval", start, end
            return True
        return False
    if m := p["deadline_day"].match(s):
        d = _valid_date(int(m["y"]), int(m["m"]), int(m["d"]))
        if d:
            t.kind, t.end = "deadline", d
            return True
        return False
    if m := p["day"].match(s):
        d = _valid_date(int(m["y"]), int(m["m"]), int(m["d"]))
        if d:
            t.kind, t.start, t.end = "date", d, d
            return True
        return False
    if m := p["month_interval"].match(s):
        y1 = int(m["y1"]) if m["y1"] else (int(m["y2"]) if m["y2"] else year)
        y2 = int(m["y2"]) if m["y2"] else y1
        m1, m2 = int(m["m1"]), int(m["m2"])
        if y1 is None:
            return False
        if 1 <= m1 <= 12 and 1 <= m2 <= 12 and (y1, m1) <= (y2, m2):
            t.kind, t.start, t.end = "interval", date(y1, m1, 1), _last_day(y2, m2)
            if not m["y1"] and not m["y2"]:
                t.notes.append(f"no year written; read as {y1}, the table's year")
            return True
        return False
    if m := p["deadline_year"].match(s):
        t.kind, t.end = "deadline", date(int(m["y"]), 12, 31)
        return True
    if m := p["deadline_month"].match(s):
        y = int(m["y"]) if m["y"] else year
        month = int(m["m"])
        if y is None or not 1 <= month <= 12:
            return False
        has_deadline_word = s.endswith(("前", "完成", "前完工", "办结"))
        if not has_deadline_word and not m["end"]:
            # `2025年6月` alone: the month as an interval.
            t.kind, t.start, t.end = "interval", date(y, month, 1), _last_day(y, month)
        else:
            t.kind, t.end = "deadline", _last_day(y, month)
            if not m["end"] and s.endswith(("前", "之前", "以前")):
                t.notes.append(f"read '{month}月前' as by the end of month {month}")
        if not m["y"]:
            t.notes.append(f"no year written; read as {y}, the table's year")
        return True
    if m := p["quarter"].match(s):
        y = int(m["y"]) if m["y"] else year
        if y is None:
            return False
        q = _CN_DIGITS.get(m["q"]) or int(m["q"])
        if not m["y"]:
            t.notes.append(f"no year written; read as {y}, the table's year")
        start, end = date(y, 3 * q - 2, 1), _last_day(y, 3 * q)
        if m["dl"] or m["end"]:
            t.kind, t.end = "deadline", end
        else:
            t.kind, t.start, t.end = "interval", start, end
        return True
    if m := p["half"].match(s):
        y = int(m["y"]) if m["y"] else year
        if y is None:
            return False
        start, end = (date(y, 1, 1), date(y, 6, 30)) if m["h"] == "上" else (date(y, 7, 1), date(y, 12, 31))
        if not m["y"]:
            t.notes.append(f"no year written; read as {y}, the table's year")
        if m["dl"]:
            t.kind, t.end = "deadline", end
        else:
            t.kind, t.start, t.end = "interval", start, end
        return True
    if m := p["year_interval"].match(s):
        y1, y2 = int(m["y1"]), int(m["y2"])
        if y1 <= y2:
            t.kind, t.start, t.end = "interval", date(y1, 1, 1), date(y2, 12, 31)
            return True
        return False
    if m := p["year"].match(s):
        y = int(m["y"])
        t.kind, t.start, t.end = "interval", date(y, 1, 1), date(y, 12, 31)
        return True
    if p["this_year"].match(s) and year is not None:
        t.kind, t.start, t.end = "interval", date(year, 1, 1), date(year, 12, 31)
        t.notes.append(f"read as the table's year {year}")
        return True
    return False


@dataclass(slots=True)
class _Unit:
    code: str | None
    kind: str | None
    multiplier: int
    scale: Decimal
    iso: str | None


def _read_unit(text: str) -> _Unit | None:
    """The unit in ``text`` (already folded), with a magnitude prefix split off."""
    voc = vocabulary()
    text = text.strip()
    if not text:
        return _Unit(None, None, 1, Decimal(1), None)
    unit = voc.unit(text)
    if unit is not None:
        return _Unit(unit.code, unit.kind, 1, unit.scale, unit.iso)
    for prefix, factor in voc.magnitudes:
        if text.startswith(prefix):
            rest = text[len(prefix):]
            if not rest:
                return _Unit(None, None, factor, Decimal(1), None)
            unit = voc.unit(rest)
            if unit is not None:
                return _Unit(unit.code, unit.kind, factor, unit.scale, unit.iso)
    if _UNKNOWN_UNIT.match(text):
        # A short word perfkg does not know (斤, 亩次): keep the number, say the unit is unknown.
        return _Unit(None, "unknown", 1, Decimal(1), None)
    return None


def _read_quantity(s: str, t: Target) -> bool:
    """Fill ``t`` from `number unit` or `number-number unit`; False when ``s`` is neither."""
    if m := _PERCENT_WORDS.match(s):
        number = m["num"] if m["num"][0].isdigit() else _chinese_number(m["num"])
        if number is None:
            return False
        s = number + "%"
    if m := _QUANTITY.match(s):
        unit = _read_unit(m["unit"])
        if unit is not None:
            _fill_quantity(t, _decimal(m["num"]), unit, m["unit"].strip())
            return True
    if m := _RANGE.match(s):
        u2 = _read_unit(m["u2"])
        u1 = _read_unit(m["u1"]) if m["u1"].strip() else u2
        if u1 is not None and u2 is not None and (u1.code, u1.multiplier) == (u2.code, u2.multiplier):
            _fill_quantity(t, _decimal(m["lo"]), u2, (m["u2"] or m["u1"]).strip())
            t.kind = "range"
            t.upper = _decimal(m["hi"]) * u2.multiplier * u2.scale
            t.comparator = "between"
            t.comparator_source = "text"
            return True
    return False


def _chinese_number(text: str) -> str | None:
    """`九十五` → "95", `一百` → "100", `九十五点五` → "95.5"; None for anything else."""
    whole, _, frac = text.partition("点")
    total, digit = 0, None
    for ch in whole:
        if ch in _CN_NUMERALS:
            digit = _CN_NUMERALS[ch]
        elif ch in ("十", "百"):
            total += (1 if digit is None else digit) * (10 if ch == "十" else 100)
            digit = None
        else:
            return None
    total += digit or 0
    if frac:
        if not all(ch in _CN_NUMERALS for ch in frac):
            return None
        return f"{total}." + "".join(str(_CN_NUMERALS[ch]) for ch in frac)
    return str(total)


def _fill_quantity(t: Target, number: Decimal, unit: _Unit, unit_text: str) -> None:
    t.kind = "quantity"
    t.number = number
    t.multiplier = unit.multiplier if unit.multiplier != 1 else None
    t.value = number * unit.multiplier * unit.scale
    t.unit = unit.code
    t.unit_kind = unit.kind
    t.unit_text = unit_text or None
    if unit.iso and unit.multiplier == 1:
        t.duration = unit.iso.format(n=plain_decimal(number))
    if unit.kind == "unknown":
        t.unit_kind = None
        t.notes.append(f"unit {unit_text!r} is not in perfkg's units (vocab/units.toml); number kept")
    elif unit.code is None:
        t.notes.append("no unit written")


def normalise_target(
    text: str,
    *,
    unit: str | None = None,
    comparator: str | None = None,
    direction: str | None = None,
    year: int | None = None,
    period: str | None = None,
) -> Target:
    """Read one target. ``unit``/``comparator``/``direction`` come from their own columns if the
    table has them (度量单位, 指标性质, 指标方向); ``year`` fills dates that omit it (`1-12月`)."""
    t = Target(text=text, kind="qualitative", period=period)
    s = _WS.sub("", fold(text))
    s = _INCLUSIVE.sub("", s)
    column = _read_comparator_column(comparator)
    if comparator:
        t.comparator_text = comparator
    if unit:
        t.unit_text = unit
    if column == "qualitative" or (not s and not unit):
        if not s:
            t.notes.append("no target written")
        return t
    direction_symbol = _direction_symbol(direction) or (
        {"positive": ">=", "negative": "<="}.get(column or "")
    )

    cmp = _split_comparator(s)
    t.comparator_text = comparator or cmp.text
    body = cmp.rest
    if unit and not _has_unit(body):
        body += _WS.sub("", fold(unit))

    if not (_read_any(body, year, t) or (cmp.symbol and _read_any(s, year, t, bare=True))):
        remark = _TRAILING_REMARK.match(body)
        if remark and _read_any(remark["body"], year, t):
            t.notes.append(f"remark kept aside: {remark['remark']}")
        else:
            _reset(t)
            if _DIGIT.search(s) or s[:1] in "<>=≥≤≧≦":
                t.notes.append("could not read this target; kept as text")
            return t

    symbol = cmp.symbol
    source = "text" if symbol else None
    if symbol is None and column in (">=", "<=", ">", "<", "="):
        symbol, source = column, "column"
    if t.kind == "range":
        return t
    if t.kind in ("interval",):
        t.comparator, t.comparator_source = "within", source or "default"
        return t
    if t.kind in ("deadline", "date"):
        if symbol in ("<=", "<"):
            t.kind, t.start, t.comparator = "deadline", None, "before"
        elif symbol in (">=", ">"):
            t.kind, t.comparator = "date", "after"
        elif t.kind == "deadline":
            t.comparator = "before"
        else:
            t.comparator = "="
        t.comparator_source = source or "default"
        return t
    if symbol is None and direction_symbol:
        symbol, source = direction_symbol, "direction"
    t.comparator = symbol or "="
    t.comparator_source = source or "default"
    return t


def _read_any(body: str, year: int | None, t: Target, bare: bool = False) -> bool:
    """Read ``body`` as a date form or a quantity; ``bare`` = only the comparator-free date words."""
    if bare:
        return bool(_DATE_PATTERNS["this_year"].match(body)) and _read_date(body, year, t)
    if _read_date(body, year, t):
        return True
    # `1-12月` with no year known is a date we cannot place, not a range of 1 to 12 months.
    if any(p.match(body) for p in _DATE_PATTERNS.values()):
        return False
    return _read_quantity(body, t)


def _reset(t: Target) -> None:
    """Forget a half-read attempt, keeping only what was written."""
    t.kind, t.comparator, t.comparator_source = "qualitative", None, None
    t.number = t.multiplier = t.value = t.upper = None
    t.unit = t.unit_kind = t.duration = None
    t.start = t.end = None


def _has_unit(body: str) -> bool:
    return bool(body) and not re.fullmatch(_NUMBER, body)


def _read_comparator_column(text: str | None) -> str | None:
    if not text:
        return None
    key = normalise_label(text)
    return vocabulary().comparator_column.get(key)


def _direction_symbol(text: str | None) -> str | None:
    if not text:
        return None
    meaning = vocabulary().comparator_column.get(normalise_label(text))
    return {"positive": ">=", "negative": "<="}.get(meaning or "")


def direction_of(text: str | None) -> str | None:
    """`正向` → positive, `反向` → negative, anything else None."""
    if not text:
        return None
    meaning = vocabulary().comparator_column.get(normalise_label(text))
    return meaning if meaning in ("positive", "negative") else None
