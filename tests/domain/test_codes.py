"""The error catalogue: every code defined once, with a fix; every code in the source catalogued
and every catalogued code used; docs/errors.md generated from it.

The failure messages say exactly what to add or remove, so that codes added on other branches
(as ``code="X123"`` literals, the old way) can be reconciled at merge.
"""

from __future__ import annotations

import ast
import pickle
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from birlik.cli.main import cli
from birlik.domain import codes
from birlik.domain.codes import CATALOGUE, PREFIXES, Code
from birlik.domain.errors import BadInput, BirlikError, WebError

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "birlik"
CODES_PY = SRC / "domain" / "codes.py"
CODE = re.compile(r"[A-Z]\d{3}")
BRACKETED = re.compile(r"\[([A-Z]\d{3})\]")


@dataclass
class Scan:
    literals: list[tuple[str, int, str, ast.Call | None]] = field(default_factory=list)
    """(file, line, code, the call it is the ``code=`` of) for every code written as a literal."""
    uses: dict[str, list[str]] = field(default_factory=dict)
    """Every ``codes.X123`` in the source (outside the catalogue), by code."""
    documented: set[tuple[str, str]] = field(default_factory=set)
    """(file, code) for every ``[X123]`` named in a docstring."""


@cache
def scan() -> Scan:
    """One pass over the package's source (outside the catalogue)."""
    found = Scan()
    for path in sorted(SRC.rglob("*.py")):
        if path != CODES_PY:
            _scan_file(str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8")), found)
    return found


def _scan_file(where: str, tree: ast.Module, found: Scan) -> None:
    docs: set[int] = set()  # docstrings, and bare strings documenting a name
    calls: dict[int, ast.Call] = {}
    strings: list[ast.Constant] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            docs.add(id(node.value))
        elif isinstance(node, ast.Call):
            calls.update((id(keyword.value), node) for keyword in node.keywords if keyword.arg == "code")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.search(node.value):
            strings.append(node)
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id == "codes" and CODE.fullmatch(node.attr)):
            found.uses.setdefault(node.attr, []).append(f"{where}:{node.lineno}")
    for node in strings:
        text = str(node.value)
        if id(node) in docs:
            found.documented |= {(where, code_id) for code_id in BRACKETED.findall(text)}
        else:
            for code_id in [text] if CODE.fullmatch(text) else BRACKETED.findall(text):
                found.literals.append((where, node.lineno, code_id, calls.get(id(node))))


def _suggest(code_id: str, call: ast.Call | None) -> str:
    """The catalogue line to add for a code raised by ``call`` (its class, meaning and fix)."""
    cls = "ConfigError"
    meaning, fix = "<what it means>", "<how to fix it>"
    status = None
    if call is not None:
        func = call.func
        cls = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else cls
        if call.args:
            text = ast.unparse(call.args[0]).strip("f'\"")
            meaning, _, fix = text.rpartition(" — ") if " — " in text else (text, "", fix)
        status = next((ast.unparse(k.value) for k in call.keywords if k.arg == "status"), None)
    extra = f", status={status}" if status else ""
    return f'{code_id} = Code("{code_id}", {cls}, "{meaning}", "{fix}"{extra})'


def _definitions() -> list[tuple[str, str, int]]:
    """(name, id, line) of every ``NAME = Code("ID", …)`` in codes.py."""
    tree = ast.parse(CODES_PY.read_text(encoding="utf-8"))
    return [
        (node.targets[0].id, ast.literal_eval(node.value.args[0]), node.lineno)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name) and node.value.func.id == "Code"
        and isinstance(node.targets[0], ast.Name)
    ]


def test_every_code_is_defined_once_under_its_own_name() -> None:
    definitions = _definitions()
    assert len(definitions) == len(CATALOGUE)
    twice = {key: n for key, n in Counter(name for name, _, _ in definitions).items() if n > 1}
    assert not twice, "\n".join(
        f"{name} is defined {n} times in src/birlik/domain/codes.py (lines "
        f"{', '.join(str(line) for other, _, line in definitions if other == name)}) — keep one; "
        "give the other meaning a new, unused code"
        for name, n in twice.items()
    )
    misnamed = [f"line {line}: {name} = Code({code_id!r}, …)" for name, code_id, line in definitions
                if name != code_id]
    assert not misnamed, "a code's name and id differ — make them equal:\n" + "\n".join(misnamed)


