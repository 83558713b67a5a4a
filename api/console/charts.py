"""Charts drawn on the server as inline SVG: no script, no CDN, readable on a phone.

Each chart is a small `viewBox` that scales to the card's width; the numbers are also in
the table under it (and the SVG carries a title for screen readers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 360
DAILY_WIDTH = 540
COLOURS = {"agent": "#0f766e", "people": "#c2410c", "other": "#9aa5b1", "staff": "#1c4f99"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    colour: str = COLOURS["agent"]
    shown: str | None = None  # the value as printed (default: the number)


def bars(title: str, rows: Sequence[Bar]) -> Markup:
    """Horizontal bars, one row per category, the value at the end of each bar."""
    label_w, value_w, row_h = 134, 40, 26
    plot = WIDTH - label_w - value_w
    top = max((r.value for r in rows), default=0) or 1
    height = row_h * max(len(rows), 1) + 4
    parts = [_open(title, height)]
    for n, row in enumerate(rows):
        y = n * row_h + 4
        width = plot * row.value / top
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" class="lbl">'
            f'{escape(_short(row.label, 21))}</text>'
            f'<rect x="{label_w}" y="{y + 2}" width="{width:.1f}" height="{row_h - 8}" rx="3" '
            f'fill="{row.colour}"/>'
            f'<text x="{label_w + width + 4:.1f}" y="{y + 15}" class="val">'
            f'{escape(row.shown if row.shown is not None else _num(row.value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(title: str, labels: Sequence[str],
            stacks: Sequence[tuple[str, Sequence[int]]]) -> Markup:
    """Stacked columns over time (a day each): `stacks` are (colour, values), bottom first.
    Wider than the bars (it spans the page on a desk)."""
    width, left, bottom, height, top_pad = DAILY_WIDTH, 28, 22, 170, 8
    plot_w, plot_h = width - left - 4, height - bottom - top_pad
    count = max(len(labels), 1)
    totals = [sum(values[i] for _, values in stacks) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    step = plot_w / count
    gap = min(step * 0.2, 4)
    parts = [_open(title, height, width),
             f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - 4}" '
             f'y2="{top_pad + plot_h}" class="axis"/>',
             f'<text x="{left - 4}" y="{top_pad + 9}" text-anchor="end" class="tick">'
             f'{top}</text>',
             f'<text x="{left - 4}" y="{top_pad + plot_h}" text-anchor="end" class="tick">0'
             '</text>']
    for i in range(len(labels)):
        x, base = left + i * step + gap / 2, float(top_pad + plot_h)
        for colour, values in stacks:
            h = plot_h * values[i] / top
            if h > 0:
                base -= h
                parts.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{step - gap:.1f}" '
                             f'height="{h:.1f}" fill="{colour}"/>')
    for i in sorted({0, (len(labels) - 1) // 2, len(labels) - 1}):
        if 0 <= i < len(labels):
            x = left + i * step + step / 2
            if count > 1 and i == 0:
                anchor, x = "start", x - step / 2
            elif count > 1 and i == len(labels) - 1:
                anchor, x = "end", x + step / 2
            else:
                anchor = "middle"
            parts.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="{anchor}" '
                         f'class="tick">{escape(labels[i])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(title: str, height: int, width: int = WIDTH) -> str:
    return (f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>')


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[:size - 1] + "…"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
