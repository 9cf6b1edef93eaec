"""Beneficiary populations: who a project serves, how many, in which year — and why we think so.

A population is read from a count indicator whose target counts people (`≥34.77万人`), by the
rules in ``vocab/populations.toml``: a head noun for WHO (退休人员), a qualifier (机关事业单位)
from the indicator or, when the indicator leaves it out, from the project's name or goals.
Projects of one budget unit whose population agrees on qualifier, head, size and year serve
the same population; each link records the rule, the indicator and the words that decided it.

Populations are scoped to their budget unit: the tables do not say where people live, and two
units' equal counts of "students" are as likely a coincidence as a shared population. The
group (qualifier + head) is kept separately, so analysts can still compare across units.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources

from perfkg.model import BudgetUnit, Document, Indicator, Project
from perfkg.vocabulary import fold

__all__ = ["PopulationKey", "PopulationLink", "Population", "populations_of", "Rules", "rules"]


@dataclass(frozen=True, slots=True)
class PopulationKey:
    """What makes two projects' populations one: unit, group, size and year."""

    unit_code: str | None
    qualifier: str | None
    head: str
    size: Decimal
    year: int | None


@dataclass(frozen=True, slots=True)
class PopulationLink:
    """The evidence that ``project`` serves a population: which indicator, which rule, why."""

    project: Project
    indicator: Indicator
    rule: str
    qualifier_from: str | None
    explanation: str


@dataclass(slots=True)
class Population:
    key: PopulationKey
    label_zh: str
    label_en: str
    links: list[PopulationLink] = field(default_factory=list)

    @property
    def size(self) -> Decimal:
        return self.key.size


@dataclass(frozen=True, slots=True)
class _Word:
    code: str
    labels: tuple[str, ...]
    zh: str
    en: str


class Rules:
    """The population rules, loaded from ``vocab/populations.toml``."""

    def __init__(self) -> None:
        data = tomllib.loads(resources.files("perfkg").joinpath("vocab", "populations.toml").read_text("utf-8"))
        rule = data["rule"]
        self.units: frozenset[str] = frozenset(rule["units"])
        self.level2: frozenset[str] = frozenset(rule["level2"])
        self.counting: tuple[str, ...] = tuple(rule["counting"])
        self.heads = self._words(data["heads"])
        self.qualifiers = self._words(data["qualifiers"])

    @staticmethod
    def _words(table: dict) -> list[tuple[str, _Word]]:
        """(label, word) pairs, longest label first, so 离退休人员 wins over 退休人员."""
        pairs = []
        for code, info in table.items():
            word = _Word(code, tuple(info["labels"]), info["zh"], info["en"])
            pairs += [(label, word) for label in word.labels]
        return sorted(pairs, key=lambda p: -len(p[0]))

    def head(self, text: str) -> tuple[str, _Word] | None:
        """The head noun in ``text``: (the wording found, its entry)."""
        text = fold(text)
        return next(((label, w) for label, w in self.heads if label in text), None)

    def qualifier(self, text: str) -> _Word | None:
        text = fold(text)
        return next((w for label, w in self.qualifiers if label in text), None)


@cache
def rules() -> Rules:
    return Rules()


def _counts_people(ind: Indicator, r: Rules) -> bool:
    t = ind.target
    return (
        t is not None
        and t.kind == "quantity"
        and t.unit in r.units
        and t.value is not None
        and t.comparator in (">=", "=", ">")
        and (ind.level2 in r.level2 or any(w in fold(ind.name) for w in r.counting))
    )


def _link(project: Project, ind: Indicator, year: int | None, unit: BudgetUnit | None, r: Rules):
    found = r.head(ind.name)
    if found is None:
        return None
    wording, head = found
    qualifier, source = r.qualifier(ind.name), "indicator"
    if qualifier is None:
        qualifier, source = r.qualifier(project.name), "project name"
    if qualifier is None:
        qualifier = next((q for g in project.goals if (q := r.qualifier(g))), None)
        source = "goal" if qualifier else None
    assert ind.target is not None and ind.target.value is not None
    key = PopulationKey(unit.code if unit else None, qualifier.code if qualifier else None, head.code, ind.target.value, year)
    who_zh = (qualifier.zh if qualifier else "") + wording
    rule = "count-indicator" if source == "indicator" else f"count-indicator+{source}" if source else "count-indicator, no qualifier"
    why = (
        f"「{ind.name}」 {ind.target.text}: {who_zh}"
        + (f" ({qualifier.zh} from the {source})" if qualifier and source != "indicator" else "")
        + f", {_people(ind.target.value)} people, {year or 'year unknown'}"
    )
    return key, who_zh, head, qualifier, PopulationLink(project, ind, rule, source, why)


def _people(value: Decimal) -> str:
    return format(value.quantize(Decimal(1)) if value == value.to_integral_value() else value, ",")


def populations_of(doc: Document) -> list[Population]:
    """The beneficiary populations of one document, each with the projects that serve it."""
    r = rules()
    found: dict[PopulationKey, Population] = {}
    for project in doc.projects:
        unit = project.budget_unit or doc.budget_unit
        seen: set[PopulationKey] = set()
        for ind in project.indicators:
            if not _counts_people(ind, r):
                continue
            linked = _link(project, ind, doc.year, unit, r)
            if linked is None:
                continue
            key, who_zh, head, qualifier, link = linked
            if key in seen:
                continue  # two indicators of one project counting the same people: one link
            seen.add(key)
            pop = found.get(key)
            if pop is None:
                who_en = f"{qualifier.en} — {head.en}" if qualifier else head.en
                pop = found[key] = Population(
                    key,
                    f"{who_zh} {_people(key.size)}人（{key.year or '年度不详'}）",
                    f"{who_en}: {_people(key.size)} people ({key.year or 'year unknown'})",
                )
            pop.links.append(link)
    return list(found.values())
