"""The embedded worker: polls the job queue and builds voices with the engine.

Run by the app as ``python -m moksori.web.jobs.worker``, which sends its settings as JSON on
standard input. Training is CPU-bound, so it runs here, niced, and never in the web server process.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from moksori.audio import write_wav
from moksori.web.i18n import DEFAULT_LANGUAGE, _, use_language
from moksori.web.jobs.queue import claim_next, requeue_interrupted
from moksori.web.services import Services
from moksori.web.settings import Settings
from moksori.web.storage.db import Database
from moksori.web.storage.files import JOBS, VOICES, new_name, user_file
from moksori.web.storage.models import Job, Take, User, Voice
from moksori.web.takes import import_recordings, usable

POLL_SECONDS = 1.0
PROGRESS_WRITE_SECONDS = 0.5


class JobCancelled(Exception):
    pass


class ProgressReporter:
    """The engine's ``progress(stage, fraction, info)``: saves stage, percent and ETA for the page,
    and stops the build when the user has cancelled it."""

    def __init__(self, db: Database, job_id: int) -> None:
        self.db, self.job_id = db, job_id
        self.stage, self.stage_started, self.last_write = "", time.monotonic(), 0.0

    def __call__(self, stage: str, fraction: float, info: dict | None = None) -> None:
        now = time.monotonic()
        if stage != self.stage:
            self.stage, self.stage_started, self.last_write = stage, now, 0.0
        if now - self.last_write < PROGRESS_WRITE_SECONDS and fraction < 1.0:
            return
        self.last_write = now
        fraction = min(max(float(fraction), 0.0), 1.0)
        eta = (info or {}).get("eta_s")
        if eta is None and fraction > 0.02:
            eta = (now - self.stage_started) * (1 - fraction) / fraction
        with self.db.session() as session:
            job = session.get(Job, self.job_id)
            if job is None or job.status in ("cancelling", "cancelled"):
                raise JobCancelled()
            job.stage, job.fraction, job.eta_s = stage, fraction, eta
            session.commit()


def card_json(card: Any) -> dict:
    if dataclasses.is_dataclass(card):
        card = dataclasses.asdict(card)
    elif not isinstance(card, dict):
        card = {"description": str(card)}
    return json.loads(json.dumps(card, default=str))


def write_dataset(db: Database, settings: Settings, job: Job, language: str, folder: Path) -> int:
    """The user's usable takes in ``language`` as an LJSpeech-style folder; ``engine.train`` checks
    and prepares it."""
    with db.session() as session:
        query = select(Take).where(Take.user_id == job.user_id, Take.language == language).order_by(Take.id)
        takes = [t for t in session.scalars(query) if usable(t)]
    wavs = folder / "wavs"
    wavs.mkdir(parents=True, exist_ok=True)
    for take in takes:
        shutil.copyfile(user_file(settings, job.user_id, take.file), wavs / f"take{take.id}.wav")
    rows = [f"take{take.id}|{' '.join(take.text.replace('|', ' ').split())}" for take in takes]
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return len(takes)


def sample_sentence(language: str) -> str:
    return "안녕하세요. 제 목소리로 말하고 있어요." if language == "ko" else "Hello. This is my own voice speaking."


def run_job(db: Database, settings: Settings, services: Services, job_id: int) -> None:
    """Run one job; its row ends ``done``, ``failed`` (with the reason) or ``cancelled``."""
    with db.session() as session:
        job = session.get(Job, job_id)
        user = session.get(User, job.user_id)
        # The job's messages (summary, failure, the new voice's name) are read in the owner's language.
        use_language(user.interface_language or DEFAULT_LANGUAGE if user else DEFAULT_LANGUAGE)
    if job.kind == "import":
        run_import(db, settings, services, job)
    else:
        run_build(db, settings, services, job, preview=job.kind == "preview")


def run_import(db: Database, settings: Settings, services: Services, job: Job) -> None:
    """Check and store the recordings of an unpacked zip; takes stored before a cancel are kept."""
    folder = user_file(settings, job.user_id, job.upload)
    progress = ProgressReporter(db, job.id)
    try:
        with db.session() as session:
            user = session.get(User, job.user_id)
            items = [(f"{utt_id} ({path.name})", path, text) for utt_id, path, text in services.recordings_in(folder)]
            result = import_recordings(session, settings, services, user, items,
                                       lambda fraction: progress("checking recordings", fraction, {}))
        shutil.rmtree(folder, ignore_errors=True)  # before "done": whoever sees it done finds no upload left
        with db.session() as session:
            _finish(session, job.id, "done", message=result.summary(), take_count=len(result.takes),
                    fraction=1.0, stage="finished")
    except JobCancelled:
        with db.session() as session:
            _finish(session, job.id, "cancelled")
    except Exception as error:  # the reason is shown to the user in the studio
        with db.session() as session:
            _finish(session, job.id, "failed", message=failure_message(error))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_build(db: Database, settings: Settings, services: Services, job: Job, preview: bool = False) -> None:
    """Build one voice from the user's usable takes, as a new version. A full build replaces any
    preview voice; a preview is marked as one on its card. An "improve" job continues from the
    voice it names and replaces that voice once it is done."""
    with db.session() as session:
        language = session.get(User, job.user_id).language
    workdir = user_file(settings, job.user_id, f"{JOBS}/{job.id}")
    voice_name = new_name(VOICES, ".voice")
    voice_path = user_file(settings, job.user_id, voice_name)
    sample_name = new_name(VOICES, ".wav")
    progress = ProgressReporter(db, job.id)
    try:
        with db.session() as session:
            base_voice = base_voice_file(session, settings, job)
        count = write_dataset(db, settings, job, language, workdir / "dataset")
        if count == 0:
            raise ValueError(_("There are no usable recordings to build from."))
        voice_path.parent.mkdir(parents=True, exist_ok=True)
        services.train(workdir / "dataset", voice_path, job.preset, language, progress, job.resume, workdir / "work",
                       base_voice=base_voice)
        voice_path.chmod(0o600)  # the engine writes voices shareable; here they stay the owner's
        voice = services.voice(voice_path)
        services.forget_voice(voice_path)  # the worker speaks once per voice; the server keeps them loaded
        write_wav(user_file(settings, job.user_id, sample_name), voice.synthesize(sample_sentence(language)),
                  voice.sample_rate)
        card = card_json(voice.card) | ({"preview": True} if preview else {})
        if settings.asr_check:
            progress("checking the voice", 0.0, {})
            card.update(understandability(db, services, job.user_id, language, voice))
        with db.session() as session:
            add_built_voice(session, settings, job.id, job.user_id, voice_name, sample_name, card, count)
        shutil.rmtree(workdir, ignore_errors=True)
    except JobCancelled:
        _discard(voice_path, user_file(settings, job.user_id, sample_name), workdir)
        with db.session() as session:
            _finish(session, job.id, "cancelled")
    except Exception as error:  # the reason is shown to the user on the voices page
        _discard(voice_path, user_file(settings, job.user_id, sample_name), workdir)
        with db.session() as session:
            _finish(session, job.id, "failed", message=failure_message(error))


def base_voice_of(session, job: Job) -> Voice | None:
    """The voice an "improve" job continues from; ``ValueError`` (shown to the user) when it is gone."""
    if job.base_voice_id is None:
        return None
    voice = session.get(Voice, job.base_voice_id)
    if voice is None or voice.user_id != job.user_id:
        raise ValueError(_("The voice to improve was deleted. Build a new voice instead."))
    return voice


def base_voice_file(session, settings: Settings, job: Job) -> Path | None:
    voice = base_voice_of(session, job)
    return user_file(settings, job.user_id, voice.file) if voice else None


# Script sentences the new voice reads aloud to be scored by speech recognition: ones the user has
# not recorded, so the score says how the voice does on text it never learned from.
HELD_OUT_SENTENCES = 3


def understandability(db: Database, services: Services, user_id: int, language: str, voice: Any) -> dict:
    """How much of unseen sentences speech recognition understands in the new voice, beside the same
    figure for the user's own recordings (the recogniser misreads everyone a little)."""
    with db.session() as session:
        takes = list(session.scalars(select(Take).where(Take.user_id == user_id, Take.language == language)))
    recorded = {take.text for take in takes}
    unseen = [p.text for p in services.script(language) if p.text not in recorded][:HELD_OUT_SENTENCES]
    if not unseen:
        return {}
    own = [take.cer for take in takes if take.cer is not None]
    result = {"understood": round(services.understood(voice, unseen, language), 2)}
    if own:
        result["understood_own"] = round(max(0.0, 1.0 - statistics.median(own)), 2)
    return result


