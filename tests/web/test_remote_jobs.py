"""Builds and zip imports on the Redis queue, run by workers that reach the app only over HTTP:
claiming with a per-job token, progress, checkpoints, cancel, a dead worker's job resumed by
another, limits.

The worker side runs in this process against the app through the test client, with the engine
double; ``test_remote_workers.py`` runs real worker processes.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from moksori.web.jobs import leases, remote
from moksori.web.jobs.broker import BUILD_QUEUE
from moksori.web.jobs.remote import AppClient, LeaseLost, run_remote_job, start_worker
from moksori.web.storage.models import Job, JobLease, Take

from .conftest import WebServices, record, wav_bytes
from .databases import throwaway_queue
from .test_studio import zip_bytes


@pytest.fixture
def settings(settings):
    # A lease long enough that a loaded machine's pauses never lose it; the test of a dead worker
    # shortens it to see it run out.
    with throwaway_queue() as (url, namespace):
        yield settings.model_copy(update={"queue_url": url, "queue_namespace": namespace, "job_lease_seconds": 5.0})


class Killed(BaseException):
    """Stands for SIGKILL: leaves ``run_remote_job`` without a word to the app."""


def queued_messages(app) -> list[tuple[int, str]]:
    """``(job id, token)`` of every message waiting in the build queue."""
    broker = app.state.dispatcher.broker
    raw = broker.client.hvals(f"{broker.namespace}:{BUILD_QUEUE}.msgs")
    return sorted(tuple(json.loads(message)["args"]) for message in raw)


def next_message(app, timeout: float = 10.0) -> tuple[int, str]:
    """The message the app's background sweep sends (every half second with these settings)."""
    deadline = time.monotonic() + timeout
    while not (messages := queued_messages(app)):
        assert time.monotonic() < deadline, "the sweep sent nothing"
        time.sleep(0.1)
    [message] = messages
    return message


def worker_http(app) -> TestClient:
    """What a worker machine has: the app's address, no cookies, no CSRF token."""
    return TestClient(app)


def start(client, speech) -> int:
    for n in range(2):
        record(client, f"script:{n}", *speech[n])
    response = client.post("/api/builds")
    assert response.status_code == 200, response.text
    return response.json()["id"]


def test_a_worker_builds_over_http_with_the_jobs_token(app, alice, services, speech, tmp_path):
    job_id = start(alice, speech)
    assert app.state.dispatcher.queue_length() == 1
    [(queued_id, token)] = queued_messages(app)
    assert queued_id == job_id
    seen = []
    services.train_hook = lambda progress: seen.append(alice.get(f"/api/jobs/{job_id}").json()["percent"])
    assert run_remote_job(worker_http(app), services, tmp_path / "w", job_id, token, "w1") == "done"
    job = alice.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "done" and job["take_count"] == 2 and job["percent"] == 100
    assert seen[-1] > 0  # progress reached the page while the worker trained
    [voice] = alice.get("/api/voices").json()["voices"]
    assert voice["id"] == job["voice_id"] and alice.get(voice["sample_url"]).status_code == 200
    assert alice.post("/api/speak", json={"text": "안녕 하세요"}).status_code == 200
    assert not (tmp_path / "w" / "jobs" / str(job_id)).exists()  # the worker cleans up after itself
    # The token is spent with the job.
    with pytest.raises(LeaseLost):
        AppClient(worker_http(app), job_id, token, "w1").claim()


def test_a_token_opens_only_its_own_job(app, alice, bob, speech):
    alice_job = start(alice, speech)
    bob_job = start(bob, speech)
    tokens = dict(queued_messages(app))
    http = worker_http(app)
    assert http.post(f"/worker/jobs/{bob_job}/claim", headers={"X-Moksori-Worker": "w"}).status_code == 401
    wrong = {"Authorization": f"Bearer {tokens[alice_job]}", "X-Moksori-Worker": "w"}
    assert http.post(f"/worker/jobs/{bob_job}/claim", headers=wrong).status_code == 403
    assert http.get(f"/worker/jobs/{bob_job}/dataset", headers=wrong).status_code == 403
    # Claimed with its own token, a job's recordings are readable only by the worker holding it.
    own = {"Authorization": f"Bearer {tokens[alice_job]}", "X-Moksori-Worker": "w"}
    assert http.post(f"/worker/jobs/{alice_job}/claim", headers=own).status_code == 200
    assert http.get(f"/worker/jobs/{alice_job}/dataset", headers={**own, "X-Moksori-Worker": "other"}
                    ).status_code == 409
    assert http.get(f"/worker/jobs/{alice_job}/dataset", headers=own).status_code == 200
    # The worker endpoints are not part of the users' API.
    assert not [path for path in app.openapi()["paths"] if path.startswith("/worker")]


