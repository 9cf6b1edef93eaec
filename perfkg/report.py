"""Human-readable rich output of what was read (``perfkg parse --format table``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from perfkg.model import Document, Target
from perfkg.targets import plain_decimal
from perfkg.vocabulary import vocabulary

__all__ = ["print_documents", "describe_target"]

_SYMBOLS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "between": "∈", "within": "within", "before": "by", "after": "after"}


def describe_target(t: Target | None) -> str:
    """A short normalised reading of a target: `≥ 347700 person`, `2025-01-01 … 2025-12-31`."""
    if t is None:
        return "—"
    if t.kind in ("quantity", "range"):
        value = plain_decimal(t.value) if t.value is not None else "?"
        if t.kind == "range" and t.upper is not None:
            value = f"{value} … {plain_decimal(t.upper)}"
        unit = t.unit or "(no unit)"
        if t.unit_kind == "ratio":
            unit = "ratio"
        return f"{_SYMBOLS.get(t.comparator or '=', t.comparator)} {value} {unit}"
    if t.kind == "interval":
        return f"{t.start} … {t.end}"
    if t.kind == "deadline":
        return f"by {t.end}"
    if t.kind == "date":
        return f"{_SYMBOLS.get(t.comparator or '=', '')} {t.start}".strip()
    return "(text)"


def print_documents(documents: Iterable[Document], *, detail: bool = False, console: Console | None = None) -> None:
    console = console or Console()
    voc = vocabulary()
    for doc in documents:
        unit = doc.budget_unit
        who = " ".join(filter(None, (unit.code, unit.name))) if unit else "(budget unit not stated)"
        console.print(f"[bold]{escape(doc.source.path)}[/] ({doc.source.format}, {doc.kind})", soft_wrap=True)
        console.print(f"  {escape(doc.title or '(no title)')}", soft_wrap=True)
        console.print(f"  {escape(who)} · year {doc.year or '?'} · money in {doc.money_unit or '?'}", soft_wrap=True)
        table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
        table.add_column("#", justify="right")
        table.add_column("项目名称", overflow="fold", ratio=1)
        table.add_column("级次", no_wrap=True)
        table.add_column("预算数", justify="right", no_wrap=True)
        table.add_column("财政资金", justify="right", no_wrap=True)
        table.add_column("其他资金", justify="right", no_wrap=True)
        table.add_column("指标", justify="right", no_wrap=True)
        total = fiscal = other = 0
        for p in doc.projects:
            table.add_row(
                str(p.table),
                escape(p.name),
                voc.level_labels.get(p.level or "", "—"),
                str(p.total.value) if p.total else "—",
                str(p.fiscal.value) if p.fiscal else "—",
                str(p.other.value) if p.other else "—",
                str(len(p.indicators)),
            )
            total += p.total.value if p.total else 0
            fiscal += p.fiscal.value if p.fiscal else 0
            other += p.other.value if p.other else 0
        table.add_section()
        table.add_row("", f"{len(doc.projects)} 个项目", "", str(total), str(fiscal), str(other), str(doc.indicator_count))
        console.print(table)
        if detail:
            for p in doc.projects:
                counts = Counter(i.level1_label for i in p.indicators)
                t = Table(
                    title=f"{p.table}. {escape(p.name)} — " + ", ".join(f"{k} {v}" for k, v in counts.items()), title_justify="left", box=box.SIMPLE_HEAD,
                    header_style="bold", pad_edge=False,
                )
                for col in ("#", "一级", "二级", "三级指标", "指标值", "reading", "row"):
                    t.add_column(col, overflow="fold")
                for i in p.indicators:
                    t.add_row(
                        str(i.position), escape(i.level1_label[:2]), escape(i.level2_label[:-2] if i.level2_label.endswith("指标") else i.level2_label), escape(i.name),
                        escape(i.target.text if i.target else ""), describe_target(i.target),
                        str(i.location.row if i.location else ""),
                    )
                console.print(t)


def print_ingest(report, *, seconds: float, console: Console | None = None) -> None:
    """One line per file, one per duplicate skipped, and a total: what `perfkg ingest` did."""
    console = console or Console()
    done = [r for r in report.results if r.status != "failed"]
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    for col, justify in (("file", "left"), ("status", "left"), ("projects", "right"), ("indicators", "right"), ("triples", "right")):
        table.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for r in report.results[:50]:
        projects = f"{r.evaluations} 自评" if r.evaluations else str(r.projects or "")
        table.add_row(escape(r.path), r.status, projects, str(r.indicators or ""), str(r.quads or ""))
    if len(report.results) > 50:
        table.add_row(f"… {len(report.results) - 50} more", "", "", "", "")
    if done:
        console.print(table)
    skipped = report.duplicates
    for r in skipped[:50]:
        console.print(f"[dim]{escape(r.message)}[/]", soft_wrap=True)
    if len(skipped) > 50:
        console.print(f"[dim]… and {len(skipped) - 50} more duplicates, skipped[/]")
    tables = sum(r.projects + r.evaluations for r in done)
    rate = f", {tables / seconds:.0f} tables/s" if seconds > 0 and tables else ""
    by_status = Counter(r.status for r in report.results)
    said = ", ".join(f"{by_status[k]} {k}" for k in ("added", "replaced", "unchanged", "duplicate", "failed") if by_status[k])
    stored = [r for r in done if r.status != "duplicate"]  # the rate counts what was read, skipped or not
    projects, evaluations = sum(r.projects for r in stored), sum(r.evaluations for r in stored)
    evaluated = f", {_count(evaluations, 'self-evaluation')} (自评)" if evaluations else ""
    console.print(
        f"{len(report.results)} file(s): {said} — {_count(projects, 'project')}{evaluated}, "
        f"{sum(r.indicators for r in stored)} indicators in {seconds:.2f} s{rate}"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def print_info(counts: dict[str, int], documents: list, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    labels = {
        "documents": "documents 文件", "budget_units": "budget units 预算单位", "projects": "projects 项目",
        "self_evaluations": "self-evaluations 绩效自评", "indicators": "indicators 绩效指标",
        "targets": "targets 指标值", "populations": "populations 受益人群",
        "triples": "triples",
    }
    for key, value in counts.items():
        table.add_row(labels.get(key, key), f"{value:,}")
    console.print(table)
    if documents:
        docs = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
        for col in ("path", "sha256", "ingested", "triples"):
            docs.add_column(col, overflow="fold")
        for d in documents:
            docs.add_row(escape(d.path), d.sha256[:12], d.ingested[:19], f"{d.triples:,}")
        console.print(docs)
