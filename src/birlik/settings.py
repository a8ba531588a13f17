"""One typed settings object, built at the entry point and passed down.

Every field can be set from the environment with the ``BIRLIK_`` prefix
(``BIRLIK_DATABASE_URL``, ``BIRLIK_BATCH_SIZE``…) or from a ``.env`` file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from birlik.domain.errors import ConfigError

DEV_PSEUDONYM_KEY = "development-only-pseudonym-key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BIRLIK_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        "development", description="Refuses placeholder secrets when set to production."
    )
    database_url: str = Field(
        "sqlite:///birlik.db", description="SQLAlchemy URL: sqlite:///file.db or postgresql+psycopg://…"
    )
    pseudonym_key: str = Field(
        DEV_PSEUDONYM_KEY,
        description="Secret key of the keyed hash that pseudonymises authors of social posts.",
    )
    batch_size: int = Field(64, ge=1, le=10_000, description="Documents per pipeline batch and transaction.")
    max_file_bytes: int = Field(
        64 * 1024 * 1024, ge=1024, description="Larger single documents are refused with a coded error."
    )
    http_timeout: float = Field(20.0, gt=0, description="Seconds before a network request gives up.")
    user_agent: str = Field(
        "Birlik/0.1 (+monitoring of interethnic relations)", description="HTTP User-Agent."
    )
    default_poll_interval: int = Field(900, ge=30, description="Seconds between polls of a feed by default.")
    earliest_date: str = Field(
        "1991-12-16", description="Publication dates before this are flagged, not trusted."
    )
    datasets_dir: Path = Field(
        Path("../shared/datasets"), description="Annotated datasets that `birlik eval` measures on."
    )
    future_tolerance_hours: int = Field(36, ge=0, description="Dates further in the future are flagged.")

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        if self.environment == "production" and self.pseudonym_key == DEV_PSEUDONYM_KEY:
            raise ConfigError(
                "BIRLIK_PSEUDONYM_KEY still has its development value — set a secret of your own "
                "before running in production",
                code="E002",
            )
        return self