def test_cancel_reaches_the_worker_on_another_machine(app, alice, services, speech, tmp_path):
    job_id = start(alice, speech)
    [(_, token)] = queued_messages(app)
    services.train_hook = lambda progress: alice.post(f"/api/jobs/{job_id}/cancel")
    assert run_remote_job(worker_http(app), services, tmp_path / "w", job_id, token, "w1") == "cancelled"
    assert alice.get(f"/api/jobs/{job_id}").json()["status"] == "cancelled"
    assert alice.get("/api/voices").json()["voices"] == []


def test_a_dead_workers_job_resumes_elsewhere_from_its_uploaded_checkpoint(app, settings, alice, services, speech,
                                                                          tmp_path):
    settings.job_lease_seconds = 3.0  # long enough for the refused claim below on a busy machine
    job_id = start(alice, speech)
    [(_, first_token)] = queued_messages(app)
    app.state.dispatcher.broker.flush(BUILD_QUEUE)
    resumed_from = []

    def train(dataset_dir, out_path, preset, language, progress, resume, workdir, base_voice=None):
        workdir = Path(workdir)
        if resume:  # the second worker starts from what the first uploaded
            resumed_from.append((workdir / "checkpoint.pt").read_bytes())
            return original_train(dataset_dir, out_path, preset, language, progress, resume, workdir, base_voice)
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "phones.json").write_text("{}")
        (workdir / "checkpoint.pt").write_bytes(b"step 10")
        progress("train", 0.5, {"step": 10})
        raise Killed()

    original_train, services.train = services.train, train
    with pytest.raises(Killed):
        run_remote_job(worker_http(app), services, tmp_path / "w1", job_id, first_token, "w1")
    with app.state.db.session() as db:
        lease = db.get(JobLease, job_id)
        assert (lease.checkpoint_step, lease.worker) == (10, "w1")
    # While the lease lasts nobody else may run the job, even with the job's token.
    assert run_remote_job(worker_http(app), services, tmp_path / "w2", job_id, first_token, "w2") == "lost"
    # The lease runs out: the sweep sends the job again with a new token.
    _, second_token = next_message(app)
    assert second_token != first_token
    with pytest.raises(LeaseLost):  # the first worker, had it survived, is fenced off
        AppClient(worker_http(app), job_id, first_token, "w1").report("train", 0.6, None)
    assert run_remote_job(worker_http(app), services, tmp_path / "w2", job_id, second_token, "w2") == "done"
    assert resumed_from == [b"step 10"]
    with app.state.db.session() as db:
        assert db.get(JobLease, job_id).attempts == 2 and db.get(Job, job_id).resume is True
    assert alice.get(f"/api/jobs/{job_id}").json()["status"] == "done"


def test_builds_beyond_the_global_limit_wait(app, settings, alice, bob, speech):
    settings.max_concurrent_builds = 1
    start(alice, speech)
    start(bob, speech)
    http = worker_http(app)
    answers = [http.post(f"/worker/jobs/{job_id}/claim", headers={"Authorization": f"Bearer {token}",
                                                                  "X-Moksori-Worker": f"w{job_id}"})
               for job_id, token in queued_messages(app)]
    assert [a.status_code for a in answers] == [200, 503]
    assert int(answers[1].headers["Retry-After"]) >= 0


def test_one_build_per_user_and_a_lost_message_is_sent_again(app, settings, alice, speech):
    job_id = start(alice, speech)
    assert alice.post("/api/builds").status_code == 409
    app.state.dispatcher.broker.flush(BUILD_QUEUE)  # as if Redis restarted without persistence
    settings.job_resend_seconds = 0.5
    assert next_message(app)[0] == job_id


def test_the_dramatiq_worker_takes_jobs_from_redis(app, alice, services, speech, tmp_path):
    job_id = start(alice, speech)
    worker = start_worker(app.state.dispatcher.broker, worker_http(app), services, tmp_path / "w", "w1")
    try:
        for _ in range(100):
            if alice.get(f"/api/jobs/{job_id}").json()["finished"]:
                break
            time.sleep(0.1)
    finally:
        worker.stop()
    assert alice.get(f"/api/jobs/{job_id}").json()["status"] == "done"
    assert app.state.dispatcher.queue_length() == 0
    with app.state.db.session() as db:
        assert leases.hash_token("x") != db.get(JobLease, job_id).token_hash


def queue_import(app, client, speech) -> tuple[int, str]:
    archive = zip_bytes({"metadata.csv": "a|안녕하세요, 만나서 반갑습니다.\nb|제 이름은 민수예요.\n".encode(),
                         "wavs/a.wav": wav_bytes(*speech[0]), "wavs/b.wav": wav_bytes(*speech[1])})
    job = client.post("/api/uploads", files=[("files", ("takes.zip", archive, "application/zip"))]).json()["job"]
    assert job["kind"] == "import" and job["status"] == "queued"
    return job["id"], dict(queued_messages(app))[job["id"]]


