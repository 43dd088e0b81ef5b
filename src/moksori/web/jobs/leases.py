"""Builds and imports on the Redis queue, as the app keeps them: per-job tokens, leases, checkpoints and the
sweep that sends a job again when its worker died or its message was lost.

A job sent to the queue gets a fresh random token; the database keeps only its SHA-256. A worker
presents it to claim the job, which gives it a lease (``job_lease_seconds``) that it renews with
every progress report. Only one worker can hold a lease, so a job never runs twice at once; when
a lease runs out the sweep replaces the token (the old worker's reports are refused from then on)
and sends the job again, and the next worker resumes from the last checkpoint uploaded.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from moksori.web.settings import Settings
from moksori.web.storage.models import Job, JobLease, User


class LeaseRefused(Exception):
    """Why a worker may not (or no longer) work on a job; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


@dataclass(frozen=True)
class Claim:
    job_id: int
    kind: str
    preset: str
    language: str
    resume: bool
    checkpoint_step: int | None
    attempt: int
    lease_seconds: float
    # How an import checks recordings, as the app would.
    asr_check: bool
    max_take_seconds: float


def now() -> datetime:
    return datetime.now(UTC)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def prepare_send(db: Session, job: Job) -> str:
    """A new token for ``job`` (committed before the message goes out, so a quick worker finds it);
    any earlier message for the job is void from now on."""
    token = secrets.token_urlsafe(32)
    lease = db.get(JobLease, job.id)
    if lease is None:
        lease = JobLease(job_id=job.id, attempts=0)
        db.add(lease)
    lease.token_hash, lease.worker, lease.lease_until, lease.sent_at = hash_token(token), None, None, now()
    db.commit()
    return token


def _lease_for(db: Session, job_id: int, token: str) -> JobLease:
    lease = db.get(JobLease, job_id)
    if lease is None or not hmac.compare_digest(lease.token_hash, hash_token(token)):
        raise LeaseRefused(403, "This token is not (or no longer) the job's.")
    return lease


def _busy_leases(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(JobLease).join(Job, Job.id == JobLease.job_id)
                     .where(Job.status.in_(("running", "cancelling")), JobLease.lease_until > now())) or 0


def claim(db: Session, settings: Settings, job_id: int, token: str, worker: str) -> Claim:
    """Give ``worker`` the job's lease, or refuse: 410 when there is nothing left to do, 409 while
    another worker holds it, 503 (try again later) while ``max_concurrent_builds`` run."""
    lease = _lease_for(db, job_id, token)
    job = db.get(Job, job_id)
    if job.status == "cancelling":
        end(db, job, "cancelled")
    if job.status not in ("queued", "running"):
        raise LeaseRefused(410, f"The job is {job.status}.")
    until = now() + timedelta(seconds=settings.job_lease_seconds)
    taken = db.execute(
        update(JobLease)
        .where(JobLease.job_id == job_id, JobLease.token_hash == lease.token_hash,
               (JobLease.lease_until.is_(None)) | (JobLease.lease_until < now()))
        .values(worker=worker, lease_until=until, attempts=JobLease.attempts + 1)
        .execution_options(synchronize_session=False)  # SQLite gives naive times: compare in SQL only
    ).rowcount
    if not taken:
        db.rollback()
        raise LeaseRefused(409, "Another worker is running this job.")
    db.flush()
    if settings.max_concurrent_builds and _busy_leases(db) > settings.max_concurrent_builds - (
            1 if job.status == "queued" else 0):
        db.rollback()
        raise LeaseRefused(503, "As many builds as allowed are running; try again shortly.",
                           retry_after=min(30.0, settings.job_lease_seconds / 2))
    db.refresh(lease)
    job.status, job.resume = "running", lease.checkpoint is not None
    job.started_at = job.started_at or now()
    db.commit()
    language = db.get(User, job.user_id).language
    return Claim(job.id, job.kind, job.preset, language, job.resume, lease.checkpoint_step, lease.attempts,
                 settings.job_lease_seconds, settings.asr_check, settings.max_take_seconds)


def held(db: Session, job_id: int, token: str, worker: str) -> tuple[Job, JobLease]:
    """The job and its lease, if ``worker`` holds it (whatever the clock says: a late report from
    the holder is still welcome until the sweep has given the job to someone else)."""
    lease = _lease_for(db, job_id, token)
    job = db.get(Job, job_id)
    if lease.worker != worker or job.status not in ("running", "cancelling"):
        raise LeaseRefused(409, "This worker no longer holds the job.")
    return job, lease


def report(db: Session, settings: Settings, job_id: int, token: str, worker: str, stage: str, fraction: float,
           eta_s: float | None) -> bool:
    """Progress from the worker, which renews its lease; ``True`` means the user cancelled: stop."""
    job, lease = held(db, job_id, token, worker)
    if job.status == "cancelling":
        end(db, job, "cancelled")
        return True
    lease.lease_until = now() + timedelta(seconds=settings.job_lease_seconds)
    if stage:
        job.stage, job.fraction, job.eta_s = stage, min(max(fraction, 0.0), 1.0), eta_s
    db.commit()
    return False


def fail(db: Session, job_id: int, token: str, worker: str, message: str) -> Job:
    job, _lease = held(db, job_id, token, worker)
    end(db, job, "failed", message=message[:2000])
    return job


def end(db: Session, job: Job, status: str, **values) -> None:
    """Finish ``job`` and release its lease in the same commit: nobody sees a finished job held."""
    job.status, job.finished_at, job.eta_s = status, now(), None
    for name, value in values.items():
        setattr(job, name, value)
    db.execute(update(JobLease).where(JobLease.job_id == job.id).values(worker=None, lease_until=None)
               .execution_options(synchronize_session=False))
    db.commit()


def sweep(db: Session, settings: Settings) -> list[tuple[int, str]]:
    """Jobs to send (again) to the queue, each with its new token: builds whose worker stopped
    renewing its lease (they resume from their checkpoint), jobs queued but not claimed for
    ``job_resend_seconds`` (the message may be lost, e.g. Redis restarted without persistence),
    and jobs queued before the app used the queue. Safe to run in several app processes at once."""
    moment = now()
    expired = db.execute(
        select(Job, JobLease).join(JobLease, JobLease.job_id == Job.id)
        .where(Job.status.in_(("running", "cancelling")), JobLease.lease_until < moment)
    ).all()
    stale = db.execute(
        select(Job, JobLease).join(JobLease, JobLease.job_id == Job.id)
        .where(Job.status == "queued", JobLease.lease_until.is_(None),
               JobLease.sent_at < moment - timedelta(seconds=settings.job_resend_seconds))
    ).all()
    unsent = db.scalars(
        select(Job).outerjoin(JobLease, JobLease.job_id == Job.id)
        .where(Job.status == "queued", JobLease.job_id.is_(None))
    ).all()
    to_send = []
    for job, lease in [*expired, *stale]:
        # Only the process whose update still sees the old token goes on; others skip the job.
        token = secrets.token_urlsafe(32)
        changed = db.execute(
            update(JobLease).where(JobLease.job_id == job.id, JobLease.token_hash == lease.token_hash)
            .values(token_hash=hash_token(token), worker=None, lease_until=None, sent_at=moment)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            continue
        if job.status == "cancelling":
            job.status, job.finished_at, job.eta_s = "cancelled", moment, None
        else:
            job.status, job.resume = "queued", lease.checkpoint is not None
            to_send.append((job.id, token))
    db.commit()
    to_send += [(job.id, prepare_send(db, job)) for job in unsent]
    return to_send
