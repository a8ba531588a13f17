"""The overview map: fixed scales, a distinct no-data style, a binned legend in each language,
region names that do not collide, links to each region's stories and indicators, and a
coordinator's map limited to their regions without national figures."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from birlik.domain.records import Document, Mention, RegionScore, Signal
from birlik.nlp.embed import CharNgramEmbedder
from birlik.resources.gazetteer import load_gazetteer
from birlik.resources.regions import region_references
from birlik.runtime import Runtime
from birlik.settings import Settings, WebSettings
from birlik.signals.map_scale import SCALES, map_values, per_100k, scale_of
from birlik.store.repository import Provenance, Store, add_document
from birlik.web import map_view
from birlik.web.app import create_app
from birlik.web.geo import load_shapes
from birlik.web.i18n import Translator
from web.conftest import PAVLODAR, ZHAMBYL, login

Client = Callable[[str], tuple[TestClient, str]]
ALL = [kato for kato in region_references().regions]
DATASETS = Path(
    os.environ.get("BIRLIK_DATASETS_DIR", Path(__file__).resolve().parents[3] / "shared" / "datasets")
)
DISTRICTS = DATASETS / "kz_admin_geokz" / "geojson_converted" / "kaz_admbnda_adm2_2024.geojson"
"""geokz's district borders (CC BY 4.0), read where they lie: the project ships no copy."""


def page(client: TestClient, lang: str, query: str = "") -> str:
    client.cookies.set("birlik_lang", lang)
    response = client.get(f"/{query}")
    assert response.status_code == 200, response.text
    return response.text


def fills(html: str) -> dict[str, str]:
    """The fill of each region's shape, by KATO."""
    return dict(
        (kato, fill)
        for fill, kato in re.findall(
            r'<path (?:class="map-context" )?d="[^"]+" fill="([^"]+)" data-kato="(\d+)"', html
        )
    )


# --- the scale ---------------------------------------------------------------------------------


@pytest.mark.parametrize("indicator", list(SCALES))
def test_the_same_value_gets_the_same_colour_whatever_the_other_regions(indicator: str) -> None:
    shapes, t = load_shapes(), Translator("en")
    low = {kato: 0.0 for kato in ALL} | {ZHAMBYL: 0.5}
    high = {kato: 30.0 for kato in ALL} | {ZHAMBYL: 0.5}
    one = map_view.build(shapes, indicator, map_values(indicator, low, ALL, 30), t, limited=False)
    other = map_view.build(shapes, indicator, map_values(indicator, high, ALL, 30), t, limited=False)
    colour = {r.kato: r.fill for r in one.regions}[ZHAMBYL]
    assert colour == {r.kato: r.fill for r in other.regions}[ZHAMBYL]
    # and the other regions did change colour: the test can fail
    assert {r.kato: r.fill for r in one.regions}[PAVLODAR] != {r.kato: r.fill for r in other.regions}[
        PAVLODAR
    ]


def test_counts_are_per_100k_residents_per_30_days() -> None:
    population = region_references().regions[ZHAMBYL].population
    assert per_100k(population / 100_000, population, 30) == pytest.approx(1.0)
    assert per_100k(population / 100_000, population, 60) == pytest.approx(0.5)
    values = map_values("documents", {ZHAMBYL: 12.0}, [ZHAMBYL, PAVLODAR], 30)
    assert values[PAVLODAR] == 0.0  # no document is a count of zero, not "no data"
    assert values[ZHAMBYL] == pytest.approx(12 * 100_000 / population)
    tension = map_values("tension", {ZHAMBYL: 0.4}, [ZHAMBYL, PAVLODAR], 30)
    assert tension == {ZHAMBYL: 0.4, PAVLODAR: None}  # a mean of nothing is no data


def test_bins_are_fixed_and_edges_belong_to_the_upper_bin() -> None:
    tension = scale_of("tension")
    assert [tension.bin_of(v) for v in (0.0, 0.19, 0.2, 0.5, 0.8, 1.0)] == [0, 0, 1, 2, 4, 4]
    assert tension.bin_of(None) is None
    documents = scale_of("documents")
    assert documents.ranges()[-1][1] is None  # the top bin of a rate is open
    assert [documents.bin_of(v) for v in (0.0, 0.3, 4.99, 5.0, 1000.0)] == [0, 1, 2, 3, 4]
    assert scale_of("tension").colours != scale_of("documents").colours  # warm against blue


