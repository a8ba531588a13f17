"""Where an indicator series lands on an SVG chart: the line, the baseline band, the threshold,
the alerts, the axes with their ticks and the zero line. Drawn on the server (no script, no
chart library); ``templates/_chart.html`` writes the SVG from a ``Chart``."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from birlik.signals.series import IndicatorSeries, SeriesDay
from birlik.web.formats import Formats

_DAY_STEPS = (1, 2, 7, 14, 28, 56, 91, 182, 364)
XScale = Callable[[int], float]
YScale = Callable[[float], float]


@dataclass(frozen=True, slots=True)
class Tick:
    at: float
    """Pixels along the axis."""
    label: str


@dataclass(frozen=True, slots=True)
class Marker:
    """An alert over its days: a shaded span and a triangle at its first day."""

    x: float
    width: float
    start: float
    """Where its first day is."""
    severity: str
    matches: bool
    id: int
    label: str


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    label: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Chart:
    width: int
    height: int
    left: float
    right: float
    top: float
    zero: float
    """The y of the zero line (the bottom of the plot)."""
    line: str
    band: str
    expected: str
    threshold: str
    points: tuple[Point, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    markers: tuple[Marker, ...]
    y_max: float


def nice_scale(peak: float, ticks: int = 4, *, whole: bool = True) -> tuple[float, float]:
    """The top of a y axis from 0 that holds ``peak``, and its tick step (1, 2 or 5 × 10ⁿ);
    ``whole``: the series counts documents, so no step is below 1."""
    if peak <= 0 or not math.isfinite(peak):
        return (1.0, 1.0) if whole else (1.0, 0.5)
    raw = peak / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if whole:
        step = max(step, 1.0)
    return math.ceil(peak / step - 1e-9) * step, step


def shared_top(series: Iterable[IndicatorSeries]) -> float:
    """One y scale for small multiples: the highest point of any of them."""
    return max((s.peak for s in series), default=0.0)


def draw(
    series: IndicatorSeries,
    fmt: Formats,
    *,
    width: int = 760,
    height: int = 240,
    peak: float | None = None,
    compact: bool = False,
    alert_label: str = "",
    whole: bool | None = None,
    suffix: str = "",
) -> Chart:
    """The chart of one series; ``peak``: the top to scale to (shared by small multiples);
    ``whole``: the values are counts of documents (ticks in whole numbers; by default every
    metric but tension); ``suffix``: after each value (``%``)."""
    left, right, top = (34.0 if compact else 52.0), width - 8.0, 8.0
    bottom = height - (18.0 if compact else 24.0)
    top_value = series.peak if peak is None else peak
    whole = series.metric != "tension" if whole is None else whole
    y_max, step = nice_scale(top_value, 2 if compact else 4, whole=whole)
    days = series.days
    count = len(days)
    span = right - left
    pitch = span / max(1, count - 1)

    def x(index: int) -> float:
        return left + (index * pitch if count > 1 else span / 2)

    def y(value: float) -> float:
        return bottom - min(value, y_max) / y_max * (bottom - top)

    line = " ".join(f"{x(i):.1f},{y(d.count):.1f}" for i, d in enumerate(days))
    y_ticks = tuple(
        Tick(y(step * k), fmt.number(step * k, 2) + suffix) for k in range(round(y_max / step) + 1)
    )
    markers = tuple(_markers(series, x, pitch, left, right, fmt, alert_label))
    points = (
        tuple(
            Point(x(i), y(d.count), f"{fmt.day(d.day)}: {fmt.number(d.count, 2)}{suffix}")
            for i, d in enumerate(days)
        )
        if count <= 92 and not compact
        else ()
    )
    return Chart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        zero=bottom,
        line=line,
        band=_band(days, x, y),
        expected=_runs(days, x, y, lambda d: d.expected),
        threshold=_runs(days, x, y, lambda d: d.threshold),
        points=points,
        y_ticks=y_ticks,
        x_ticks=_x_ticks(days, x, fmt, 3 if compact else 7),
        markers=markers,
        y_max=y_max,
    )


def _x_ticks(days: Sequence[SeriesDay], x: XScale, fmt: Formats, most: int) -> tuple[Tick, ...]:
    if not days:
        return ()
    step = next((s for s in _DAY_STEPS if len(days) / s <= most), _DAY_STEPS[-1])
    return tuple(Tick(x(i), fmt.day_short(days[i].day)) for i in range(0, len(days), step))


def _runs(days: Sequence[SeriesDay], x: XScale, y: YScale, value: Callable[[SeriesDay], float | None]) -> str:
    """SVG path data through the days that have a value, one sub-path per unbroken run."""
    parts: list[str] = []
    previous = False
    for i, day in enumerate(days):
        v = value(day)
        if v is None:
            previous = False
            continue
        parts.append(f"{'L' if previous else 'M'}{x(i):.1f},{y(v):.1f}")
        previous = True
    return "".join(parts)


def _band(days: Sequence[SeriesDay], x: XScale, y: YScale) -> str:
    """Closed shapes between ``low`` and ``high`` over each unbroken run of days with a band."""
    shapes: list[str] = []
    run: list[tuple[int, float, float]] = []
    for i, day in enumerate([*days, None]):
        if day is not None and day.low is not None and day.high is not None:
            run.append((i, day.low, day.high))
            continue
        if len(run) == 1:  # one day alone: a thin bar
            j, low, high = run[0]
            run = [(j, low, high), (j, low, high)]
            edges = [x(j) - 1.5, x(j) + 1.5]
        else:
            edges = [x(j) for j, _, _ in run]
        if run:
            highs = [f"{edge:.1f},{y(high):.1f}" for edge, (_, _, high) in zip(edges, run, strict=True)]
            lows = [f"{edge:.1f},{y(low):.1f}" for edge, (_, low, _) in zip(edges, run, strict=True)]
            shapes.append("M" + "L".join(highs + lows[::-1]) + "Z")
            run = []
    return "".join(shapes)


def _markers(
    series: IndicatorSeries, x: XScale, pitch: float, left: float, right: float, fmt: Formats, label: str
) -> list[Marker]:
    out = []
    half = pitch / 2 if len(series.days) > 1 else 4.0
    for alert in series.alerts:
        first = max(0, (alert.first_day - series.start).days)
        last = min(len(series.days) - 1, (alert.last_day - series.start).days)
        begin, end = max(left, x(first) - half), min(right, x(last) + half)
        days = fmt.day(alert.first_day)
        if alert.last_day != alert.first_day:
            days += f" – {fmt.day(alert.last_day)}"
        out.append(
            Marker(
                x=begin,
                width=max(2.0, end - begin),
                start=x(first),
                severity=alert.severity,
                matches=alert.matches,
                id=alert.id,
                label=f"{label} #{alert.id}: {days}",
            )
        )
    return out
