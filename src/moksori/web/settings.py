"""App settings: embedded defaults (SQLite and files under the Moksori home), overridable by
``MOKSORI_*`` environment variables or by arguments to ``Settings(...)``."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from moksori.paths import home_dir


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MOKSORI_", extra="ignore")

    data_dir: Path = Field(default_factory=home_dir)
    # Empty means SQLite in data_dir; PostgreSQL works with e.g. postgresql+psycopg://user@host/db.
    database_url: str = ""
    # The build button unlocks at this many accepted takes; tiny values are for tests and demos.
    min_takes_for_build: int = 100
    # Name of a TrainConfig preset understood by the engine bridge ("default" or "tiny").
    train_preset: str = "default"
    run_worker: bool = True
    # Korean text-match check with vosk; costs ~1 s of loading and 550 MB once per process.
    asr_check: bool = True
    max_take_seconds: float = 30.0
    max_upload_bytes: int = 300 * 1024 * 1024
    max_zip_members: int = 2000
    max_zip_bytes: int = 1024 * 1024 * 1024
    max_speak_chars: int = 1000
    # Zip and .voice members: a member may unpack to at most this many times its packed size (real
    # recordings and weights barely compress; a zip bomb compresses a thousandfold).
    max_zip_ratio: float = 20.0
    max_voice_bytes: int = 256 * 1024 * 1024
    # Request handling. The pool is sized for the thread pool; a request that cannot get a
    # connection within the timeout is answered 503 at once instead of hanging.
    db_pool_size: int = 10
    db_pool_overflow: int = 10
    db_pool_timeout_s: float = 3.0
    # One user's (or one address's, before logging in) requests and progress streams in flight;
    # more are answered 429 with Retry-After, so one runaway tab cannot starve anyone else.
    max_requests_per_user: int = 16
    max_streams_per_user: int = 4
    # Login sessions end this long after logging in, or after this long unused.
    session_lifetime_days: float = 90
    session_idle_days: float = 30
    # Signs the CSRF tokens; empty means a random key kept in <data_dir>/secret.key (0600).
    secret_key: str = ""

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'moksori.db'}"

    def user_dir(self, user_id: int) -> Path:
        return self.data_dir / "users" / str(user_id)