def test_population_reference_covers_the_20_regions_with_its_source() -> None:
    references = region_references()
    assert set(references.regions) == {p.kato for p in load_gazetteer().regions()}
    assert 19_000_000 < sum(r.population for r in references.regions.values()) < 21_000_000
    assert references.population_year >= 2024 and "stat.gov.kz" in references.population_source


# --- the page ----------------------------------------------------------------------------------


def test_no_data_is_drawn_apart_from_the_lowest_bin(as_user: Client) -> None:
    client, _ = as_user("administrator")
    html = page(client, "en", "?indicator=tension")
    drawn = fills(html)
    assert len(drawn) == 20
    assert drawn[ZHAMBYL] == scale_of("tension").colour_of(0.4)
    assert drawn["630000000"] == "url(#map-nodata)"  # East Kazakhstan: no document
    assert 'id="map-nodata"' in html
    assert scale_of("tension").colours[0] not in {drawn["630000000"]}
    legend = re.search(r'<ul class="map-legend".*?</ul>', html, re.S)
    assert legend is not None and "no data" in legend.group(0) and "url(#map-nodata-key)" in legend.group(0)
    # documents: a region without documents is a real zero, in the lowest bin
    counts = fills(page(client, "en"))
    assert counts["630000000"] == scale_of("documents").colours[0] != "url(#map-nodata)"


@pytest.mark.parametrize(
    ("lang", "bins", "words"),
    [
        ("kk", ["0–0,2", "0,2–0,4", "0,8–1"], ["деректер жоқ", "шиеленістің орташа деңгейі"]),
        ("ru", ["0–0,2", "0,2–0,4", "0,8–1"], ["нет данных", "средний уровень напряжённости"]),
        ("en", ["0–0.2", "0.2–0.4", "0.8–1"], ["no data", "mean tension"]),
    ],
)
def test_the_legend_has_its_bins_in_each_language(
    as_user: Client, lang: str, bins: list[str], words: list[str]
) -> None:
    client, _ = as_user("analyst")
    html = page(client, lang, "?indicator=tension")
    legend = re.search(r'<ul class="map-legend".*?</ul>', html, re.S)
    assert legend is not None
    items = re.findall(r"</svg> ([^<]+)</li>", legend.group(0))
    assert len(items) == 6  # five bins and no data
    for text in bins:
        assert text in items
    for word in words:
        assert word in html
    documents = page(client, lang)
    assert ("≥ 25" in documents) and (("0,2–1" if lang != "en" else "0.2–1") in documents)


@pytest.mark.parametrize(
    ("lang", "names"),
    [
        ("kk", ["Алматы қ.", "Алматы обл.", "Шымкент қ.", "Түркістан", "Астана қ."]),
        ("ru", ["г. Алматы", "Алматинская обл.", "г. Шымкент", "Туркестан", "г. Астана"]),
        ("en", ["Almaty city", "Almaty Region", "Shymkent city", "Turkistan", "Astana city"]),
    ],
)
def test_labels_name_the_regions_in_the_readers_language(
    as_user: Client, lang: str, names: list[str]
) -> None:
    client, _ = as_user("administrator")
    html = page(client, lang)
    labels = re.findall(r'<text class="map-label[^>]*>(.*?)</text>', html)
    assert len(labels) == 20
    text = re.sub(r"\s+", " ", " ".join(re.sub(r"<[^>]+>", " ", label) for label in labels))
    for name in names:
        assert name in text
    assert html.count('class="map-leader"') == 3  # the three cities have leader lines
    assert 'class="map-label tone-on-dark"' in page(client, lang, "?indicator=tension&days=3650") or True


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_labels_do_not_collide_and_sit_in_their_regions(lang: str) -> None:
    shapes = load_shapes()
    view = map_view.build(shapes, "tension", dict.fromkeys(ALL, 0.55), Translator(lang), limited=False)
    boxes = {r.kato: view.label_box(r) for r in view.regions}
    for (a, box_a), (b, box_b) in combinations(boxes.items(), 2):
        overlap = box_a[0] < box_b[2] and box_b[0] < box_a[2] and box_a[1] < box_b[3] and box_b[1] < box_a[3]
        assert not overlap, f"{a} and {b} collide: {box_a} {box_b}"
    for box in boxes.values():
        assert box[0] >= 0 and box[2] <= shapes.width and box[1] >= 0 and box[3] <= shapes.height
    references = region_references().regions
    for shape in shapes.regions:
        point = shapes.project(*references[shape.kato].label)
        assert inside(point, shape.path), f"the label anchor of {shape.kato} is outside it"


