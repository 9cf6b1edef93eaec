"""The Word text-export reader on the bundled sample, quirk by quirk (DOMAIN.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import perfkg
from perfkg.errors import EncodingProblem, MalformedTable, NotATargetTable, UnsupportedFile

from .conftest import DATA

NAMES = [
    "社保经办大厅运转经费",
    "社保中心信息系统运维安全服务经费",
    "2025年城乡居民养老保险补助经费-市级",
    "2025年机关事业单位养老保险补助经费-市级",
    "2025年机关事业单位养老保险制度改革中央补助经费-中央",
    "2025年企业职工养老保险补助经费-市级",
    "2025年企业职工养老保险补助经费-中央",
    "社保业务经办经费",
]
BUDGETS = ["1324.00", "350.00", "4278.00", "341650.00", "343796.00", "44000.00", "2005178.00", "561.50"]
INDICATORS = [11, 9, 7, 6, 6, 6, 6, 20]


def test_document_header(sample_doc) -> None:
    assert sample_doc.source.format == "text"
    assert sample_doc.kind == "targets"
    assert sample_doc.title == "天津市社会保险基金管理中心项目支出绩效目标表"
    assert sample_doc.year == 2025
    assert sample_doc.budget_unit == perfkg.BudgetUnit("353302", "天津市社会保险基金管理中心")
    assert sample_doc.money_unit == "万元"
    assert len(sample_doc.source.sha256) == 64


def test_eight_projects_named_as_in_the_contents(sample_doc) -> None:
    assert [p.name for p in sample_doc.projects] == NAMES
    assert sample_doc.contents == NAMES
    assert sample_doc.notes == [], "the sample reads without a single warning"


def test_budgets_are_exact_decimals(sample_doc) -> None:
    assert [str(p.total.value) for p in sample_doc.projects] == BUDGETS
    assert [str(p.fiscal.value) for p in sample_doc.projects] == BUDGETS
    assert all(p.other.value == 0 and p.other.text == "" for p in sample_doc.projects)
    assert sum(p.total.value for p in sample_doc.projects) == Decimal("2741137.50")
    assert sample_doc.projects[7].total.yuan == Decimal("5615000")


def test_71_indicators_split_as_in_domain(sample_doc) -> None:
    assert [len(p.indicators) for p in sample_doc.projects] == INDICATORS
    assert sample_doc.indicator_count == 71


def test_table_4_has_no_heading_and_starts_at_the_unit_line(sample_doc) -> None:
    p4 = sample_doc.projects[3]
    assert p4.heading is None
    assert p4.name == "2025年机关事业单位养老保险补助经费-市级"
    assert p4.budget_unit.code == "353302"
    # its first row is the unit line that table 3's last row ran into (line 286, no blank line)
    assert p4.location.line == 286 and p4.location.row == 1
    # and table 3 kept its last row: 满意度指标 … ≥90%
    last = sample_doc.projects[2].indicators[-1]
    assert (last.level1, last.name, last.target.text) == ("satisfaction", "参保人员满意度", "≥90%")
    assert last.location.line == 281


def test_government_level_from_the_name_suffix(sample_doc) -> None:
    assert [p.level for p in sample_doc.projects] == [
        None, None, "municipal", "municipal", "central", "municipal", "central", None,
    ]


def test_fiscal_label_with_spaces_and_empty_other_funds(sample_doc) -> None:
    lines = {f.kind: f for f in sample_doc.projects[0].funding}
    assert lines["fiscal"].label == "其中：财政资金"
    assert lines["fiscal"].amount.text == "1324.00"
    assert lines["other"].amount.value == 0


def test_use_of_funds_and_goals(sample_doc) -> None:
    p1 = sample_doc.projects[0]
    assert p1.use_of_funds == "为社保大厅及分中心提供物业服务，保障办事大厅正常运转"
    assert p1.goals == ["为社保大厅及分中心提供物业服务，保障办事大厅正常运转"]


def test_merged_level1_cells_are_filled_from_the_row_above(sample_doc) -> None:
    p1 = sample_doc.projects[0]
    assert [i.level1 for i in p1.indicators] == ["output"] * 9 + ["benefit", "satisfaction"]
    assert [i.level2 for i in p1.indicators][:9] == [
        "quality", "cost", "cost", "cost", "cost", "quantity", "quantity", "timeliness", "timeliness",
    ]


def test_targets_of_the_sample(sample_doc) -> None:
    p = sample_doc.projects
    retirees = p[3].indicators[0].target
    assert (retirees.text, retirees.comparator, retirees.value, retirees.unit) == ("≥34.77万人", ">=", Decimal("347700"), "person")
    typo = p[1].indicators[6].target
    assert typo.text == "2025年1月1日至2025年12月31日日"
    assert (typo.kind, typo.start, typo.end) == ("interval", date(2025, 1, 1), date(2025, 12, 31))
    deadline = p[7].indicators[15].target
    assert (deadline.text, deadline.kind, deadline.end) == ("2025年12月20日前", "deadline", date(2025, 12, 20))
    sentence = p[1].indicators[7]
    assert sentence.target.kind == "qualitative"
    assert sentence.target.text == "保障中心软硬件设备系统等正常运转"


def test_cost_indicators_add_up_as_domain_says(sample_doc) -> None:
    def costs(p):
        return sum(i.target.value for i in p.indicators if i.level2 == "cost") / 10000

    p = sample_doc.projects
    assert costs(p[0]) == Decimal("1324") == p[0].total.value
    assert costs(p[1]) == Decimal("350")
    assert costs(p[7]) == Decimal("378")


def test_every_indicator_knows_its_file_table_row_and_line(sample_doc, sample_path) -> None:
    first = sample_doc.projects[0].indicators[0]
    assert first.location.file == str(sample_path)
    assert (first.location.table, first.location.row, first.location.line) == (1, 7, 61)
    assert sample_path.read_text("utf-8").splitlines()[60] == "\t产出指标"
    for p in sample_doc.projects:
        for i in p.indicators:
            assert i.location.table == p.table and i.location.row and i.location.line


@pytest.mark.parametrize(
    "name, error, message, where",
    [
        ("truncated-mid-row.txt", MalformedTable, "cut short", "table 2, row 9 (line 171)"),
        ("truncated-after-header.txt", MalformedTable, "header but no rows", "table 1, row 6"),
        ("missing-project-name.txt", MalformedTable, "no 项目名称", "table 3, row 1 (line 217)"),
        ("empty.txt", UnsupportedFile, "the file is empty", "empty.txt"),
        ("binary-junk.txt", UnsupportedFile, "a binary file", "binary-junk.txt"),
        ("gbk-encoded.txt", EncodingProblem, "not valid utf-8", "(line 4)"),
        ("not-a-table.txt", NotATargetTable, "no performance target table", "not-a-table.txt"),
    ],
)
def test_broken_files_raise_errors_that_say_where(name, error, message, where) -> None:
    with pytest.raises(error) as caught:
        perfkg.read(DATA / "errors" / name)
    text = str(caught.value)
    assert message in text and where in text
    assert text.startswith(str(DATA / "errors" / name))


def test_gbk_reads_with_the_encoding_given() -> None:
    # The GBK file is the sample's first 130 lines: its title, 目录 and table 1.
    doc = perfkg.read(DATA / "errors" / "gbk-encoded.txt", encoding="gb18030")
    assert [p.name for p in doc.projects] == NAMES[:1]
    assert len(doc.projects[0].indicators) == 11
    assert doc.title == "天津市社会保险基金管理中心项目支出绩效目标表"


def test_reading_twice_gives_the_same_document(sample_path) -> None:
    assert perfkg.document_to_dict(perfkg.read(sample_path)) == perfkg.document_to_dict(perfkg.read(sample_path))
