"""Every page each role can reach, in Kazakh, Russian and English, speaks that language: no English
words of the interface in kk and ru, and no raw message keys in any of the three.

The walk starts at the landing page and follows the links of every page (one page per route shape,
so a list of a thousand documents costs one visit). What the pages quote from the stored material
(a document's title, an outlet's name) is marked with its own ``lang`` attribute and is not
judged: it is the author's language, not the interface's. Names that are the same in every
language (a user name, an outlet, a council's own name) are marked ``translate="no"``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import lxml.html
import pytest
from fastapi.testclient import TestClient

from birlik.resources.ethnic import load_ethnic_groups
from birlik.resources.gazetteer import load_gazetteer
from birlik.web.app import PACKAGE_DIR

Client = Callable[[str], tuple[TestClient, str]]

ROLES = ("administrator", "analyst", "coordinator", "mediator")
SKIP = re.compile(r"^/(logout|lang/|static/|api/)|\.(csv|xlsx|pdf|docx|png|svg)$|/download|/export")
# words that are the same in every language of the interface: names, formats, units
NEUTRAL = {"birlik", "api", "csv", "xlsx", "pdf", "docx", "html", "json", "kato", "url", "id", "ok", "www"}


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def english_words() -> set[str]:
    """Latin words of four letters or more of the interface's English: its catalogue, and the
    English names of the ethnic groups and regions the pages name."""
    catalogue = json.loads((PACKAGE_DIR / "locales" / "en.json").read_text("utf-8"))
    texts = [re.sub(r"\{[^}]*\}", " ", text) for text in catalogue.values()]
    texts += [group.label for group in load_ethnic_groups()]
    texts += [place.name("en") for place in load_gazetteer().regions()]
    return {w.lower() for text in texts for w in re.findall(r"[A-Za-z]{4,}", text)} - NEUTRAL


def catalogue_keys() -> set[str]:
    """The message keys (a counted message's key without its ``#form``)."""
    keys = json.loads((PACKAGE_DIR / "locales" / "en.json").read_text("utf-8"))
    return {key.partition("#")[0] for key in keys}


def shape(path: str) -> str:
    """/documents/17 and /documents/18 are one page to judge, and so are two filters of a page
    that differ only in their values (the names of the parameters make the shape)."""
    route, _, query = path.partition("?")
    names = sorted({part.split("=")[0] for part in query.split("&") if part})
    return re.sub(r"/\d+(?=/|$)", "/N", route) + ("?" + "&".join(names) if names else "")


def walk(client: TestClient, limit: int = 120) -> Iterator[tuple[str, str]]:
    """(path, html) of every page reachable by links from the landing page."""
    seen: set[str] = set()
    queue = ["/"]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if shape(path) in seen:
            continue
        seen.add(shape(path))
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        yield path, response.text
        for href in lxml.html.fromstring(response.text).xpath("//a/@href"):
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query and "page=" not in parts.query else "")
            if shape(target) not in seen:
                queue.append(target)


def visible_text(html: str) -> str:
    """What a reader sees in the interface's language: scripts, styles and quoted material with
    a language of its own left out; titles, alt texts, placeholders and labels of options kept."""
    root = lxml.html.fromstring(html)
    page_lang = root.get("lang")
    for element in root.xpath("//script|//style|//code|//pre"):
        element.drop_tree()
    for element in root.xpath("//*[@lang]|//*[@translate='no']"):
        if element is not root and (element.get("lang") != page_lang or element.get("translate") == "no"):
            element.drop_tree()
    attributes = root.xpath("//@title|//@alt|//@placeholder|//@aria-label")
    return " ".join([root.text_content(), *map(str, attributes)])


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_speaks_the_readers_language(as_user: Client, role: str, lang: str) -> None:
    client, _ = as_user(role)
    client.cookies.set("birlik_lang", lang)
    english = english_words() if lang != "en" else set()  # in English, only raw keys are a fault
    keys = catalogue_keys()
    problems: list[str] = []
    pages = 0
    for path, html in walk(client):
        pages += 1
        assert f'lang="{lang}"' in html[:300], path
        text = visible_text(html)
        leaked = sorted({w for w in re.findall(r"[A-Za-z]{4,}", text) if w.lower() in english})
        raw = sorted({k for k in re.findall(r"\b[a-z_]+(?:\.[a-z_]+)+\b", text) if k in keys})
        if leaked or raw:
            problems.append(f"{path}: english {leaked[:12]} keys {raw[:6]}")
    assert pages >= 4, f"the walk reached only {pages} pages"
    assert problems == [], "\n".join(problems)