def failure_message(error: Exception) -> str:
    """Why a job failed, for the page: the engine's own words follow a sentence in the user's language."""
    reason = str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}"
    return _("It stopped because: %(reason)s", reason=reason)


def add_built_voice(session, settings: Settings, job_id: int, user_id: int, voice_name: str, sample_name: str,
                    card: dict, take_count: int) -> Voice:
    """The next version of the user's voice, from files already in place; the job is done. A preview
    (its card says so) is named as one; a full build replaces every preview voice, and an improved
    voice the voice it continued from (keeping its name). Replaced files are removed after the
    commit (a crash before it leaves orphans, removed at start-up)."""
    preview = bool(card.get("preview"))
    base = base_voice_of(session, session.get(Job, job_id))
    version = (session.scalar(select(func.max(Voice.version)).where(Voice.user_id == user_id)) or 0) + 1
    name = _("Preview voice") if preview else base.name if base else _("Voice %(version)s", version=version)
    row = Voice(user_id=user_id, version=version, name=name, file=voice_name, sample_file=sample_name, card=card)
    session.add(row)
    session.flush()
    replaced = [] if preview else [v for v in session.scalars(select(Voice).where(
        Voice.user_id == user_id, Voice.id != row.id)) if v.card.get("preview") or v is base]
    old_files = [user_file(settings, user_id, f) for v in replaced for f in (v.file, v.sample_file) if f]
    for old in replaced:
        session.delete(old)
    _finish(session, job_id, "done", voice_id=row.id, take_count=take_count, fraction=1.0, stage="finished")
    _discard(*old_files)
    return row


def _discard(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _finish(session, job_id: int, status: str, **values: Any) -> None:
    job = session.get(Job, job_id)
    if job is None:  # the user deleted their data meanwhile
        return
    job.status, job.finished_at, job.eta_s = status, datetime.now(UTC), None
    for name, value in values.items():
        setattr(job, name, value)
    session.commit()


def serve(settings: Settings, services: Services, parent_pid: int) -> None:
    db = Database(settings.sqlalchemy_url)
    with db.session() as session:
        requeue_interrupted(session)
    while os.getppid() == parent_pid:
        with db.session() as session:
            job = claim_next(session)
            job_id = job.id if job else None
        if job_id is None:
            time.sleep(POLL_SECONDS)
        else:
            run_job(db, settings, services, job_id)


if __name__ == "__main__":
    os.nice(10)
    serve(Settings(**json.loads(sys.stdin.read())), Services(), os.getppid())