def test_a_zip_import_is_checked_by_a_remote_worker(app, settings, alice, services, speech, tmp_path):
    settings.asr_check = True
    # The app only stores what the worker checked; it runs neither the take checks nor recognition.
    services.check_take = services.text_cer = lambda *args: pytest.fail("the app checked a recording itself")
    job_id, token = queue_import(app, alice, speech)
    assert app.state.worker is None  # with the queue, no embedded worker runs anything
    on_worker = WebServices()
    on_worker.cers = [0.11, 0.22]
    assert run_remote_job(worker_http(app), on_worker, tmp_path / "w", job_id, token, "w1") == "done"
    job = alice.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "done" and job["message"] == "Recordings added: 2 (to record again: 0)."
    assert job["take_count"] == 2 and job["percent"] == 100
    with app.state.db.session() as db:
        assert sorted(take.cer for take in db.scalars(select(Take))) == [0.11, 0.22]
        assert db.get(JobLease, job_id).worker is None
    assert alice.get("/api/progress").json()["script_recorded"] == 1  # matched to the script as before
    assert list(settings.data_dir.glob("users/*/uploads/*")) == []  # the unpacked zip is gone
    assert not (tmp_path / "w" / "jobs" / str(job_id)).exists()
    # The same zip again replaces its takes instead of adding custom sentences twice.
    job_id, token = queue_import(app, alice, speech)
    assert run_remote_job(worker_http(app), on_worker, tmp_path / "w", job_id, token, "w1") == "done"
    assert [p["text"] for p in alice.get("/api/prompts?source=custom").json()["prompts"]] == ["제 이름은 민수예요."]
    with app.state.db.session() as db:
        assert len(db.scalars(select(Take)).all()) == 2


def test_a_cancelled_remote_import_keeps_the_takes_already_sent(app, settings, alice, speech, tmp_path,
                                                                monkeypatch):
    monkeypatch.setattr(remote, "IMPORT_BATCH", 1)
    job_id, token = queue_import(app, alice, speech)
    on_worker = WebServices()
    checked = []

    def check_take(*args):
        checked.append(args)
        if len(checked) == 2:  # the first recording is stored; the user cancels during the second
            alice.post(f"/api/jobs/{job_id}/cancel")
        return []

    on_worker.check_take = check_take
    assert run_remote_job(worker_http(app), on_worker, tmp_path / "w", job_id, token, "w1") == "cancelled"
    assert alice.get(f"/api/jobs/{job_id}").json()["status"] == "cancelled"
    with app.state.db.session() as db:
        assert [take.text for take in db.scalars(select(Take))] == ["안녕하세요, 만나서 반갑습니다."]
    assert list(settings.data_dir.glob("users/*/uploads/*")) == []


def test_a_remote_worker_improves_a_voice_from_the_one_it_downloads(app, alice, services, speech, tmp_path):
    job_id = start(alice, speech)
    assert run_remote_job(worker_http(app), services, tmp_path / "w", job_id, dict(queued_messages(app))[job_id],
                          "w1") == "done"
    [voice] = alice.get("/api/voices").json()["voices"]
    old_voice = alice.get(voice["export_url"]).content
    record(alice, "script:2", *speech[2])
    job = alice.post(f"/api/voices/{voice['id']}/improve").json()
    token = dict(queued_messages(app))[job["id"]]
    assert run_remote_job(worker_http(app), services, tmp_path / "w", job["id"], token, "w1") == "done"
    assert services.base_voices == [None, old_voice]
    [improved] = alice.get("/api/voices").json()["voices"]
    assert improved["version"] == 2 and improved["card"]["utterances"] == 3
    assert alice.get(f"/api/jobs/{job['id']}").json()["voice_id"] == improved["id"]


def test_a_voice_deleted_during_a_remote_improvement_fails_it(app, alice, services, speech, tmp_path):
    job_id = start(alice, speech)
    run_remote_job(worker_http(app), services, tmp_path / "w", job_id, dict(queued_messages(app))[job_id], "w1")
    [voice] = alice.get("/api/voices").json()["voices"]
    record(alice, "script:2", *speech[2])
    job = alice.post(f"/api/voices/{voice['id']}/improve").json()
    services.train_hook = lambda progress: alice.delete(f"/api/voices/{voice['id']}")
    token = dict(queued_messages(app))[job["id"]]
    assert run_remote_job(worker_http(app), services, tmp_path / "w", job["id"], token, "w1") == "lost"
    failed = alice.get(f"/api/jobs/{job['id']}").json()
    assert failed["status"] == "failed" and "deleted" in failed["message"]
    assert alice.get("/api/voices").json()["voices"] == []
