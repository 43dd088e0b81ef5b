"""Faults of the services around the app: PostgreSQL restarts, Redis restarts (losing its queue),
the disk fills up. Each test runs its own server or mount, so the shared ones are never touched."""

from __future__ import annotations

import time

import pytest

from moksori.web.app import build_app
from moksori.web.jobs.remote import start_worker
from moksori.web.settings import Settings

from .conftest import Client, record, user_files
from .servers import private_postgresql, private_redis, small_disk


def sign_up(app) -> Client:
    client = Client(app, raise_server_exceptions=False)
    client.__enter__()
    client.post("/signup", data={"email": "f@example.com", "password": "correct horse", "language": "ko"})
    client.post("/consent", data={"agree": "yes"})
    return client


def wait_until(check, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_the_app_recovers_when_postgresql_restarts(tmp_path, services):
    with private_postgresql() as server:
        app = build_app(Settings(data_dir=tmp_path / "data", database_url=server.url, run_worker=False,
                                 asr_check=False), services)
        client = sign_up(app)
        phrase = client.post("/api/phrases", json={"text": "물 주세요"}).json()
        server.stop()
        assert client.get("/readyz").status_code == 503
        assert client.get("/api/phrases").status_code >= 500
        server.start()
        # No restart of the app: broken pooled connections are noticed and replaced.
        wait_until(lambda: client.get("/readyz").status_code == 200)
        assert client.get("/api/phrases").json()["phrases"] == [phrase]
        client.__exit__(None, None, None)


def test_no_job_is_lost_when_redis_restarts(tmp_path, database_url, services, speech):
    with private_redis() as redis:
        settings = Settings(data_dir=tmp_path / "data", database_url=database_url, run_worker=False, asr_check=False,
                            min_takes_for_build=2, queue_url=redis.url, job_resend_seconds=2, job_lease_seconds=3)
        app = build_app(settings, services)
        client = sign_up(app)
        for n in range(2):
            record(client, f"script:{n}", *speech[n])
        job_id = client.post("/api/builds").json()["id"]
        assert app.state.dispatcher.queue_length() == 1
        redis.stop()  # no persistence: the message is gone
        assert client.get("/readyz").status_code == 503
        redis.start()
        assert client.get("/readyz").status_code == 200
        wait_until(lambda: app.state.dispatcher.queue_length() == 1)  # sent again by the sweep
        worker = start_worker(app.state.dispatcher.broker, Client(app), services, tmp_path / "worker", "w1")
        try:
            wait_until(lambda: client.get(f"/api/jobs/{job_id}").json()["finished"])
        finally:
            worker.stop()
        assert client.get(f"/api/jobs/{job_id}").json()["status"] == "done"
        client.__exit__(None, None, None)


# libsndfile's write callbacks report the full disk through warnings of their own before the OSError.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_full_disk_gives_a_clear_error_and_loses_nothing(tmp_path, database_url, services, speech):
    with small_disk(tmp_path / "small", "3m") as disk:
        settings = Settings(data_dir=disk / "data", database_url=database_url, run_worker=False, asr_check=False)
        app = build_app(settings, services)
        client = sign_up(app)
        assert record(client, "script:0", *speech[0]).status_code == 200
        kept = user_files(settings, "takes")
        saved = kept[0].read_bytes()
        filler = disk / "filler"
        with filler.open("wb") as out, pytest.raises(OSError):
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        response = record(client, "script:1", *speech[1])
        assert response.status_code == 507 and "disk is full" in response.json()["detail"]
        assert user_files(settings, "takes") == kept and kept[0].read_bytes() == saved  # no half file, old intact
        prompts = client.get("/api/prompts?source=script").json()["prompts"]
        assert [p["take"] is not None for p in prompts[:2]] == [True, False]
        filler.unlink()
        assert record(client, "script:1", *speech[1]).status_code == 200
        client.__exit__(None, None, None)
        app.state.db.engine.dispose()
