"""Search on the Stories page and /api/v1/documents: counts, highlighted matches, sort orders,
CSV and XLSX exports within the user's regions and filters, semantic stories, the coordinator's
region filter and the scope line (issue 15, item 6)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from birlik.domain.records import Document, Mention, RegionScore, Signal
from birlik.nlp.embed import CharNgramEmbedder
from birlik.query import search_results
from birlik.store.models_stories import StoryMemberRow, StoryRow
from birlik.store.repository import Provenance, Store, add_document
from birlik.store.search import match_spans, query_terms
from birlik.web.routes.pages_common import region_names
from web.conftest import PAVLODAR, ZHAMBYL

Client = Callable[[str], tuple[TestClient, str]]
NOW = datetime.now(UTC).replace(microsecond=0)
HOSTILE = "<script>alert(1)</script> Мәдени кеш Астанада"


def add(
    store: Store,
    name: str,
    text: str,
    *,
    title: str | None = None,
    regions: tuple[str, ...] = (ZHAMBYL,),
    lang: str = "kk",
    tension: float = 0.1,
    days_ago: float = 1.0,
    groups: tuple[str, ...] = (),
    story: bool = False,
) -> int:
    embedder = CharNgramEmbedder()
    with store.transaction() as session:
        doc = Document(
            id=name,
            text=text,
            title=title if title is not None else name,
            lang=lang,
            url=f"https://x.kz/{name}",
            published_at=NOW - timedelta(days=days_ago),
            regions=[RegionScore(kato=kato, confidence=1.0) for kato in regions],
            entities=[
                Mention(start=0, end=min(len(text), 4), text=text[:4], type="ETHNIC_GROUP", id=group)
                for group in groups
            ],
            signals={"tension": Signal(name="tension", score=tension)},
        )
        doc.embedding = embedder.embed([text])[0]
        row = add_document(
            session,
            doc,
            Provenance(
                ext_id=name, content_hash=hashlib.sha256(name.encode()).hexdigest(), outlet="outlet-x"
            ),
        )
        session.flush()
        if story:
            story_row = StoryRow(title=name, first_seen=NOW, last_seen=NOW, doc_count=1)
            session.add(story_row)
            session.flush()
            session.add(
                StoryMemberRow(document_id=row.id, story_id=story_row.id, dup_group=row.id, seen_at=NOW)
            )
        return int(row.id)


@pytest.fixture
def corpus(store: Store, seeded: dict[str, int]) -> dict[str, int]:
    """Beside the seeded three: a hostile title, a document of both regions, an old and a tense one."""
    ids = dict(seeded)
    ids["hostile"] = add(store, "hostile", "Мәдени кеш өтті. Астанада да өтеді.", title=HOSTILE, tension=0.3)
    ids["both"] = add(
        store,
        "both",
        "Жамбыл мен Павлодар облыстарының мәдени орталықтары кездесті.",
        regions=(ZHAMBYL, PAVLODAR),
        tension=0.9,
        days_ago=3,
        groups=("uyghur",),
    )
    ids["old"] = add(store, "old", "Ескі жаңалық: мәдени орталық ашылды.", days_ago=40, tension=0.5)
    return ids


def english(client: TestClient) -> TestClient:
    client.cookies.set("birlik_lang", "en")
    return client


def ids_of(client: TestClient, query: str) -> list[int]:
    response = client.get("/api/v1/documents?" + query)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


# --- counts ------------------------------------------------------------------------------


def test_the_page_counts_documents_and_stories(as_user: Client, corpus: dict[str, int]) -> None:
    client = english(as_user("administrator")[0])
    page = client.get("/stories?q=мәдени")
    found = ids_of(client, "q=мәдени")
    assert sorted(found) == sorted([corpus[n] for n in ("doc_z", "hostile", "both", "old")])
    assert "Documents found: 4" in page.text
    assert "stories: 1" in page.text  # doc_z's story_x; the others have none
    everything = client.get("/stories")
    assert "Documents found: 6" in everything.text and "stories: 2" in everything.text
    api = client.get("/api/v1/documents?q=мәдени").json()
    assert api["count"] == {"value": 4, "exact": True}


def test_a_coordinator_counts_only_their_regions(as_user: Client, corpus: dict[str, int]) -> None:
    client = english(as_user("coordinator_p")[0])
    page = client.get("/stories?q=мәдени")
    assert "Documents found: 1" in page.text  # "both": the only мәдени document in Pavlodar
    assert "Documents found: 3" in client.get("/stories").text  # doc_p, doc_p2, both


def test_a_count_past_its_bound_says_more_than(
    as_user: Client, store: Store, corpus: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL counts documents up to COUNT_LIMIT (SQLite counts them exactly, from the term's
    cached set); stories are counted of at most STORY_COUNT_DOCUMENTS documents on both."""
    monkeypatch.setattr(search_results, "COUNT_LIMIT", 2)
    monkeypatch.setattr(search_results, "STORY_COUNT_DOCUMENTS", 1)
    client = english(as_user("coordinator")[0])
    page = client.get("/stories?q=мәдени").text
    if store.dialect == "sqlite":
        assert "Documents found: 4" in page
        assert client.get("/api/v1/documents?q=мәдени").json()["count"] == {"value": 4, "exact": True}
    else:
        assert "Documents found: more than 2" in page
        assert client.get("/api/v1/documents?q=мәдени").json()["count"] == {"value": 2, "exact": False}
    assert re.search(r"stories: more than [01]<", page)


