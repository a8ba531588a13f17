"""The overview map as the template draws it: fills, labels, links, legend and the data table.

What the numbers mean (fixed scales, bins, colours) is ``signals.map_scale``; populations and
label anchors are reference data of ``resources.regions``. This module only lays them out on
the shapes of ``web.geo`` in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from birlik.query.scope import RegionScope
from birlik.resources.gazetteer import load_gazetteer
from birlik.resources.regions import CITY_SHORT, region_full_name, region_references, region_short_name
from birlik.signals.district_counts import DistrictCount
from birlik.signals.map_scale import DISTRICT_DOCUMENTS, RATE_DAYS, RATE_PER, Scale, map_values, scale_of
from birlik.web.geo import WIDTH, MapShapes, interior_point
from birlik.web.i18n import Translator

NO_DATA_FILL = "url(#map-nodata)"
NO_DATA_KEY = "url(#map-nodata-key)"
"""The same hatching at the legend's scale (the map's pattern follows the map's zoom)."""
CONTEXT_FILL = "#fafafa"
FONT = 11.0
"""Label size in the national map's units (the map is 800 units wide)."""
DISTRICT_FONT = 15.0
"""Label size on the district map, which is drawn smaller (at most 420 pixels high)."""
WRAP_AT = 12
"""A name longer than this is written on two lines at its first space."""


@dataclass(frozen=True, slots=True)
class RegionView:
    kato: str
    path: str
    state: str
    """``data``, ``nodata`` (in scope, nothing to show) or ``context`` (outside the reader's scope)."""
    fill: str
    name: str
    """The full name (``Алматы облысы``), for titles and screen readers."""
    lines: tuple[str, ...]
    """The label: the short name (one or two lines), then the value when there is one."""
    x: float
    y: float
    text_anchor: str
    tone: str
    """``on-light``, ``on-dark`` (light text on a dark fill) or ``context``."""
    leader: tuple[float, float, float, float] | None
    show_label: bool
    """False for a context region whose label would be cut by a zoomed map's edge."""
    value_text: str
    href: str | None
    indicators_href: str | None
    aria: str


@dataclass(frozen=True, slots=True)
class LegendEntry:
    colour: str
    text: str


@dataclass(frozen=True, slots=True)
class MapView:
    view_box: tuple[float, float, float, float]
    font: float
    regions: tuple[RegionView, ...]
    legend: tuple[LegendEntry, ...]
    unit: str
    limited: bool
    scope_names: tuple[str, ...]
    description: str

    @property
    def in_scope(self) -> tuple[RegionView, ...]:
        return tuple(sorted((r for r in self.regions if r.state != "context"), key=lambda r: r.name))

    @property
    def context_fill(self) -> str:
        return CONTEXT_FILL

    def label_box(self, region: RegionView) -> tuple[float, float, float, float]:
        return _label_box(region, self.font)


def scope_regions(scope: RegionScope) -> list[str]:
    """The regions whose figures the reader may see: all 20, or those of their scope."""
    return [kato for kato in region_references().regions if scope.allows(kato)]


def format_number(value: float, lang: str, digits: int) -> str:
    """``1 234,5`` in kk and ru, ``1,234.5`` in en."""
    text = f"{value:,.{digits}f}"
    if lang in ("kk", "ru"):
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def format_value(scale: Scale, value: float, lang: str) -> str:
    """A score with two decimals; a rate with two below 10, one below 100, none above."""
    if scale.kind == "score":
        return format_number(value, lang, 2)
    return format_number(value, lang, 2 if value < 10 else 1 if value < 100 else 0)


