"""The mutation corpus: the sample with one defect at a time (tests/data/mutations/README.md).
Each is caught by exactly one rule, with its message in both languages and its source row;
the sample itself has one finding only, a warning that is right (project 8's costs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perfkg.validate import Finding, validate

from .conftest import DATA, SAMPLE, run_perfkg

MUTATIONS = DATA / "mutations"
VARIANTS = DATA / "variants"

# The sample's own finding: project 8's four cost indicators add up to 378 of its 561.5 万元.
SAMPLE_WARNING = ("CostCoversBudget", "warning", 8, 3, "预算数",
                  "成本指标合计 378万元，少于预算数 561.50万元：请核对成本指标是否列全。",
                  "The cost indicators add up to 378 万元, less than the budget total of 561.50 万元: "
                  "check that every cost is listed.")

# file → (rule, severity, table, row, label, message zh, message en)
EXPECTED = {
    "missing-satisfaction-block": (
        "ProjectHasSatisfactionIndicator", "violation", 1, 1, "社保经办大厅运转经费",
        "缺少满意度指标。", "The project has no satisfaction indicator (满意度指标)."),
    "funding-split-does-not-add-up": (
        "FundingSplitAddsUp", "violation", 1, 3, "预算数",
        "资金来源合计 1300万元，与预算数 1324.00万元 不符：财政资金 + 其他资金应等于预算数。",
        "The sources add up to 1300 万元, not the budget total of 1324.00 万元: "
        "财政资金 (fiscal) + 其他资金 (other) must equal 预算数."),
    "cost-overrun": (
        "CostWithinBudget", "violation", 2, 3, "预算数",
        "成本指标合计 370万元，超过预算数 350.00万元。",
        "The cost indicators add up to 370 万元, more than the budget total of 350.00 万元."),
    "percentage-over-100": (
        "PercentageInRange", "violation", 1, 7, "物业服务验收合格率",
        "百分比应在 0% 至 100% 之间：≥120%。", "A percentage must lie between 0 % and 100 %: ≥120%."),
    "deadline-in-wrong-year": (
        "TimelinessWithinBudgetYear", "violation", 8, 20, "劳鉴培训完成时间",
        "指标值中的日期 2024年11月30日前 不在预算年度 2025 年内。",
        "The date in the target 2024年11月30日前 falls outside the budget year 2025."),
    "quantity-without-unit": (
        "QuantityHasUnit", "violation", 1, 13, "空调机组维护数量",
        "数量型指标值缺少计量单位，或单位无法识别（如 ≥32台、≥95%）。",
        "The quantitative target has no unit, or one perfkg does not know (write e.g. ≥32台, ≥95%)."),
    "duplicate-indicator-name": (
        "IndicatorNameUnique", "violation", 2, 8, "系统运维服务质量达标率",
        "同一项目中指标名称“系统运维服务质量达标率”重复，与第 1 个指标同名。",
        "Another indicator of this project, number 1, has the same name: 系统运维服务质量达标率."),
    "missing-use-of-funds": (
        "ProjectHasUseOfFunds", "violation", 3, 1, "2025年城乡居民养老保险补助经费-市级",
        "缺少资金用途（预算规模及资金用途）。", "The use of the funds (预算规模及资金用途) is missing."),
    "missing-goal": (
        "ProjectHasGoal", "violation", 5, 1, "2025年机关事业单位养老保险制度改革中央补助经费-中央",
        "缺少绩效目标。", "The project has no performance goal (绩效目标)."),
    "level2-under-wrong-level1": (
        "Level2BelongsToLevel1", "violation", 1, 16, "保障办事大厅正常运转",
        "二级指标“数量指标”不属于一级指标“效益指标”。",
        "The level-2 category 数量指标 does not belong under the level-1 category 效益指标."),
    "satisfaction-not-percentage": (
        "SatisfactionIsPercentage", "violation", 4, 12, "退休人员满意度",
        "满意度指标的指标值应为百分比（如 ≥90%）：≥90分。",
        "A satisfaction target must be a percentage (e.g. ≥90%): ≥90分."),
    "cost-not-money": (
        "CostIsMoney", "violation", 6, 10, "企业离退休人员养老金发放金额",
        "成本指标的指标值应为金额（如 ≤672.1万元）：≤44000万人。",
        "A cost target must be an amount of money (e.g. ≤672.1万元): ≤44000万人."),
    "empty-target": (
        "TargetIsWritten", "violation", 7, 11, "养老金发放应发尽发率",
        "指标值为空。", "The target value (指标值) is empty."),
    "missing-total": (
        "ProjectHasTotal", "violation", 2, 1, "社保中心信息系统运维安全服务经费",
        "缺少预算数，或预算数为空。", "The budget total (预算数) is missing or empty."),
    "missing-quality-indicator": (
        "ProjectHasQualityIndicator", "warning", 3, 1, "2025年城乡居民养老保险补助经费-市级",
        "产出指标中没有质量指标。", "The outputs have no quality indicator (质量指标)."),
}


def _as_tuple(f: Finding) -> tuple:
    return (f.rule, f.severity, f.table, f.row, f.label, f.message_zh, f.message_en)


def test_the_corpus_is_what_the_readme_lists() -> None:
    files = {p.name for p in MUTATIONS.glob("*.txt")}
    assert files == {f"tianjin-{name}.txt" for name in EXPECTED} | {"tianjin-cost-placement-mixed.txt"}
    readme = (MUTATIONS / "README.md").read_text("utf-8")
    for name in files:
        assert name in readme


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_mutation_differs_from_the_sample_in_one_place(name: str) -> None:
    sample = SAMPLE.read_text("utf-8").splitlines()
    mutated = (MUTATIONS / f"tianjin-{name}.txt").read_text("utf-8").splitlines()
    import difflib

    hunks = [g for g in difflib.SequenceMatcher(None, sample, mutated, autojunk=False).get_opcodes() if g[0] != "equal"]
    assert len(hunks) == 1, hunks
    assert max(hunks[0][2] - hunks[0][1], hunks[0][4] - hunks[0][3]) <= 6  # one row at most


def test_the_sample_conforms_with_one_warning_that_is_right() -> None:
    report = validate(SAMPLE)
    assert report.conforms and report.exit_code() == 0 and report.exit_code("warning") == 1
    assert [_as_tuple(f) for f in report.findings] == [SAMPLE_WARNING]
    (doc,) = report.documents
    assert doc.profile == "legacy" and doc.projects == 8
    assert report.findings[0].file == str(SAMPLE)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_mutation_is_caught_with_its_message_and_row(name: str) -> None:
    path = MUTATIONS / f"tianjin-{name}.txt"
    report = validate(path)
    found = [_as_tuple(f) for f in report.findings if _as_tuple(f) != SAMPLE_WARNING]
    assert found == [EXPECTED[name]]
    f = next(f for f in report.findings if f.rule == EXPECTED[name][0])
    assert f.file == str(path) and f.line is not None
    assert report.exit_code() == (1 if EXPECTED[name][1] == "violation" else 0)


@pytest.mark.parametrize("name", ["cost-overrun", "deadline-in-wrong-year", "missing-quality-indicator"])
def test_the_command_reports_the_finding_in_both_languages(name: str) -> None:
    rule, severity, table, row, label, zh, en = EXPECTED[name]
    path = MUTATIONS / f"tianjin-{name}.txt"
    for lang, message, where, word in (
        ("zh", zh, f"表 {table}", {"violation": "错误", "warning": "警告"}[severity]),
        ("en", en, f"table {table}", severity),
    ):
        run = run_perfkg("validate", path, "--lang", lang)
        assert run.code == (1 if severity == "violation" else 0), run.stderr
        # the text report wraps messages at 80 columns: compare without white space
        assert re.sub(r"\s", "", message) in re.sub(r"\s", "", run.stdout)
        assert where in run.stdout and f"[{rule}]" in run.stdout and word in run.stdout
        assert (f"第 {row} 行" if lang == "zh" else f"row {row}") in run.stdout


# --- profiles ------------------------------------------------------------------------------------


def test_the_2021_profile_on_the_sample_asks_for_cost_at_level_1() -> None:
    report = validate(SAMPLE, profile="2021")
    assert report.documents[0].profile == "2021"
    costs = [f for f in report.findings if f.rule == "P2021-CostIsLevel1"]
    # every cost indicator of the sample: 4 + 2 + 1 + 1 + 1 + 1 + 1 + 4
    assert [(f.table, f.row) for f in costs][:4] == [(1, 8), (1, 9), (1, 10), (1, 11)]
    assert len(costs) == 15 and {f.table for f in costs} == set(range(1, 9))
    assert {f.rule for f in report.findings} == {"P2021-CostIsLevel1", "CostCoversBudget"}
    assert costs[0].message_en.startswith("Under Caiyu [2021] No. 101, 成本指标 is a level-1 category")
    assert costs[0].message_zh.startswith("按财预〔2021〕101号，成本指标应为一级指标")


def test_a_document_with_cost_at_level_1_is_validated_under_the_2021_rules() -> None:
    path = VARIANTS / "zhejiang-2023-cost-level1-implementation-period.txt"
    auto = validate(path)
    assert auto.documents[0].profile == "2021" and auto.findings == []
    legacy = validate(path, profile="legacy")
    assert [(f.rule, f.row, f.label) for f in legacy.findings] == [
        ("Legacy-CostUnderOutput", 11, "每平方米保洁成本"), ("Legacy-CostUnderOutput", 12, "作业扰民投诉"),
    ]


def test_mixed_cost_placement_is_flagged_and_validated_under_the_2021_rules() -> None:
    report = validate(MUTATIONS / "tianjin-cost-placement-mixed.txt")
    assert report.documents[0].profile == "2021"
    mixed = [f for f in report.findings if f.rule == "DocumentCostPlacementNotMixed"]
    assert len(mixed) == 1 and mixed[0].severity == "warning" and mixed[0].project is None
    assert mixed[0].message_zh == "本文件中成本指标两种位置并存：有的为一级指标，有的在产出指标之下。"
    old_style = [f for f in report.findings if f.rule == "P2021-CostIsLevel1"]
    assert len(old_style) == 14 and 3 not in {f.table for f in old_style}


def test_profile_choice() -> None:
    from perfkg.validate import choose_profile

    assert choose_profile("level1", 2019) == "2021"
    assert choose_profile("mixed", 2025) == "2021"
    assert choose_profile("output", 2025) == "legacy"
    assert choose_profile(None, 2021) == "legacy"
    assert choose_profile(None, 2022) == "2021"
    assert choose_profile(None, None) == "2021"


def test_the_mutation_files_read_like_the_sample(tmp_path: Path) -> None:
    """Every mutation still reads: 8 projects, and no reader warning but the defect's own."""
    import perfkg

    for path in sorted(MUTATIONS.glob("*.txt")):
        doc = perfkg.read(path)
        assert len(doc.projects) == 8, path.name
        assert len(doc.notes) <= 1, (path.name, doc.notes)
