#!/usr/bin/env python3
"""Generate realistic 项目支出绩效目标表 at province scale, with a manifest of what they hold.

    benchmarks/generate.py 10000 --seed 1 --format txt -o /tmp/perfkg-corpus

writes N project tables spread over many budget units and years (one document per unit and
year, several tables per document, as units publish them) and ``manifest.json``: the exact
counts, every beneficiary population with the projects that serve it and their total budget,
the budget by level of government, and every defect planted (file, table, row, kind), so that
tests and benchmarks check perfkg's answers at scale, not only its speed.

What is drawn, and from what (the distributions are stated in ``DISTRIBUTIONS`` and in the
manifest):

- units of nine sectors (social security, education, health, transport, agriculture, urban
  management, civil affairs, culture, ecology) in real cities and provinces, each publishing
  for 1-4 consecutive years of 2021-2025 with mostly the same projects each year;
- projects from sector programmes: subsidy programmes funded at several levels of government
  (``…-中央`` and ``…-市级``/``…-省级`` tables of one programme share their beneficiaries, as in
  the sample), and operating or construction projects with no suffix;
- 6-25 indicators per project (5 when the 满意度 block is missing) in every category, 成本 under
  产出 (older rules) or as a level-1 of its own (财预〔2021〕101号) depending on the unit and year;
- every target form of DOMAIN.md: ≥/≤ percentages, 100%, 万元 costs that add up to the budget
  or less, 万人 counts, 台/个/套/册/次/条/人次 …, ≤4小时, 2025年1-12月, …12月31日日, …前
  deadlines, sentences, and a few other comparators (>=, ≧, ＞＝, 不低于);
- beneficiary populations shared by the projects of a unit (the same group and size), whose
  answer is known exactly;
- a few per cent of tables with one real defect each (``DEFECT_KINDS``).

Formats: ``txt`` is Word's text export as perfkg's text reader reads it (bookmarks, 目录, page
numbers, and now and then a table without heading whose unit line runs on from the previous
table's last row); ``docx`` and ``xlsx`` are laid out like the committed fixtures in
``tests/data/sample`` (merged cells, stacked tables, one sheet per table, wide sheets).
Deterministic: the same N, seed and format give byte-identical files and manifest.

The manifest (``manifest.json``; amounts are decimal strings of 万元 or integers of 元)::

    perfkg_benchmark_manifest  1
    generator        {tables, seed, format, distributions}
    counts           {documents, budget_units, projects, indicators, targets, populations,
                      shared_populations}: the first six are what ``perfkg info`` reports
    tables_by_year   {"2021": n, …}
    cost_placement   {output: documents, level1: documents}
    budget           {total_wan, fiscal_wan, other_wan, by_level_wan, by_level_yuan}
                     (levels: central, provincial, municipal, none)
    defects          [{file, table, row, kind, project, detail}]: row as perfkg reports it
                     (null for a defect of the whole table); kind one of DEFECT_KINDS
    populations      [{unit_code, year, file, qualifier, head, wording, size, counted_in,
                      projects: [{table, name}], shared, budget_wan, budget_yuan}]: qualifier
                     and head are the codes of perfkg/vocab/populations.toml; budget = the sum
                     of the projects' 预算数
    documents        [{file, unit_code, unit_name, year, sector, cost_placement, money_unit,
                      layout, indicator_columns, tables, headless_table, projects: [{table,
                      name, level, headless, total_wan, fiscal_wan, other_wan, indicators,
                      cost_rows, cost_sum_wan, groups}]}]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
import re
import sys
import time
import tomllib
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

__all__ = ["generate", "Corpus", "DEFECT_KINDS", "FORMATS", "MANIFEST", "STORE_COUNTS"]

FORMATS = ("txt", "docx", "xlsx")
MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
# The manifest's counts that ``perfkg info`` reports for a store holding the corpus.
STORE_COUNTS = ("documents", "budget_units", "projects", "indicators", "targets", "populations")
ROOT = Path(__file__).resolve().parent.parent

DEFECT_KINDS = (
    "missing-satisfaction",      # no 满意度指标 block
    "missing-quality",           # no 质量指标 among the outputs
    "funding-mismatch",          # 财政资金 + 其他资金 ≠ 预算数
    "cost-overrun",              # the cost indicators add up to more than the budget
    "percentage-over-100",       # a percentage target above 100 %
    "deadline-wrong-year",       # a deadline outside the budget year
    "quantity-without-unit",     # a count with no unit
    "duplicate-indicator-name",  # two indicators of one project with one name
)

# The distributions, stated once (they are copied into the manifest).
DISTRIBUTIONS = {
    "years": [2021, 2022, 2023, 2024, 2025],
    "years_per_unit": "1-4 consecutive years ending in 2025 (weights 3:3:2:2)",
    "tables_per_document": "about log-normal, median 6, sigma 0.7, within 1-30 (a unit's programmes × levels)",
    "indicators_per_project": "6 + round(exponential(mean 5)), at most 25",
    "defect_rate": 0.03,
    "cost_at_level1": "per unit: 10 % before 2022, 45 % from 2022 on (财预〔2021〕101号)",
    "level_suffix": "subsidy programmes: one table -中央 and one -市级/-省级 (45 %), -中央 only (30 %), "
                    "-市级/-省级 only (25 %); operating projects: none (85 %) or -市级/-省级 (15 %)",
    "budget": "subsidies: population × 600-12 000 元 per person, split 55-85 % central; "
              "operating: log-uniform in the programme's range (万元)",
    "costs": "subsidies: one cost row = the budget; others: 1-4 rows adding up to the budget (55 %) "
             "or to 50-99 % of it",
    "money_unit": "万元 (92 %) or 元 with thousands separators (8 %)",
    "headless_table": "15 % of documents with 3+ tables (txt, docx, stacked xlsx)",
}

# --- places and units ----------------------------------------------------------------------

# Province (GB/T 2260 code, name) and some of its cities. Municipalities are their own city.
PROVINCES: list[tuple[str, str, list[str]]] = [
    ("11", "北京市", []), ("12", "天津市", []), ("31", "上海市", []), ("50", "重庆市", []),
    ("13", "河北省", ["石家庄市", "唐山市", "保定市"]), ("14", "山西省", ["太原市", "大同市"]),
    ("21", "辽宁省", ["沈阳市", "大连市", "鞍山市"]), ("22", "吉林省", ["长春市", "吉林市"]),
    ("23", "黑龙江省", ["哈尔滨市", "齐齐哈尔市"]), ("32", "江苏省", ["南京市", "苏州市", "无锡市", "徐州市"]),
    ("33", "浙江省", ["杭州市", "宁波市", "温州市", "绍兴市"]), ("34", "安徽省", ["合肥市", "芜湖市"]),
    ("35", "福建省", ["福州市", "厦门市", "泉州市"]), ("36", "江西省", ["南昌市", "赣州市"]),
    ("37", "山东省", ["济南市", "青岛市", "烟台市", "潍坊市"]), ("41", "河南省", ["郑州市", "洛阳市", "开封市"]),
    ("42", "湖北省", ["武汉市", "宜昌市", "襄阳市"]), ("43", "湖南省", ["长沙市", "株洲市", "岳阳市"]),
    ("44", "广东省", ["广州市", "深圳市", "佛山市", "东莞市"]), ("45", "广西壮族自治区", ["南宁市", "柳州市"]),
    ("46", "海南省", ["海口市", "三亚市"]), ("51", "四川省", ["成都市", "绵阳市", "德阳市"]),
    ("52", "贵州省", ["贵阳市", "遵义市"]), ("53", "云南省", ["昆明市", "曲靖市"]),
    ("61", "陕西省", ["西安市", "宝鸡市"]), ("62", "甘肃省", ["兰州市", "天水市"]),
    ("64", "宁夏回族自治区", ["银川市"]), ("65", "新疆维吾尔自治区", ["乌鲁木齐市"]),
]
DISTRICTS = ["城关区", "高新区", "经济开发区", "新城区", "东城区", "西城区", "南湖区", "北山区"]

# Sector → (departments of a city, departments of a province).
SECTORS: dict[str, tuple[list[str], list[str]]] = {
    "social": (["人力资源和社会保障局", "社会保险基金管理中心", "社会保险事业管理中心", "医疗保障局"],
               ["人力资源和社会保障厅", "社会保险事业管理局", "医疗保障局"]),
    "education": (["教育局", "学生资助管理中心"], ["教育厅"]),
    "health": (["卫生健康委员会", "疾病预防控制中心"], ["卫生健康委员会"]),
    "transport": (["交通运输局", "公路事业发展中心"], ["交通运输厅"]),
    "agriculture": (["农业农村局", "动物疫病预防控制中心"], ["农业农村厅"]),
    "urban": (["城市管理局", "园林绿化局", "市容环境卫生管理中心"], ["住房和城乡建设厅"]),
    "civil": (["民政局", "社会救助服务中心", "残疾人联合会"], ["民政厅"]),
    "culture": (["文化和旅游局", "图书馆"], ["文化和旅游厅"]),
    "ecology": (["生态环境局", "生态环境监测中心"], ["生态环境厅"]),
}

# --- programmes ----------------------------------------------------------------------------
# A row template is (level-2, 三级指标 name, target spec). Level-2 codes: quantity quality
# timeliness social economic ecological sustainable satisfaction. Target specs:
#   ("pct", op, (values…))       ≥95% / 100% / ≤2%
#   ("count", unit, lo, hi)      ≥n{unit}; ≥x万{unit} when n ≥ 10⁵ and the unit takes 万
#   ("dur", unit, (values…))     ≤4小时
#   ("period",) ("deadline",)    within the budget year
#   ("text", "sentence")         qualitative
#   ("pop", key)                 the population ``key`` of the programme (≥x万人 / ≥n人 / ≥n户)
# Population: key → (qualifier code | None, head code, wording, lo, hi, count unit).


@dataclass(frozen=True)
class Programme:
    key: str
    sector: str
    name: str                     # {Y} is the budget year
    kind: str                     # subsidy | operating
    use: str
    goals: tuple[str, ...]
    rows: tuple[tuple, ...]
    costs: tuple[str, ...]        # names of cost rows (subsidies: the one row = the budget)
    budget: tuple[float, float] = (50, 3000)  # 万元, operating projects
    per_capita: tuple[int, int] = (600, 12000)  # 元 per person, subsidies
    pops: tuple[tuple, ...] = ()
    levels: bool = False          # funded at several levels: one table per level


def _p(*args, **kw) -> Programme:
    return Programme(*args, **kw)


PROGRAMMES: list[Programme] = [
    # --- social security -------------------------------------------------------------------
    _p("enterprise-pension", "social", "{Y}年企业职工养老保险补助经费", "subsidy",
       "按时为离退休人员发放养老金，保障退休人员基本权益。",
       ("按时为离退休人员发放养老金，保障离退休人员基本权益。",),
       (("quantity", "保证符合条件的离退休人员养老金正常发放人数", ("pop", "retirees-ent")),
        ("quality", "企业离退休人员基本养老金足额发放率", ("pct", "=", (100,))),
        ("timeliness", "企业离退休人员基本养老金发放时间", ("period",)),
        ("social", "养老金发放应发尽发率", ("pct", "=", (100,))),
        ("satisfaction", "参保人员满意度", ("pct", ">=", (85, 90, 95)))),
       ("企业离退休人员基本养老金发放金额",), levels=True, per_capita=(3000, 12000),
       pops=(("retirees-ent", "enterprises", "retirees", "离退休人员", 20_000, 2_500_000, "人"),)),
    _p("institution-pension", "social", "{Y}年机关事业单位养老保险补助经费", "subsidy",
       "按时为离退休人员发放养老金，保障离退休人员基本权益。",
       ("按时为离退休人员发放养老金，保障离退休人员基本权益。",),
       (("quantity", "退休人员养老金正常发放人数", ("pop", "retirees-inst")),
        ("quality", "机关事业单位退休人员基本养老金足额发放率", ("pct", "=", (100,))),
        ("timeliness", "机关事业单位退休人员基本养老金发放时间", ("period",)),
        ("social", "养老金应发尽发率", ("pct", "=", (100,))),
        ("satisfaction", "退休人员满意度", ("pct", ">=", (90, 95)))),
       ("机关事业单位退休人员基本养老金发放金额",), levels=True, per_capita=(5000, 12000),
       pops=(("retirees-inst", "public_institutions", "retirees", "退休人员", 10_000, 600_000, "人"),)),
    _p("resident-pension", "social", "{Y}年城乡居民养老保险补助经费", "subsidy",
       "按时足额发放城乡居民代缴和缴费人员补贴，保障城乡居民基本权益。",
       ("按时足额发放城乡居民代缴和缴费人员补贴，保障城乡居民基本权益。",),
       (("quantity", "符合条件的城乡居民代缴人员发放人数", ("pop", "covered")),
        ("quantity", "符合条件的城乡居民缴费人员发放人数", ("pop", "contributors")),
        ("quality", "符合条件的城乡居民缴费人员足额补贴率", ("pct", "=", (100,))),
        ("timeliness", "符合条件的城乡居民缴费人员补贴时间", ("period",)),
        ("social", "符合条件的城乡居民缴费人员补贴应发尽发率", ("pct", "=", (100,))),
        ("satisfaction", "参保人员满意度", ("pct", ">=", (90,)))),
       ("符合条件的城乡居民缴费人员补贴经费",), levels=True, per_capita=(600, 1500),
       pops=(("covered", "urban_rural_residents", "covered_contributors", "代缴人员", 2_000, 80_000, "人"),
             ("contributors", "urban_rural_residents", "contributors", "缴费人员", 50_000, 900_000, "人"))),
    _p("resident-medical", "social", "{Y}年城乡居民基本医疗保险补助资金", "subsidy",
       "落实城乡居民基本医疗保险财政补助政策，减轻参保人员医疗费用负担。",
       ("落实财政补助政策，按时足额拨付补助资金。", "减轻参保人员医疗费用负担。"),
       (("quantity", "城乡居民基本医疗保险参保人员人数", ("pop", "insured-res")),
        ("quality", "住院费用政策范围内报销比例", ("pct", ">=", (70, 75))),
        ("quality", "补助资金拨付准确率", ("pct", "=", (100,))),
        ("timeliness", "补助资金拨付时间", ("deadline",)),
        ("social", "参保率", ("pct", ">=", (95, 96))),
        ("sustainable", "医保基金运行平稳", ("text", "基金收支平衡，略有结余")),
        ("satisfaction", "参保群众满意度", ("pct", ">=", (85, 90)))),
       ("城乡居民医保财政补助资金",), levels=True, per_capita=(600, 700),
       pops=(("insured-res", "urban_rural_residents", "insured", "参保人员", 100_000, 5_000_000, "人"),)),
    _p("hall", "social", "社保经办大厅运转经费", "operating",
       "为社保大厅及分中心提供物业服务，保障办事大厅正常运转",
       ("为社保大厅及分中心提供物业服务，保障办事大厅正常运转",),
       (("quality", "物业服务验收合格率", ("pct", ">=", (95, 98))),
        ("quantity", "物业服务面积", ("count", "平米", 3000, 40000)),
        ("quantity", "空调机组维护数量", ("count", "台", 8, 80)),
        ("timeliness", "物业服务时间", ("period",)),
        ("timeliness", "空调机组维修响应时间", ("dur", "小时", (2, 4, 8))),
        ("social", "保障办事大厅正常运转", ("text", "为社保大厅及中心提供物业服务，保障办公区域安全保卫、电气电路、空调系统正常运转")),
        ("satisfaction", "单位工作人员满意度", ("pct", ">=", (90, 95)))),
       ("安保服务费用", "电力维护服务费用", "空调机组服务费用", "园区管理费用", "保洁服务费用"), budget=(200, 3000)),
    _p("it-ops", "social", "社保中心信息系统运维安全服务经费", "operating",
       "通过聘请服务机构对信息化系统运维，保障系统硬件设备及软件系统正常运转使用、协同办公系统运维服务、安全服务等正常开展。",
       ("保障中心系统硬件设备及软件系统正常运转，确保信息系统运维安全。",),
       (("quality", "系统运维服务质量达标率", ("pct", ">=", (95,))),
        ("quality", "系统运维服务验收合格率", ("pct", ">=", (95, 98))),
        ("quantity", "运维系统数量", ("count", "个", 3, 30)),
        ("timeliness", "系统故障维修响应时限", ("dur", "小时", (2, 4))),
        ("timeliness", "系统运维服务时间", ("period",)),
        ("social", "保障中心软硬件设备系统等正常运转", ("text", "保障中心软硬件设备系统等正常运转")),
        ("satisfaction", "信息化系统使用人员满意度", ("pct", ">=", (90, 95)))),
       ("软硬件维护成本", "电池费用", "网络安全服务费用"), budget=(80, 1500)),
    _p("employment", "social", "{Y}年就业补助资金", "operating",
       "用于职业技能培训补贴、社会保险补贴、公益性岗位补贴等就业创业支出。",
       ("落实就业创业扶持政策，促进城镇新增就业。", "开展职业技能培训，提升劳动者就业能力。"),
       (("quantity", "职业技能培训人次", ("count", "人次", 2000, 80000)),
        ("quantity", "城镇新增就业人数", ("count", "人", 5000, 300000)),
        ("quantity", "开发公益性岗位", ("count", "个", 100, 3000)),
        ("quality", "补贴资金发放准确率", ("pct", "=", (100,))),
        ("quality", "培训合格率", ("pct", ">=", (85, 90))),
        ("timeliness", "补贴资金拨付时间", ("deadline",)),
        ("social", "城镇调查失业率", ("pct", "<=", (5, 6))),
        ("economic", "就业形势总体稳定", ("text", "就业形势保持总体稳定")),
        ("satisfaction", "服务对象满意度", ("pct", ">=", (85, 90)))),
       ("职业技能培训补贴", "社会保险补贴", "公益性岗位补贴"), budget=(500, 60000)),
    _p("business", "social", "社保业务经办经费", "operating",
       "通过开展养老保险待遇经办服务、经办耗材购置、劳动能力鉴定、经办服务宣传等社保业务经办工作，保障重点业务经办工作开展",
       ("通过开展养老保险待遇经办服务、经办耗材购置、劳动能力鉴定等社保业务经办工作，保障中心重点业务经办工作开展",),
       (("quality", "购置经办耗材验收合格率", ("pct", ">=", (95,))),
        ("quality", "养老待遇资格认证告知短信及外呼提醒成功送达率", ("pct", ">=", (90,))),
        ("quantity", "工装购置数量", ("count", "套", 20, 200)),
        ("quantity", "人事档案数字化加工册数", ("count", "册", 300, 5000)),
        ("quantity", "劳鉴培训次数", ("count", "次", 2, 12)),
        ("quantity", "发送养老待遇资格认证告知短信", ("count", "条", 1_000_000, 20_000_000)),
        ("quantity", "养老待遇资格认证外呼提醒", ("count", "人次", 10000, 90000)),
        ("timeliness", "劳鉴培训完成时间", ("deadline",)),
        ("timeliness", "经办耗材采购完成时间", ("deadline",)),
        ("social", "维护参保人员个人权益", ("text", "通过项目实施，维护参保人员个人权益，提升群众满意度")),
        ("social", "提升群众社保服务相关政策知晓度", ("text", "通过宣传工作的开展，提升群众社保服务相关政策知晓度")),
        ("satisfaction", "参保群众满意度", ("pct", ">=", (90,)))),
       ("养老保险待遇经办服务费用", "经办耗材购置费用", "劳动能力鉴定费用", "宣传费用"), budget=(150, 1200)),
    # --- education -------------------------------------------------------------------------
    _p("student-aid", "education", "{Y}年学生资助补助经费", "subsidy",
       "用于发放国家助学金、免学费补助等学生资助资金。",
       ("按时足额发放学生资助资金，保障家庭经济困难学生顺利完成学业。",),
       (("quantity", "资助学生人数", ("pop", "students")),
        ("quality", "资助对象认定准确率", ("pct", "=", (100,))),
        ("timeliness", "资金发放时间", ("deadline",)),
        ("social", "家庭经济困难学生应助尽助", ("pct", "=", (100,))),
        ("satisfaction", "受助学生满意度", ("pct", ">=", (90, 95)))),
       ("学生资助资金",), levels=True, per_capita=(1000, 3000),
       pops=(("students", None, "students", "学生", 5_000, 400_000, "人"),)),
    _p("school-meals", "education", "{Y}年农村义务教育学生营养改善计划补助资金", "subsidy",
       "为义务教育阶段在校学生提供营养膳食补助。",
       ("按每生每天5元标准提供营养膳食补助，改善学生营养健康状况。",),
       (("quantity", "受益学生人数", ("pop", "pupils")),
        ("quality", "食品安全事故发生次数", ("count", "次", 0, 0)),
        ("timeliness", "补助资金下达时间", ("deadline",)),
        ("social", "学生营养健康状况持续改善", ("text", "学生营养健康状况持续改善")),
        ("satisfaction", "学生家长满意度", ("pct", ">=", (90,)))),
       ("营养膳食补助资金",), levels=True, per_capita=(800, 1000),
       pops=(("pupils", "rural", "students", "学生", 3_000, 300_000, "人"),)),
    _p("school-buildings", "education", "义务教育薄弱环节改善与能力提升项目", "operating",
       "用于改善义务教育学校办学条件，购置教学仪器设备。",
       ("改造薄弱学校校舍，配齐教学仪器设备，改善办学条件。",),
       (("quantity", "改造校舍面积", ("count", "平方米", 2000, 60000)),
        ("quantity", "购置教学设备", ("count", "台", 50, 3000)),
        ("quality", "工程验收合格率", ("pct", "=", (100,))),
        ("timeliness", "项目完工时间", ("deadline",)),
        ("social", "办学条件明显改善", ("text", "义务教育学校办学条件明显改善")),
        ("sustainable", "持续改善办学条件", ("text", "长期")),
        ("satisfaction", "师生满意度", ("pct", ">=", (90,)))),
       ("校舍改造成本", "设备购置成本", "工程监理费用"), budget=(500, 20000)),
    _p("teacher-training", "education", "中小学教师培训经费", "operating",
       "用于开展中小学教师全员培训和骨干教师培训。",
       ("开展中小学教师培训，提升教师专业能力。",),
       (("quantity", "培训教师人数", ("count", "人", 500, 20000)),
        ("quantity", "举办培训班", ("count", "期", 5, 60)),
        ("quality", "培训合格率", ("pct", ">=", (90, 95))),
        ("timeliness", "培训完成时间", ("deadline",)),
        ("social", "教师专业能力提升", ("text", "教师专业能力明显提升")),
        ("satisfaction", "参训教师满意度", ("pct", ">=", (90,)))),
       ("培训费用", "专家授课费用", "培训资料印制费用"), budget=(50, 1500)),
    # --- health ----------------------------------------------------------------------------
    _p("public-health", "health", "{Y}年基本公共卫生服务补助资金", "subsidy",
       "用于免费提供基本公共卫生服务项目。",
       ("免费提供基本公共卫生服务，提高居民健康水平。",),
       (("quantity", "65岁以上老年人健康管理人数", ("pop", "elderly")),
        ("quantity", "高血压患者规范管理人数", ("count", "人", 5000, 200000)),
        ("quality", "居民电子健康档案建档率", ("pct", ">=", (90,))),
        ("quality", "适龄儿童国家免疫规划疫苗接种率", ("pct", ">=", (90, 95))),
        ("timeliness", "资金拨付时间", ("deadline",)),
        ("social", "居民健康素养水平", ("pct", ">=", (25, 30))),
        ("satisfaction", "城乡居民对基本公共卫生服务满意度", ("pct", ">=", (85, 90)))),
       ("基本公共卫生服务补助资金",), levels=True, per_capita=(400, 900),
       pops=(("elderly", None, "elderly", "老年人", 10_000, 900_000, "人"),)),
    _p("family-planning", "health", "{Y}年计划生育扶助保障经费", "subsidy",
       "按时发放计划生育家庭奖励扶助金和特别扶助金。",
       ("按时足额发放扶助金，保障扶助对象基本生活。",),
       (("quantity", "扶助对象人数", ("pop", "fp")),
        ("quality", "资金发放准确率", ("pct", "=", (100,))),
        ("timeliness", "扶助资金发放时间", ("deadline",)),
        ("social", "扶助政策落实到位", ("text", "扶助政策全面落实")),
        ("satisfaction", "扶助对象满意度", ("pct", ">=", (90,)))),
       ("扶助资金",), levels=True, per_capita=(960, 2400),
       pops=(("fp", "family_planning", "beneficiaries", "扶助对象", 2_000, 200_000, "人"),)),
    _p("clinics", "health", "基层医疗卫生机构能力提升项目", "operating",
       "支持基层医疗卫生机构设备配置和人员培训",
       ("完成基层医疗卫生机构设备配置。", "开展基层卫生人员培训。"),
       (("quantity", "配置设备的基层机构数", ("count", "家", 10, 300)),
        ("quantity", "培训基层卫生人员", ("count", "人次", 500, 8000)),
        ("quality", "设备验收合格率", ("pct", "=", (100,))),
        ("timeliness", "设备配置完成时间", ("deadline",)),
        ("social", "基层诊疗量占比", ("pct", ">=", (60, 65))),
        ("sustainable", "基层服务能力持续提升", ("text", "明显提升")),
        ("satisfaction", "基层群众满意度", ("pct", ">=", (90,)))),
       ("设备购置费用", "人员培训费用"), budget=(300, 15000)),
    _p("epidemics", "health", "重大传染病防控经费", "operating",
       "用于重大传染病监测、疫苗接种和疫情处置。",
       ("做好重大传染病监测预警和处置，防止疫情扩散。",),
       (("quantity", "免疫规划疫苗接种剂次", ("count", "次", 50000, 2000000)),
        ("quantity", "开展传染病监测点", ("count", "个", 5, 120)),
        ("quality", "传染病报告及时率", ("pct", ">=", (95, 98))),
        ("timeliness", "疫情处置响应时间", ("dur", "小时", (2, 12, 24))),
        ("social", "传染病发病率控制在合理水平", ("text", "甲乙类传染病报告发病率低于全国平均水平")),
        ("satisfaction", "群众满意度", ("pct", ">=", (85,)))),
       ("疫苗采购费用", "冷链运输费用", "监测检测费用"), budget=(100, 8000)),
    # --- transport -------------------------------------------------------------------------
    _p("rural-roads", "transport", "农村公路养护工程", "operating",
       "用于农村公路日常养护和路面修复",
       ("完成农村公路养护任务，优良路率稳步提升。",),
       (("quantity", "养护里程", ("count", "公里", 200, 5000)),
        ("quality", "优良路率", ("pct", ">=", (75, 80, 85))),
        ("timeliness", "养护任务完成时间", ("deadline",)),
        ("social", "群众出行条件改善", ("text", "有效改善")),
        ("sustainable", "公路使用寿命延长", ("count", "年", 2, 5)),
        ("satisfaction", "沿线群众满意度", ("pct", ">=", (90,)))),
       ("日常养护费用", "路面修复费用", "桥涵维修费用"), budget=(300, 20000)),
    _p("bus-subsidy", "transport", "城市公共交通运营补贴", "operating",
       "用于城市公共交通企业运营亏损补贴",
       ("保障城市公共交通正常运营，降低市民出行成本。",),
       (("quantity", "公交线路数量", ("count", "条", 20, 400)),
        ("quantity", "运营公交车辆", ("count", "辆", 200, 8000)),
        ("quantity", "年客运量", ("count", "人次", 5_000_000, 900_000_000)),
        ("quality", "公交准点率", ("pct", ">=", (85, 90))),
        ("timeliness", "补贴资金拨付时间", ("period",)),
        ("economic", "降低市民出行成本", ("text", "市民出行成本有效降低")),
        ("ecological", "新能源公交车占比", ("pct", ">=", (70, 80, 90))),
        ("satisfaction", "乘客满意度", ("pct", ">=", (85, 90)))),
       ("运营亏损补贴", "新能源车辆运营补贴"), budget=(2000, 90000)),
    _p("bridges", "transport", "道路桥梁维修加固工程", "operating",
       "用于城市道路和桥梁维修加固",
       ("完成道路桥梁维修加固，消除安全隐患。",),
       (("quantity", "维修桥梁数量", ("count", "座", 3, 60)),
        ("quantity", "道路维修面积", ("count", "平方米", 10000, 900000)),
        ("quality", "工程质量合格率", ("pct", "=", (100,))),
        ("timeliness", "工程完工时间", ("deadline",)),
        ("social", "道路通行能力提升", ("text", "道路通行能力明显提升")),
        ("satisfaction", "周边群众满意度", ("pct", ">=", (85, 90)))),
       ("维修工程费用", "检测评估费用", "工程监理费用"), budget=(200, 12000)),
    # --- agriculture -----------------------------------------------------------------------
    _p("farmland-subsidy", "agriculture", "{Y}年耕地地力保护补贴", "operating",
       "用于发放耕地地力保护补贴",
       ("按时足额发放耕地地力保护补贴，调动农民种粮积极性。",),
       (("quantity", "补贴面积", ("count", "亩", 100_000, 9_000_000)),
        ("quality", "补贴资金兑付率", ("pct", "=", (100,))),
        ("timeliness", "补贴发放时间", ("deadline",)),
        ("economic", "农民种粮积极性提高", ("text", "农民种粮积极性有效提高")),
        ("satisfaction", "种粮农民满意度", ("pct", ">=", (90,)))),
       ("耕地地力保护补贴资金",), budget=(1000, 90000)),
    _p("animal-disease", "agriculture", "动物疫病防控经费", "operating",
       "用于重大动物疫病强制免疫、监测和病死畜禽无害化处理",
       ("落实重大动物疫病强制免疫，防止区域性流行。",),
       (("quantity", "强制免疫畜禽数量", ("count", "头", 50_000, 9_000_000)),
        ("quality", "免疫密度", ("pct", ">=", (90,))),
        ("timeliness", "疫情报告及时率", ("pct", "=", (100,))),
        ("social", "重大动物疫病不发生区域性流行", ("text", "不发生区域性重大动物疫情")),
        ("ecological", "病死畜禽无害化处理率", ("pct", "=", (100,))),
        ("satisfaction", "养殖户满意度", ("pct", ">=", (85, 90)))),
       ("疫苗采购费用", "无害化处理补助", "监测检测费用"), budget=(100, 6000)),
    _p("farmland", "agriculture", "高标准农田建设项目", "operating",
       "用于高标准农田田间工程建设",
       ("新建高标准农田，提升粮食综合生产能力。",),
       (("quantity", "新建高标准农田面积", ("count", "亩", 10_000, 500_000)),
        ("quality", "工程验收合格率", ("pct", "=", (100,))),
        ("timeliness", "项目完成时间", ("deadline",)),
        ("economic", "亩均粮食产能提高", ("count", "公斤", 50, 150)),
        ("sustainable", "工程设施使用年限", ("count", "年", 10, 20)),
        ("satisfaction", "受益农户满意度", ("pct", ">=", (90,)))),
       ("田间工程建设费用", "工程监理费用", "勘察设计费用"), budget=(1000, 60000)),
    # --- urban management ------------------------------------------------------------------
    _p("street-cleaning", "urban", "城市道路保洁项目", "operating",
       "用于主城区道路机械化清扫保洁",
       ("主城区道路机械化清扫率达到95%以上。", "道路保洁质量达标。"),
       (("quantity", "机械化清扫道路面积", ("count", "平方米", 1_000_000, 30_000_000)),
        ("quality", "道路保洁达标率", ("pct", ">=", (95,))),
        ("timeliness", "作业完成及时率", ("pct", "=", (100,))),
        ("social", "市容环境改善", ("text", "明显改善")),
        ("ecological", "道路扬尘浓度下降", ("pct", ">=", (5, 10))),
        ("satisfaction", "市民满意度", ("pct", ">=", (90,)))),
       ("道路清扫保洁费用", "机械作业费用"), budget=(500, 30000)),
    _p("greening", "urban", "园林绿化养护经费", "operating",
       "用于城市公园及道路绿地养护",
       ("做好城市绿地养护，提升城市绿化水平。",),
       (("quantity", "绿化养护面积", ("count", "平方米", 100_000, 9_000_000)),
        ("quantity", "补植苗木", ("count", "株", 1000, 200_000)),
        ("quality", "苗木成活率", ("pct", ">=", (95,))),
        ("timeliness", "养护作业时间", ("period",)),
        ("ecological", "城市绿化覆盖率", ("pct", ">=", (40, 42))),
        ("satisfaction", "市民满意度", ("pct", ">=", (90,)))),
       ("绿地养护费用", "苗木补植费用", "病虫害防治费用"), budget=(300, 15000)),
    _p("waste", "urban", "生活垃圾处理运营经费", "operating",
       "用于生活垃圾收运和无害化处理",
       ("生活垃圾日产日清，无害化处理率100%。",),
       (("quantity", "生活垃圾处理量", ("count", "吨", 50_000, 3_000_000)),
        ("quality", "生活垃圾无害化处理率", ("pct", "=", (100,))),
        ("timeliness", "垃圾清运时限", ("dur", "小时", (24,))),
        ("ecological", "渗滤液达标排放率", ("pct", "=", (100,))),
        ("satisfaction", "周边群众满意度", ("pct", ">=", (85,)))),
       ("垃圾处理服务费", "渗滤液处理费用", "垃圾收运费用"), budget=(1000, 50000)),
    _p("municipal", "urban", "市政设施维护经费", "operating",
       "用于市政道路、排水管网等设施维护",
       ("及时维护市政设施，保障城市运行安全。",),
       (("quantity", "维修更换井盖", ("count", "个", 100, 5000)),
        ("quantity", "维护排水管网", ("count", "公里", 50, 2000)),
        ("quality", "设施完好率", ("pct", ">=", (95,))),
        ("timeliness", "设施故障处置时间", ("dur", "小时", (4, 24))),
        ("social", "城市运行安全有序", ("text", "保障城市运行安全")),
        ("satisfaction", "市民满意度", ("pct", ">=", (85, 90)))),
       ("道路维护费用", "排水设施维护费用", "应急抢修费用"), budget=(200, 10000)),
    # --- civil affairs ---------------------------------------------------------------------
    _p("dibao", "civil", "{Y}年城乡最低生活保障资金", "subsidy",
       "按时足额发放城乡最低生活保障金。",
       ("保障困难群众基本生活，做到应保尽保。",),
       (("quantity", "城乡低保对象保障人数", ("pop", "dibao")),
        ("quality", "低保资金发放准确率", ("pct", "=", (100,))),
        ("timeliness", "低保金发放时间", ("period",)),
        ("social", "困难群众基本生活得到保障", ("text", "应保尽保")),
        ("satisfaction", "保障对象满意度", ("pct", ">=", (90,)))),
       ("最低生活保障资金",), levels=True, per_capita=(4000, 10000),
       pops=(("dibao", None, "households", "低保对象", 5_000, 400_000, "人"),)),
    _p("hardship", "civil", "{Y}年困难群众救助补助资金", "subsidy",
       "用于最低生活保障、特困人员救助供养和临时救助。",
       ("统筹做好困难群众兜底保障工作。",),
       (("quantity", "低保对象救助人数", ("pop", "dibao")),
        ("quantity", "特困人员救助供养人数", ("pop", "tekun")),
        ("quantity", "临时救助人次", ("count", "人次", 500, 50000)),
        ("quality", "救助资金发放准确率", ("pct", "=", (100,))),
        ("timeliness", "救助资金发放时间", ("period",)),
        ("social", "兜底保障能力提升", ("text", "兜底保障能力明显提升")),
        ("satisfaction", "救助对象满意度", ("pct", ">=", (90,)))),
       ("困难群众救助补助资金",), levels=True, per_capita=(3000, 9000),
       pops=(("dibao", None, "households", "低保对象", 5_000, 400_000, "人"),
             ("tekun", None, "households", "特困人员", 500, 40_000, "人"))),
    _p("aged-allowance", "civil", "高龄津贴补贴资金", "subsidy",
       "按月发放80周岁以上老年人高龄津贴。",
       ("按月足额发放高龄津贴，提高高龄老人生活质量。",),
       (("quantity", "高龄老人津贴发放人数", ("pop", "aged")),
        ("quality", "津贴发放准确率", ("pct", "=", (100,))),
        ("timeliness", "津贴发放时间", ("period",)),
        ("social", "高龄老人生活质量提高", ("text", "生活质量有效提高")),
        ("satisfaction", "高龄老人满意度", ("pct", ">=", (90, 95)))),
       ("高龄津贴资金",), per_capita=(600, 1800),
       pops=(("aged", None, "elderly", "高龄老人", 2_000, 200_000, "人"),)),
    _p("disability", "civil", "{Y}年残疾人两项补贴资金", "subsidy",
       "发放困难残疾人生活补贴和重度残疾人护理补贴。",
       ("按时足额发放残疾人两项补贴，保障残疾人基本生活。",),
       (("quantity", "困难残疾人生活补贴人数", ("pop", "disabled-poor")),
        ("quantity", "重度残疾人护理补贴人数", ("pop", "disabled-severe")),
        ("quality", "补贴发放准确率", ("pct", "=", (100,))),
        ("timeliness", "补贴发放时间", ("period",)),
        ("social", "残疾人基本生活得到保障", ("text", "残疾人基本生活得到有效保障")),
        ("satisfaction", "残疾人满意度", ("pct", ">=", (90,)))),
       ("残疾人两项补贴资金",), levels=True, per_capita=(900, 1800),
       pops=(("disabled-poor", None, "disabled", "残疾人", 1_000, 90_000, "人"),
             ("disabled-severe", None, "disabled", "残疾人", 1_000, 90_000, "人"))),
    _p("elderly-care", "civil", "社区养老服务设施运营补贴", "operating",
       "用于社区养老服务站点运营补贴",
       ("支持社区养老服务站点运营，提升居家养老服务水平。",),
       (("quantity", "补贴社区养老服务站点", ("count", "个", 10, 400)),
        ("quantity", "提供助餐助洁服务", ("count", "人次", 10000, 900000)),
        ("quality", "服务质量达标率", ("pct", ">=", (90,))),
        ("timeliness", "补贴资金拨付时间", ("deadline",)),
        ("social", "居家养老服务水平提升", ("text", "居家养老服务水平明显提升")),
        ("satisfaction", "服务对象满意度", ("pct", ">=", (90,)))),
       ("站点运营补贴", "服务人员培训费用"), budget=(100, 5000)),
    # --- culture ---------------------------------------------------------------------------
    _p("library", "culture", "公共图书馆购书经费", "operating",
       "用于采购纸质图书和数字资源",
       ("丰富馆藏资源，提升公共阅读服务水平。",),
       (("quantity", "新增馆藏图书", ("count", "册", 5000, 200000)),
        ("quantity", "采购数字资源", ("count", "TB", 2, 80)),
        ("quality", "图书采购验收合格率", ("pct", "=", (100,))),
        ("timeliness", "图书上架时间", ("deadline",)),
        ("social", "公众阅读服务水平提升", ("text", "公共阅读服务水平明显提升")),
        ("satisfaction", "读者满意度", ("pct", ">=", (90, 95)))),
       ("图书采购费用", "数字资源采购费用"), budget=(50, 2000)),
    _p("performances", "culture", "公共文化惠民演出项目", "operating",
       "用于组织开展公益性惠民演出",
       ("开展惠民演出，丰富群众文化生活。",),
       (("quantity", "惠民演出场次", ("count", "场次", 20, 600)),
        ("quantity", "观众人次", ("count", "人次", 20000, 900000)),
        ("quality", "演出质量合格率", ("pct", "=", (100,))),
        ("timeliness", "演出完成时间", ("deadline",)),
        ("social", "丰富群众文化生活", ("text", "群众文化生活更加丰富")),
        ("satisfaction", "观众满意度", ("pct", ">=", (90,)))),
       ("演出费用", "舞台租赁费用", "宣传推广费用"), budget=(50, 3000)),
    _p("heritage", "culture", "非物质文化遗产保护经费", "operating",
       "用于非物质文化遗产记录、展示和传承人补助",
       ("做好非物质文化遗产保护传承。",),
       (("quantity", "开展非遗展示活动", ("count", "次", 5, 80)),
        ("quantity", "记录非遗项目", ("count", "项", 5, 60)),
        ("quality", "记录成果验收合格率", ("pct", "=", (100,))),
        ("timeliness", "项目完成时间", ("deadline",)),
        ("sustainable", "非遗项目得到有效传承", ("text", "长期有效")),
        ("satisfaction", "传承人满意度", ("pct", ">=", (90,)))),
       ("传承人补助", "展示活动费用", "记录整理费用"), budget=(30, 1500)),
    # --- ecology ---------------------------------------------------------------------------
    _p("air", "ecology", "{Y}年大气污染防治资金", "operating",
       "用于燃煤锅炉淘汰、挥发性有机物治理和空气质量监测",
       ("推进大气污染治理，改善环境空气质量。",),
       (("quantity", "淘汰燃煤锅炉", ("count", "台", 5, 300)),
        ("quantity", "空气质量自动监测站", ("count", "个", 3, 60)),
        ("quality", "监测数据有效率", ("pct", ">=", (90, 95))),
        ("timeliness", "治理任务完成时间", ("deadline",)),
        ("ecological", "PM2.5平均浓度下降", ("pct", ">=", (3, 5))),
        ("sustainable", "空气质量持续改善", ("text", "空气质量持续改善")),
        ("satisfaction", "公众满意度", ("pct", ">=", (85,)))),
       ("污染治理补助", "监测运维费用", "第三方核查费用"), budget=(500, 40000)),
    _p("water", "ecology", "水污染防治项目", "operating",
       "用于污水管网建设和水环境监测",
       ("完善污水收集处理设施，改善水环境质量。",),
       (("quantity", "新建污水管网", ("count", "公里", 5, 300)),
        ("quantity", "水质监测断面", ("count", "个", 5, 80)),
        ("quality", "出水水质达标率", ("pct", "=", (100,))),
        ("timeliness", "工程完工时间", ("deadline",)),
        ("ecological", "断面水质优良比例", ("pct", ">=", (75, 80))),
        ("satisfaction", "周边群众满意度", ("pct", ">=", (85, 90)))),
       ("管网建设费用", "水质监测费用"), budget=(300, 30000)),
]

# Operating projects any unit runs.
GENERIC_PROGRAMMES: list[Programme] = [
    _p("property", "any", "办公楼物业管理经费", "operating",
       "用于办公楼物业服务、安保、保洁和设备维护",
       ("保障办公楼安全有序运转。",),
       (("quality", "物业服务验收合格率", ("pct", ">=", (95, 98))),
        ("quantity", "物业服务面积", ("count", "平方米", 2000, 50000)),
        ("timeliness", "物业服务时间", ("period",)),
        ("social", "保障办公秩序", ("text", "保障办公区域安全有序")),
        ("satisfaction", "干部职工满意度", ("pct", ">=", (90, 95)))),
       ("物业服务费用", "安保服务费用", "保洁服务费用"), budget=(50, 800)),
    _p("it", "any", "信息化建设运维经费", "operating",
       "用于业务信息系统运维和网络安全保障",
       ("保障业务信息系统安全稳定运行。",),
       (("quantity", "运维信息系统", ("count", "个", 2, 20)),
        ("quantity", "维护终端设备", ("count", "台", 50, 2000)),
        ("quality", "系统正常运行率", ("pct", ">=", (98, 99))),
        ("timeliness", "故障响应时间", ("dur", "分钟", (30, 60))),
        ("social", "业务办理效率提升", ("text", "业务办理效率明显提升")),
        ("satisfaction", "系统使用人员满意度", ("pct", ">=", (90,)))),
       ("系统运维费用", "网络安全服务费用", "软件升级费用"), budget=(30, 1500)),
    _p("archives", "any", "档案数字化加工经费", "operating",
       "用于历史档案数字化加工",
       ("完成历史档案数字化加工，提高档案利用效率。",),
       (("quantity", "档案数字化加工", ("count", "卷", 2000, 60000)),
        ("quantity", "扫描页数", ("count", "页", 100_000, 3_000_000)),
        ("quality", "数字化成果验收合格率", ("pct", ">=", (98, 99))),
        ("timeliness", "加工完成时间", ("deadline",)),
        ("sustainable", "档案长期安全保存", ("text", "档案得到长期安全保存")),
        ("satisfaction", "档案利用者满意度", ("pct", ">=", (90,)))),
       ("档案加工费用", "数据存储费用"), budget=(20, 600)),
    _p("equipment", "any", "办公设备购置经费", "operating",
       "用于购置计算机、打印机等办公设备",
       ("更新老旧办公设备，保障日常办公需要。",),
       (("quantity", "购置计算机", ("count", "台", 10, 300)),
        ("quantity", "购置打印复印设备", ("count", "台", 2, 60)),
        ("quality", "设备验收合格率", ("pct", "=", (100,))),
        ("timeliness", "采购完成时间", ("deadline",)),
        ("social", "保障日常办公需要", ("text", "保障日常办公需要")),
        ("satisfaction", "使用人员满意度", ("pct", ">=", (90,)))),
       ("计算机购置费用", "打印复印设备购置费用"), budget=(10, 400)),
    _p("publicity", "any", "政策宣传经费", "operating",
       "用于政策宣传资料印制和宣传活动",
       ("加强政策宣传，提高政策知晓率。",),
       (("quantity", "印制宣传资料", ("count", "份", 5000, 300000)),
        ("quantity", "开展宣传活动", ("count", "场", 5, 80)),
        ("quality", "宣传资料内容准确率", ("pct", "=", (100,))),
        ("timeliness", "宣传活动完成时间", ("deadline",)),
        ("social", "政策知晓率", ("pct", ">=", (80, 85, 90))),
        ("satisfaction", "群众满意度", ("pct", ">=", (85, 90)))),
       ("资料印制费用", "宣传活动费用", "新媒体推广费用"), budget=(10, 500)),
    _p("training", "any", "业务培训经费", "operating",
       "用于系统干部职工业务培训",
       ("开展业务培训，提升干部职工履职能力。",),
       (("quantity", "培训人次", ("count", "人次", 200, 8000)),
        ("quantity", "举办培训班次", ("count", "期", 2, 30)),
        ("quality", "培训考核合格率", ("pct", ">=", (90, 95))),
        ("timeliness", "培训完成时间", ("deadline",)),
        ("social", "履职能力提升", ("text", "干部职工履职能力有效提升")),
        ("satisfaction", "参训人员满意度", ("pct", ">=", (90,)))),
       ("培训费用", "师资费用"), budget=(10, 300)),
]

# Rows any project may draw on to reach its number of indicators.
GENERIC_ROWS: dict[str, list[tuple]] = {
    "quantity": [("开展督导检查", ("count", "次", 2, 40)), ("覆盖区县", ("count", "个", 3, 30)),
                 ("受理业务", ("count", "件", 500, 90000)), ("信息公开", ("count", "条", 10, 400)),
                 ("组织专项培训", ("count", "场", 2, 30)), ("编印工作手册", ("count", "册", 100, 5000))],
    "quality": [("资金使用合规率", ("pct", "=", (100,))), ("项目验收合格率", ("pct", ">=", (95, 98))),
                ("政府采购执行率", ("pct", "=", (100,))), ("资料归档完整率", ("pct", ">=", (95, 98))),
                ("业务差错率", ("pct", "<=", (1, 2, 3)))],
    "timeliness": [("资金支付时间", ("period",)), ("项目完成时间", ("deadline",)),
                   ("资金拨付及时率", ("pct", ">=", (95, 98))), ("问题整改时限", ("dur", "个工作日", (3, 5, 10)))],
    "social": [("政策知晓率", ("pct", ">=", (80, 85))), ("保障工作正常开展", ("text", "保障各项工作正常开展")),
               ("群众获得感提升", ("text", "群众获得感明显提升"))],
    "economic": [("带动相关产业发展", ("text", "有效带动"))],
    "ecological": [("节能降耗", ("text", "能耗较上年下降"))],
    "sustainable": [("长效管理机制", ("text", "建立健全长效管理机制")), ("持续发挥效益", ("text", "长期"))],
    "satisfaction": [("服务对象满意度", ("pct", ">=", (85, 90))), ("社会公众满意度", ("pct", ">=", (85, 90)))],
}

LEVEL1 = {"quantity": "产出指标", "quality": "产出指标", "timeliness": "产出指标", "cost": "产出指标",
          "economic_cost": "成本指标", "social_cost": "成本指标", "environmental_cost": "成本指标",
          "social": "效益指标", "economic": "效益指标", "ecological": "效益指标", "sustainable": "效益指标",
          "satisfaction": "满意度指标"}
LEVEL2 = {"quantity": "数量指标", "quality": "质量指标", "timeliness": "时效指标", "cost": "成本指标",
          "economic_cost": "经济成本指标", "social_cost": "社会成本指标", "environmental_cost": "生态环境成本指标",
          "social": "社会效益指标", "economic": "经济效益指标", "ecological": "生态效益指标",
          "sustainable": "可持续影响指标", "satisfaction": "服务对象满意度指标"}
OUTPUT_GROUPS = ("quantity", "quality", "timeliness")
BENEFIT_GROUPS = ("social", "economic", "ecological", "sustainable")
WAN_UNITS = {"人", "人次", "条", "册", "平方米", "亩", "头", "株", "吨", "次", "份", "页"}
LEVEL_CODES = {"中央": "central", "省级": "provincial", "市级": "municipal"}
DEADLINES = [(3, 31), (6, 30), (9, 30), (10, 31), (11, 30), (12, 20), (12, 31)]

# --- what is generated ---------------------------------------------------------------------


@dataclass
class GRow:
    """One indicator row as written, and what the generator knows of it."""

    group: str                  # key of LEVEL1/LEVEL2
    name: str
    target: str
    description: str = ""
    cost: int | None = None     # cents of 万元, cost rows
    pop: str | None = None      # population key, population rows
    spec: tuple = ()


@dataclass
class GProject:
    programme: str
    name: str
    level: str | None           # central | provincial | municipal | None
    total: int                  # cents of 万元 (0.01 万元 = 100 元)
    fiscal: int
    other: int | None           # None: the cell is left empty (= 0)
    use: str
    goals: list[str]
    rows: list[GRow] = field(default_factory=list)
    defect: dict | None = None
    table: int = 0
    headless: bool = False


@dataclass
class GDocument:
    file: str
    unit_code: str
    unit_name: str
    year: int
    sector: str
    cost_level1: bool
    projects: list[GProject] = field(default_factory=list)
    # how it is written
    title_style: int = 0        # 0 two-line title + 目录 (the sample); 1 one-line title, no 目录
    money_unit: str = "万元"
    spaced_fiscal: bool = True  # 其中：财政    资金
    description_column: bool = True
    repeat_level1: bool = False
    thousands: bool = False
    layout: str = "form"        # form | wide (xlsx only)
    sheets: str = "stacked"     # stacked | per-table (xlsx)
    pops: dict[str, int] = field(default_factory=dict)  # population key → size (persons)


class GeneratorError(Exception):
    """The generator produced a text perfkg's rules would read otherwise than intended."""


