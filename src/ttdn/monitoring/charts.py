"""Charts drawn on the server as SVG (no script: the pages work offline and under the CSP): stacked bars of
stories per day, one colour per country or language, with a legend and a table the screen reader reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.html import escape

PALETTE = ("#1f6f8b", "#e07a1f", "#3c8d2f", "#b23a48", "#6b4fa0", "#8c6d1f", "#2b2b2b", "#4aa3a2")


@dataclass
class Chart:
    title: str
    svg: str
    legend: list[tuple[str, str]]  # (name, colour)
    rows: list[tuple[dt.date, dict[str, int]]]
    keys: list[str]


def stacked_bars(series: list[tuple[dt.date, dict[str, int]]], title: str, width: int = 640,
                 height: int = 200) -> Chart:
    keys = sorted({k for _day, counts in series for k in counts})
    colours = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}
    top = max((sum(c.values()) for _d, c in series), default=0) or 1
    n = max(len(series), 1)
    bar = max(4, (width - 40) // n - 4)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 20}" role="img" '
             f'aria-label="{escape(title)}" class="chart">']
    for i, (day, counts) in enumerate(series):
        x = 30 + i * (bar + 4)
        y = height
        for key in keys:
            value = counts.get(key, 0)
            if not value:
                continue
            h = max(1, round(value / top * (height - 10)))
            y -= h
            parts.append(f'<rect x="{x}" y="{y}" width="{bar}" height="{h}" fill="{colours[key]}">'
                         f'<title>{escape(key)} {day:%d/%m}: {value}</title></rect>')
        parts.append(f'<text x="{x}" y="{height + 14}" font-size="9">{day:%d/%m}</text>')
    parts.append(f'<text x="0" y="10" font-size="10">{top}</text></svg>')
    return Chart(title, "".join(parts), [(k, colours[k]) for k in keys], series, keys)