def test_no_code_is_written_as_a_literal() -> None:
    literals = scan().literals
    assert not literals, "codes are written as literals; raise through the catalogue instead:\n" + "\n".join(
        f"{where}:{line}: write codes.{code_id} (code=codes.{code_id}, no status=; in text "
        f"{{codes.{code_id}.id}})"
        + ("" if code_id in CATALOGUE else
           f" and add to src/birlik/domain/codes.py:\n    {_suggest(code_id, call)}")
        for where, line, code_id, call in literals
    )


def test_every_code_used_is_catalogued() -> None:
    missing = {code_id: places for code_id, places in scan().uses.items() if code_id not in CATALOGUE}
    assert not missing, "codes used but not catalogued — add to src/birlik/domain/codes.py:\n" + "\n".join(
        f"    {_suggest(code_id, None)}  # used at {', '.join(places)}" for code_id, places in missing.items()
    )


def test_codes_named_in_docstrings_are_catalogued() -> None:
    documented = scan().documented
    stray = sorted(f"{where}: [{code_id}]" for where, code_id in documented if code_id not in CATALOGUE)
    assert not stray, "docstrings name codes the catalogue lacks:\n" + "\n".join(stray)


def test_every_catalogued_code_is_used() -> None:
    unused = sorted(set(CATALOGUE) - set(scan().uses))
    assert not unused, "catalogued but used nowhere — delete from src/birlik/domain/codes.py: " + ", ".join(
        unused
    )


@pytest.mark.parametrize("code", CATALOGUE.values(), ids=list(CATALOGUE))
def test_a_code_says_what_it_means_and_how_to_fix_it(code: Code[BirlikError]) -> None:
    assert CODE.fullmatch(code.id)
    assert code.id[0] in PREFIXES, f"{code.id}: the letter {code.id[0]} is no area in PREFIXES — add it"
    assert issubclass(code.cls, BirlikError)
    assert len(code.meaning.strip()) >= 8, f"{code.id}: say what it means"
    assert len(code.fix.strip()) >= 8 and "TODO" not in code.fix, f"{code.id}: say how to fix it"
    assert 400 <= code.status <= 599


def test_an_error_carries_its_code_status_and_message() -> None:
    error = BadInput("notes.txt is empty — remove it or export it again", code=codes.I011)
    assert (error.code, error.status, error.entry) == ("I011", 422, codes.I011)
    assert str(error) == "[I011] notes.txt is empty — remove it or export it again"
    web = WebError("the comment is empty — write something", code=codes.W142)
    assert (web.code, web.status, web.headers) == ("W142", 422, {})
    assert WebError("too large", code=codes.W143).status == 413


def test_an_error_from_a_worker_process_keeps_its_catalogue_entry() -> None:
    error = pickle.loads(pickle.dumps(BadInput("x — y", code=codes.I011)))
    assert error.entry is codes.I011 and error.code == "I011" and str(error) == "[I011] x — y"


def test_docs_errors_md_is_generated_from_the_catalogue() -> None:
    committed = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert committed == codes.markdown(), (
        "docs/errors.md is stale — run `birlik errors --markdown > docs/errors.md`"
    )


def test_birlik_errors_explains_a_code_and_refuses_an_unknown_one() -> None:
    runner = CliRunner()
    shown = runner.invoke(cli, ["errors", "c012"])
    assert shown.exit_code == 0 and shown.output.startswith("C012  BadInput 422  ")
    assert codes.C012.fix in shown.output
    unknown = runner.invoke(cli, ["errors", "X999"])
    assert unknown.exit_code != 0 and "E014" in str(unknown.exception)
    assert runner.invoke(cli, ["errors", "--markdown"]).output == codes.markdown()
