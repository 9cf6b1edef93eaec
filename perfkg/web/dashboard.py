"""The dashboard's three pictures, from the named queries of ``perfkg.query``: budget by level of
government (``funding-by-level``), populations that several projects serve
(``shared-beneficiaries``), and the indicator categories each project covers
(``indicator-coverage``). Used by ``perfkg serve`` (computed once: the store is read-only while
it serves) and by ``perfkg publish`` (a static ``dashboard/`` page)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from perfkg.web.charts import bar_chart, bipartite, heatmap

__all__ = ["Dashboard", "dashboard"]

_MAX_ROWS = 40  # projects in the coverage grid; a portal with thousands shows the first, by gaps


@dataclass
class Dashboard:
    budget_by_level: Markup
    levels: list[dict]
    shared: Markup
    populations: list[dict]
    coverage: Markup
    gaps: list[dict]
    projects_total: int


def _records(name: str, store) -> list[dict]:
    from perfkg.query import run

    return run(name, store=store).records()


def dashboard(store) -> Dashboard:
    levels: dict[str, dict] = {}
    for r in _records("funding-by-level", store):
        key = r.get("level_zh") or r.get("level") or "—"
        d = levels.setdefault(key, {"level": key, "projects": 0, "total": Decimal(0), "unit": r.get("unit") or "万元"})
        d["projects"] += int(r.get("projects") or 0)
        d["total"] += Decimal(r.get("total") or 0)
    level_rows = sorted(levels.values(), key=lambda d: -d["total"])
    budget = bar_chart([(d["level"], float(d["total"]), f'{d["projects"]} 个项目') for d in level_rows],
                       unit=level_rows[0]["unit"] if level_rows else "万元", ident="budget-by-level",
                       title="按政府层级的预算 Budget by level of government")

    pops = _records("shared-beneficiaries", store)
    pops.sort(key=lambda r: (-(r.get("projects") or 0), str(r.get("label"))))
    pops = pops[:12]
    shared = bipartite(
        [(str(r.get("label") or ""), [n.strip() for n in str(r.get("names") or "").split(" | ") if n.strip()],
          f'{r.get("projects")} 个项目 · {r.get("budget")} {r.get("unit") or ""}') for r in pops],
        ident="shared-populations", title="多个项目共同服务的受益人群 Populations served by several projects",
    )
    coverage_rows = _records("indicator-coverage", store)
    total = len(coverage_rows)
    coverage_rows.sort(key=lambda r: (-len(str(r.get("core_gaps") or "")), str(r.get("name"))))
    shown = coverage_rows[:_MAX_ROWS]
    columns: list[str] = []
    for r in shown:
        for c in _split(r.get("has")) + _split(r.get("lacks")):
            if c not in columns:
                columns.append(c)
    cells = {}
    for i, r in enumerate(shown):
        for c in _split(r.get("has")):
            cells[(i, columns.index(c))] = 1
    grid = heatmap([str(r.get("name")) for r in shown], columns, cells, ident="indicator-coverage",
                   title="各项目的二级指标覆盖 Level-2 indicator coverage by project")
    gaps: dict[str, int] = {}
    for r in coverage_rows:
        for c in _split(r.get("lacks")):
            gaps[c] = gaps.get(c, 0) + 1
    return Dashboard(
        budget, level_rows, shared,
        [{"label": r.get("label"), "projects": r.get("projects"), "names": r.get("names"), "budget": r.get("budget"),
          "unit": r.get("unit"), "population": r.get("population")} for r in pops],
        grid, [{"category": k, "projects": v} for k, v in sorted(gaps.items(), key=lambda kv: -kv[1])], total,
    )


def _split(value) -> list[str]:
    return [c.strip() for c in str(value or "").replace(",", "、").split("、") if c.strip()]