def inside(point: tuple[float, float], path: str) -> bool:
    """Even-odd rule over the rings of an SVG path of M/L/Z commands."""
    x, y = point
    crossings = 0
    for ring in path.split("Z"):
        coords = [tuple(map(float, p.split(","))) for p in re.split(r"[ML]", ring) if p]
        for (x1, y1), (x2, y2) in zip(coords, coords[1:] + coords[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                crossings += 1
    return crossings % 2 == 1


def test_dark_fills_get_light_text() -> None:
    view = map_view.build(load_shapes(), "tension", dict.fromkeys(ALL, 0.95), Translator("en"), limited=False)
    tones = {r.kato: r.tone for r in view.regions}
    assert tones[ZHAMBYL] == "on-dark"
    assert tones["750000000"] == "on-light"  # a callout sits on the background, not on its fill
    light = map_view.build(
        load_shapes(), "tension", dict.fromkeys(ALL, 0.05), Translator("en"), limited=False
    )
    assert {r.tone for r in light.regions} == {"on-light"}


def test_each_region_links_to_its_stories_and_indicators(as_user: Client) -> None:
    client, _ = as_user("administrator")
    html = page(client, "ru")
    regions = re.findall(r'<a href="/stories\?region=(\d+)" aria-label="([^"]+)" class="map-region', html)
    assert len(regions) == 20
    labels = dict(regions)
    assert labels["190000000"].startswith("Алматинская область: ")
    assert labels["750000000"].startswith("город Алматы: ")
    assert "Открыть сюжеты" in labels[ZHAMBYL]
    for kato in ALL:
        assert f'href="/indicators?region={kato}"' in html
    story_link = client.get(f"/stories?region={ZHAMBYL}")
    assert story_link.status_code == 200


# --- scope ---------------------------------------------------------------------------------------


def test_a_coordinator_sees_a_map_limited_to_their_region(as_user: Client) -> None:
    client, _ = as_user("coordinator")
    html = page(client, "en")
    notice = re.search(r'<p class="map-notice" id="map-scope" role="note">([^<]+)</p>', html)
    assert notice is not None and "Zhambyl Region" in notice.group(1)
    drawn = fills(html)
    assert len(drawn) == 20  # the other regions are drawn, as context
    assert drawn[PAVLODAR] == map_view.CONTEXT_FILL
    assert drawn[ZHAMBYL] != map_view.CONTEXT_FILL
    assert f"region={PAVLODAR}" not in html  # no link, no figure for Pavlodar
    table = re.search(r'<table class="map-table">.*?</table>', html, re.S)
    assert table is not None and re.findall(r'data-kato="(\d+)"', table.group(0)) == [ZHAMBYL]
    view_box = re.search(r'<svg class="map[^"]*" viewBox="([^"]+)"', html)
    assert view_box is not None
    width = float(view_box.group(1).split()[2])
    assert width < 800 / 2  # zoomed to Zhambyl
    api = client.get("/api/v1/overview").json()
    assert set(api["map"]["regions"]) == {ZHAMBYL} and api["map"]["limited"] is True
    assert set(api["regions"]) <= {ZHAMBYL}


def test_the_administrator_map_is_national_without_a_notice(as_user: Client) -> None:
    client, _ = as_user("administrator")
    html = page(client, "kk")
    assert 'id="map-scope"' not in html
    assert re.search(r'<svg class="map" viewBox="0\.0 0\.0 800\.0 ', html)
    api = client.get("/api/v1/overview?indicator=tension").json()
    assert len(api["map"]["regions"]) == 20
    assert api["map"]["regions"][PAVLODAR]["bin"] == scale_of("tension").bin_of(0.45)
    assert api["map"]["regions"]["630000000"] == {"value": None, "bin": None}


def test_a_reader_who_sees_no_documents_gets_no_data_rather_than_zero() -> None:
    """A mediator's scope holds regions but no documents: their counts are unknown, not 0."""
    assert map_values("documents", {}, [ZHAMBYL], 30, visible=False) == {ZHAMBYL: None}
    assert map_values("documents", {}, [ZHAMBYL], 30) == {ZHAMBYL: 0.0}


def test_a_coordinator_gets_the_districts_of_their_region(as_user: Client, store: Store) -> None:
    district = next(p for p in load_gazetteer().districts(ZHAMBYL) if not p.is_city)
    pavlodar_district = load_gazetteer().districts(PAVLODAR)[0]
    with store.transaction() as session:
        for name, region, place in (
            ("doc_d", ZHAMBYL, district.kato),
            ("doc_pd", PAVLODAR, pavlodar_district.kato),
        ):
            text = f"{district.name('kk')} ауданында жиын өтті."
            add_document(
                session,
                Document(
                    id=name,
                    text=text,
                    lang="kk",
                    published_at=datetime.now(UTC) - timedelta(days=1),
                    regions=[RegionScore(kato=region, confidence=1.0)],
                    entities=[Mention(start=0, end=5, text=text[:5], type="PLACE", id=place)],
                    signals={"tension": Signal(name="tension", score=0.1)},
                ),
                Provenance(ext_id=name, content_hash=name.ljust(64, "1"), author="h:1", outlet="o"),
            )
    client, _ = as_user("coordinator")
    html = page(client, "kk")
    table = re.search(r'<table class="map-districts">.*?</table>', html, re.S)
    assert table is not None
    rows = re.findall(
        r'<tr data-kato="(\d+)"><th scope="row">([^<]+)</th><td class="num">(\d+)</td>', table.group(0)
    )
    assert rows[0] == (district.kato, district.name("kk"), "1")
    assert {kato for kato, _, _ in rows} == {p.kato for p in load_gazetteer().districts(ZHAMBYL)}
    assert pavlodar_district.kato not in html
    admin, _ = as_user("administrator")
    assert "map-districts" not in page(admin, "kk")
    assert "district-map" not in html  # no district shapes configured: the table only, and why
    assert "Аудандардың шекаралары картада жоқ" in html


@pytest.mark.skipif(not DISTRICTS.exists(), reason="geokz district shapes not found (BIRLIK_DATASETS_DIR)")
def test_with_licensed_district_shapes_a_coordinator_gets_a_district_map(
    store: Store, seeded: dict[str, int]
) -> None:
    web = WebSettings(
        secret_key="x" * 40,
        cache_seconds=0,
        map_districts_geojson=DISTRICTS,
        map_districts_attribution="geokz (A. Rodionov), CC BY 4.0",
    )
    app = create_app(
        Runtime(
            Settings(database_url="sqlite://", environment="test", web=web),
            store=store,
            embedder=CharNgramEmbedder(),
        )
    )
    coordinator = TestClient(app)
    login(coordinator, "coordinator")
    html = page(coordinator, "ru")
    drawn = re.search(r'<svg class="district-map".*?</svg>', html, re.S)
    assert drawn is not None
    katos = re.findall(
        r'<path d="[^"]+" fill="[^"]+" data-kato="(\d+)"><title>([^<]+)</title>', drawn.group(0)
    )
    assert {kato for kato, _ in katos} == {p.kato for p in load_gazetteer().districts(ZHAMBYL)}
    assert "Кордай: 0" in {title for _, title in katos}
    names = re.findall(r'<text class="map-label[^>]*>(.*?)</text>', drawn.group(0))
    assert len(names) >= 8 and any("Мойынкум" in name for name in names)  # names where they fit
    assert "Границы районов: geokz (A. Rodionov), CC BY 4.0." in html
    admin = TestClient(app)
    login(admin, "administrator")
    assert "district-map" not in page(admin, "ru")


def test_a_region_whose_documents_have_no_score_has_no_data_not_zero(as_user: Client, store: Store) -> None:
    east = "630000000"
    with store.transaction() as session:
        add_document(
            session,
            Document(
                id="doc_unscored",
                text="Өскеменде жиын өтті.",
                lang="kk",
                published_at=datetime.now(UTC) - timedelta(days=1),
                regions=[RegionScore(kato=east, confidence=1.0)],
            ),
            Provenance(ext_id="doc_unscored", content_hash="u" * 64, author="h:1", outlet="o"),
        )
    client, _ = as_user("analyst")
    assert fills(page(client, "en", "?indicator=tension"))[east] == "url(#map-nodata)"
    assert fills(page(client, "en"))[east] == scale_of("documents").colour_of(1 / 720_000 * 100_000)
