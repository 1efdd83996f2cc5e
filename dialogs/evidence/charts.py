"""Static SVG bar charts, written by hand: no script, no external font or asset, and the same
bytes for the same numbers (fixed geometry, fixed number formatting), so a pack's SHA-256
manifest is reproducible. Text is XML-escaped; values are drawn as bars with a label.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

WIDTH = 640
ROW = 26
LEFT = 220
PALETTE = ("#2b6cb0", "#c05621", "#2f855a", "#6b46c1")


def _fmt(value: float, percent: bool) -> str:
    return f"{value * 100:.0f}%" if percent else f"{value:g}"


def bar_chart(title: str, rows: Sequence[tuple[str, Sequence[float]]], series: Sequence[str],
              *, percent: bool = False) -> str:
    """Horizontal bars: one row per label, one bar per series (a legend when several)."""
    top = 40 + (18 if len(series) > 1 else 0)
    band = ROW * max(1, len(series))
    height = top + band * max(1, len(rows)) + 20
    peak = max([v for _, vals in rows for v in vals] + [1.0])
    scale = (WIDTH - LEFT - 70) / (1.0 if percent else peak)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">',
           f'<title>{escape(title)}</title>',
           f'<text x="10" y="24" font-family="sans-serif" font-size="16" '
           f'font-weight="bold">{escape(title)}</text>']
    if len(series) > 1:
        for i, name in enumerate(series):
            x = 10 + i * 200
            out.append(f'<rect x="{x}" y="36" width="12" height="12" '
                       f'fill="{PALETTE[i % len(PALETTE)]}"/>')
            out.append(f'<text x="{x + 18}" y="47" font-family="sans-serif" '
                       f'font-size="12">{escape(name)}</text>')
    if not rows:
        out.append(f'<text x="10" y="{top + 16}" font-family="sans-serif" font-size="12">'
                   'No data</text>')
    for r, (label, values) in enumerate(rows):
        y0 = top + r * band
        out.append(f'<text x="{LEFT - 8}" y="{y0 + band / 2 + 4:.0f}" text-anchor="end" '
                   f'font-family="sans-serif" font-size="12">{escape(label)}</text>')
        for i, value in enumerate(values):
            y = y0 + i * ROW + 4
            w = max(0.0, value * scale)
            out.append(f'<rect x="{LEFT}" y="{y}" width="{w:.1f}" height="{ROW - 8}" '
                       f'fill="{PALETTE[i % len(PALETTE)]}"/>')
            out.append(f'<text x="{LEFT + w + 6:.1f}" y="{y + ROW - 12}" '
                       f'font-family="sans-serif" font-size="12">{_fmt(value, percent)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
