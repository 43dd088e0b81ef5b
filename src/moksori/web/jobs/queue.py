"""The job queue (rows in ``jobs``) and the worker process the app starts and stops."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from moksori.web.settings import Settings
from moksori.web.storage.models import JOB_ACTIVE, Job


def active_job(db: Session, user_id: int) -> Job | None:
    """Builds and imports run one at a time per user: a build must see a finished set of takes."""
    return db.scalar(select(Job).where(Job.user_id == user_id, Job.status.in_(JOB_ACTIVE)))


def cancel(db: Session, job: Job) -> None:
    """Queued jobs stop at once; a running one is told to stop at its next progress report."""
    if job.status == "queued":
        job.status = "cancelled"
        job.finished_at = datetime.now(UTC)
    elif job.status == "running":
        job.status = "cancelling"
    db.commit()


def claim_next(db: Session) -> Job | None:
    """Take the oldest queued job; the conditional update makes two workers never share one."""
    for job in db.query(Job).filter(Job.status == "queued").order_by(Job.id).limit(5):
        claimed = db.execute(
            update(Job).where(Job.id == job.id, Job.status == "queued")
            .values(status="running", started_at=datetime.now(UTC))
        ).rowcount
        db.commit()
        if claimed:
            db.refresh(job)
            return job
    return None


def requeue_interrupted(db: Session) -> None:
    """Jobs a dead worker left running start again, resuming from their checkpoints."""
    db.execute(update(Job).where(Job.status == "running").values(status="queued", resume=True))
    db.execute(update(Job).where(Job.status == "cancelling")
               .values(status="cancelled", finished_at=datetime.now(UTC)))
    db.commit()


class WorkerProcess:
    """``python -m moksori.web.jobs.worker`` as a child of the app, with the app's settings: it runs
    every job when there is no Redis queue (with one, ``moksori worker`` processes do)."""

    @staticmethod
    def wanted(settings: Settings) -> bool:
        return settings.run_worker and not settings.queue_url

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        # The settings go through a pipe, not the command line: any local user can read a process's
        # arguments (``ps``), and they may hold a database password.
        self.process = subprocess.Popen([sys.executable, "-m", "moksori.web.jobs.worker"], stdin=subprocess.PIPE)
        with self.process.stdin as pipe:
            pipe.write(self.settings.model_dump_json().encode())

    def ensure_running(self) -> None:
        """Start a new worker if the last one died; its unfinished job is resumed."""
        if self.process is None or self.process.poll() is not None:
            self.start()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
