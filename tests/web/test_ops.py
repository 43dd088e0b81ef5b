"""Operations: health and readiness, Prometheus metrics, JSON logs."""

from __future__ import annotations

import json
import logging

from prometheus_client.parser import text_string_to_metric_families

from moksori.web.logs import JsonFormatter

from .conftest import record, run_next_job


def samples(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def test_health_and_readiness(alice):
    assert alice.get("/healthz").json() == {"status": "ok"}
    assert alice.get("/readyz").json() == {"status": "ready", "problems": []}


def test_readiness_fails_while_the_database_is_away(app, alice, monkeypatch):
    def broken(*_args, **_kwargs):
        raise ConnectionError("database down")

    monkeypatch.setattr(app.state.db.engine, "connect", broken)
    response = alice.get("/readyz")
    assert response.status_code == 503 and response.json()["problems"] == ["database: ConnectionError"]


def test_metrics_count_requests_speaking_and_jobs(app, settings, services, alice, speech):
    before = samples(alice)
    for n in range(2):
        record(alice, f"script:{n}", *speech[n])
    job_id = alice.post("/api/builds").json()["id"]
    alice.get(f"/api/jobs/{job_id}")
    queued = samples(alice)
    # Requests are counted by route template, not by path (ids would make a series each).
    job_route = ("moksori_http_requests_total", (("method", "GET"), ("route", "/api/jobs/{job_id}"),
                                                 ("status", "200")))
    assert queued[job_route] - before.get(job_route, 0) == 1
    assert queued[("moksori_queue_length", (("kind", "build"),))] == 1
    run_next_job(app, settings, services)
    alice.post("/api/speak", json={"text": "물 주세요"})
    after = samples(alice)
    key = ("moksori_speak_first_chunk_seconds_count", (("source", "voice"),))
    assert after[key] - before.get(key, 0) == 1
    requests = ("moksori_http_requests_total", (("method", "POST"), ("route", "/api/takes"), ("status", "200")))
    assert after[requests] - before.get(requests, 0) == 2
    assert after[("moksori_build_duration_seconds_count", ())] == 1
    assert after[("moksori_jobs", (("kind", "build"), ("status", "done")))] == 1
    assert after[("moksori_workers", ())] == 0  # the tests run no worker process


def test_json_logs_are_one_object_per_line():
    record = logging.LogRecord("moksori.web", logging.WARNING, __file__, 1, "job %s failed", (7,), None)
    record.job_id = 7
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "job 7 failed" and entry["level"] == "warning" and entry["job_id"] == 7
    assert "\n" not in line
