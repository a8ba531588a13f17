"""Every setting is documented in the README (a setting nobody can find does not exist), and
each has a description; a section's fields keep their flat names (``BIRLIK_SECRET_KEY`` is
``settings.web.secret_key``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from birlik.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _fields() -> dict[str, tuple[type[BaseSettings], str]]:
    """``{name: (the class that declares it, name)}``: Settings' own fields and its sections'."""
    out: dict[str, tuple[type[BaseSettings], str]] = {}
    for name, field in Settings.model_fields.items():
        section = field.annotation
        if isinstance(section, type) and issubclass(section, BaseSettings):
            out.update({inner: (section, inner) for inner in section.model_fields})
        else:
            out[name] = (Settings, name)
    return out


FIELDS = _fields()


def test_the_sections_are_read() -> None:
    assert {"secret_key", "web_threads", "web_workers", "smtp_host", "webhook_urls"} <= set(FIELDS)
    assert "web" not in FIELDS and "notifications" not in FIELDS


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_setting_is_in_the_readme(name: str) -> None:
    assert f"BIRLIK_{name.upper()}" in README


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_setting_has_a_description(name: str) -> None:
    owner, field = FIELDS[name]
    assert owner.model_fields[field].description


def test_a_section_field_keeps_its_flat_environment_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIRLIK_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("BIRLIK_WEB_WORKERS", "3")
    monkeypatch.setenv("BIRLIK_SMTP_HOST", "mail.example.kz")
    monkeypatch.setenv("BIRLIK_EMBED_CACHE", "/var/cache/birlik")
    settings = Settings()
    assert settings.web.secret_key == "s" * 40 and settings.web.web_workers == 3
    assert settings.notifications.smtp_host == "mail.example.kz"
    assert settings.embed_cache == Path("/var/cache/birlik")


def test_one_environment_and_one_placeholder_check() -> None:
    """Only the top level has an ``environment``; the sections are checked by Settings."""
    assert all("environment" not in owner.model_fields or owner is Settings for owner, _ in FIELDS.values())
    from birlik.domain.errors import ConfigError

    with pytest.raises(ConfigError, match="E002"):
        Settings(environment="production")