# --- highlighting ------------------------------------------------------------------------


def test_marks_are_the_word_forms_the_prefix_search_matches() -> None:
    text = "Астанада және Астане, Астана; қазақтардың тілі; бас-астана"
    marked = [text[s:e] for s, e in match_spans(text, query_terms("Астана қазақ"))]
    assert marked == ["Астанада", "Астане", "Астана", "қазақтардың", "астана"]
    assert match_spans(text, []) == []
    assert match_spans("Тастанда", query_terms("Астана")) == []  # a word's start only, as the index
    softened = "Мәдени орталығы мен орталықтары"  # Kazakh voices the final қ before a vowel
    assert [softened[s:e] for s, e in match_spans(softened, query_terms("орталық"))] == [
        "орталығы",
        "орталықтары",
    ]


def test_titles_and_snippets_mark_the_terms_and_escape_html(as_user: Client, corpus: dict[str, int]) -> None:
    client, _ = as_user("administrator")
    page = client.get("/stories?q=Астана").text
    assert "<script>alert(1)" not in page
    assert '&lt;script&gt;alert(1)&lt;/script&gt; Мәдени кеш <mark class="hit">Астанада</mark>' in page
    assert '<mark class="hit">Астанада</mark> да өтеді' in page  # the snippet
    plain = client.get("/stories?q=мәдени").text
    assert '<mark class="hit">Мәдени</mark> кеш' in plain
    assert '<mark class="hit">мәдени</mark> орталықтары' in plain
    assert "&lt;script&gt;" in plain and "<script>alert" not in plain


# --- sort orders --------------------------------------------------------------------------


def test_each_sort_order(as_user: Client, corpus: dict[str, int]) -> None:
    client, _ = as_user("administrator")
    c = corpus
    newest = ids_of(client, "q=мәдени")
    assert newest == ids_of(client, "q=мәдени&sort=newest")
    assert newest[-2:] == [c["both"], c["old"]]  # 1 day (doc_z, hostile), 3 days, 40 days
    assert ids_of(client, "q=мәдени&sort=oldest") == list(reversed(newest))
    assert ids_of(client, "q=мәдени&sort=tension") == [c["both"], c["old"], c["doc_z"], c["hostile"]]
    everything = ids_of(client, "sort=tension")
    assert everything[:2] == [c["both"], c["doc_p"]]  # 0.9, 0.7
    # relevance: the title counts most; the hostile document has the term in its title and text
    relevant = ids_of(client, "q=Астанада&sort=relevance")
    assert relevant == [c["hostile"]]
    ranked = ids_of(client, "q=мәдени орталық&sort=relevance")
    assert set(ranked) == {c["doc_z"], c["both"], c["old"]}
    assert client.get("/api/v1/documents?sort=relevance").json()["order"] == "newest"  # no query
    assert client.get("/api/v1/documents?sort=nonsense").json()["order"] == "newest"


def test_the_sort_control_shows_the_order_applied(as_user: Client, corpus: dict[str, int]) -> None:
    client, _ = as_user("administrator")
    without = client.get("/stories?sort=relevance").text  # no query: the newest first
    assert '<option value="newest" selected>' in without
    with_query = client.get("/stories?q=мәдени&sort=relevance").text
    assert '<option value="relevance" selected>' in with_query
    by_meaning = client.get("/stories?q=мәдени&mode=semantic&sort=tension").text
    assert '<option value="relevance" selected>' in by_meaning and 'value="tension"' not in by_meaning


# --- export --------------------------------------------------------------------------------


