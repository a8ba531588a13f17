"""The document page explains itself: one colour per signal, nested marks kept (a slur inside a
hate sentence stays marked), a panel with what `birlik explain` prints, Kazakhstan time."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import UTC, datetime

from click.testing import CliRunner
from fastapi.testclient import TestClient

from birlik.cli.context import AppContext
from birlik.cli.explain import explain
from birlik.domain.records import Document, Evidence, Mention, RegionScore, Signal
from birlik.runtime import Runtime
from birlik.settings import Settings
from birlik.signals.explain import Span, nest
from birlik.store.models_stories import StoryMemberRow, StoryRow
from birlik.store.repository import Provenance, Store, add_document
from web.conftest import PAVLODAR, ZHAMBYL

Client = Callable[[str], tuple[TestClient, str]]
SENTENCE = "Бұл шүршіттер бәрін бүлдірді, оларды қуу керек."
TEXT = f"Таразда жиын өтті. {SENTENCE} Әкімдік тыныштыққа шақырды."
START = TEXT.index(SENTENCE)
SLUR = TEXT.index("шүршіттер")


def _add(store: Store, region: str = ZHAMBYL) -> int:
    doc = Document(
        id="ev1",
        text=TEXT,
        title="ev1",
        lang="kk",
        published_at=datetime(2026, 3, 21, 14, 5, tzinfo=UTC),
        regions=[RegionScore(kato=region, confidence=1.0)],
        entities=[
            Mention(start=0, end=6, text="Таразда", type="PLACE", id=ZHAMBYL),
            Mention(
                start=SLUR, end=SLUR + 9, text="шүршіттер", type="ETHNIC_GROUP", id="cn", derogatory=True
            ),
        ],
        signals={
            "hate": Signal(
                name="hate",
                score=0.83,
                evidence=[
                    Evidence(start=START, end=START + len(SENTENCE), text=SENTENCE, reason="hate.expulsion")
                ],
                reasons=["hate.expulsion", "hate.slur"],
            ),
            "tension": Signal(
                name="tension",
                score=0.61,
                labels={"group_target": 0.9, "reconciliation": 0.4, "rumour": 0.0},
                evidence=[
                    Evidence(start=SLUR, end=SLUR + 9, text="шүршіттер", reason="tension.group_target")
                ],
                reasons=["tension.group_target"],
            ),
        },
    )
    with store.transaction() as session:
        row = add_document(session, doc, Provenance(ext_id="ev1", content_hash="e" * 64, outlet="o"))
        session.flush()
        return row.id


def test_nesting_keeps_inner_marks_and_splits_crossing_ones() -> None:
    tokens = nest("abcdefgh", [Span(0, 6, "hate"), Span(2, 4, "slur"), Span(5, 8, "tension")])
    html = "".join(
        f"<{v.kind}>" if op == "open" else f"</{v.kind}>" if op == "close" else v for op, v in tokens
    )
    assert html == "<hate>ab<slur>cd</slur>e<tension>f</tension></hate><tension>gh</tension>"
    opened = [v for op, v in tokens if op == "open"]
    assert sum(1 for op, _ in tokens if op == "close") == len(opened)


def test_nesting_keeps_every_span_on_random_input() -> None:
    rng = random.Random(5)
    text = "".join(rng.choice("абв ") for _ in range(400))
    spans = []
    for _ in range(60):
        start = rng.randrange(0, 390)
        spans.append(
            Span(start, start + rng.randrange(1, 40), rng.choice(["hate", "tension", "slur", "place"]))
        )
    stack: list[Span] = []
    covered: dict[Span, set[int]] = {span: set() for span in spans}
    at = 0
    for op, value in nest(text, spans):
        if op == "open":
            stack.append(value)
        elif op == "close":
            assert stack.pop() == value  # properly nested
        else:
            for span in stack:
                covered[span].update(range(at, at + len(value)))
            at += len(value)
    assert not stack and at == len(text)
    assert all(covered[s] == set(range(s.start, min(s.end, len(text)))) for s in spans if s.end <= len(text))


def test_document_page_colours_nests_and_explains(as_user: Client, store: Store) -> None:
    doc_id = _add(store)
    client, _ = as_user("coordinator")
    page = client.get(f"/documents/{doc_id}").text
    text = page[page.index('id="doctext"') : page.index('id="published"')]
    # one class per signal, none of them the old catch-all
    assert 'class="ev ev-hate"' in text and 'class="ev ev-tension"' in text and "evidence" not in text
    # the slur stays marked inside the hate sentence: opened after it and closed before it ends
    hate_at = text.index('class="ev ev-hate"')
    slur_at = text.index('class="mk mk-slur"')
    assert hate_at < slur_at < text.index("Әкімдік")
    inner = text[text.rindex("<mark", 0, hate_at) : text.index("Әкімдік")]
    assert inner.count("<mark") == inner.count("</mark>") == 3  # hate ⊃ slur ⊃ tension evidence
    # localised tooltips, no raw entity type
    assert 'title="орын"' in text and 'title="place"' not in text
    assert "mk-ethnic_group" in page and "mk-place" in page
    # Kazakhstan time with the zone: 14:05 UTC is 19:05 in Almaty
    assert "21.03.2026 19:05 (Алматы уақыты, UTC+5)" in page
    css = client.get("/static/birlik.css").text
    colours = {
        kind: re.search(rf"mark\.ev-{kind}\{{background:(#[0-9a-f]+)", css)
        for kind in ("tension", "hate", "incident", "toxicity")
    }
    assert all(colours.values()) and len({m.group(1) for m in colours.values() if m}) == 4


def test_panel_shows_what_explain_prints(as_user: Client, store: Store) -> None:
    doc_id = _add(store)
    runtime = Runtime(Settings(database_url="sqlite://", environment="test"), store=store)
    printed = CliRunner().invoke(explain, [str(doc_id)], obj=AppContext(_runtime=runtime)).output
    client, _ = as_user("analyst")
    client.cookies.set("birlik_lang", "en")
    page = client.get(f"/documents/{doc_id}").text
    panel = page[page.index('id="signals"') :]
    for line in printed.splitlines()[1:]:
        name, _, rest = line.strip().partition(": ")
        if name in ("hate", "tension"):  # the headline: score and every reason code
            headline, *reasons = rest.split()
            section = panel[panel.index(f'data-signal="{name}"') :]
            assert f'data-score="{headline}"' in section
            assert all(f'<code class="reason">{code}</code>' in section for code in reasons)
    for component, value in (("group_target", "0.90"), ("reconciliation", "0.40"), ("rumour", "0.00")):
        assert re.search(rf"\*?\s+{component}\s+{value}\s+tension\.{component}", printed)
        row = panel[panel.index(f'data-component="{component}"') :]
        assert f"<td>{value}</td><td><code>tension.{component}</code>" in row
    assert 'class="component moved" data-component="group_target"' in panel
    assert "«<b>шүршіттер</b>»" in panel and "[tension.group_target] …" in printed


def test_document_outside_the_region_is_not_shown(as_user: Client, store: Store) -> None:
    doc_id = _add(store, PAVLODAR)
    client, _ = as_user("coordinator")
    assert client.get(f"/documents/{doc_id}").status_code == 404


def _story_of(store: Store, doc_id: int) -> int:
    with store.transaction() as session:
        day = datetime(2026, 3, 21, tzinfo=UTC)
        story = StoryRow(title="ev1", first_seen=day, last_seen=day, doc_count=1)
        session.add(story)
        session.flush()
        session.add(StoryMemberRow(document_id=doc_id, story_id=story.id, dup_group=doc_id, seen_at=day))
        return story.id


def test_story_page_keeps_the_slur_inside_the_evidence_sentence(as_user: Client, store: Store) -> None:
    """The story page marks its documents as the document page does (one renderer): the slur
    inside the hate sentence is marked there too, each signal in its own class."""
    story_id = _story_of(store, _add(store))
    client, _ = as_user("coordinator")
    page = client.get(f"/stories/{story_id}").text
    text = page[page.index('id="story-columns"') :]
    text = text[text.index('class="doctext"') : text.index("</div>", text.index('class="doctext"'))]
    hate_at = text.index('class="ev ev-hate"')
    slur_at = text.index('class="mk mk-slur"')
    assert hate_at < slur_at < text.index("Әкімдік")
    inner = text[text.rindex("<mark", 0, hate_at) : text.index("Әкімдік")]
    assert inner.count("<mark") == inner.count("</mark>") == 3  # hate ⊃ slur ⊃ tension evidence
    assert 'class="evidence"' not in page and 'title="орын"' in text
    legend = page[page.index('id="story-legend"') :]
    assert "ev-hate" in legend[: legend.index("</ul>")]
    # the API's story keeps its shape (no page-only marks)
    api, _ = as_user("coordinator")
    assert "marks" not in api.get(f"/api/v1/stories/{story_id}").json()["documents"][0]


def test_story_page_of_another_region_is_not_shown(as_user: Client, store: Store) -> None:
    story_id = _story_of(store, _add(store, PAVLODAR))
    client, _ = as_user("coordinator")
    assert client.get(f"/stories/{story_id}").status_code == 404
