"""Takes: how a recording is checked, judged and stored, for the studio, uploads and imports."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from moksori.audio import AudioError
from moksori.audio.decode import decode
from moksori.web.i18n import _
from moksori.web.messages import file_problem
from moksori.web.schemas import TakeOut
from moksori.web.services import Prompt, Services
from moksori.web.settings import Settings
from moksori.web.storage.files import save_take
from moksori.web.storage.models import CustomSentence, Take, User

# A take is flagged by the text-match check when its character error rate is this far above
# the speaker's own median: vosk's small Korean model misreads every voice somewhat, so only the
# outliers of one person's takes mean "you read something else".
CER_MARGIN = 0.25
CER_MIN_HISTORY = 5


def cer_outlier(cer: float, history: list[float]) -> bool:
    if len(history) < CER_MIN_HISTORY:
        return False
    median = statistics.median(history)
    return cer > max(2 * median, median + CER_MARGIN)


def usable(take: Take) -> bool:
    """A take goes into a build unless a check said "record again" and the user did not keep it anyway."""
    return take.kept or not any(p.get("severity", "error") == "error" for p in take.problems)


@dataclass(frozen=True)
class Checked:
    """What the checks found in one recording, before it is stored: the CPU-heavy part of taking a
    recording in, which a remote worker may do (``problems`` as stored, ``cer`` when asked for)."""

    problems: list[dict[str, str]]
    cer: float | None


def check_recording(services: Services, samples: np.ndarray, rate: int, text: str, language: str,
                    asr_check: bool) -> Checked:
    problems = services.check_take(samples, rate, text, language)
    cer = services.text_cer(samples, rate, text, language) if asr_check and language == "ko" else None
    return Checked([{"code": p.code, "message": p.message, "severity": p.severity} for p in problems], cer)


def store_checked(db: Session, settings: Settings, user: User, prompt: Prompt, samples: np.ndarray, rate: int,
                  checked: Checked) -> Take:
    """Store a checked take of ``prompt`` (replacing an earlier take). The text-match verdict is
    given here, against the user's takes stored so far."""
    problems = list(checked.problems)
    if checked.cer is not None:
        history = list(db.scalars(select(Take.cer).where(
            Take.user_id == user.id, Take.cer.is_not(None), Take.prompt_key != prompt.key)))
        if cer_outlier(checked.cer, history):
            problems.append({"code": "text_mismatch", "severity": "error",
                             "message": "The words heard do not match the sentence. Please read it again."})
    take = Take(user_id=user.id, prompt_key=prompt.key, text=prompt.text, language=user.language, sample_rate=rate,
                duration_s=samples.size / rate, cer=checked.cer, problems=problems)
    return save_take(db, settings, take, samples)


def check_and_store(db: Session, settings: Settings, services: Services, user: User, prompt: Prompt,
                    samples: np.ndarray, rate: int) -> Take:
    """Run every check on a take of ``prompt`` and store it (replacing an earlier take) with its problems."""
    checked = check_recording(services, samples, rate, prompt.text, user.language, settings.asr_check)
    return store_checked(db, settings, user, prompt, samples, rate, checked)


def prompt_for_text(db: Session, services: Services, user: User, text: str) -> Prompt:
    """The script prompt with this text, else the user's custom sentence with it (made if new), so
    uploads fill the progress and the same recordings uploaded again replace their takes."""
    text = " ".join(text.split())
    for prompt in services.script(user.language):
        if prompt.text == text:
            return prompt
    sentence = db.scalar(select(CustomSentence).where(CustomSentence.user_id == user.id, CustomSentence.text == text)
                         .order_by(CustomSentence.id).limit(1))
    if sentence is None:
        sentence = CustomSentence(user_id=user.id, text=text)
        db.add(sentence)
        db.commit()
    return Prompt(f"custom:{sentence.id}", text, "custom")


@dataclass
class ImportResult:
    takes: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> int:
        return sum(1 for take in self.takes if any(p["severity"] == "error" for p in take["problems"]))

    def summary(self) -> str:
        return import_summary(len(self.takes), self.flagged, self.errors)


def import_summary(added: int, flagged: int, errors: list[str]) -> str:
    text = _("Recordings added: %(added)s (to record again: %(flagged)s).", added=added, flagged=flagged)
    return text + (" " + _("Not added: %(errors)s", errors="; ".join(errors)) if errors else "")


def store_prepared(db: Session, settings: Settings, services: Services, user: User, name: str, path: Path,
                   text: str, checked: Checked | None, result: ImportResult) -> None:
    """One recording of an import into ``result``: decoded (an unreadable file is reported by name),
    checked here unless ``checked`` says what the checks found elsewhere, and stored."""
    try:
        samples, rate = decode(path, settings.max_take_seconds)
    except AudioError as error:
        result.errors.append(f"{name}: {file_problem(error)}")
        return
    prompt = prompt_for_text(db, services, user, text)
    if checked is None:
        checked = check_recording(services, samples, rate, prompt.text, user.language, settings.asr_check)
    result.takes.append(TakeOut.of(store_checked(db, settings, user, prompt, samples, rate, checked)).model_dump())


def import_recordings(db: Session, settings: Settings, services: Services, user: User,
                      items: Iterable[tuple[str, Path, str]], progress: Callable[[float], None] | None = None,
                      ) -> ImportResult:
    """Check and store ``(name, audio path, text)`` items like studio takes; unusable files are
    reported by name and skipped, the others are kept."""
    items = list(items)
    result = ImportResult()
    for n, (name, path, text) in enumerate(items):
        store_prepared(db, settings, services, user, name, path, text, None, result)
        if progress:
            progress((n + 1) / len(items))
    return result