# --- the population rules, for the generator's self-check ----------------------------------


class _Words:
    """Labels of ``perfkg/vocab/populations.toml``, to check that each generated text says what
    the generator means by it (one head, the intended qualifier) and nothing more."""

    def __init__(self) -> None:
        path = ROOT / "perfkg" / "vocab" / "populations.toml"
        data = tomllib.loads(path.read_text("utf-8"))
        self.heads = sorted(((lab, code) for code, e in data["heads"].items() for lab in e["labels"]),
                            key=lambda p: -len(p[0]))
        self.qualifiers = sorted(((lab, code) for code, e in data["qualifiers"].items() for lab in e["labels"]),
                                 key=lambda p: -len(p[0]))

    def head(self, text: str) -> str | None:
        return next((code for lab, code in self.heads if lab in text), None)

    def qualifier(self, text: str) -> str | None:
        return next((code for lab, code in self.qualifiers if lab in text), None)


# --- numbers -------------------------------------------------------------------------------


def wan(cents: int) -> str:
    """Cents of 万元 as a cost target writes them: 672.1, 213, 0.35."""
    text = f"{cents // 100}.{cents % 100:02d}".rstrip("0").rstrip(".")
    return text


def amount_text(cents: int | None, doc: GDocument) -> str:
    """A budget cell: `1324.00` (万元) or `13,240,000.00` (元), as the document writes amounts."""
    if cents is None:
        return ""
    if doc.money_unit == "元":
        yuan = cents * 100
        return f"{yuan:,}.00"
    whole, frac = divmod(cents, 100)
    return (f"{whole:,}" if doc.thousands else str(whole)) + f".{frac:02d}"


