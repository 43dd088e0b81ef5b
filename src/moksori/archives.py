"""Checks on a zip (a dataset upload or a ``.voice`` file) made from its directory and the first
bytes of its members, before anything is inflated: a zip bomb or a zip of non-audio is refused
having cost a few kilobytes of reading."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

# Small members (texts, JSON) may compress far better than audio or weights without being a bomb.
RATIO_FREE_BYTES = 1 << 20
# First bytes of the audio formats a dataset zip may carry (WAV, RF64, FLAC).
AUDIO_SIGNATURES = {".wav": (b"RIFF", b"RF64", b"RIFX"), ".flac": (b"fLaC",)}


class ArchiveError(ValueError):
    """The zip is refused; the message says why in plain words. ``code`` and ``params`` let the web
    app word the common refusals in the interface language (the codes of ``moksori.errors``; this
    module sits beside it and may not import it)."""

    def __init__(self, message: str, code: str = "", **params: object) -> None:
        super().__init__(message)
        self.code, self.params = code, params


def check_zip(path: Path, label: str, *, max_members: int, max_bytes: int, max_ratio: float) -> list[zipfile.ZipInfo]:
    """The zip's members once their count, total unpacked size and each member's compression ratio
    are within limits. Python's zip reader stops at a member's declared size and checks its CRC, so
    declared sizes bound what reading can inflate."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ArchiveError(f"{label} is a damaged zip file ({error}).", "damaged_zip") from error
    if len(members) > max_members:
        raise ArchiveError(f"{label} holds {len(members)} files; the limit is {max_members}.", "too_many_files",
                           count=len(members), limit=max_members)
    total = sum(member.file_size for member in members)
    if total > max_bytes:
        raise ArchiveError(f"{label} unpacks to {total / 2**20:.0f} MiB; the limit is {max_bytes / 2**20:.0f} MiB.",
                           "too_large", size=f"{total / 2**20:.0f}", limit=f"{max_bytes / 2**20:.0f}")
    for member in members:
        if member.file_size > RATIO_FREE_BYTES and member.file_size > max_ratio * max(member.compress_size, 1):
            raise ArchiveError(
                f"{label}: {member.filename} would unpack to {member.file_size / 2**20:.0f} MiB from "
                f"{member.compress_size / 2**10:.0f} KiB, far more than recordings or voices compress; refusing it."
            )
    return members


def check_audio_members(path: Path, label: str, members: Iterable[zipfile.ZipInfo]) -> None:
    """Each member named as audio starts like that kind of audio; reads a few bytes of each."""
    with zipfile.ZipFile(path) as archive:
        for member in members:
            signatures = AUDIO_SIGNATURES.get(Path(member.filename).suffix.lower())
            if signatures is None or member.is_dir():
                continue
            try:
                with archive.open(member) as handle:
                    head = handle.read(4)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
                raise ArchiveError(f"{label}: {member.filename} is damaged ({error}).") from error
            if not head.startswith(signatures):
                raise ArchiveError(f"{label}: {member.filename} is not audio (its content is not "
                                   f"{Path(member.filename).suffix.lstrip('.').upper()}); nothing was unpacked.")
