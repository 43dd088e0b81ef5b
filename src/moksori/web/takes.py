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
from moksori.web.services import Problem, Prompt, Services
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


def check_and_store(db: Session, settings: Settings, services: Services, user: User, prompt: Prompt,
                    samples: np.ndarray, rate: int) -> Take:
    """Run every check on a take of ``prompt`` and store it (replacing an earlier take) with its problems."""
    problems = services.check_take(samples, rate, prompt.text, user.language)
    cer = None
    if settings.asr_check and user.language == "ko":
        cer = services.text_cer(samples, rate, prompt.text, user.language)
        history = list(db.scalars(select(Take.cer).where(
            Take.user_id == user.id, Take.cer.is_not(None), Take.prompt_key != prompt.key)))
        if cer_outlier(cer, history):
            problems.append(Problem("text_mismatch", "The words heard do not match the sentence. Please read it again."))
    take = Take(user_id=user.id, prompt_key=prompt.key, text=prompt.text, language=user.language, sample_rate=rate,
                duration_s=samples.size / rate, cer=cer,
                problems=[{"code": p.code, "message": p.message, "severity": p.severity} for p in problems])
    return save_take(db, settings, take, samples)


def prompt_for_text(db: Session, services: Services, user: User, text: str) -> Prompt:
    """The script prompt with this text, else a new custom sentence, so uploads fill the progress."""
    text = " ".join(text.split())
    for prompt in services.script(user.language):
        if prompt.text == text:
            return prompt
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
        text = _("Recordings added: %(added)s (to record again: %(flagged)s).", added=len(self.takes),
                 flagged=self.flagged)
        return text + (" " + _("Not added: %(errors)s", errors="; ".join(self.errors)) if self.errors else "")


def import_recordings(db: Session, settings: Settings, services: Services, user: User,
                      items: Iterable[tuple[str, Path, str]], progress: Callable[[float], None] | None = None,
                      ) -> ImportResult:
    """Check and store ``(name, audio path, text)`` items like studio takes; unusable files are
    reported by name and skipped, the others are kept."""
    items = list(items)
    result = ImportResult()
    for n, (name, path, text) in enumerate(items):
        try:
            samples, rate = decode(path, settings.max_take_seconds)
        except AudioError as error:
            result.errors.append(f"{name}: {file_problem(error)}")
        else:
            prompt = prompt_for_text(db, services, user, text)
            result.takes.append(TakeOut.of(check_and_store(db, settings, services, user, prompt, samples, rate)).model_dump())
        if progress:
            progress((n + 1) / len(items))
    return result
