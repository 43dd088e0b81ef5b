"""Private data stays private: not cached by browsers, not readable by other local users, not left
behind in the database's files after "delete all my data", not on the worker's command line."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from moksori.web.app import build_app
from moksori.web.jobs.queue import WorkerProcess
from moksori.web.settings import Settings
from moksori.web.storage.models import Job, User

from .conftest import Client, record, run_next_job, user_files


@pytest.fixture
def database_url() -> str:
    """The app's own SQLite file in its data folder (these tests are about that file), on either run
    of the database matrix."""
    return ""


def test_private_responses_are_never_cached(alice, app, settings, services, speech):
    take = record(alice, "script:0", *speech[0]).json()
    record(alice, "script:1", *speech[1])
    alice.post("/api/builds")
    run_next_job(app, settings, services)
    voice = alice.get("/api/voices").json()["voices"][0]
    for url in (take["audio_url"], voice["sample_url"], voice["export_url"], "/api/phrases", "/talk", "/account"):
        response = alice.get(url)
        assert response.status_code == 200 and response.headers["cache-control"] == "no-store", url
    assert "no-store" not in alice.get("/static/common.js").headers.get("cache-control", "")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_and_folders_are_the_owners_only(alice, app, settings, services, speech):
    record(alice, "script:0", *speech[0])
    record(alice, "script:1", *speech[1])
    alice.post("/api/builds")
    run_next_job(app, settings, services)
    database = settings.data_dir / "moksori.db"
    files = [database, *user_files(settings, "takes"), *user_files(settings, "voices")]
    assert len(files) == 5  # the database, two takes, a voice and its sample
    assert {mode(path) for path in files} == {0o600}
    folders = [settings.data_dir, *(p for p in (settings.data_dir / "users").rglob("*") if p.is_dir())]
    assert {mode(folder) for folder in folders} == {0o700}


def test_deleted_rows_do_not_linger_in_the_database_files(alice, bob, app, settings):
    secret = "비밀 문구 7f3a9c: my bank PIN is 4821"
    assert alice.post("/api/phrases", json={"text": secret}).status_code == 200
    bob.post("/api/phrases", json={"text": "bob keeps this"})
    response = alice.post("/account/delete", data={"password": "correct horse"}, follow_redirects=False)
    assert response.status_code == 303
    # Read while the server still runs: the write-ahead log is where the old pages used to stay.
    for path in settings.data_dir.glob("moksori.db*"):
        assert secret.encode() not in path.read_bytes(), path.name
    assert len(bob.get("/api/phrases").json()["phrases"]) == 1


def test_the_worker_gets_its_settings_without_the_command_line(tmp_path, services):
    settings = Settings(data_dir=tmp_path / "secret-folder-name", run_worker=False, asr_check=False)
    app = build_app(settings, services)
    with Client(app) as alice:  # migrates the database
        alice.post("/signup", data={"email": "alice@example.com", "password": "correct horse"})
        with app.state.db.session() as db:
            user_id = db.scalar(select(User.id))
            db.add(Job(user_id=user_id, status="queued"))  # a build with no takes fails at once
            db.commit()
        worker = WorkerProcess(settings)
        worker.start()
        try:
            deadline = time.monotonic() + 30
            command_line = b""
            while b"moksori.web.jobs.worker" not in command_line:  # until the child has started the worker
                assert time.monotonic() < deadline
                command_line = Path(f"/proc/{worker.process.pid}/cmdline").read_bytes()
            assert b"secret-folder-name" not in command_line and b"data_dir" not in command_line
            deadline = time.monotonic() + 120
            status = "queued"
            while status == "queued" and time.monotonic() < deadline:  # it read the settings and works
                time.sleep(0.5)
                with app.state.db.session() as db:
                    status = db.scalar(select(Job.status))
            assert status in ("running", "failed")
        finally:
            worker.stop()
