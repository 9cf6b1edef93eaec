"""Beneficiary populations: linked where the tables serve the same people, and only there."""

from __future__ import annotations

from decimal import Decimal

import perfkg
from perfkg.population import populations_of

from .conftest import DATA

POPS = DATA / "populations"


def _by_projects(doc: perfkg.Document) -> dict[tuple[int, ...], object]:
    return {tuple(link.project.table for link in p.links): p for p in populations_of(doc)}


def test_the_samples_shared_populations(sample_doc) -> None:
    found = populations_of(sample_doc)
    assert sorted(tuple(link.project.table for link in p.links) for p in found) == [(3,), (3,), (4, 5), (6, 7)]
    pops = _by_projects(sample_doc)
    retirees = pops[(4, 5)]
    assert retirees.size == Decimal("347700")
    assert retirees.key.qualifier == "public_institutions" and retirees.key.head == "retirees"
    assert retirees.key.year == 2025 and retirees.key.unit_code == "353302"
    enterprise = pops[(6, 7)]
    assert enterprise.size == Decimal("2194100") and enterprise.label_zh.startswith("企业离退休人员")
    total = sum(link.project.total.value for link in retirees.links)
    assert total == Decimal("685446.00")
    assert sum(link.project.total.value for link in enterprise.links) == Decimal("2049178.00")


def test_project_5_is_linked_through_its_name_and_says_so(sample_doc) -> None:
    retirees = _by_projects(sample_doc)[(4, 5)]
    four, five = retirees.links
    assert four.qualifier_from == "indicator" and four.rule == "count-indicator"
    assert five.qualifier_from == "project name" and five.rule == "count-indicator+project name"
    assert five.indicator.name == "退休人员养老金正常发放人数"
    assert "机关事业单位 from the project name" in five.explanation


def test_project_3_serves_two_groups_not_the_retirees(sample_doc) -> None:
    three = [p for p in populations_of(sample_doc) if [link.project.table for link in p.links] == [3]]
    assert sorted((p.key.head, p.size) for p in three) == [
        ("contributors", Decimal("348000")), ("covered_contributors", Decimal("6000")),
    ]
    assert all(p.key.qualifier == "urban_rural_residents" for p in three)


def test_same_number_different_people_are_not_linked() -> None:
    doc = perfkg.read(POPS / "same-number-different-people.txt")
    pops = populations_of(doc)
    assert sorted((p.key.head, [link.project.table for link in p.links]) for p in pops) == [
        ("disabled", [1]), ("elderly", [2]),
    ]
    # 人次 counts visits, not people: project 3 serves no recognised population
    assert all(link.project.table != 3 for p in pops for link in p.links)


def test_same_people_written_differently_are_linked() -> None:
    doc = perfkg.read(POPS / "same-people-written-differently.txt")
    pops = _by_projects(doc)
    # 机关事业单位离退休人员 ≥12.5万人 and 退休人员 ≥125000人 (机关事业单位 in the project name)
    assert (1, 2) in pops and pops[(1, 2)].size == Decimal("125000")
    # … but not 城乡居民缴费人员 of the same size
    assert (3,) in pops and pops[(3,)].key.head == "contributors"


def test_two_years_are_two_populations_of_one_group() -> None:
    a = populations_of(perfkg.read(POPS / "two-years-2024.txt"))
    b = populations_of(perfkg.read(POPS / "two-years-2025.txt"))
    (pa,), (pb,) = a, b
    assert pa.key != pb.key and (pa.key.year, pb.key.year) == (2024, 2025)
    assert (pa.key.qualifier, pa.key.head, pa.size) == (pb.key.qualifier, pb.key.head, pb.size)
