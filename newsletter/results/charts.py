"""Horizontal bar charts as SVG, drawn on the server: no script, no library. The chart is a
picture (role="img" with a title and a summary); the table right after it holds every number,
for screen readers and for whoever wants to copy them."""

from __future__ import annotations

from dataclasses import dataclass

from newsletter.results.figures import Count

WIDTH = 640
LABEL_WIDTH = 220
BAR_HEIGHT = 22
GAP = 10


@dataclass(frozen=True)
class Bar:
    label: str
    count: Count
    y: int
    width: int  # 0 for a count under 5: the chart shows no more than the table


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    height: int
    label_width: int = LABEL_WIDTH
    width: int = WIDTH


def bars(items: list[tuple[str, Count]]) -> Chart:
    longest = max((c.shown or 0 for _, c in items), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 110  # the number is written after the bar
    shown = tuple(
        Bar(
            label if len(label) <= 30 else label[:29] + "…",
            count,
            GAP + i * (BAR_HEIGHT + GAP),
            round(room * (count.shown or 0) / longest),
        )
        for i, (label, count) in enumerate(items)
    )
    return Chart(shown, GAP + len(shown) * (BAR_HEIGHT + GAP))
