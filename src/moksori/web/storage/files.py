"""Files on disk: each user's recordings and voices live under ``<data_dir>/users/<id>/``.

The rule that keeps the database and the disk consistent: write the file (atomically) first,
then commit the row that names it; on failure remove the new file. A crash between the two leaves
only an unreferenced file, which ``remove_orphan_files`` deletes at the next start.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from moksori.audio import write_wav
from moksori.web.settings import Settings
from moksori.web.storage.db import Database
from moksori.web.storage.models import JOB_ACTIVE, CustomSentence, Job, Phrase, Take, Voice

TAKES = "takes"
VOICES = "voices"
UPLOADS = "uploads"  # unpacked zips waiting for their import job
JOBS = "jobs"  # build folders: copies of the takes and the engine's checkpoints


def new_name(folder: str, suffix: str) -> str:
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


def user_file(settings: Settings, user_id: int, name: str) -> Path:
    return settings.user_dir(user_id) / name


def write_take_audio(settings: Settings, user_id: int, samples: np.ndarray, rate: int) -> str:
    name = new_name(TAKES, ".wav")
    write_wav(user_file(settings, user_id, name), samples, rate)
    return name


def save_take(db: Session, settings: Settings, take: Take, samples: np.ndarray) -> Take:
    """Store ``take`` (not yet added) with its audio, replacing the user's earlier take of the prompt."""
    take.file = write_take_audio(settings, take.user_id, samples, take.sample_rate)
    old = db.scalar(select(Take).where(Take.user_id == take.user_id, Take.prompt_key == take.prompt_key))
    old_file = old.file if old else None
    try:
        if old:
            db.delete(old)
            db.flush()
        db.add(take)
        db.commit()
    except BaseException:
        db.rollback()
        user_file(settings, take.user_id, take.file).unlink(missing_ok=True)
        raise
    if old_file:
        user_file(settings, take.user_id, old_file).unlink(missing_ok=True)
    return take


def delete_take(db: Session, settings: Settings, take: Take) -> None:
    """Row first, then file: a crash in between leaves an orphan file, removed at the next start."""
    path = user_file(settings, take.user_id, take.file)
    db.delete(take)
    db.commit()
    path.unlink(missing_ok=True)


def delete_prompt(db: Session, settings: Settings, prompt: CustomSentence | Phrase, prompt_key: str) -> None:
    """A sentence or phrase of the user's own, and its take (``prompt_key``), which no page would list any
    more: the take first, so a crash in between leaves the prompt, which can be deleted again."""
    take = db.scalar(select(Take).where(Take.user_id == prompt.user_id, Take.prompt_key == prompt_key))
    if take:
        delete_take(db, settings, take)
    db.delete(prompt)
    db.commit()


def remove_orphan_files(db: Database, settings: Settings) -> None:
    """Delete recordings, voices, unpacked uploads and build folders that no row (or no
    unfinished job) refers to: what a crash left behind, which may hold copies of recordings."""
    users_root = settings.data_dir / "users"
    if not users_root.is_dir():
        return
    with db.session() as session:
        referenced = {f"{user_id}/{name}" for user_id, name in session.execute(select(Take.user_id, Take.file))}
        for user_id, file, sample in session.execute(select(Voice.user_id, Voice.file, Voice.sample_file)):
            referenced.update({f"{user_id}/{file}", f"{user_id}/{sample}"})
        for job_id, user_id, upload in session.execute(
                select(Job.id, Job.user_id, Job.upload).where(Job.status.in_(JOB_ACTIVE))):
            referenced.update({f"{user_id}/{JOBS}/{job_id}", f"{user_id}/{upload}"})
    for folder in (TAKES, VOICES, UPLOADS, JOBS):
        for path in users_root.glob(f"*/{folder}/*"):
            if f"{path.parent.parent.name}/{folder}/{path.name}" not in referenced:
                shutil.rmtree(path) if path.is_dir() else path.unlink()


def delete_user_files(settings: Settings, user_id: int) -> None:
    shutil.rmtree(settings.user_dir(user_id), ignore_errors=True)
