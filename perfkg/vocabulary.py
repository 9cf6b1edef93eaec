"""The vocabulary of the tables — labels, headers, taxonomy, units — loaded from ``perfkg/vocab/*.toml``.

The words live in data files so that a new province's wording is a one-line change; this module
only loads them once and answers look-ups on normalised text.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

__all__ = ["normalise_label", "fold", "Vocabulary", "vocabulary", "UnitInfo"]

_SPACE = re.compile(r"\s+")
# A trailing bracket that carries a score, weight or unit: 产出指标(50分), 预算数（万元）, 权重(%)
_TRAILING_BRACKET = re.compile(r"[(（][^()（）]*[)）]$")
_LEADING_OF_WHICH = re.compile(r"^(其中|含)[:：]?")


@cache
def _simplified() -> dict[int, str]:
    pairs = tomllib.loads(resources.files("perfkg").joinpath("vocab", "traditional.toml").read_text("utf-8"))["pairs"]
    return {ord(pairs[i]): pairs[i + 1] for i in range(0, len(pairs), 2)}


def fold(text: str) -> str:
    """The form text is matched in: NFKC (full-width digits and symbols become ASCII), the
    Traditional characters of perfkg's vocabulary made Simplified (項目名稱 = 项目名称), trimmed.
    Inner spaces are kept. For matching only: what a table says is stored as written."""
    return unicodedata.normalize("NFKC", text).translate(_simplified()).strip()


def normalise_label(text: str) -> str:
    """The key a label is looked up by: folded, no white space, no `其中：`, no trailing colon/bracket."""
    key = _SPACE.sub("", fold(text))
    key = _LEADING_OF_WHICH.sub("", key).rstrip(":：")
    stripped = _TRAILING_BRACKET.sub("", key)
    return (stripped or key).rstrip(":：")


@dataclass(frozen=True, slots=True)
class UnitInfo:
    code: str
    kind: str
    en: str
    scale: Decimal
    iso: str | None
    qudt: str | None


def _longest_first(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    pairs = [(fold(word), meaning) for meaning, words in table.items() for word in words]
    return sorted(pairs, key=lambda p: -len(p[0]))


def _load(name: str) -> dict:
    return tomllib.loads(resources.files("perfkg").joinpath("vocab", name).read_text("utf-8"))


class Vocabulary:
    """Look-up tables built from the TOML files."""

    def __init__(self) -> None:
        labels = _load("labels.toml")
        self.roles: dict[str, dict[str, str]] = {}
        for group in ("project", "section", "funding", "fundcol", "indicator"):
            table: dict[str, str] = {}
            for role, words in labels[group].items():
                for word in words:
                    table.setdefault(normalise_label(word), role)
            self.roles[group] = table
        self.money_units: dict[str, int] = {
            normalise_label(k): int(v) for k, v in labels["money_units"].items()
        }
        self.levels: dict[str, str] = {}
        for code, words in labels["levels"].items():
            for word in words:
                self.levels[word] = code
        self.level_labels: dict[str, str] = dict(labels["levels_zh"])
        self.target_table_words: list[str] = labels["document"]["target_table"]
        self.self_evaluation_words: list[str] = labels["document"]["self_evaluation"]

        taxonomy = _load("taxonomy.toml")
        self.level1: dict[str, str] = {}
        self.level1_info: dict[str, dict] = taxonomy["level1"]
        for code, info in taxonomy["level1"].items():
            for word in info["labels"]:
                self.level1[normalise_label(word)] = code
        self.level2: dict[str, str] = {}
        self.level2_info: dict[str, dict] = taxonomy["level2"]
        self.level2_parents: dict[str, tuple[str, ...]] = {}
        for code, info in taxonomy["level2"].items():
            for word in info["labels"]:
                self.level2[normalise_label(word)] = code
            self.level2_parents[code] = tuple(info["parents"])

        comparators = _load("comparators.toml")
        self.comparator_prefixes: list[tuple[str, str]] = _longest_first(comparators["prefix"])
        self.comparator_suffixes: list[tuple[str, str]] = _longest_first(comparators["suffix"])
        self.comparator_column: dict[str, str] = {}
        for meaning, words in comparators["column"].items():
            for word in words:
                self.comparator_column[normalise_label(word)] = meaning
        for symbol, words in comparators["prefix"].items():
            for word in words:
                self.comparator_column.setdefault(normalise_label(word), symbol)

        units = _load("units.toml")
        self.magnitudes: list[tuple[str, int]] = sorted(
            ((k, int(v)) for k, v in units.pop("magnitudes").items()), key=lambda kv: -len(kv[0])
        )
        self.units: dict[str, UnitInfo] = {}
        self.unit_by_label: dict[str, UnitInfo] = {}
        for code, info in units.items():
            unit = UnitInfo(
                code=code,
                kind=info["kind"],
                en=info["en"],
                scale=Decimal(info.get("scale", "1")),
                iso=info.get("iso"),
                qudt=info.get("qudt"),
            )
            self.units[code] = unit
            for word in info["labels"]:
                self.unit_by_label.setdefault(fold(word), unit)
                self.unit_by_label.setdefault(fold(word).lower(), unit)

    def role(self, group: str, text: str) -> str | None:
        return self.roles[group].get(normalise_label(text))

    def unit(self, text: str) -> UnitInfo | None:
        """The unit written as ``text`` (already folded), tolerating a leading measure word 个."""
        key = text.strip()
        found = self.unit_by_label.get(key) or self.unit_by_label.get(key.lower())
        if found is None and key.startswith("个") and len(key) > 1:
            found = self.unit_by_label.get(key[1:])
        return found


@cache
def vocabulary() -> Vocabulary:
    """The vocabulary, loaded once per process."""
    return Vocabulary()
