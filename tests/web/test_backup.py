"""Backup and restore: an instance restored into an empty one holds the same rows and files, and
its users log in and speak as before. Runs on the matrix's database (SQLite or PostgreSQL)."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from sqlalchemy import select

from moksori.web.app import build_app
from moksori.web.storage.backup import BackupError, backup, restore
from moksori.web.storage.db import Database
from moksori.web.storage.models import Base

from .conftest import Client, record, run_next_job
from .databases import database_kind, throwaway_database


def rows(url: str) -> dict[str, list[tuple]]:
    db = Database(url)
    with db.session() as session:
        tables = {name: [tuple(row) for row in session.execute(select(table).order_by(*table.primary_key.columns))]
                  for name, table in Base.metadata.tables.items()}
    db.engine.dispose()
    return tables


def files(folder) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_a_restored_instance_equals_the_original(app, settings, services, alice, speech, tmp_path):
    for n in range(2):
        record(alice, f"script:{n}", *speech[n])
    alice.post("/api/phrases", json={"text": "물 주세요", "category": "기본"})
    alice.post("/api/builds")
    run_next_job(app, settings, services)
    alice.post("/api/speak", json={"text": "안녕 하세요"})

    manifest = backup(settings, tmp_path / "backup")  # while the app is running
    assert manifest["missing_files"] == [] and manifest["rows"]["takes"] == 2 and manifest["rows"]["voices"] == 1
    with pytest.raises(BackupError, match="not empty"):
        backup(settings, tmp_path / "backup")

    with throwaway_database(tmp_path / "restored-db") as url:
        (tmp_path / "restored-db").mkdir(exist_ok=True)
        restored = settings.model_copy(update={"data_dir": tmp_path / "restored", "database_url": url})
        restore(restored, tmp_path / "backup")
        assert rows(url) == rows(settings.sqlalchemy_url)
        assert files(restored.data_dir / "users") == files(settings.data_dir / "users")
        with pytest.raises(BackupError, match="empty"):
            restore(restored, tmp_path / "backup")
        # The restored instance works: Alice logs in and speaks with her voice.
        copy = build_app(restored, services)
        with Client(copy) as client:
            assert client.post("/login", data={"email": "alice@example.com", "password": "correct horse"}
                               ).status_code in (200, 303)
            assert [v["version"] for v in client.get("/api/voices").json()["voices"]] == [1]
            assert client.post("/api/speak", json={"text": "안녕 하세요"}).status_code == 200
        copy.state.db.engine.dispose()


def test_a_backup_refuses_the_other_database_kind(settings, tmp_path, app, alice):
    backup(settings, tmp_path / "backup")
    other = "postgresql+psycopg://nobody@127.0.0.1:1/none" if database_kind() == "sqlite" \
        else f"sqlite:///{tmp_path / 'x.db'}"
    with pytest.raises(BackupError, match="holds a"):
        restore(settings.model_copy(update={"database_url": other, "data_dir": tmp_path / "o"}), tmp_path / "backup")
    shutil.rmtree(tmp_path / "backup")
    with pytest.raises(BackupError, match="not a Moksori backup"):
        restore(settings, tmp_path)
