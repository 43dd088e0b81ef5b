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
    # Delete files no row refers to at start-up; off in the processes of ``serve --workers`` (done once).
    cleanup_at_start: bool = True
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
    # How long the server keeps an idle connection open. Longer than the pause between two sentences:
    # a client that sends just as the server closes its idle connection gets a connection error,
    # which no client retries for a POST (uvicorn's 5 s default made 22 of them at 50 typing users).
    keep_alive_s: float = 75.0
    # Login sessions end this long after logging in, or after this long unused.
    session_lifetime_days: float = 90
    session_idle_days: float = 30
    # Signs the CSRF tokens; empty means a random key kept in <data_dir>/secret.key (0600).
    secret_key: str = ""

    # Scale-out (docs/deploy.md). Empty queue_url: builds and imports run in the embedded worker
    # process (no Redis). redis://host:6379/0: they go to the Redis queue for ``moksori worker``
    # processes, which reach the app over HTTP at the address they are given and need none of its
    # disk; and the per-user limits (requests in flight, login delays) are kept in that Redis, so
    # they hold over all server processes and machines.
    queue_url: str = ""
    queue_namespace: str = "moksori"
    # How many builds may run at once over all workers (0: as many as there are workers).
    max_concurrent_builds: int = 0
    # A worker renews its hold on a job every third of this; a job whose lease ran out (its worker
    # died) is queued again and resumes from the last checkpoint the worker uploaded.
    job_lease_seconds: float = 60.0
    # A queued job nobody claimed for this long is sent again (the queue may have lost it).
    job_resend_seconds: float = 300.0
    # Loaded voices kept per server process, least recently used dropped first.
    voice_cache_mb: int = 1024
    log_format: str = "text"  # "text" or "json" (one object per line)
    # A call's join link works once, for this many minutes after it is made.
    call_link_minutes: int = 30
    # Phone calls over SIP (docs/sip.md): the address the users' SIP lines listen on (empty: every address of
    # this machine), and how many calls one user may dial in any minute (no phone bill run up by a script).
    sip_address: str = ""
    phone_calls_per_minute: int = 5
    # The address phones on the home network open (``moksori serve --https`` fills it in).
    phone_url: str = ""

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'moksori.db'}"

    def user_dir(self, user_id: int) -> Path:
        return self.data_dir / "users" / str(user_id)