def yuan(cents: int) -> int:
    return cents * 100


def persons_text(n: int, rng: random.Random, unit: str = "人") -> str:
    """A count of people: ≥34.77万人 for large counts, ≥12500人 for small ones."""
    if n >= 10000 and n % 100 == 0 and rng.random() < 0.85:
        return f"≥{wan(n // 100)}万{unit}"
    return f"≥{n}{unit}"


def people_size(lo: int, hi: int, rng: random.Random) -> int:
    """A population size, log-uniform in [lo, hi]; large ones rounded to 100 (0.01 万)."""
    n = int(math.exp(rng.uniform(math.log(lo), math.log(hi))))
    return n // 100 * 100 if n >= 10000 else max(n, 1)


# --- drawing -------------------------------------------------------------------------------

COMPARATOR_STYLES = [("≥", 0.86), (">=", 0.04), ("≧", 0.02), ("＞＝", 0.02), ("不低于", 0.06)]


class Generator:
    def __init__(self, n: int, seed: int, fmt: str, defect_rate: float | None = None) -> None:
        self.n = n
        self.defect_rate = DISTRIBUTIONS["defect_rate"] if defect_rate is None else defect_rate
        self.seed = seed
        self.fmt = fmt
        self.rng = random.Random(seed)
        self.words = _Words()
        self.documents: list[GDocument] = []
        self.by_sector = {s: [p for p in PROGRAMMES if p.sector == s] for s in SECTORS}

    def _units(self) -> list[tuple[str, str, str, bool]]:
        """(code, name, sector, provincial) of every unit the generator may draw, in a seeded
        order: each department of each sector in each province, city and district."""
        places: list[tuple[str, str, bool]] = []
        for code, province, cities in PROVINCES:
            if not cities:  # a municipality: its departments are 局, not 厅
                places.append((code + "01", province, False))
                continue
            places.append((code + "00", province, True))
            index = 1
            for city in cities:
                for district in ["", *DISTRICTS[:3]]:
                    places.append((f"{code}{index:02d}", city + district, False))
                    index += 1
        units = []
        for prefix, place, provincial in places:
            serial = 0
            for sector, (city_depts, province_depts) in SECTORS.items():
                for dept in province_depts if provincial else city_depts:
                    serial += 1
                    units.append((f"{prefix}{serial:02d}", place + dept, sector, provincial))
        self.rng.shuffle(units)
        return units

    # --- units and documents ---------------------------------------------------------------

    def run(self) -> list[GDocument]:
        made = 0
        for code, name, sector, provincial in self._units():
            if made >= self.n:
                break
            made += self.unit(code, name, sector, provincial, self.n - made)
        if made < self.n:
            raise GeneratorError(f"only {made} tables: the places and departments run out before {self.n}")
        return self.documents

    def unit(self, code: str, name: str, sector: str, provincial: bool, room: int) -> int:
        """The documents of one unit over its years; returns the number of tables made."""
        rng = self.rng
        span = rng.choices([1, 2, 3, 4], weights=[3, 3, 2, 2])[0]
        years = list(range(2026 - span, 2026))
        size = max(1, min(30, round(math.exp(rng.gauss(math.log(6), 0.7)))))
        programmes = self.choose_programmes(sector, size, provincial)
        adopts_2021 = rng.random() < 0.45
        early_2021 = rng.random() < 0.10
        style = {
            "title_style": 0 if rng.random() < 0.7 else 1,
            "money_unit": "元" if rng.random() < 0.08 else "万元",
            "spaced_fiscal": rng.random() < 0.5,
            "description_column": rng.random() < 0.75,
            "repeat_level1": rng.random() < 0.1,
            "thousands": rng.random() < 0.2,
            # Drawn for every format, so that one seed gives the same tables in each.
            "layout": "wide" if rng.random() < 0.2 and self.fmt == "xlsx" else "form",
            "sheets": "per-table" if rng.random() < 0.4 else "stacked",
        }
        made = 0
        sizes: dict[str, int] = {}
        for year in years:
            if made >= room:
                break
            level1 = adopts_2021 if year >= 2022 else early_2021
            doc = GDocument(f"{code}-{year}.{self.fmt}", code, name, year, sector, level1, **style)
            self.population_sizes(doc, programmes, sizes)
            # A programme funded at several levels has its tables one after the other.
            for prog, levels in programmes:
                for level in levels:
                    doc.projects.append(self.project(doc, prog, level, provincial, len(levels)))
            del doc.projects[room - made:]
            if not doc.projects:
                break
            self.finish(doc)
            self.documents.append(doc)
            made += len(doc.projects)
        return made

    def choose_programmes(self, sector: str, size: int, provincial: bool) -> list[tuple[Programme, list]]:
        rng = self.rng
        pool = list(self.by_sector[sector])
        rng.shuffle(pool)
        generic = list(GENERIC_PROGRAMMES)
        rng.shuffle(generic)
        local = "省级" if provincial else "市级"
        chosen: list[tuple[Programme, list]] = []
        count = 0
        for prog in pool + generic:
            if count >= size:
                break
            if prog.levels:
                r = rng.random()
                levels = ["中央", local] if r < 0.45 else ["中央"] if r < 0.75 else [local]
            else:
                levels = [local if rng.random() < 0.15 else None]
            chosen.append((prog, levels))
            count += len(levels)
        return chosen

    def population_sizes(self, doc: GDocument, programmes, previous: dict[str, int]) -> None:
        """One size per population of the unit this year (last year's ± 8 %); sizes of groups
        perfkg would merge (same qualifier and head) are kept apart."""
        rng = self.rng
        specs = {}
        for prog, _ in programmes:
            for pop in prog.pops:
                specs.setdefault(pop[0], pop)
        taken: set[tuple] = set()
        for key, (_, qualifier, head, _, lo, hi, _) in specs.items():
            while True:
                if key in previous:
                    size = int(previous[key] * rng.uniform(0.92, 1.08))
                    size = size // 100 * 100 if size >= 10000 else max(size, 1)
                else:
                    size = people_size(lo, hi, rng)
                if (qualifier, head, size) not in taken:
                    break
                previous.pop(key, None)
            taken.add((qualifier, head, size))
            doc.pops[key] = previous[key] = size

    # --- one project -----------------------------------------------------------------------

    def project(self, doc: GDocument, prog: Programme, level: str | None, provincial: bool,
                n_levels: int) -> GProject:
        rng = self.rng
        name = prog.name.replace("{Y}", str(doc.year)) + (f"-{level}" if level else "")
        if prog.kind == "subsidy":
            size = doc.pops[prog.pops[0][0]] if prog.pops else 10000
            whole = size * rng.uniform(*prog.per_capita) / 10000  # 万元
            share = 1.0
            if n_levels > 1:
                share = rng.uniform(0.55, 0.85) if level == "中央" else rng.uniform(0.15, 0.45)
            total = max(100, int(whole * share * 100))
            total = total // 100 * 100 if total > 1_000_000 else total  # large subsidies: whole 万元
        else:
            lo, hi = prog.budget
            wan_ = math.exp(rng.uniform(math.log(lo), math.log(hi)))
            r = rng.random()
            total = int(wan_) * 100 if r < 0.6 else int(wan_ * 10) * 10 if r < 0.9 else int(wan_ * 100)
            total = max(total, 500)
        other = None
        if rng.random() < 0.12 and prog.kind == "operating":
            other = int(total * rng.uniform(0.03, 0.3))
        fiscal = total - (other or 0)
        p = GProject(prog.key, name, LEVEL_CODES.get(level or ""), total, fiscal, other, prog.use, list(prog.goals))
        p.rows = self.rows(doc, prog, p)
        return p

    def rows(self, doc: GDocument, prog: Programme, p: GProject) -> list[GRow]:
        rng = self.rng
        want = min(25, 6 + round(rng.expovariate(1 / 5)))
        by_group: dict[str, list[GRow]] = {g: [] for g in LEVEL2}
        used: set[str] = set()

        def add(group: str, name: str, spec: tuple) -> None:
            if name in used:
                return
            used.add(name)
            by_group[group].append(self.row(doc, group, name, spec))

        candidates = [(g, n, s) for g, n, s in prog.rows]
        # Every project: its population rows, one row of each output group, a benefit, a
        # satisfaction row.
        for g, n, s in candidates:
            if s[0] == "pop":
                add(g, n, s)
        for group in (*OUTPUT_GROUPS, "satisfaction"):
            if by_group[group]:
                continue
            mine = [c for c in candidates if c[0] == group and c[2][0] != "pop"]
            g, n, s = rng.choice(mine) if mine else (group, *rng.choice(GENERIC_ROWS[group]))
            add(g, n, s)
        benefits = [c for c in candidates if c[0] in BENEFIT_GROUPS]
        g, n, s = rng.choice(benefits) if benefits else ("social", *rng.choice(GENERIC_ROWS["social"]))
        add(g, n, s)
        # Cost rows.
        costs = self.cost_rows(doc, prog, p)
        n_fixed = sum(len(v) for v in by_group.values()) + len(costs)
        extra = [c for c in candidates if c[1] not in used and c[2][0] != "pop"]
        rng.shuffle(extra)
        generic = [(g, n, s) for g, items in GENERIC_ROWS.items() for n, s in items]
        rng.shuffle(generic)
        for g, n, s in extra + generic:
            if n_fixed >= want:
                break
            if n in used:
                continue
            add(g, n, s)
            n_fixed += 1
        for row in costs:
            by_group[row.group].append(row)
        # Order: 产出 (its groups in a unit-specific order), 成本, 效益, 满意度.
        order = list(OUTPUT_GROUPS) + (["cost"] if not doc.cost_level1 else [])
        random.Random(hash_text(doc.unit_code)).shuffle(order)
        order += ["economic_cost", "social_cost", "environmental_cost", *BENEFIT_GROUPS, "satisfaction"]
        rows = [r for g in order for r in by_group[g]]
        for r in rows:
            r.description = r.name if rng.random() < 0.8 else self.describe(r)
        return rows

    def describe(self, r: GRow) -> str:
        if r.group == "satisfaction":
            return f"{r.name}调查结果"
        if r.cost is not None:
            return f"{r.name}（按合同约定支付）"
        return f"{r.name}达到预期目标"

    def cost_rows(self, doc: GDocument, prog: Programme, p: GProject) -> list[GRow]:
        rng = self.rng
        group = "economic_cost" if doc.cost_level1 else "cost"
        if prog.kind == "subsidy":
            parts = [(prog.costs[0], p.total)]
        else:
            k = min(len(prog.costs), rng.choice([1, 2, 2, 3, 3, 4]))
            names = rng.sample(list(prog.costs), k)
            covered = p.total if rng.random() < 0.55 else int(p.total * rng.uniform(0.5, 0.99))
            covered = max(covered, k)
            weights = [rng.uniform(0.3, 1.0) for _ in range(k)]
            parts = []
            left = covered
            for i, name in enumerate(names):
                if i == k - 1:
                    share = left
                else:
                    share = int(covered * weights[i] / sum(weights))
                    share = max(1, share // 10 * 10)  # 0.1 万元 steps, as units round
                    share = min(share, left - (k - 1 - i))
                parts.append((name, share))
                left -= share
        rows = []
        for i, (name, cents) in enumerate(parts):
            g = group
            if doc.cost_level1 and i > 0 and rng.random() < 0.15:
                g = rng.choice(["social_cost", "environmental_cost"])
            rows.append(GRow(g, name, f"≤{wan(cents)}万元", cost=cents, spec=("cost",)))
        return rows

    def row(self, doc: GDocument, group: str, name: str, spec: tuple) -> GRow:
        rng = self.rng
        y = doc.year
        kind = spec[0]
        if kind == "pop":
            unit = POP_SPECS[spec[1]][6]
            return GRow(group, name, persons_text(doc.pops[spec[1]], rng, unit), pop=spec[1], spec=spec)
        if kind == "pct":
            op, values = spec[1], spec[2]
            v = rng.choice(values)
            if op == "=" or (v == 100 and rng.random() < 0.7):
                text = f"{v}%"
            elif op == "<=":
                text = f"≤{v}%"
            else:
                word = rng.choices([w for w, _ in COMPARATOR_STYLES], [p for _, p in COMPARATOR_STYLES])[0]
                text = f"{word}{v}%"
            return GRow(group, name, text, spec=spec)
        if kind == "count":
            unit, lo, hi = spec[1], spec[2], spec[3]
            if hi == 0:
                return GRow(group, name, f"{lo}{unit}", spec=spec)
            n = int(math.exp(rng.uniform(math.log(max(lo, 1)), math.log(hi))))
            if n >= 100_000 and unit in WAN_UNITS:
                text = f"≥{wan(n // 100)}万{unit}"
            else:
                text = f"≥{n}{unit}"
            return GRow(group, name, text, spec=spec)
        if kind == "dur":
            return GRow(group, name, f"≤{rng.choice(spec[2])}{spec[1]}", spec=spec)
        if kind == "period":
            r = rng.random()
            if r < 0.45:
                text = f"{y}年1-12月"
            elif r < 0.75:
                text = f"{y}年1月-12月"
            else:
                text = f"{y}年1月1日至{y}年12月31日" + ("日" if rng.random() < 0.15 else "")
            return GRow(group, name, text, spec=spec)
        if kind == "deadline":
            m, d = rng.choice(DEADLINES)
            text = f"{y}年{m}月底前" if d >= 30 and rng.random() < 0.15 else f"{y}年{m}月{d}日前"
            return GRow(group, name, text, spec=spec)
        if kind == "text":
            return GRow(group, name, spec[1], spec=spec)
        raise ValueError(f"unknown target spec {spec!r}")

    # --- defects, numbering, self-check ----------------------------------------------------

    def finish(self, doc: GDocument) -> None:
        rng = self.rng
        for n, p in enumerate(doc.projects, start=1):
            p.table = n
            if rng.random() < self.defect_rate:
                self.plant_defect(doc, p)
        if rng.random() < 0.15 and len(doc.projects) >= 3:
            headless = rng.randrange(1, len(doc.projects))
            if doc.layout == "form":
                doc.projects[headless].headless = True
        self.check(doc)

    def plant_defect(self, doc: GDocument, p: GProject) -> None:
        rng = self.rng
        kinds = list(DEFECT_KINDS)
        rng.shuffle(kinds)
        for kind in kinds:
            done = self.try_defect(doc, p, kind)
            if done is not None:
                p.defect = {"kind": kind, **done}
                return

    def try_defect(self, doc: GDocument, p: GProject, kind: str) -> dict | None:
        """Plant ``kind`` in ``p``; returns where (``row`` index or None) and what, or None if
        ``p`` has nothing to plant it in."""
        rng = self.rng
        plain = [i for i, r in enumerate(p.rows) if r.pop is None and r.cost is None and not _counts_people(r)]
        if kind == "missing-satisfaction":
            p.rows = [r for r in p.rows if r.group != "satisfaction"]
            return {"index": None, "detail": "no 满意度指标 row"}
        if kind == "missing-quality":
            p.rows = [r for r in p.rows if r.group != "quality"]
            return {"index": None, "detail": "no 质量指标 row"}
        if kind == "funding-mismatch":
            delta = max(100, int(p.total * rng.uniform(0.02, 0.1)))
            p.fiscal += delta if rng.random() < 0.5 else -min(delta, p.fiscal - 1)
            return {"index": "funding", "detail": f"财政资金 + 其他资金 = {wan(p.fiscal + (p.other or 0))} ≠ 预算数 {wan(p.total)} 万元"}
        if kind == "cost-overrun":
            costs = [r for r in p.rows if r.cost is not None]
            if not costs:
                return None
            # Scale the costs to 105-150 % of the budget: the last row takes the rounding.
            want = int(p.total * rng.uniform(1.05, 1.5))
            have = sum(r.cost for r in costs)
            for r in costs[:-1]:
                r.cost = max(1, r.cost * want // have)
            costs[-1].cost = want - sum(r.cost for r in costs[:-1])
            for r in costs:
                r.target = f"≤{wan(r.cost)}万元"
            return {"index": None, "detail": f"cost indicators {wan(want)} > 预算数 {wan(p.total)} 万元"}
        if kind == "percentage-over-100":
            rows = [i for i in plain if p.rows[i].target.endswith("%") and p.rows[i].group in ("quality", "social")]
            if not rows:
                return None
            i = rng.choice(rows)
            v = rng.choice([105, 110, 120, 150, 980])
            p.rows[i].target = f"≥{v}%"
            return {"index": i, "detail": f"{p.rows[i].name} ≥{v}%"}
        if kind == "deadline-wrong-year":
            rows = [i for i in plain if p.rows[i].group == "timeliness"]
            if not rows:
                return None
            i = rng.choice(rows)
            y = doc.year + rng.choice([-1, 1])
            m, d = rng.choice(DEADLINES)
            p.rows[i].target = f"{y}年{m}月{d}日前"
            return {"index": i, "detail": f"{p.rows[i].name} {p.rows[i].target} in a {doc.year} table"}
        if kind == "quantity-without-unit":
            rows = [i for i in plain if p.rows[i].group == "quantity" and p.rows[i].spec[:1] == ("count",)]
            if not rows:
                return None
            i = rng.choice(rows)
            p.rows[i].target = f"≥{rng.randint(5, 5000)}"
            return {"index": i, "detail": f"{p.rows[i].name} {p.rows[i].target}"}
        if kind == "duplicate-indicator-name":
            if len(plain) < 2:
                return None
            i, j = sorted(rng.sample(plain, 2))
            p.rows[j].name = p.rows[j].description = p.rows[i].name
            return {"index": j, "detail": f"{p.rows[i].name} (rows {i + 1} and {j + 1} of the indicator table)"}
        raise ValueError(kind)

    def check(self, doc: GDocument) -> None:
        """Each population row names one group, the intended one; no other row counts people
        perfkg would take for a population."""
        w = self.words
        for p in doc.projects:
            for r in p.rows:
                if not _counts_people(r):
                    continue
                head = w.head(r.name)
                if r.pop is None:
                    if head is not None:
                        raise GeneratorError(f"{p.name}: {r.name!r} counts people of group {head!r}")
                    continue
                spec = _pop_spec(r.pop)
                qualifier = w.qualifier(r.name) or w.qualifier(p.name) or next(
                    (q for g in p.goals if (q := w.qualifier(g))), None)
                if head != spec[2] or qualifier != spec[1]:
                    raise GeneratorError(
                        f"{p.name}: {r.name!r} reads as {qualifier}/{head}, meant {spec[1]}/{spec[2]}")


POP_SPECS = {pop[0]: pop for prog in PROGRAMMES for pop in prog.pops}


def _pop_spec(key: str) -> tuple:
    return POP_SPECS[key]


def _counts_people(r: GRow) -> bool:
    """Whether perfkg may take ``r`` for a count of beneficiaries (its target counts people)."""
    return r.pop is not None or r.spec[:2] in (("count", "人"), ("count", "户"))


def hash_text(text: str) -> int:
    """A stable hash (Python's own is salted per process)."""
    h = 0
    for ch in text:
        h = (h * 131 + ord(ch)) % (2**61 - 1)
    return h


# --- writing: Word's text export -----------------------------------------------------------


def _fiscal_label(doc: GDocument) -> str:
    return "其中：财政    资金" if doc.spaced_fiscal else "其中：财政资金"


def _goals_text(p: GProject) -> str:
    return "；".join(f"{n}.{g}" for n, g in enumerate(p.goals, start=1))


def _header(doc: GDocument) -> list[str]:
    cols = ["一级指标", "二级指标", "三级指标"]
    if doc.description_column:
        cols.append("绩效指标描述")
    return cols + ["指标值"]


def _indicator_cells(doc: GDocument, p: GProject) -> list[list[str]]:
    """The indicator rows as cells; a blank 一级指标 continues the block above (a merge)."""
    out = []
    previous = None
    for r in p.rows:
        l1 = LEVEL1[r.group]
        shown = l1 if (l1 != previous or doc.repeat_level1) else ""
        previous = l1
        cells = [shown, LEVEL2[r.group], r.name]
        if doc.description_column:
            cells.append(r.description)
        out.append(cells + [r.target])
    return out


def _title_lines(doc: GDocument) -> tuple[str, str]:
    return f"{doc.unit_name}项目", "支出绩效目标表"


def write_txt(doc: GDocument) -> str:
    lines: list[str] = ["", "", ""]
    add = lines.append
    if doc.title_style == 0:
        first, second = _title_lines(doc)
        add(f"[bookmark: _GoBack]{first}")
        add(second)
        add(f"（{doc.year}年）")
        lines.extend([""] * 12)
        add("目    录")
        add("")
        add("")
        for p in doc.projects:
            add(f"{p.table}.{p.name}绩效目标表")
        add("")
        for page in sorted({2 + 3 * (p.table - 1) + len(p.rows) // 8 for p in doc.projects[:2]}):
            add(str(page))
    else:
        add(f"{doc.unit_name}{doc.year}年度项目支出绩效目标表")
        add("")
        add("")
        add(f"（{doc.year}年度）")
        add("")
        add("")
    unit_line = f"{doc.unit_code}{doc.unit_name}"
    for p in doc.projects:
        if p.headless:
            # No heading: the unit line runs on from the previous table's last row (the sample).
            while lines and lines[-1] == "":
                lines.pop()
            add(f" \t{unit_line}")
        else:
            bookmark = f"[bookmark: _Toc_4_4_{doc.year}{p.table:06d}]" if doc.title_style == 0 else ""
            add(f"{bookmark}{p.table}.{p.name}绩效目标表")
            add(f"\t{unit_line}")
        add(f"\t单位：{doc.money_unit}")
        add("")
        add("\t项目名称")
        add(f"\t{p.name}")
        add("")
        for cell in ("预算规模及资金用途", "预算数", amount_text(p.total, doc), _fiscal_label(doc),
                     amount_text(p.fiscal, doc), "其他资金", amount_text(p.other, doc)):
            add(f"\t{cell}")
        add("")
        add("\t")
        add(f"\t{p.use}")
        add("")
        add("\t绩效目标")
        add(f"\t{_goals_text(p)}")
        lines.extend(["", "", ""])
        for cell in _header(doc):
            add(f"\t{cell}")
        for cells in _indicator_cells(doc, p):
            add("")
            for cell in cells:
                add(f"\t{cell}")
        lines.extend(["", "", "", ""])
    return "\n".join(lines)


# --- writing: .docx (python-docx, laid out like tests/data/sample/tianjin-353302-2025.docx) --

FIXED_TIME = datetime(2025, 1, 1, 0, 0, 0)


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with fixed member dates, so that a re-run writes identical bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            dst.writestr(member, data)
    return out.getvalue()


class _Docx:
    FORM_WIDTHS = [2.6, 1.8, 2.2, 2.6, 2.2, 2.0, 2.0]

    def __init__(self) -> None:
        from docx import Document
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt

        self.Document, self.Cm, self.Pt, self.qn = Document, Cm, Pt, qn
        self.CENTER, self.LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT

    def paragraph(self, d, text: str, *, size: float = 10.5, bold: bool = False, center: bool = False,
                  page_break_before: bool = False) -> None:
        p = d.add_paragraph()
        if text:
            run = p.add_run(text)
            run.font.size = self.Pt(size)
            run.bold = bold
        if center:
            p.alignment = self.CENTER
        if page_break_before:
            p.paragraph_format.page_break_before = True

    def table(self, d, rows: int, widths: list[float]):
        t = d.add_table(rows=rows, cols=len(widths))
        t.style = "Table Grid"
        t.autofit = False
        for col, w in zip(t.columns, widths):
            col.width = self.Cm(w)
        return t

    @staticmethod
    def put(cell, text: str) -> None:
        cell.text = text

    def write(self, doc: GDocument) -> bytes:
        d = self.Document()
        style = d.styles["Normal"]
        style.font.name = "Noto Serif CJK SC"
        style.font.size = self.Pt(10.5)
        style.element.rPr.rFonts.set(self.qn("w:eastAsia"), "Noto Serif CJK SC")
        if doc.title_style == 0:
            first, second = _title_lines(doc)
            self.paragraph(d, first, size=18, bold=True, center=True)
            self.paragraph(d, second, size=18, bold=True, center=True)
            self.paragraph(d, f"（{doc.year}年）", size=14, center=True)
            self.paragraph(d, "目    录", size=16, bold=True, center=True, page_break_before=True)
            for p in doc.projects:
                self.paragraph(d, f"{p.table}.{p.name}绩效目标表", size=12)
        else:
            self.paragraph(d, f"{doc.unit_name}{doc.year}年度项目支出绩效目标表", size=18, bold=True, center=True)
            self.paragraph(d, f"（{doc.year}年度）", size=14, center=True)
        header = _header(doc)
        for p in doc.projects:
            if p.headless:
                self.paragraph(d, " ", page_break_before=True)
            else:
                self.paragraph(d, f"{p.table}.{p.name}绩效目标表", size=12, bold=True, page_break_before=True)
            self.form(d, doc, p)
            self.paragraph(d, "")
            self.indicators(d, header, _indicator_cells(doc, p))
            self.paragraph(d, "")
        core = d.core_properties
        core.author = core.last_modified_by = "perfkg benchmarks"
        core.title = f"{doc.unit_name}项目支出绩效目标表"
        core.created = core.modified = FIXED_TIME
        core.revision = 1
        out = io.BytesIO()
        d.save(out)
        return _fixed_zip(out.getvalue())

    def form(self, d, doc: GDocument, p: GProject) -> None:
        t = self.table(d, 5, self.FORM_WIDTHS)
        rows = [r.cells for r in t.rows]
        self.put(rows[0][0].merge(rows[0][4]), f"{doc.unit_code}{doc.unit_name}")
        self.put(rows[0][5].merge(rows[0][6]), f"单位：{doc.money_unit}")
        self.put(rows[1][0], "项目名称")
        self.put(rows[1][1].merge(rows[1][6]), p.name)
        label = rows[2][0].merge(rows[3][0])  # the 预算规模及资金用途 label over two rows (w:vMerge)
        for c, text in enumerate(("预算数", amount_text(p.total, doc), _fiscal_label(doc),
                                  amount_text(p.fiscal, doc), "其他资金", amount_text(p.other, doc)), start=1):
            self.put(rows[2][c], text)
        self.put(label, "预算规模及资金用途")
        self.put(rows[3][1].merge(rows[3][6]), p.use)
        self.put(rows[4][0], "绩效目标")
        self.put(rows[4][1].merge(rows[4][6]), _goals_text(p))

    def indicators(self, d, header: list[str], cells: list[list[str]]) -> None:
        widths = [2.2, 2.6, 3.6, 4.4, 2.6] if len(header) == 5 else [2.4, 3.0, 5.6, 4.4]
        t = self.table(d, 1 + len(cells), widths)
        tr_pr = t.rows[0]._tr.get_or_add_trPr()
        from docx.oxml import OxmlElement

        tr_pr.append(OxmlElement("w:tblHeader"))  # the header repeats on every page
        grid = [r.cells for r in t.rows]
        for c, text in enumerate(header):
            self.put(grid[0][c], text)
        block = None
        for i, row in enumerate(cells, start=1):
            for c, text in enumerate(row[1:], start=1):
                self.put(grid[i][c], text)
            if row[0]:
                self.put(grid[i][0], row[0])
                block = i
            else:
                merged = grid[block][0].merge(grid[i][0])
                self.put(merged, cells[block - 1][0])


# --- writing: .xlsx (openpyxl, laid out like tests/data/sample/tianjin-353302-2025*.xlsx) ----

XLSX_WIDTH = 7


class _Xlsx:
    def __init__(self) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        self.Workbook, self.Alignment, self.Font = Workbook, Alignment, Font

    def write(self, doc: GDocument) -> bytes:
        wb = self.Workbook()
        cover = wb.active
        cover.title = "封面"
        cover["A1"] = f"{doc.unit_name}项目支出绩效目标表"
        cover["A1"].font = self.Font(bold=True, size=16)
        cover.merge_cells("A1:G1")
        cover["A2"] = f"（{doc.year}年）"
        if doc.title_style == 0:
            cover["A4"] = "目    录"
            for n, p in enumerate(doc.projects, start=5):
                cover.cell(row=n, column=1, value=f"{p.table}.{p.name}绩效目标表")
        if doc.layout == "wide":
            self.wide(wb.create_sheet("绩效目标"), doc)
        elif doc.sheets == "stacked":
            ws = wb.create_sheet("绩效目标表")
            r = 1
            for p in doc.projects:
                r = self.table(ws, r, doc, p, heading=not p.headless)
                nxt = doc.projects[p.table] if p.table < len(doc.projects) else None
                r += 0 if nxt is not None and nxt.headless else 2
        else:
            for p in doc.projects:
                self.table(wb.create_sheet(f"表{p.table}"), 1, doc, p, heading=not p.headless)
        return _fixed_xlsx(wb)

    def table(self, ws, r: int, doc: GDocument, p: GProject, *, heading: bool) -> int:
        wrap = self.Alignment(wrap_text=True, vertical="center")

        def put(row: int, col: int, value, fmt: str | None = None):
            cell = ws.cell(row=row, column=col, value=value)
            cell.alignment = wrap
            if fmt:
                cell.number_format = fmt
            return cell

        def money(cents: int | None):
            if cents is None:
                return None
            value = cents * 100 if doc.money_unit == "元" else Decimal(cents) / 100
            return int(value) if value == int(value) else float(value)

        fmt = "#,##0.00" if doc.thousands or doc.money_unit == "元" else "0.00"
        if heading:
            put(r, 1, f"{p.table}.{p.name}绩效目标表").font = self.Font(bold=True)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=XLSX_WIDTH)
            r += 1
        put(r, 1, f"{doc.unit_code}{doc.unit_name}")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
        put(r, 6, f"单位：{doc.money_unit}")
        ws.merge_cells(start_row=r, start_column=6, end_row=r, end_column=XLSX_WIDTH)
        r += 1
        put(r, 1, "项目名称")
        put(r, 2, p.name)
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=XLSX_WIDTH)
        r += 1
        put(r, 1, "预算规模及资金用途")
        ws.merge_cells(start_row=r, start_column=1, end_row=r + 1, end_column=1)
        put(r, 2, "预算数")
        put(r, 3, money(p.total), fmt)
        put(r, 4, _fiscal_label(doc))
        put(r, 5, money(p.fiscal), fmt)
        put(r, 6, "其他资金")
        if p.other is not None:
            put(r, 7, money(p.other), fmt)
        r += 1
        put(r, 2, p.use)
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=XLSX_WIDTH)
        r += 1
        put(r, 1, "绩效目标")
        put(r, 2, _goals_text(p))
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=XLSX_WIDTH)
        r += 1
        for c, text in enumerate(_header(doc), start=1):
            put(r, c, text).font = self.Font(bold=True)
        r += 1
        first = r
        cells = _indicator_cells(doc, p)
        for row in cells:
            for c, text in enumerate(row, start=1):
                if text or c > 1:
                    put(r, c, text)
            r += 1
        start = None
        for i, row in enumerate(cells + [["end"]]):
            if row[0]:
                if start is not None and i - start > 1:
                    ws.merge_cells(start_row=first + start, start_column=1, end_row=first + i - 1, end_column=1)
                start = i
        return r

    def wide(self, ws, doc: GDocument) -> None:
        ws["A1"] = f"{doc.unit_name}{doc.year}年项目支出绩效目标表"
        ws.merge_cells("A1:L1")
        ws["L2"] = f"单位：{doc.money_unit}"
        header = ["单位名称", "项目名称", "预算数", "财政资金", "其他资金", "资金用途", "绩效目标", *_header(doc)]
        ws.append(header)
        r = 4
        for p in doc.projects:
            cells = _indicator_cells(doc, p)
            project = [f"{doc.unit_code}{doc.unit_name}", p.name, amount_text(p.total, doc),
                       amount_text(p.fiscal, doc), amount_text(p.other, doc), p.use, _goals_text(p)]
            for k, row in enumerate(cells):
                if k == 0:
                    for c, value in enumerate(project, start=1):
                        ws.cell(row=r, column=c, value=value or None)
                for c, text in enumerate(row, start=len(project) + 1):
                    if text:
                        ws.cell(row=r, column=c, value=text)
                r += 1


