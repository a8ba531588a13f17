"""``birlik alerts list`` as users run it (a real process): titles in the language asked for,
as the alert pages say them; ``--json`` keeps the stored fields and adds ``text``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pytest

from birlik.signals.alerts import record_findings
from birlik.signals.rules import Finding, Targets
from birlik.store.db import make_engine
from birlik.store.repository import Store

BIRLIK = [sys.executable, "-m", "birlik.cli.main", "--quiet"]
STORED_TITLE = "Surge in Zhambyl region: ethnic:uyghur ×5.0 (25)"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('alerts') / 'alerts.db'}"
    done = subprocess.run([*BIRLIK, "init"], env=dict(os.environ, BIRLIK_DATABASE_URL=url),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    finding = Finding(
        kind="surge",
        subject="310000000",
        day=date(2026, 3, 10),
        severity="medium",
        title=STORED_TITLE,
        window_days=3,
        region_kato="310000000",
        metric="ethnic:uyghur",
        details={
            "metrics": [
                {"metric": "ethnic:uyghur", "count": 25.0, "volume": 100.0, "expected": 0.05, "z": 7.1,
                 "ratio": 5.0, "severity": "medium"}
            ]
        },
    )
    engine = make_engine(url)
    with Store(engine).transaction() as session:
        record_findings(session, [finding], lambda _region: Targets())
    engine.dispose()
    return url


def _list(database: str, *args: str) -> str:
    env = dict(os.environ, BIRLIK_DATABASE_URL=database)
    command = [*BIRLIK, "alerts", "list", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((), ("Жамбыл", "күрт өсу", "ұйғыр")),  # kk, like the e-mails, unless asked
        (("--lang", "ru"), ("Жамбыл", "всплеск", "уйгур")),
        (("--lang", "en"), ("Surge in Zhambyl", "Uyghurs")),
    ],
)
def test_the_list_is_titled_in_the_language_asked_for(database: str, args: tuple[str, ...],
                                                      words: tuple[str, ...]) -> None:
    (line,) = _list(database, *args).splitlines()
    assert all(word.lower() in line.lower() for word in words), line
    assert ("ethnic:uyghur" in line) is False and (STORED_TITLE in line) is False


def test_json_keeps_the_stored_fields_and_adds_the_text(database: str) -> None:
    from birlik.resources.gazetteer import load_gazetteer
    from birlik.signals.alert_text import alert_title, why_fired
    from birlik.store.models_signals import AlertRow
    from birlik.web.i18n import Translator
    from birlik.web.messages import say

    for lang in ("kk", "ru", "en"):
        (record,) = [json.loads(line) for line in _list(database, "--json", "--lang", lang).splitlines()]
        assert record["title"] == STORED_TITLE and record["metric"] == "ethnic:uyghur"
        assert record["details"]["metrics"][0]["count"] == 25.0 and record["region_kato"] == "310000000"
        t = Translator(lang)
        row = AlertRow(kind="surge", subject="310000000", region_kato="310000000", metric="ethnic:uyghur",
                       details=record["details"])
        assert record["text"] == {
            "lang": lang,
            "title": say(t, alert_title(row)),
            "severity": t("severity.medium"),
            "region": load_gazetteer().get("310000000").name(lang),  # type: ignore[union-attr]
            "why": [say(t, line) for line in why_fired(row)],
        }
        assert record["text"]["why"]


def test_an_unknown_language_is_refused(database: str) -> None:
    done = subprocess.run([*BIRLIK, "alerts", "list", "--lang", "de"],
                          env=dict(os.environ, BIRLIK_DATABASE_URL=database),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "de" in done.stderr