def read_csv(response: object) -> list[list[str]]:
    text = response.content.decode("utf-8")  # type: ignore[attr-defined]
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response: object) -> list[list[object]]:
    book = load_workbook(io.BytesIO(response.content))  # type: ignore[attr-defined]
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_csv_for_an_administrator_holds_every_region(as_user: Client, corpus: dict[str, int]) -> None:
    client = english(as_user("administrator")[0])
    response = client.get("/stories/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert "x-birlik-truncated" not in response.headers
    rows = read_csv(response)
    assert rows[0] == [
        "id", "Date (Asia/Almaty)", "Title", "Outlet", "Language", "Regions", "Ethnic groups",
        "Tension", "Hate", "Incident", "URL",
    ]  # fmt: skip
    by_id = {int(row[0]): row for row in rows[1:]}
    assert set(by_id) == set(ids_of(client, "limit=100"))
    both = by_id[corpus["both"]]
    names = region_names("en")
    assert both[5] == "; ".join(sorted([names[ZHAMBYL], names[PAVLODAR]]))
    assert both[6] == search_results.group_names("en")["uyghur"]
    assert both[7] == "0.9" and both[10] == "https://x.kz/both"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d\+05:00", both[1])
    assert by_id[corpus["hostile"]][2] == HOSTILE


def test_a_coordinators_export_never_holds_another_region(as_user: Client, corpus: dict[str, int]) -> None:
    client, _ = as_user("coordinator")
    zhambyl = {corpus[n] for n in ("doc_z", "hostile", "both", "old")}
    rows = read_csv(client.get("/stories/export.csv"))
    assert {int(row[0]) for row in rows[1:]} == zhambyl
    # a region outside the scope narrows to the documents of both (never doc_p or doc_p2)
    rows = read_csv(client.get(f"/stories/export.csv?region={PAVLODAR}"))
    assert {int(row[0]) for row in rows[1:]} == {corpus["both"]}
    sheet = read_xlsx(client.get("/stories/export.xlsx"))
    assert {row[0] for row in sheet[1:]} == zhambyl


def test_exports_honour_every_filter(as_user: Client, corpus: dict[str, int]) -> None:
    client, _ = as_user("administrator")
    c = corpus
    for query, expected in (
        ("lang=ru&min_tension=0.5", [c["doc_p"]]),
        ("q=мәдени&sort=tension", [c["both"], c["old"], c["doc_z"], c["hostile"]]),
        (f"region={ZHAMBYL}&ethnic=uyghur", [c["both"]]),
        (
            f"since={(NOW - timedelta(days=10)).date()}&q=мәдени&sort=oldest",
            [c["both"], c["doc_z"], c["hostile"]],
        ),
    ):
        rows = read_csv(client.get("/stories/export.csv?" + query))
        assert [int(row[0]) for row in rows[1:]] == expected or sorted(int(r[0]) for r in rows[1:]) == sorted(
            expected
        ), query
        sheet = read_xlsx(client.get("/stories/export.xlsx?" + query))
        assert sorted(row[0] for row in sheet[1:]) == sorted(expected), query  # type: ignore[type-var]
    ordered = read_csv(client.get("/stories/export.csv?q=мәдени&sort=tension"))
    assert [int(row[0]) for row in ordered[1:]] == [c["both"], c["old"], c["doc_z"], c["hostile"]]


def test_xlsx_dates_are_almaty_times_and_formulas_are_quoted(
    as_user: Client, store: Store, corpus: dict[str, int]
) -> None:
    add(store, "formula", "=HYPERLINK(x) мәдени", title='=HYPERLINK("http://evil")')
    client = english(as_user("administrator")[0])
    response = client.get("/stories/export.xlsx?q=мәдени")
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    assert rows[0][1] == "Date (Asia/Almaty)"
    titles = {row[2] for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil")' in titles and HOSTILE in titles
    when = {row[0]: row[1] for row in rows[1:]}[corpus["both"]]
    assert isinstance(when, datetime)
    expected = (NOW - timedelta(days=3)).astimezone(search_results.ZONE).replace(tzinfo=None, second=0)
    assert abs((when - expected).total_seconds()) < 60
    about = [list(row) for row in book.worksheets[1].iter_rows(values_only=True)]
    assert ["Scope", "Scope: national"] in about and ["Rows", "5"] in about
    csv_rows = read_csv(client.get("/stories/export.csv?q=мәдени"))
    assert '\'=HYPERLINK("http://evil")' in {row[2] for row in csv_rows}


def test_a_cut_export_says_so(
    as_user: Client, corpus: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_results, "EXPORT_LIMIT", 2)
    client = english(as_user("administrator")[0])
    response = client.get("/stories/export.csv?q=мәдени")
    assert response.headers["x-birlik-truncated"] == "2"
    rows = read_csv(response)
    assert len(rows) == 4 and rows[-1][0].startswith("# Too many found: only the first 2 rows")
    sheet = read_xlsx(client.get("/stories/export.xlsx?q=мәдени"))
    assert len(sheet) == 4 and str(sheet[-1][0]).startswith("# Too many found")
    assert "at most 2 rows" in client.get("/stories").text  # the page states the limit in force
    monkeypatch.undo()
    assert "at most 50,000 rows" in client.get("/stories").text
    whole = read_csv(client.get("/stories/export.csv?q=Астанада"))
    assert len(whole) == 2 and not whole[-1][0].startswith("#")


def test_an_unknown_export_format_is_not_found(as_user: Client, corpus: dict[str, int]) -> None:
    client, _ = as_user("administrator")
    assert client.get("/stories/export.pdf").status_code == 404


def test_an_export_needs_a_reader(app_client: Callable[[], TestClient], as_user: Client) -> None:
    assert app_client().get("/stories/export.csv", follow_redirects=False).status_code in (303, 401)
    mediator, _ = as_user("mediator")
    assert mediator.get("/stories/export.csv", follow_redirects=False).status_code == 403


# --- semantic mode ------------------------------------------------------------------------


def test_semantic_stories_follow_the_query(as_user: Client, store: Store, corpus: dict[str, int]) -> None:
    for n in range(30):  # near the query, so that the Taraz document is not among the nearest 25
        add(store, f"near{n}", f"Павлодарский совет матерей собрался на заседание номер {n}.", lang="ru",
            regions=(PAVLODAR,))  # fmt: skip
    client = english(as_user("administrator")[0])
    query = "Павлодарский совет матерей собрался на заседание"
    page = client.get("/stories", params={"q": query, "mode": "semantic"}).text
    stories = re.findall(r'class="story-link">([^<]*)<', page)
    assert stories == ["doc_p2"]  # story_p; story_x (doc_z, doc_p) is not near the query
    assert "The nearest in meaning among" in page
    api = client.get("/api/v1/stories", params={"q": query, "mode": "semantic"}).json()
    assert corpus["story_p"] in [story["id"] for story in api["items"]]
    text_mode = client.get("/stories", params={"q": "Тараз"}).text
    assert re.findall(r'class="story-link">([^<]*)<', text_mode) == ["doc_z"]


# --- the coordinator's regions and the scope line -----------------------------------------


def region_options(page: str) -> list[str]:
    select = re.search(r'<select name="region" id="region-filter">(.*?)</select>', page, re.S)
    assert select is not None
    return re.findall(r'<option value="(\d*)"', select.group(1))


def test_the_region_filter_offers_a_coordinator_their_regions(
    as_user: Client, corpus: dict[str, int]
) -> None:
    coordinator = english(as_user("coordinator")[0])
    page = coordinator.get("/stories").text
    assert region_options(page) == ["", ZHAMBYL]
    assert "All my regions" in page
    admin = english(as_user("administrator")[0])
    assert len(region_options(admin.get("/stories").text)) == 21


def test_a_coordinator_filtering_another_region_sees_their_shared_documents(
    as_user: Client, corpus: dict[str, int]
) -> None:
    client, _ = as_user("coordinator")
    assert ids_of(client, f"region={PAVLODAR}") == [corpus["both"]]
    assert ids_of(client, f"region={PAVLODAR}&sort=tension") == [corpus["both"]]
    page = client.get(f"/stories?region={PAVLODAR}").text
    assert f'href="/documents/{corpus["both"]}"' in page
    assert f'href="/documents/{corpus["doc_p"]}"' not in page


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_page_says_the_scope(as_user: Client, corpus: dict[str, int], lang: str) -> None:
    coordinator, _ = as_user("coordinator")
    coordinator.cookies.set("birlik_lang", lang)
    zhambyl = region_names(lang)[ZHAMBYL]
    for path in ("/", "/stories", "/alerts", "/registry", "/account"):
        line = re.search(
            r'<span class="scope-line" id="scope-line">([^<]*)</span>', coordinator.get(path).text
        )
        assert line is not None and zhambyl in line.group(1), path
    admin, _ = as_user("analyst")
    admin.cookies.set("birlik_lang", lang)
    line = re.search(r'id="scope-line">([^<]*)<', admin.get("/stories").text)
    national = {"kk": "бүкіл ел", "ru": "вся страна", "en": "national"}[lang]
    assert line is not None and national in line.group(1)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_search_texts_are_translated(as_user: Client, corpus: dict[str, int], lang: str) -> None:
    client, _ = as_user("administrator")
    client.cookies.set("birlik_lang", lang)
    page = client.get("/stories?q=мәдени").text
    for english_text in ("Documents found", "newest first", "at most", "Export", "stories:"):
        assert english_text not in page, english_text
    assert "search." not in re.sub(r"<[^>]+>", "", page)  # no raw key
