"""The stable JSON shape of what was read (``perfkg parse --format json``).

The shape is described by ``perfkg/schemas/parse.schema.json``; change both together and bump
``SCHEMA_VERSION`` when a key changes meaning. Decimals are strings (exact, never floats);
every place a value was read from sits under a ``source`` key, so two formats of one table
compare equal once the ``source`` keys are dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import fields
from decimal import Decimal
from typing import Any

from perfkg.model import Amount, Document, FundingLine, Indicator, Location, Note, Project, Target
from perfkg.targets import plain_decimal

__all__ = ["SCHEMA_VERSION", "document_to_dict", "to_json", "strip_sources"]

SCHEMA_VERSION = 1


def _location(loc: Location | None) -> dict[str, Any] | None:
    if loc is None:
        return None
    return {f.name: getattr(loc, f.name) for f in fields(loc) if getattr(loc, f.name) is not None}


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else plain_decimal(value)


def _amount(a: Amount | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {"value": str(a.value), "text": a.text, "unit": a.unit, "yuan": plain_decimal(a.yuan), "source": _location(a.location)}


def _funding(f: FundingLine) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "label": f.label,
        "amount": _amount(f.amount),
        "adjusted": _amount(f.adjusted),
        "executed": _amount(f.executed),
        "rate": f.rate,
        "weight": _dec(f.weight),
        "score": _dec(f.score),
        "source": _location(f.location),
    }


def _target(t: Target | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {
        "text": t.text,
        "kind": t.kind,
        "comparator": t.comparator,
        "comparator_text": t.comparator_text,
        "comparator_source": t.comparator_source,
        "number": _dec(t.number),
        "multiplier": t.multiplier,
        "value": _dec(t.value),
        "upper": _dec(t.upper),
        "unit": t.unit,
        "unit_kind": t.unit_kind,
        "unit_text": t.unit_text,
        "duration": t.duration,
        "start": t.start.isoformat() if t.start else None,
        "end": t.end.isoformat() if t.end else None,
        "period": t.period,
        "notes": list(t.notes),
    }


def _indicator(i: Indicator) -> dict[str, Any]:
    return {
        "position": i.position,
        "level1": i.level1,
        "level1_label": i.level1_label,
        "level2": i.level2,
        "level2_label": i.level2_label,
        "name": i.name,
        "description": i.description,
        "targets": [_target(t) for t in i.targets],
        "direction": i.direction,
        "weight": _dec(i.weight),
        "actual": _target(i.actual),
        "score": _dec(i.score),
        "explanation": i.explanation,
        "scoring": i.scoring,
        "deviation": i.deviation,
        "note": i.note,
        "extra": dict(i.extra),
        "source": _location(i.location),
    }


def _project(p: Project) -> dict[str, Any]:
    def amount(a: Amount | None) -> str | None:
        return None if a is None else str(a.value)

    return {
        "table": p.table,
        "name": p.name,
        "heading": p.heading,
        "level": p.level,
        "budget_unit": {"code": p.budget_unit.code, "name": p.budget_unit.name} if p.budget_unit else None,
        "money_unit": p.money_unit,
        "budget": {
            "total": amount(p.total), "fiscal": amount(p.fiscal), "other": amount(p.other),
            "fiscal_derived": p.fiscal_derived,
        },
        "funding": [_funding(f) for f in p.funding],
        "use_of_funds": p.use_of_funds,
        "goals": list(p.goals),
        "fields": dict(p.fields),
        "indicators": [_indicator(i) for i in p.indicators],
        "source": _location(p.location),
    }


def _note(n: Note) -> dict[str, Any]:
    return {"message": n.message, "source": _location(n.location)}


def document_to_dict(doc: Document) -> dict[str, Any]:
    """One document in the parse JSON shape."""
    return {
        "source": {"path": doc.source.path, "sha256": doc.source.sha256, "format": doc.source.format, "size": doc.source.size},
        "kind": doc.kind,
        "title": doc.title,
        "year": doc.year,
        "budget_unit": {"code": doc.budget_unit.code, "name": doc.budget_unit.name} if doc.budget_unit else None,
        "money_unit": doc.money_unit,
        "contents": list(doc.contents),
        "projects": [_project(p) for p in doc.projects],
        "notes": [_note(n) for n in doc.notes],
    }


def to_json(documents: Iterable[Document], *, indent: int | None = 2) -> str:
    """The parse JSON for ``documents``: ``{"perfkg_parse": 1, "documents": [...]}``."""
    payload = {"perfkg_parse": SCHEMA_VERSION, "documents": [document_to_dict(d) for d in documents]}
    return json.dumps(payload, ensure_ascii=False, indent=indent)


def strip_sources(value: Any) -> Any:
    """``value`` without its ``source`` keys: what must agree across formats of one table."""
    if isinstance(value, dict):
        return {k: strip_sources(v) for k, v in value.items() if k != "source"}
    if isinstance(value, list):
        return [strip_sources(v) for v in value]
    return value
