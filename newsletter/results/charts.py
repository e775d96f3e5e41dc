"""Bar charts (one series or a group per row) and a timeline of columns, as SVG drawn on the
server: no script, no library. A chart is a picture (role="img" with a title and a summary);
the table right after it holds every number, for screen readers and for whoever wants to copy
them. A count under 5 is drawn as nothing: the chart tells no more than the table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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
    """Rows of bars: a `Bar` each (`bars`), or a `Group` of series bars each (`grouped`)."""

    rows: tuple[Bar, ...] | tuple[Group, ...]
    height: int
    label_width: int = LABEL_WIDTH
    width: int = WIDTH


def bars(items: list[tuple[str, Count]]) -> Chart:
    longest = max((c.shown or 0 for _, c in items), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 110  # the number is written after the bar
    shown = tuple(
        Bar(
            label if len(label) <= 26 else label[:25] + "…",  # fits LABEL_WIDTH at font-size 14
            count,
            GAP + i * (BAR_HEIGHT + GAP),
            round(room * (count.shown or 0) / longest),
        )
        for i, (label, count) in enumerate(items)
    )
    return Chart(shown, GAP + len(shown) * (BAR_HEIGHT + GAP))


#: one colour per series, each at least 4.5:1 against white; the text after every bar names
#: its series too, so colour is never the only way to tell them apart
COLOURS = ("#00597a", "#a0360a", "#5b3a8c", "#2f6b1f")
SERIES_BAR = 14
SERIES_GAP = 3
GROUP_LABEL_WIDTH = 150


@dataclass(frozen=True)
class SeriesBar:
    text: str  # "Afmeldingen: 6"
    y: int
    width: int
    colour: str


@dataclass(frozen=True)
class Group:
    label: str
    y: int
    bars: tuple[SeriesBar, ...]


def grouped(rows: list[tuple[str, list[Count]]], series: list[str]) -> Chart:
    """A group of bars per row (a day, a province), one bar per series."""
    longest = max((c.shown or 0 for _, counts in rows for c in counts), default=0) or 1
    room = WIDTH - GROUP_LABEL_WIDTH - 190  # the series name and number follow the bar
    step = len(series) * (SERIES_BAR + SERIES_GAP) + GAP
    groups = []
    for i, (label, counts) in enumerate(rows):
        top = GAP + i * step
        bars = tuple(
            SeriesBar(
                f"{name}: {count.label}",
                top + j * (SERIES_BAR + SERIES_GAP),
                round(room * (count.shown or 0) / longest),
                COLOURS[j % len(COLOURS)],
            )
            for j, (name, count) in enumerate(zip(series, counts, strict=True))
        )
        groups.append(Group(label, top, bars))
    return Chart(tuple(groups), GAP + len(groups) * step, GROUP_LABEL_WIDTH)


@dataclass(frozen=True)
class Column:
    x: float
    y: int
    width: float
    height: int


@dataclass(frozen=True)
class Timeline:
    """Columns over time: one per hour, placed by its time, so a quiet night shows as a gap."""

    columns: tuple[Column, ...]
    first: str  # the first hour's label, under the left end of the axis
    last: str
    top: str  # the highest count, beside the top of the axis
    width: int = WIDTH
    height: int = 230
    left: int = 80
    right: int = WIDTH - 10
    ceiling: int = 20
    floor: int = 190


def timeline(points: list[tuple[datetime, Count]], first: str, last: str) -> Timeline:
    """`points` oldest first, each the start of an hour; `first` and `last` label the ends."""
    chart = Timeline((), first, last, "")
    if not points:
        return chart
    start = points[0][0]
    hours = (points[-1][0] - start) // timedelta(hours=1) + 1
    plot, tall = chart.right - chart.left, chart.floor - chart.ceiling
    step = plot / hours
    highest = max((c.shown or 0 for _, c in points), default=0)
    columns = []
    for hour, count in points:
        height = round(tall * (count.shown or 0) / (highest or 1))
        offset = (hour - start) // timedelta(hours=1)
        columns.append(
            Column(
                round(chart.left + offset * step, 2),
                chart.floor - height,
                round(max(step * 0.8, 1.0), 2),
                height,
            )
        )
    top = Count(highest).label if highest else "minder dan 5"
    return Timeline(tuple(columns), first, last, top)
