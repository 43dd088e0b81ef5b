"""Operations: liveness (``/healthz``), readiness (``/readyz``) and Prometheus metrics (``/metrics``).

Request counts and latencies are counted where they happen (each server process; with several
processes set ``PROMETHEUS_MULTIPROC_DIR``, which ``moksori serve --workers`` does). Job figures
(queue length, build durations, workers) are read from the database and Redis at each scrape, so
every process reports the same values whatever process or machine ran the job.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select, text
from starlette.concurrency import run_in_threadpool

from moksori.web.storage.models import Job

router = APIRouter(tags=["operations"], include_in_schema=False)

REQUESTS = Counter("moksori_http_requests", "HTTP requests answered", ["method", "route", "status"])
REQUEST_SECONDS = Histogram("moksori_http_request_seconds", "Time to the response's first byte", ["route"],
                            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
SPEAK_BUCKETS = (0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10)
SPEAK_FIRST_CHUNK = Histogram("moksori_speak_first_chunk_seconds", "/api/speak: request to first audio chunk",
                              ["source"], buckets=SPEAK_BUCKETS)
SPEAK_TOTAL = Histogram("moksori_speak_total_seconds", "/api/speak: request to last audio chunk", ["source"],
                        buckets=SPEAK_BUCKETS)
BUILD_BUCKETS = (60, 120, 300, 600, 900, 1200, 1800, 3600, 7200)


def timed_speech(chunks: Iterator[bytes], source: str, started: float) -> Iterator[bytes]:
    """``chunks`` as they are, timing the first and the last against ``started`` (perf_counter)."""
    first = True
    for chunk in chunks:
        if first:
            SPEAK_FIRST_CHUNK.labels(source).observe(time.perf_counter() - started)
            first = False
        yield chunk
    SPEAK_TOTAL.labels(source).observe(time.perf_counter() - started)


def route_template(scope) -> str:
    """``/api/jobs/{job_id}`` for ``/api/jobs/7``. Routers included with a prefix know only their own
    part of the template, so the prefix is the part of the path in front of what the route matched."""
    route, path = scope.get("route"), scope["path"]
    template = getattr(route, "path_format", None)
    if template is None:
        return "/static" if path.startswith("/static/") else "other"
    for cut in range(len(path)):
        if path[cut] == "/" and route.path_regex.fullmatch(path[cut:]):
            return path[:cut] + template
    return template


class RequestMetrics:
    """ASGI middleware counting requests by route template (not raw path: ids would explode the
    label set) and timing them to the first byte of the response."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def timed_send(message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                name = route_template(scope)
                REQUEST_SECONDS.labels(name).observe(time.perf_counter() - started)
                REQUESTS.labels(scope["method"], name, str(message["status"])).inc()
            await send(message)

        await self.app(scope, receive, timed_send)


class JobCollector:
    """Queue length, jobs by state, finished builds' durations and live workers, read at scrape time."""

    def __init__(self, state) -> None:
        self.state = state

    def collect(self):
        with self.state.db.session() as db:
            counts = db.execute(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status)).all()
            builds = db.execute(select(Job.started_at, Job.finished_at).where(
                Job.kind == "build", Job.status == "done", Job.started_at.is_not(None))).all()
        jobs = GaugeMetricFamily("moksori_jobs", "Jobs by kind and state", labels=["kind", "status"])
        for kind, status, count in counts:
            jobs.add_metric([kind, status], count)
        yield jobs
        queued = GaugeMetricFamily("moksori_queue_length", "Jobs waiting for a worker", labels=["kind"])
        for kind in ("build", "import"):
            queued.add_metric([kind], sum(c for k, s, c in counts if k == kind and s == "queued"))
        yield queued
        durations = [(finished - started).total_seconds() for started, finished in builds]
        buckets = [(str(bound), sum(d <= bound for d in durations)) for bound in BUILD_BUCKETS]
        histogram = HistogramMetricFamily("moksori_build_duration_seconds", "Finished builds, claim to voice")
        histogram.add_metric([], [*buckets, ("+Inf", len(durations))], sum_value=sum(durations))
        yield histogram
        workers = GaugeMetricFamily("moksori_workers", "Build workers alive")
        dispatcher, embedded = self.state.dispatcher, self.state.worker
        if dispatcher:
            workers.add_metric([], dispatcher.worker_count())
            redis_queue = GaugeMetricFamily("moksori_redis_queue_length", "Messages waiting in the Redis build queue")
            redis_queue.add_metric([], dispatcher.queue_length())
            yield redis_queue
        else:
            workers.add_metric([], int(bool(embedded and embedded.process and embedded.process.poll() is None)))
        yield workers


def _exposition(state) -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    output = generate_latest(registry)
    job_registry = CollectorRegistry()
    job_registry.register(JobCollector(state))
    return output + generate_latest(job_registry)


@router.get("/healthz")
async def healthz() -> dict:
    """The process answers (for restarts by systemd or a container runtime)."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> Response:
    """Ready for traffic: the database (and the Redis queue, when used) answer."""
    state = request.app.state
    problems = await run_in_threadpool(_problems, state)
    body = {"status": "ready" if not problems else "not ready", "problems": problems}
    return JSONResponse(body, status_code=503 if problems else 200)


def _problems(state) -> list[str]:
    problems = []
    try:
        with state.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        problems.append(f"database: {type(error).__name__}")
    if state.dispatcher:
        try:
            state.dispatcher.broker.client.ping()
        except Exception as error:
            problems.append(f"queue: {type(error).__name__}")
    return problems


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    body = await run_in_threadpool(_exposition, request.app.state)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