def _fixed_xlsx(wb) -> bytes:
    wb.properties.creator = "perfkg benchmarks"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    return _fixed_zip(buffer.getvalue())


# --- the manifest --------------------------------------------------------------------------


def _row_number(doc: GDocument, index: int | str | None) -> int | None:
    """The row perfkg reports for indicator ``index`` (0-based) or the funding line: tables
    count their rows from the unit line (1): 项目名称 2, the budget 3, use of funds 4, 绩效目标 5,
    the indicator header 6, indicators from 7. A wide sheet counts a project's rows from its
    first indicator."""
    if index is None:
        return None
    if doc.layout == "wide":
        return 1 if index == "funding" else int(index) + 1
    return 3 if index == "funding" else int(index) + 7


def _dec(cents: int) -> str:
    """Cents of 万元 as a decimal string of 万元."""
    return f"{cents // 100}.{cents % 100:02d}"


def manifest(docs: list[GDocument], *, n: int, seed: int, fmt: str) -> dict:
    counts = {"documents": len(docs), "budget_units": len({d.unit_code for d in docs}),
              "projects": 0, "indicators": 0, "targets": 0, "populations": 0, "shared_populations": 0}
    by_level = {"central": 0, "provincial": 0, "municipal": 0, "none": 0}
    totals = {"total": 0, "fiscal": 0, "other": 0}
    documents, populations, defects = [], [], []
    placements = {"output": 0, "level1": 0}
    years: dict[str, int] = {}
    for d in docs:
        placements["level1" if d.cost_level1 else "output"] += 1
        years[str(d.year)] = years.get(str(d.year), 0) + len(d.projects)
        projects = []
        pops: dict[str, list[GProject]] = {}
        for p in d.projects:
            counts["projects"] += 1
            counts["indicators"] += len(p.rows)
            counts["targets"] += len(p.rows)
            by_level[p.level or "none"] += p.total
            totals["total"] += p.total
            totals["fiscal"] += p.fiscal
            totals["other"] += p.other or 0
            for r in p.rows:
                if r.pop and p not in pops.setdefault(r.pop, []):
                    pops[r.pop].append(p)
            cost_rows = [r for r in p.rows if r.cost is not None]
            projects.append({
                "table": p.table, "name": p.name, "level": p.level, "headless": p.headless,
                "total_wan": _dec(p.total), "fiscal_wan": _dec(p.fiscal),
                "other_wan": _dec(p.other) if p.other is not None else None,
                "indicators": len(p.rows),
                "cost_rows": len(cost_rows), "cost_sum_wan": _dec(sum(r.cost for r in cost_rows)),
                "groups": sorted({r.group for r in p.rows}),
            })
            if p.defect:
                defects.append({"file": d.file, "table": p.table, "row": _row_number(d, p.defect["index"]),
                                "kind": p.defect["kind"], "project": p.name, "detail": p.defect["detail"]})
        for key, served in pops.items():
            _, qualifier, head, wording, _, _, unit = _pop_spec(key)
            total = sum(p.total for p in served)
            populations.append({
                "unit_code": d.unit_code, "year": d.year, "file": d.file,
                "qualifier": qualifier, "head": head, "wording": wording, "size": d.pops[key],
                "counted_in": "households" if unit == "户" else "persons",
                "projects": [{"table": p.table, "name": p.name} for p in served],
                "shared": len(served) > 1, "budget_wan": _dec(total), "budget_yuan": yuan(total),
            })
            counts["populations"] += 1
            counts["shared_populations"] += len(served) > 1
        documents.append({
            "file": d.file, "unit_code": d.unit_code, "unit_name": d.unit_name, "year": d.year,
            "sector": d.sector, "cost_placement": "level1" if d.cost_level1 else "output",
            "money_unit": d.money_unit, "layout": d.layout, "indicator_columns": len(_header(d)),
            "tables": len(d.projects),
            "headless_table": next((p.table for p in d.projects if p.headless), None),
            "projects": projects,
        })
    return {
        "perfkg_benchmark_manifest": MANIFEST_VERSION,
        "generator": {"tables": n, "seed": seed, "format": fmt, "distributions": DISTRIBUTIONS},
        "counts": counts,
        "tables_by_year": dict(sorted(years.items())),
        "cost_placement": placements,
        "budget": {
            "total_wan": _dec(totals["total"]), "fiscal_wan": _dec(totals["fiscal"]),
            "other_wan": _dec(totals["other"]),
            "by_level_wan": {k: _dec(v) for k, v in by_level.items()},
            "by_level_yuan": {k: yuan(v) for k, v in by_level.items()},
        },
        "defects": defects,
        "populations": populations,
        "documents": documents,
    }


