"""The job queue the worker process runs: claiming, and recovery after a worker died."""

from __future__ import annotations

import pytest

from moksori.web.app import build_app
from moksori.web.jobs.queue import claim_next, requeue_interrupted
from moksori.web.settings import Settings
from moksori.web.storage.models import Job

from .conftest import record


def test_a_job_is_claimed_once_and_a_dead_workers_job_resumes(alice, app, speech):
    for n in range(2):
        record(alice, f"script:{n}", *speech[n])
    job_id = alice.post("/api/builds").json()["id"]
    with app.state.db.session() as first, app.state.db.session() as second:
        assert claim_next(first).id == job_id
        assert claim_next(second) is None
    # The worker died while building: the next worker starts the job again, resuming.
    with app.state.db.session() as db:
        requeue_interrupted(db)
        job = db.get(Job, job_id)
        assert job.status == "queued" and job.resume is True


def test_an_unknown_training_preset_is_refused_at_start(tmp_path, services):
    with pytest.raises(ValueError, match="unknown train preset"):
        build_app(Settings(data_dir=tmp_path, train_preset="huge", run_worker=False), services)
