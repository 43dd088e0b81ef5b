"""What the rooms below the web app report, worded in the interface language.

The take checks, the audio decoder and the zip reader speak plain English and say what happened
with a ``code`` (and its numbers in ``params``); this is where those codes become sentences in
the language on screen. An unknown code keeps the room's own English message, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from moksori.web.i18n import _


def _take_problems() -> dict[str, Callable[[Mapping], str]]:
    return {
        "too_short": lambda p: _("The recording is too short. Press record, then read the whole sentence."),
        "clipped": lambda p: _("Too loud: the sound distorted. Move a little away from the microphone."),
        "no_speech": lambda p: _("No speech was heard, or it was far too quiet. Check the microphone and "
                                 "read the sentence aloud."),
        "too_quiet": lambda p: _("Too quiet. Move closer to the microphone or speak up."),
        "noisy": lambda p: _("Background noise is loud. Find a quieter spot."),
        "no_leading_silence": lambda p: _("Speech starts right away: wait a moment after pressing record."),
        "no_trailing_silence": lambda p: _("Speech runs to the very end: wait a moment before stopping."),
        "too_fast": lambda p: _("Much faster than usual for this sentence. Was part of it skipped?"),
        "too_slow": lambda p: _("Much slower than usual for this sentence. Were there long pauses or extra words?"),
        "text_mismatch": lambda p: _("The words heard do not match the sentence. Please read it again."),
    }


def _file_problems() -> dict[str, Callable[[Mapping], str]]:
    return {
        # audio decoding
        "not_audio": lambda p: _("This file is not audio that Moksori can read (try WAV, FLAC, OGG, WebM or MP3)."),
        "damaged": lambda p: _("This audio file is damaged or in a format Moksori cannot read."),
        "empty": lambda p: _("This recording is empty."),
        "too_long": lambda p: _("This recording is %(minutes)s min %(seconds)s s long; one take can be at most "
                                "%(limit)s s. Record or upload one sentence per file.",
                                minutes=p["minutes"], seconds=p["seconds"], limit=f"{p['limit']:g}"),
        # zip uploads
        "too_many_files": lambda p: _("It holds %(count)s files; the limit is %(limit)s.", **p),
        "too_large": lambda p: _("It unpacks to %(size)s MiB; the limit is %(limit)s MiB.", **p),
        "unsafe_path": lambda p: _("It contains an unsafe path (%(path)s), so it was refused.", **p),
        "damaged_zip": lambda p: _("It is a damaged zip file."),
        "no_metadata": lambda p: _("It has no metadata.csv (expected metadata.csv and a wavs folder)."),
        "several_datasets": lambda p: _("It holds several datasets; upload one at a time."),
    }


def take_problem(code: str, english: str) -> str:
    wording = _take_problems().get(code)
    return wording({}) if wording else english


def file_problem(error: Exception) -> str:
    """An ``AudioError`` or ``DatasetError`` in the interface language."""
    wording = _file_problems().get(getattr(error, "code", ""))
    return wording(getattr(error, "params", {})) if wording else str(error)
