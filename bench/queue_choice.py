"""Which Redis job queue for builds: Dramatiq or RQ, measured on what Moksori needs from it.

    .venv/bin/python -m bench.queue_choice            # RQ measured only if installed (pip install rq)

1. Latency: one idle worker process; 20 empty jobs sent one after another; time from send to start.
2. A worker machine dies mid-job: the worker process group is killed (SIGKILL) while a long job
   runs, a second worker is started, and the time until the job starts again on it is measured
   (the library alone, without Moksori's lease sweep), up to a limit.

Uses Redis on 127.0.0.1:6379 db 9 with a random key prefix, removed afterwards.
"""

from __future__ import annotations

import os
import secrets
import signal
import statistics
import subprocess
import sys
import time

import redis

from bench.report import write_section

REDIS_URL = "redis://127.0.0.1:6379/9"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REDELIVERY_LIMIT_S = 150


def record_start(key: str, seconds: float) -> None:
    """The job: note when it started (in Redis), then work for ``seconds``."""
    client = redis.Redis.from_url(REDIS_URL)
    client.rpush(key, time.time())
    time.sleep(seconds)


# --- Dramatiq (the broker settings Moksori uses) -------------------------------------------------

def dramatiq_actor(namespace: str):
    import dramatiq

    from moksori.web.jobs.broker import make_broker

    broker = make_broker(REDIS_URL, namespace)
    return broker, dramatiq.actor(record_start, actor_name="record_start", queue_name="bench", broker=broker,
                                  max_retries=0, time_limit=3_600_000)


def dramatiq_worker(namespace: str) -> None:
    from dramatiq import Worker

    broker, _actor = dramatiq_actor(namespace)
    worker = Worker(broker, worker_threads=1)
    worker.queue_prefetch = 1
    worker.start()
    signal.sigwait({signal.SIGTERM})


class DramatiqQueue:
    name = "Dramatiq 2.2 (Redis broker)"

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.broker, self.actor = dramatiq_actor(namespace)

    def worker(self) -> subprocess.Popen:
        code = f"from bench.queue_choice import dramatiq_worker; dramatiq_worker({self.namespace!r})"
        return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def send(self, key: str, seconds: float) -> None:
        self.actor.send(key, seconds)


class RQQueue:
    name = "RQ 2.12"

    def __init__(self, namespace: str) -> None:
        from rq import Queue

        self.namespace = namespace
        self.queue = Queue(namespace, connection=redis.Redis.from_url(REDIS_URL))

    def worker(self) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "rq.cli", "worker", "--url", REDIS_URL, self.namespace],
                                cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    def send(self, key: str, seconds: float) -> None:
        self.queue.enqueue("bench.queue_choice.record_start", key, seconds, job_timeout=3600)


def wait_starts(client: redis.Redis, key: str, count: int, limit: float) -> list[float]:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        starts = [float(v) for v in client.lrange(key, 0, -1)]
        if len(starts) >= count:
            return starts
        time.sleep(0.02)
    return [float(v) for v in client.lrange(key, 0, -1)]


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def measure(queue_class) -> dict:
    client = redis.Redis.from_url(REDIS_URL)
    namespace = f"bench-queue-{secrets.token_hex(4)}"
    queue = queue_class(namespace)
    try:
        worker = queue.worker()
        time.sleep(3)  # the worker is up
        latencies = []
        for n in range(20):
            key = f"{namespace}:lat{n}"
            sent = time.time()
            queue.send(key, 0.0)
            [started] = wait_starts(client, key, 1, 30)
            latencies.append(started - sent)
        key = f"{namespace}:killed"
        queue.send(key, 600.0)
        wait_starts(client, key, 1, 30)
        stop(worker, signal.SIGKILL)  # the whole machine: worker and any child it forked
        killed_at = time.time()
        second = queue.worker()
        starts = wait_starts(client, key, 2, REDELIVERY_LIMIT_S)
        stop(second)
        return {"median_ms": 1000 * statistics.median(latencies), "max_ms": 1000 * max(latencies),
                "redelivered_s": starts[1] - killed_at if len(starts) > 1 else None}
    finally:
        keys = list(client.scan_iter(f"*{namespace}*"))
        if keys:
            client.delete(*keys)


def main() -> None:
    queues = [DramatiqQueue]
    try:
        import rq  # noqa: F401

        queues.append(RQQueue)
    except ImportError:
        print("rq is not installed: measuring Dramatiq only")
    rows = []
    for queue_class in queues:
        result = measure(queue_class)
        print(queue_class.name, result)
        again = (f"{result['redelivered_s']:.0f} s" if result["redelivered_s"] is not None
                 else f"not within {REDELIVERY_LIMIT_S} s")
        rows.append(f"| {queue_class.name} | {result['median_ms']:.1f} ms | {result['max_ms']:.1f} ms | {again} |")
    body = "\n".join([
        "Loopback Redis; one idle worker process for the latency, 20 empty jobs. Then the worker's process",
        "group is killed (SIGKILL) during a long job and a second worker is started: does the job run again",
        "without help? (Dramatiq with Moksori's broker settings: heartbeat timeout 30 s, maintenance on 2%",
        "of calls.) Moksori does not rely on either: its lease sweep sends the job again after",
        "`MOKSORI_JOB_LEASE_SECONDS` (60 s) in any case.",
        "",
        "| queue | send → start, median | max | killed job runs again after |",
        "|---|---|---|---|",
        *rows,
    ])
    write_section("queue_choice", "Queue libraries", "python -m bench.queue_choice", body)


if __name__ == "__main__":
    main()
