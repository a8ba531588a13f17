"""The pages' Jinja environment reads a dict's keys without Jinja's raise-and-catch, and renders
exactly what Jinja's own environment renders (keys, missing keys, a dict's methods, objects)."""

from __future__ import annotations

from types import SimpleNamespace

import jinja2

from birlik.web.templating import PageEnvironment

TEMPLATE = (
    "{{ d.title }}|{{ d.missing is undefined }}|{{ d.items() | list | length }}|{{ d.get('title') }}|"
    "{{ d.keys is callable }}|{{ n.title }}|{{ n.nothing is undefined }}|{{ s.upper() }}|{{ l.0 }}|"
    "{{ o.items }}|{{ d.title | default('—') }}|{{ e.title is undefined }}"
)


class Keyed(dict[str, str]):  # a subclass keeps Jinja's own way
    pass


def test_renders_as_jinja_does() -> None:
    values = {
        "d": {"title": "Мәдени <орталық>", "items": "a key named like a method"},
        "n": SimpleNamespace(title="an attribute"),
        "s": "text",
        "l": ["first"],
        "o": Keyed(items="x"),
        "e": {},
    }
    plain = jinja2.Environment(autoescape=True).from_string(TEMPLATE).render(**values)
    fast = PageEnvironment(autoescape=True).from_string(TEMPLATE).render(**values)
    assert fast == plain
    assert fast.startswith("Мәдени &lt;орталық&gt;|True|2|")


def test_a_dict_key_is_read_without_asking_for_an_attribute() -> None:
    asked: list[str] = []

    def no_attribute(obj: object, name: str) -> object:  # Jinja's path would call getattr first
        asked.append(name)
        raise AttributeError(name)

    env = PageEnvironment()
    fallback = jinja2.Environment.getattr
    try:
        jinja2.Environment.getattr = lambda self, obj, name: no_attribute(obj, name)  # type: ignore[method-assign]
        assert env.from_string("{{ d.title }}").render(d={"title": "x"}) == "x"
    finally:
        jinja2.Environment.getattr = fallback  # type: ignore[method-assign]
    assert asked == []


MACRO = (
    '{% macro marked(text, spans) %}{% set ns = namespace(at=0) %}{% for s, e in spans %}{{ text[ns.at:s] }}'
    '<mark class="hit">{{ text[s:e] }}</mark>{% set ns.at = e %}{% endfor %}{{ text[ns.at:] }}{% endmacro %}'
)


def test_marked_writes_what_the_template_macro_wrote() -> None:
    """The list's matched words, marked by a function as the macro it replaced marked them."""
    import random

    from birlik.web.templating import marked

    rng = random.Random(1)
    macro = jinja2.Environment(autoescape=True).from_string(MACRO + "{{ marked(text, spans) }}")
    for _ in range(300):
        text = "".join(rng.choice("аә<>&\"' bq") for _ in range(rng.randrange(0, 20)))
        cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, 2 * rng.randrange(0, 3))))
        spans = list(zip(cuts[0::2], cuts[1::2], strict=False))
        used = PageEnvironment(autoescape=True).from_string("{{ marked(text, spans) }}")
        used.globals["marked"] = marked
        assert used.render(text=text, spans=spans) == macro.render(text=text, spans=spans), (text, spans)
