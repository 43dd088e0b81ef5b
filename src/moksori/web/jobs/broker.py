"""The Redis queue (Dramatiq) that carries builds to ``moksori worker`` processes.

A message says only which job to run and with which token; the job itself (state, progress, the
recordings, the result) stays with the app, which workers reach over HTTP. So the queue may lose
or repeat a message without harm: the app sends a job again when nobody claimed it or its worker
stopped renewing its lease, and a repeated message finds its job taken or its token replaced.
"""

from __future__ import annotations

import time

from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker

BUILD_QUEUE = "builds"
RUN_JOB = "run_job"
# A worker process writes its name here every few seconds (``worker_count`` reads it).
WORKERS_KEY = "workers"
WORKER_ALIVE_SECONDS = 30


def make_broker(url: str, namespace: str) -> RedisBroker:
    # A dead worker's unacknowledged messages go back to the queue after this many ms without its
    # heartbeat; the app's lease sweep does the same through the database, whichever comes first.
    # Maintenance (which does that requeueing) runs on 2% of Redis calls instead of 0.1%.
    return RedisBroker(url=url, namespace=namespace, heartbeat_timeout=30_000, maintenance_chance=20_000)


def send_job(broker: RedisBroker, job_id: int, token: str) -> None:
    broker.declare_queue(BUILD_QUEUE)
    broker.enqueue(Message(queue_name=BUILD_QUEUE, actor_name=RUN_JOB, args=(job_id, token), kwargs={},
                           options={}))


def queue_length(broker: RedisBroker) -> int:
    return int(broker.client.llen(f"{broker.namespace}:{BUILD_QUEUE}"))


def announce_worker(broker: RedisBroker, name: str) -> None:
    broker.client.zadd(f"{broker.namespace}:{WORKERS_KEY}", {name: time.time()})


def retire_worker(broker: RedisBroker, name: str) -> None:
    broker.client.zrem(f"{broker.namespace}:{WORKERS_KEY}", name)


def worker_count(broker: RedisBroker) -> int:
    return int(broker.client.zcount(f"{broker.namespace}:{WORKERS_KEY}", time.time() - WORKER_ALIVE_SECONDS, "+inf"))
