"""The target normaliser against every row of DOMAIN.md's table and the variants it lists."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfkg.targets import normalise_target, parse_amount, plain_decimal

D = Decimal

# written, kind, comparator, value, unit, multiplier
QUANTITIES = [
    # DOMAIN.md's table, row by row
    ("≥98%", ">=", "0.98", "percent", None),
    ("100%", "=", "1", "percent", None),
    ("≤672.1万元", "<=", "6721000", "CNY", 10000),
    ("≥34.77万人", ">=", "347700", "person", 10000),
    ("≥18000平米", ">=", "18000", "m2", None),
    ("≥32台", ">=", "32", "machine", None),
    ("≥5个", ">=", "5", "item", None),
    ("≥30套", ">=", "30", "set", None),
    ("≥900册", ">=", "900", "volume", None),
    ("≥5次", ">=", "5", "time", None),
    ("≥1000万条", ">=", "10000000", "message", 10000),
    ("≥50000人次", ">=", "50000", "person_time", None),
    ("≤4小时", "<=", "4", "hour", None),
    # the variants DOMAIN.md lists
    ("＞＝90％", ">=", "0.9", "percent", None),
    (">=90%", ">=", "0.9", "percent", None),
    ("≧95%", ">=", "0.95", "percent", None),
    ("不低于95%", ">=", "0.95", "percent", None),
    ("不超过100万元", "<=", "1000000", "CNY", 10000),
    ("小于等于5个工作日", "<=", "5", "working_day", None),
    ("９８％", "=", "0.98", "percent", None),
    ("≥３４．７７万人", ">=", "347700", "person", 10000),
    ("98%以上", ">=", "0.98", "percent", None),
    ("≥90%以上", ">=", "0.9", "percent", None),
    ("3个工作日内", "<=", "3", "working_day", None),
    ("≤30天", "<=", "30", "day", None),
    ("≥1,200万元", ">=", "12000000", "CNY", 10000),
    ("≥1.2亿元", ">=", "120000000", "CNY", 100000000),
    ("≥5千人", ">=", "5000", "person", 1000),
    ("≥95分", ">=", "95", "score", None),
    ("≥90%（含）", ">=", "0.9", "percent", None),
    ("百分之九十五", "=", "0.95", "percent", None),
    ("> 80%", ">", "0.8", "percent", None),
    ("＜5%", "<", "0.05", "percent", None),
]


@pytest.mark.parametrize("written, comparator, value, unit, multiplier", QUANTITIES)
def test_quantities(written: str, comparator: str, value: str, unit: str, multiplier: int | None) -> None:
    t = normalise_target(written, year=2025)
    assert t.text == written, "the string as written is kept"
    assert t.kind == "quantity"
    assert t.comparator == comparator
    assert t.value == D(value)
    assert isinstance(t.value, Decimal)
    assert t.unit == unit
    assert t.multiplier == multiplier
    assert t.notes == []


def test_percent_without_comparator_is_equality_by_default() -> None:
    t = normalise_target("100%")
    assert (t.comparator, t.comparator_source) == ("=", "default")


def test_money_keeps_number_as_written_and_exact_value() -> None:
    t = normalise_target("≤672.1万元")
    assert t.number == D("672.1")
    assert plain_decimal(t.value) == "6721000"
    assert t.unit_text == "万元"
    assert t.unit_kind == "money"


def test_duration_gets_iso_8601() -> None:
    assert normalise_target("≤4小时").duration == "PT4H"
    assert normalise_target("≤30天").duration == "P30D"
    # a working day is not a calendar duration: no ISO form rather than a wrong one
    assert normalise_target("≤3个工作日").duration is None


# written, kind, comparator, start, end
DATES = [
    ("2025年1月-12月", "interval", "within", date(2025, 1, 1), date(2025, 12, 31)),
    ("2025年1-12月", "interval", "within", date(2025, 1, 1), date(2025, 12, 31)),
    ("2025年1月1日至2025年12月31日日", "interval", "within", date(2025, 1, 1), date(2025, 12, 31)),
    ("2025年1月1日至2025年12月31日", "interval", "within", date(2025, 1, 1), date(2025, 12, 31)),
    ("2025年3月1日-6月30日", "interval", "within", date(2025, 3, 1), date(2025, 6, 30)),
    ("2025年11月30日前", "deadline", "before", None, date(2025, 11, 30)),
    ("2025年12月20日前", "deadline", "before", None, date(2025, 12, 20)),
    ("2025.12.31前", "deadline", "before", None, date(2025, 12, 31)),
    ("2025年12月底前", "deadline", "before", None, date(2025, 12, 31)),
    ("2025年底前", "deadline", "before", None, date(2025, 12, 31)),
    ("≤2025年11月30日", "deadline", "before", None, date(2025, 11, 30)),
    ("2025年6月", "interval", "within", date(2025, 6, 1), date(2025, 6, 30)),
    ("2025年", "interval", "within", date(2025, 1, 1), date(2025, 12, 31)),
    ("2025年度", "interval", "within", date(2025, 1, 1), date(2025, 12, 31)),
    ("2025年第三季度", "interval", "within", date(2025, 7, 1), date(2025, 9, 30)),
    ("2025年上半年", "interval", "within", date(2025, 1, 1), date(2025, 6, 30)),
    ("2025-12-31", "date", "=", date(2025, 12, 31), date(2025, 12, 31)),
    ("２０２５年１１月３０日前", "deadline", "before", None, date(2025, 11, 30)),
]


@pytest.mark.parametrize("written, kind, comparator, start, end", DATES)
def test_dates(written: str, kind: str, comparator: str, start: date | None, end: date) -> None:
    t = normalise_target(written, year=2025)
    assert (t.kind, t.comparator, t.start, t.end) == (kind, comparator, start, end)
    assert t.text == written


def test_date_without_year_takes_the_table_year_and_says_so() -> None:
    t = normalise_target("1-12月", year=2024)
    assert (t.start, t.end) == (date(2024, 1, 1), date(2024, 12, 31))
    assert any("2024" in n for n in t.notes)


def test_date_without_year_and_no_context_is_not_guessed() -> None:
    t = normalise_target("1-12月")
    assert t.kind == "qualitative"
    assert t.notes, "a target perfkg cannot read carries a warning"


def test_impossible_date_is_not_a_date() -> None:
    t = normalise_target("2025年2月30日前")
    assert t.kind == "qualitative"
    assert t.notes


def test_range() -> None:
    t = normalise_target("90%-95%")
    assert (t.kind, t.comparator, t.value, t.upper, t.unit) == ("range", "between", D("0.9"), D("0.95"), "percent")
    t = normalise_target("90-95%")
    assert (t.value, t.upper) == (D("0.9"), D("0.95"))


@pytest.mark.parametrize("sentence", ["保障中心软硬件设备系统等正常运转", "通过项目实施，维护参保人员个人权益，提升群众满意度", "达标", "有效提升"])
def test_sentences_are_qualitative_without_noise(sentence: str) -> None:
    t = normalise_target(sentence)
    assert t.kind == "qualitative"
    assert t.text == sentence
    assert t.value is None and t.comparator is None
    assert t.notes == []


@pytest.mark.parametrize("written", ["较上年提高10%", "≥abc", "≥90%或以上且≤95%", "≥5斤"])
def test_unreadable_targets_become_qualitative_with_a_warning(written: str) -> None:
    t = normalise_target(written)
    assert t.kind in ("qualitative", "quantity")
    if t.kind == "qualitative":
        assert t.notes and "could not read" in t.notes[0]
    else:  # a number whose unit perfkg does not know: kept, unit unknown, and said
        assert t.unit is None and t.notes


def test_unknown_unit_is_kept_as_written_and_flagged() -> None:
    t = normalise_target("≥5斤")
    assert t.value == 5 and t.unit is None and t.unit_text == "斤"
    assert t.notes


def test_units_in_their_own_column() -> None:
    t = normalise_target("34.77", unit="万人", comparator="≥")
    assert (t.comparator, t.comparator_source, t.value, t.unit) == (">=", "column", D("347700"), "person")
    assert t.text == "34.77" and t.unit_text == "万人" and t.comparator_text == "≥"


def test_comparator_column_in_words_and_qualitative_marker() -> None:
    assert normalise_target("95", unit="%", comparator="大于等于").comparator == ">="
    t = normalise_target("好", comparator="定性")
    assert t.kind == "qualitative" and t.notes == []


def test_direction_column_gives_the_comparator_when_none_is_written() -> None:
    t = normalise_target("95%", direction="正向")
    assert (t.comparator, t.comparator_source) == (">=", "direction")
    t = normalise_target("5%", direction="反向")
    assert t.comparator == "<="
    # a written comparator wins over the direction
    assert normalise_target("=5%", direction="正向").comparator == "="


def test_empty_target_says_so() -> None:
    t = normalise_target("   ")
    assert t.kind == "qualitative" and t.notes == ["no target written"]


def test_parse_amount() -> None:
    assert parse_amount("1324.00") == (D("1324.00"), None)
    assert parse_amount("1,324.00") == (D("1324.00"), None)
    assert parse_amount("") == (D(0), None)
    assert parse_amount("561.50万元") == (D("561.50"), "万元")
    assert parse_amount("１３２４") == (D("1324"), None)
    assert parse_amount("见附件") is None


@given(st.text(max_size=40))
def test_never_crashes_and_always_keeps_the_text(text: str) -> None:
    t = normalise_target(text, year=2025)
    assert t.text == text
    assert t.kind in ("quantity", "range", "interval", "deadline", "date", "qualitative")
    if t.kind == "qualitative":
        assert t.value is None


@given(
    st.sampled_from(["≥", "≤", ">", "<", ""]),
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(["万元", "元", "万人", "人", "%", "台", "小时"]),
)
def test_numbers_are_exact(symbol: str, number: Decimal, unit: str) -> None:
    t = normalise_target(f"{symbol}{number}{unit}")
    assert t.kind == "quantity"
    assert t.number == number
    factor = {"万元": 10000, "万人": 10000}.get(unit, 1)
    scale = D("0.01") if unit == "%" else 1
    assert t.value == number * factor * scale
