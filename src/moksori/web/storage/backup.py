"""``moksori backup DIR`` and ``moksori restore DIR``: the database and every user's files.

The database is copied while the app runs: SQLite through its online backup API (a consistent
snapshot even while the app writes), PostgreSQL with ``pg_dump`` (one transaction, so consistent
too). The files are copied after it. Audio is always written before the row that names it is
committed, so every row of the snapshot finds its file unless the file was deleted during the
copy; the backup lists any such file in its manifest. A restore goes into an empty instance of
the same database kind; files no restored row refers to are removed at the app's next start.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url

from moksori.web.settings import Settings
from moksori.web.storage.db import Database
from moksori.web.storage.models import Base, Take, Voice

MANIFEST = "manifest.json"
SQLITE_FILE = "moksori.db"
PG_DUMP_FILE = "database.dump"
FILES = "users"


class BackupError(Exception):
    """A backup or restore that cannot be done, with a message for the operator."""


def _kind(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def _libpq_url(url: str) -> str:
    """``postgresql+psycopg://...`` as pg_dump and pg_restore understand it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip() or result.stdout.strip()}")


def _row_counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {name: session.scalar(select(func.count()).select_from(table))
                for name, table in Base.metadata.tables.items()}


def backup(settings: Settings, dest: Path) -> dict:
    """Write a backup of ``settings``' instance into the empty or new folder ``dest``."""
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty; back up into a new folder")
    dest.mkdir(parents=True, exist_ok=True)
    url = settings.sqlalchemy_url
    kind = _kind(url)
    if kind == "sqlite":
        source = sqlite3.connect(make_url(url).database)
        target = sqlite3.connect(dest / SQLITE_FILE)
        with target:
            source.backup(target)
        source.close()
        target.close()
        snapshot = Database(f"sqlite:///{dest / SQLITE_FILE}")
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dest / PG_DUMP_FILE}",
              _libpq_url(url)])
        snapshot = Database(url)  # counts below are read live: close to, not exactly, the dump's
    users = settings.data_dir / FILES
    if users.is_dir():
        shutil.copytree(users, dest / FILES, ignore=shutil.ignore_patterns("jobs", "uploads"))
    with snapshot.session() as session:
        named = [f"{user_id}/{name}" for user_id, name in session.execute(select(Take.user_id, Take.file))]
        for user_id, file, sample in session.execute(select(Voice.user_id, Voice.file, Voice.sample_file)):
            named += [f"{user_id}/{file}"] + ([f"{user_id}/{sample}"] if sample else [])
        revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    manifest = {
        "format": 1, "database": kind, "created_at": datetime.now(UTC).isoformat(), "schema_revision": revision,
        "rows": _row_counts(snapshot) if kind == "sqlite" else _row_counts(Database(url)),
        "missing_files": sorted(name for name in named if not (dest / FILES / name).is_file()),
    }
    snapshot.engine.dispose()
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def restore(settings: Settings, source: Path) -> dict:
    """Restore the backup in ``source`` into ``settings``' instance, which must be empty."""
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{source} is not a Moksori backup (no {MANIFEST})")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    url = settings.sqlalchemy_url
    kind = _kind(url)
    if manifest["database"] != kind:
        raise BackupError(f"the backup holds a {manifest['database']} database; this instance uses {kind}")
    if (settings.data_dir / FILES).exists() and any((settings.data_dir / FILES).iterdir()):
        raise BackupError(f"{settings.data_dir / FILES} already holds files; restore into an empty instance")
    db = Database(url)
    with db.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    if tables & set(Base.metadata.tables):
        db.engine.dispose()
        raise BackupError("the database already has Moksori tables; restore into an empty database")
    db.engine.dispose()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        target = Path(make_url(url).database)
        shutil.copyfile(source / SQLITE_FILE, target.with_name(target.name + ".restoring"))
        target.with_name(target.name + ".restoring").replace(target)
    else:
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={_libpq_url(url)}",
              str(source / PG_DUMP_FILE)])
    if (source / FILES).is_dir():
        shutil.copytree(source / FILES, settings.data_dir / FILES, dirs_exist_ok=True)
    return manifest
