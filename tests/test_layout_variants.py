"""Layouts other units publish, read by the one interpreter (fixtures in tests/data/variants/)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import perfkg

from .conftest import DATA

D = Decimal
VARIANTS = DATA / "variants"


@pytest.fixture(scope="module")
def guangdong() -> perfkg.Document:
    return perfkg.read(VARIANTS / "guangdong-2024-split-columns-yuan.txt")


@pytest.fixture(scope="module")
def zhejiang() -> perfkg.Document:
    return perfkg.read(VARIANTS / "zhejiang-2023-cost-level1-implementation-period.txt")


@pytest.fixture(scope="module")
def shandong() -> perfkg.Document:
    return perfkg.read(VARIANTS / "shandong-2022-self-evaluation.txt")


@pytest.fixture(scope="module")
def sichuan() -> perfkg.Document:
    return perfkg.read(VARIANTS / "sichuan-2025-wide-sheet.txt")


# --- Guangdong: amounts in 元, labelled unit, funding by level, split comparator/number/unit ---


def test_labelled_unit_and_money_in_yuan(guangdong) -> None:
    assert guangdong.budget_unit == perfkg.BudgetUnit("440001", "广东省卫生健康委员会")
    assert guangdong.year == 2024
    (p,) = guangdong.projects
    assert p.money_unit == "元"
    assert p.total.value == D("12500000.00") and p.total.yuan == D("12500000.00")
    assert p.total.text == "12,500,000.00"


def test_funding_split_by_government_level_sums_to_fiscal(guangdong) -> None:
    (p,) = guangdong.projects
    kinds = {f.kind: f.amount.value for f in p.funding}
    assert kinds == {
        "total": D("12500000.00"), "central": D("5000000.00"), "provincial": D("6000000.00"),
        "municipal": D("1500000.00"), "other": D(0),
    }
    assert p.fiscal.value == D("12500000.00") and p.fiscal_derived


def test_other_labelled_fields_are_kept(guangdong) -> None:
    (p,) = guangdong.projects
    assert p.fields == {"period": "2024年-2026年", "department": "广东省卫生健康委员会", "implementer": "各地级以上市卫生健康局"}
    assert p.goals == ["完成基层医疗卫生机构设备配置。", "开展基层卫生人员培训。"]
    assert p.use_of_funds == "支持基层医疗卫生机构设备配置和人员培训"


def test_comparator_number_and_unit_in_three_cells(guangdong) -> None:
    (p,) = guangdong.projects
    first = p.indicators[0]
    t = first.target
    assert (t.text, t.comparator_text, t.unit_text) == ("120", "≥", "家")
    assert (t.comparator, t.comparator_source, t.value, t.unit) == (">=", "column", D(120), "institution")
    assert p.indicators[1].target.value == D(3000)  # `3,000` under 大于等于 … 人次
    assert p.indicators[2].target.value == D(1)  # `=` 100 %
    cost = p.indicators[4].target
    assert (cost.comparator, cost.value, cost.unit) == ("<=", D(85000), "CNY")
    deadline = p.indicators[3].target
    assert (deadline.kind, deadline.end) == ("deadline", date(2024, 10, 31))


def test_direction_weight_explanation_scoring_and_note_columns(guangdong) -> None:
    (p,) = guangdong.projects
    first = p.indicators[0]
    assert (first.direction, first.weight) == ("positive", D(20))
    assert (first.explanation, first.scoring) == ("当年完成设备配置的机构数", "完成得满分")
    share = p.indicators[5]
    # no comparator written, 指标方向 正向: at least 65 %
    assert (share.target.comparator, share.target.comparator_source, share.target.value) == (">=", "direction", D("0.65"))
    assert share.note == "较上年提高"
    qualitative = p.indicators[6].target
    assert (qualitative.kind, qualitative.text) == ("qualitative", "明显提升")
    assert sum(i.weight for i in p.indicators) == 100


# --- Zhejiang: 成本 at level 1, labels with scores and letter-spacing, label mid-block, two periods ---


def test_cost_as_level1_and_labels_with_scores_and_spaces(zhejiang) -> None:
    (p,) = zhejiang.projects
    assert [i.level1 for i in p.indicators] == [
        "output", "output", "output", "cost", "cost", "benefit", "benefit", "satisfaction",
    ]
    assert [i.level2 for i in p.indicators][3:5] == ["economic_cost", "social_cost"]
    assert p.indicators[1].level1_label == "产出指标"  # `产 出 指 标(50分)`


def test_level1_label_on_a_middle_row_of_its_block(zhejiang) -> None:
    # the 产出 block's label sits on its second row; the first row's blank is filled from below
    (p,) = zhejiang.projects
    assert p.indicators[0].name == "机械化清扫道路面积" and p.indicators[0].level1 == "output"


def test_annual_and_implementation_targets_side_by_side(zhejiang) -> None:
    (p,) = zhejiang.projects
    area = p.indicators[0]
    assert [(t.period, t.text, t.value) for t in area.targets] == [
        ("annual", "≥1200万平方米", D("12000000")), ("implementation", "≥3600万平方米", D("36000000")),
    ]
    assert area.target.period == "annual"


def test_heading_without_level_suffix_still_names_the_project(zhejiang) -> None:
    (p,) = zhejiang.projects
    assert p.name == "城市道路保洁项目-市级" and p.level == "municipal"
    assert zhejiang.notes == []
    assert (p.total.value, p.fiscal.value, p.other.value) == (D("2680.50"), D("2500.00"), D("180.50"))


# --- Shandong: a self-evaluation (绩效自评表) ---


def test_self_evaluation_is_recognised(shandong) -> None:
    assert shandong.kind == "self-evaluation"
    assert shandong.year == 2022
    (p,) = shandong.projects
    assert p.money_unit == "万元"  # from `项目资金（万元）`
    assert p.fields["goals_actual"] == "完成养护里程1520公里，优良路率82%。"
    assert (p.fields["total_weight"], p.fields["total_score"]) == ("100", "96.65")


def test_self_evaluation_funding_grid(shandong) -> None:
    (p,) = shandong.projects
    total = p.funding[0]
    assert (total.kind, total.amount.value, total.adjusted.value, total.executed.value) == (
        "total", D("800.00"), D("850.00"), D("820.40"),
    )
    assert (total.rate, total.weight, total.score) == ("96.52%", D(10), D("9.65"))
    fiscal = p.funding[1]
    assert fiscal.kind == "fiscal" and fiscal.weight is None  # `—`: not applicable
    assert [f.kind for f in p.funding] == ["total", "fiscal", "carryover", "other"]


def test_self_evaluation_indicators_carry_actual_weight_score_and_deviation(shandong) -> None:
    (p,) = shandong.projects
    length = p.indicators[0]
    assert (length.target.value, length.actual.value, length.actual.unit) == (D(1500), D(1520), "km")
    assert (length.weight, length.score) == (D(20), D(20))
    done = p.indicators[2].actual
    assert (done.kind, done.start) == ("date", date(2022, 12, 20))
    assert p.indicators[4].deviation == "部分路段仍需提升"
    assert sum(i.score for i in p.indicators) + p.funding[0].score == D("96.65")


def test_satisfaction_as_level2_under_benefit(shandong) -> None:
    (p,) = shandong.projects
    satisfaction = p.indicators[5]
    assert (satisfaction.level1, satisfaction.level2) == ("benefit", "service_satisfaction")


# --- Sichuan: a wide sheet, one indicator per row, project cells on each project's first row ---


def test_wide_sheet_projects(sichuan) -> None:
    assert [p.name for p in sichuan.projects] == [
        "2025年学生资助补助经费-中央", "2025年学生资助补助经费-省级", "2025年计划生育扶助保障经费-省级",
    ]
    assert [len(p.indicators) for p in sichuan.projects] == [4, 2, 3]
    assert [p.level for p in sichuan.projects] == ["central", "provincial", "provincial"]
    assert sichuan.budget_unit is None  # two units in one sheet
    assert [p.budget_unit.name for p in sichuan.projects] == ["四川省教育厅", "四川省教育厅", "四川省卫生健康委员会"]
    assert [p.budget_unit.code for p in sichuan.projects] == ["510001", "510001", "510002"]


def test_wide_sheet_funding_goals_and_inherited_levels(sichuan) -> None:
    third = sichuan.projects[2]
    assert (third.total.value, third.fiscal.value, third.other.value) == (D("950.00"), D("900.00"), D("50.00"))
    assert third.goals == ["按时发放奖励扶助金"]
    assert [i.level1 for i in third.indicators] == ["output", "output", "satisfaction"]
    assert sichuan.projects[0].indicators[1].target.end == date(2025, 12, 31)
