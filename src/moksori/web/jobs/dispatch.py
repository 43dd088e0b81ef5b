"""The app in queue mode (``queue_url`` set): builds are sent to Redis for ``moksori worker``
processes, and a sweep in every server process sends again what a dead worker or a lost message
left behind (see ``leases``)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.orm import Session

from moksori.web.jobs import leases
from moksori.web.jobs.broker import make_broker, queue_length, send_job, worker_count
from moksori.web.settings import Settings
from moksori.web.storage.db import Database
from moksori.web.storage.models import Job

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db
        self.broker = make_broker(settings.queue_url, settings.queue_namespace)

    def send(self, session: Session, job: Job) -> None:
        """Queue ``job`` (committed already). If Redis is unreachable the job stays queued in the
        database and the sweep sends it once Redis is back."""
        token = leases.prepare_send(session, job)
        try:
            send_job(self.broker, job.id, token)
        except Exception:
            log.exception("could not send job %s to the queue; the sweep will retry", job.id)

    def sweep(self) -> int:
        with self.db.session() as session:
            to_send = leases.sweep(session, self.settings)
        for job_id, token in to_send:
            log.info("sending job %s to the queue again", job_id)
            send_job(self.broker, job_id, token)
        return len(to_send)

    async def sweep_forever(self) -> None:
        interval = max(0.5, min(5.0, self.settings.job_lease_seconds / 3))
        while True:
            await asyncio.sleep(interval)
            try:
                await asyncio.to_thread(self.sweep)
            except Exception:  # Redis or the database away for a moment: try at the next round
                log.exception("job sweep failed")

    def queue_length(self) -> int:
        return queue_length(self.broker)

    def worker_count(self) -> int:
        return worker_count(self.broker)

    def close(self) -> None:
        self.broker.close()
