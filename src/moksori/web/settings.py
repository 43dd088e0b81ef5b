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
    # A quick preview voice is offered from this many accepted takes, built with preview_preset.
    min_takes_for_preview: int = 30
    preview_preset: str = "preview"
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
    # The address phones on the home network open (``moksori serve --https`` fills it in).
    phone_url: str = ""

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'moksori.db'}"

    def user_dir(self, user_id: int) -> Path:
        return self.data_dir / "users" / str(user_id)