# --- the whole ---------------------------------------------------------------------------


@dataclass
class Corpus:
    directory: Path
    files: list[Path]
    manifest: dict


def generate(n: int, out: str | Path, *, seed: int = 1, fmt: str = "txt", defect_rate: float | None = None) -> Corpus:
    """Write ``n`` tables in ``fmt`` into ``out`` with ``manifest.json``; returns what was written.
    ``defect_rate`` overrides the share of tables with a defect (tests plant many)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    if n < 1:
        raise ValueError("N must be at least 1")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    docs = Generator(n, seed, fmt, defect_rate).run()
    writer = {"txt": None, "docx": _Docx, "xlsx": _Xlsx}[fmt]
    w = writer() if writer else None
    files = []
    for d in docs:
        path = out / d.file
        if w is None:
            path.write_bytes(write_txt(d).encode("utf-8"))
        else:
            path.write_bytes(w.write(d))
        files.append(path)
    m = manifest(docs, n=n, seed=seed, fmt=fmt)
    if defect_rate is not None:
        m["generator"]["defect_rate"] = defect_rate
    (out / MANIFEST).write_text(json.dumps(m, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return Corpus(out, files, m)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, metavar="N", help="number of project tables")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--format", choices=FORMATS, default="txt", help="file format (default txt)")
    ap.add_argument("-o", "--out", required=True, help="directory to write into")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    corpus = generate(args.n, args.out, seed=args.seed, fmt=args.format)
    c = corpus.manifest["counts"]
    print(f"wrote {c['projects']} tables in {c['documents']} documents of {c['budget_units']} units, "
          f"{c['indicators']} indicators, {c['populations']} populations ({c['shared_populations']} shared), "
          f"{len(corpus.manifest['defects'])} defects → {corpus.directory} "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
