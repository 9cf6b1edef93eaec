"""Pictures for the dashboard, drawn as inline SVG on the server: no script, no library, no CDN,
and the same picture in a published site as in ``perfkg serve``. Every text is escaped."""

from __future__ import annotations

from markupsafe import Markup, escape

__all__ = ["bar_chart", "bipartite", "heatmap"]

_PALETTE = ["#2f6db5", "#d9822b", "#3a9b5b", "#b5473a", "#7a5cb5", "#8c6d1f", "#2b8a8a", "#a34d8c"]


def _num(v: float) -> str:
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def bar_chart(items: list[tuple[str, float, str]], *, unit: str, title: str, ident: str, width: int = 720) -> Markup:
    """Horizontal bars: ``(label, value, note)``, longest first as given."""
    label_w, row_h, pad = 260, 30, 8
    height = pad * 2 + row_h * max(len(items), 1) + 20
    top = max((v for _, v, _ in items), default=0) or 1
    bar_w = width - label_w - 150
    out = [f'<svg id="{escape(ident)}" class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for n, (label, value, note) in enumerate(items):
        y = pad + n * row_h
        w = max(1.0, bar_w * value / top)
        colour = _PALETTE[n % len(_PALETTE)]
        out.append(f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" class="label">{escape(label)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{colour}" rx="2">'
                   f'<title>{escape(label)}: {_num(value)} {escape(unit)}</title></rect>')
        out.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 19}" class="value">{_num(value)} {escape(unit)}'
                   f'{" · " + str(escape(note)) if note else ""}</text>')
    if not items:
        out.append(f'<text x="10" y="30">无数据 No data</text>')
    out.append("</svg>")
    return Markup("".join(out))


def bipartite(populations: list[tuple[str, list[str], str]], *, title: str, ident: str, width: int = 900) -> Markup:
    """Projects (left) linked to the populations they serve (right): ``(population, [projects], note)``."""
    projects: list[str] = []
    for _, names, _ in populations:
        for p in names:
            if p not in projects:
                projects.append(p)
    row_h = 28
    left_n, right_n = len(projects), len(populations)
    height = 30 + row_h * max(left_n, right_n, 1)
    lx, rx = 330, width - 330
    out = [f'<svg id="{escape(ident)}" class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']

    def ly(i: int) -> float:
        return 20 + (height - 30) * (i + 0.5) / max(left_n, 1)

    def ry(i: int) -> float:
        return 20 + (height - 30) * (i + 0.5) / max(right_n, 1)

    for j, (pop, names, _) in enumerate(populations):
        colour = _PALETTE[j % len(_PALETTE)]
        for p in names:
            i = projects.index(p)
            out.append(f'<path d="M{lx},{ly(i):.1f} C{(lx + rx) / 2},{ly(i):.1f} {(lx + rx) / 2},{ry(j):.1f} {rx},{ry(j):.1f}" '
                       f'stroke="{colour}" stroke-width="3" fill="none" opacity="0.7"/>')
    for i, p in enumerate(projects):
        out.append(f'<circle cx="{lx}" cy="{ly(i):.1f}" r="5" fill="#555"/>'
                   f'<text x="{lx - 10}" y="{ly(i) + 5:.1f}" text-anchor="end" class="label">{escape(p)}</text>')
    for j, (pop, names, note) in enumerate(populations):
        colour = _PALETTE[j % len(_PALETTE)]
        out.append(f'<circle cx="{rx}" cy="{ry(j):.1f}" r="8" fill="{colour}"/>'
                   f'<text x="{rx + 14}" y="{ry(j) + 1:.1f}" class="label">{escape(pop)}</text>'
                   f'<text x="{rx + 14}" y="{ry(j) + 15:.1f}" class="note">{escape(note)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def heatmap(rows: list[str], columns: list[str], cells: dict[tuple[int, int], int], *, title: str, ident: str) -> Markup:
    """A grid of ``rows`` × ``columns``: filled where the row has the column (``cells`` counts)."""
    label_w, cell, head = 300, 26, 120
    width = label_w + cell * len(columns) + 10
    height = head + cell * len(rows) + 10
    top = max(cells.values(), default=1) or 1
    out = [f'<svg id="{escape(ident)}" class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for c, col in enumerate(columns):
        x = label_w + c * cell + cell / 2
        out.append(f'<text transform="translate({x + 4:.1f},{head - 6}) rotate(-55)" class="label">{escape(col)}</text>')
    for r, row in enumerate(rows):
        y = head + r * cell
        out.append(f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end" class="label">{escape(row)}</text>')
        for c, col in enumerate(columns):
            n = cells.get((r, c), 0)
            fill = "#eee" if n == 0 else f"rgba(47,109,181,{0.35 + 0.65 * n / top:.2f})"
            out.append(f'<rect x="{label_w + c * cell + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" fill="{fill}">'
                       f'<title>{escape(row)} · {escape(col)}: {n}</title></rect>')
            if n == 0:
                out.append(f'<text x="{label_w + c * cell + cell / 2:.1f}" y="{y + 18}" text-anchor="middle" class="gap">×</text>')
    out.append("</svg>")
    return Markup("".join(out))