def format_edge(value: float, lang: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if lang in ("kk", "ru") else text


def legend(scale: Scale, t: Translator) -> tuple[LegendEntry, ...]:
    entries = []
    for colour, (low, high) in zip(scale.colours, scale.ranges(), strict=True):
        if scale.kind == "count" and high is not None:
            last = int(high) - 1
            text = str(int(low)) if last == int(low) else f"{int(low)}–{last}"
        elif high is None:
            text = f"≥ {format_edge(low, t.lang)}"
        else:
            text = f"{format_edge(low, t.lang)}–{format_edge(high, t.lang)}"
        entries.append(LegendEntry(colour, text))
    if scale.kind != "count":
        entries.append(LegendEntry(NO_DATA_KEY, t("map.nodata")))
    return tuple(entries)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _lines(name: str) -> tuple[str, ...]:
    if len(name) > WRAP_AT and " " in name:
        head, tail = name.split(" ", 1)
        return head, tail
    return (name,)


def _clip_label(region: RegionView, view_box: tuple[float, float, float, float], font: float) -> RegionView:
    """A context region's label is left out when the zoomed map's edge would cut it."""
    if region.state != "context":
        return region
    x0, y0, x1, y1 = _label_box(region, font)
    left, top, width, height = view_box
    if left <= x0 and x1 <= left + width and top <= y0 and y1 <= top + height:
        return region
    return replace(region, show_label=False)


def _label_box(region: RegionView, font: float) -> tuple[float, float, float, float]:
    """An estimate of a label's extent (x0, y0, x1, y1): 0.6 em a letter, 1.15 em a line."""
    width = max(len(line) for line in region.lines) * font * 0.6
    height = len(region.lines) * font * 1.15
    x0 = {"start": region.x, "end": region.x - width}.get(region.text_anchor, region.x - width / 2)
    y0 = region.y - 0.85 * font
    return x0, y0, x0 + width, y0 + height


def _first_baseline(centre: float, lines: int, font: float) -> float:
    """The first line's baseline that centres a block of ``lines`` lines on ``centre``."""
    return centre - (lines - 1) * 0.575 * font + 0.35 * font


def _view_box(
    shapes: MapShapes, katos: Iterable[str], points: Iterable[tuple[float, float]]
) -> tuple[float, float, float, float]:
    boxes = [shape.box for shape in shapes.regions if shape.kato in set(katos)]
    if not boxes:
        return 0.0, 0.0, float(shapes.width), float(shapes.height)
    xs = [b[0] for b in boxes] + [b[2] for b in boxes] + [p[0] for p in points]
    ys = [b[1] for b in boxes] + [b[3] for b in boxes] + [p[1] for p in points]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    # room for the labels around the regions; never closer than a quarter of the country
    pad = max(width, height) * 0.15 + 10
    width, height = width + 2 * pad, height + 2 * pad
    aspect = shapes.width / shapes.height
    if width / height < aspect:
        width = height * aspect
    else:
        height = width / aspect
    width, height = max(width, shapes.width / 4), max(height, shapes.height / 4)
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return cx - width / 2, cy - height / 2, width, height


def build(
    shapes: MapShapes,
    indicator: str,
    values: Mapping[str, float | None],
    t: Translator,
    *,
    limited: bool,
) -> MapView:
    """``values``: each region in the reader's scope → its value on the scale (None: no data);
    regions not in ``values`` are drawn as context, without data or link."""
    scale = scale_of(indicator)
    lang = t.lang
    references = region_references().regions
    callout_points: list[tuple[float, float]] = []
    for kato in values:
        reference = references.get(kato)
        if reference is not None and reference.callout is not None:
            callout_points.append(shapes.project(*reference.callout))
    view_box = _view_box(shapes, values, callout_points) if limited else (0, 0, shapes.width, shapes.height)
    zoom = view_box[2] / WIDTH
    font = FONT * zoom * (1.25 if limited else 1.0)  # a zoomed map has room for larger names
    regions: list[RegionView] = []
    for shape in shapes.regions:
        kato = shape.kato
        name = region_full_name(kato, lang)
        lines = _lines(region_short_name(kato, lang))
        reference = references.get(kato)
        anchor = shapes.project(*reference.label) if reference else shape.centre
        x, y, text_anchor, leader = anchor[0], anchor[1], "middle", None
        if reference is not None and reference.callout is not None:
            x, y = shapes.project(*reference.callout)
            text_anchor = "start" if x >= anchor[0] else "end"
            leader = (anchor[0], anchor[1], x - 2 * zoom if text_anchor == "start" else x + 2 * zoom, y)
        y = _first_baseline(y, len(lines) + (1 if values.get(kato) is not None else 0), font)
        if kato not in values:
            regions.append(
                RegionView(
                    kato,
                    shape.path,
                    "context",
                    CONTEXT_FILL,
                    name,
                    lines,
                    x,
                    y,
                    text_anchor,
                    "context",
                    leader,
                    True,
                    "",
                    None,
                    None,
                    name,
                )
            )
            continue
        value = values[kato]
        colour = scale.colour_of(value)
        if value is None or colour is None:
            state, fill, value_text, tone = "nodata", NO_DATA_FILL, t("map.nodata"), "on-light"
        else:
            state, fill = "data", colour
            value_text = format_value(scale, value, lang)
            tone = "on-dark" if _luminance(colour) < 0.3 and leader is None else "on-light"
        regions.append(
            RegionView(
                kato,
                shape.path,
                state,
                fill,
                name,
                (*lines, value_text) if state == "data" else lines,
                x,
                y,
                text_anchor,
                tone,
                leader,
                True,
                value_text,
                f"/stories?region={kato}",
                f"/indicators?region={kato}",
                t("map.region_aria", region=name, value=value_text),
            )
        )
    if limited:
        regions = [_clip_label(region, view_box, font) for region in regions]
    scope_names = tuple(sorted(region_full_name(kato, lang) for kato in values)) if limited else ()
    unit = t(f"map.unit.{scale.indicator}", year=region_references().population_year)
    return MapView(
        view_box=view_box,
        font=font,
        regions=tuple(regions),
        legend=legend(scale, t),
        unit=unit,
        limited=limited,
        scope_names=scope_names,
        description=t("map.description", unit=unit),
    )


@dataclass(frozen=True, slots=True)
class DistrictRow:
    kato: str
    name: str
    documents: int


def district_rows(counts: Iterable[DistrictCount], lang: str) -> list[DistrictRow]:
    """The districts named in the reader's language, most documents first."""
    gazetteer = load_gazetteer()
    rows = []
    for count in counts:
        place = gazetteer.get(count.kato)
        if place is None:
            continue
        name = place.name(lang)
        if place.is_city:
            name = CITY_SHORT.get(lang, CITY_SHORT["en"]).format(name)
        rows.append(DistrictRow(count.kato, name, count.documents))
    return sorted(rows, key=lambda row: (-row.documents, row.name))


def api_map(indicator: str, raw: Mapping[str, float], scope: RegionScope, days: int) -> dict[str, Any]:
    """The map's figures for the API: the scale and, for each region in scope, value and bin."""
    scale = scale_of(indicator)
    values = map_values(indicator, raw, scope_regions(scope), days, visible=scope.cases_of is None)
    return {
        "scale": {
            "kind": scale.kind,
            "per": RATE_PER if scale.kind == "rate" else None,
            "days": RATE_DAYS if scale.kind == "rate" else None,
            "bins": [
                {"from": low, "to": high, "colour": colour}
                for (low, high), colour in zip(scale.ranges(), scale.colours, strict=True)
            ],
        },
        "regions": {kato: {"value": value, "bin": scale.bin_of(value)} for kato, value in values.items()},
        "limited": not scope.all_regions,
    }


@dataclass(frozen=True, slots=True)
class DistrictShape:
    kato: str
    path: str
    fill: str
    title: str
    label: RegionView | None
    """Its name, where it fits without covering another district's (larger ones first)."""


@dataclass(frozen=True, slots=True)
class DistrictMap:
    width: int
    height: int
    districts: tuple[DistrictShape, ...]
    legend: tuple[LegendEntry, ...]
    font: float


def district_map(shapes: MapShapes | None, rows: Iterable[DistrictRow], t: Translator) -> DistrictMap | None:
    """The districts coloured by their documents (fixed count bins); names are in the titles and
    the table (a dozen names in one region's width would collide)."""
    if shapes is None:
        return None
    by_kato = {row.kato: row for row in rows}
    placed: list[tuple[float, float, float, float]] = []
    drawn = []
    largest_first = sorted(shapes.regions, key=lambda s: -(s.box[2] - s.box[0]) * (s.box[3] - s.box[1]))
    labels: dict[str, RegionView] = {}
    for shape in largest_first:
        row = by_kato.get(shape.kato)
        if row is None:
            continue
        colour = DISTRICT_DOCUMENTS.colour_of(row.documents) or NO_DATA_FILL
        x, y = interior_point(shape)
        lines = _lines(row.name)
        tone = "on-dark" if colour.startswith("#") and _luminance(colour) < 0.3 else "on-light"
        label = RegionView(
            row.kato,
            shape.path,
            "data",
            colour,
            row.name,
            lines,
            x,
            _first_baseline(y, len(lines), DISTRICT_FONT),
            "middle",
            tone,
            None,
            True,
            str(row.documents),
            None,
            None,
            row.name,
        )
        box = _label_box(label, DISTRICT_FONT)
        if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            placed.append(box)
            labels[row.kato] = label
    for shape in shapes.regions:
        row = by_kato.get(shape.kato)
        if row is None:
            continue
        colour = DISTRICT_DOCUMENTS.colour_of(row.documents) or NO_DATA_FILL
        drawn.append(
            DistrictShape(row.kato, shape.path, colour, f"{row.name}: {row.documents}", labels.get(row.kato))
        )
    if not drawn:
        return None
    return DistrictMap(
        shapes.width, shapes.height, tuple(drawn), legend(DISTRICT_DOCUMENTS, t), DISTRICT_FONT
    )
