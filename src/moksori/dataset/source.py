"""Reading an LJSpeech-style voice dataset from a folder or a zip of one.

Layout: ``metadata.csv`` (``id|text`` or ``id|raw|normalized``, UTF-8) and ``wavs/<id>.wav`` or ``.flac``.
A zip may hold that layout at its top or inside one folder. Zips are extracted to a temporary folder
after checking every entry: no absolute paths, no ``..``, bounded size and file count (zip bombs).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from moksori.errors import PlainError

AUDIO_EXTENSIONS = (".wav", ".flac")
MAX_ZIP_BYTES = 4 * 2**30  # uncompressed; a few hours of 48 kHz 16-bit audio
MAX_ZIP_FILES = 20_000


class DatasetError(PlainError):
    """A dataset that cannot be read at all; the message says why in plain words."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, a metadata row or a take.

    ``severity``: "error" (the item is skipped / should be redone), "warning" (usable, but worth a look),
    "note" (fixed automatically, e.g. stereo mixed down).
    """

    item: str  # utterance id, file name or "metadata.csv:LINE"; "" for a single take
    code: str
    severity: str
    message: str


def parse_metadata(path: Path) -> tuple[dict[str, str], list[Problem]]:
    """Rows of ``metadata.csv`` as ``{id: text}``, plus problems with malformed or duplicate rows.

    With three columns (``id|raw|normalized``) the normalized text is used.
    """
    try:
        content = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise DatasetError(f"{path.name} not found in {path.parent}") from error
    except UnicodeDecodeError as error:
        raise DatasetError(f"{path.name} is not UTF-8 text (byte {error.start})") from error
    rows: dict[str, str] = {}
    problems: list[Problem] = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        fields = line.split("|")
        utt_id = fields[0].strip()
        text = fields[-1].strip() if len(fields) > 1 else ""
        if len(fields) not in (2, 3) or not utt_id:
            problems.append(Problem(where, "bad_row", "error", "row is not 'id|text' or 'id|raw|normalized'"))
        elif not text:
            problems.append(Problem(utt_id, "empty_text", "error", f"row {number} has no text"))
        elif utt_id in rows:
            problems.append(Problem(utt_id, "duplicate_id", "error", f"id appears again on row {number}; first kept"))
        else:
            rows[utt_id] = text
    return rows, problems


def read_metadata(folder: str | Path) -> dict[str, str]:
    """``{id: text}`` from ``folder/metadata.csv`` (malformed rows are left out)."""
    return parse_metadata(Path(folder) / "metadata.csv")[0]


def audio_files(root: Path) -> dict[str, Path]:
    """``{id: path}`` of the audio in ``root/wavs`` (WAV or FLAC)."""
    folder = root / "wavs"
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS}


@contextlib.contextmanager
def open_dataset(path: str | Path) -> Iterator[Path]:
    """Yield the dataset's root folder (the one holding ``metadata.csv``); a zip is extracted safely first."""
    path = Path(path)
    if not path.exists():
        raise DatasetError(f"{path} does not exist")
    if path.is_dir():
        yield _find_root(path, path.name)
        return
    if not zipfile.is_zipfile(path):
        raise DatasetError(f"{path.name} is neither a folder nor a zip file")
    workdir = Path(tempfile.mkdtemp(prefix="moksori-zip-"))
    try:
        extract_zip(path, workdir)
        yield _find_root(workdir, path.name)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def extract_zip(path: Path, dest: Path, max_bytes: int = MAX_ZIP_BYTES, max_files: int = MAX_ZIP_FILES) -> None:
    """Extract ``path`` into ``dest`` after refusing unsafe or oversized archives."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > max_files:
                raise DatasetError(f"{path.name} holds {len(entries)} files; the limit is {max_files}",
                                   "too_many_files", count=len(entries), limit=max_files)
            total = sum(entry.file_size for entry in entries)
            if total > max_bytes:
                raise DatasetError(
                    f"{path.name} unpacks to {total / 2**20:.0f} MiB; the limit is {max_bytes / 2**20:.0f} MiB",
                    "too_large", size=round(total / 2**20), limit=round(max_bytes / 2**20),
                )
            for entry in entries:
                name = PurePosixPath(entry.filename.replace("\\", "/"))
                if name.is_absolute() or ".." in name.parts or ":" in entry.filename:
                    raise DatasetError(f"{path.name} contains an unsafe path {entry.filename!r}; refusing it",
                                       "unsafe_path", path=entry.filename)
            for entry in entries:
                # ZipExtFile stops at the declared size and checks the CRC, so a lying header cannot
                # unpack more than ``total`` bytes.
                archive.extract(entry, dest)
    except zipfile.BadZipFile as error:
        raise DatasetError(f"{path.name} is a damaged zip file: {error}", "damaged_zip") from error


def _find_root(folder: Path, label: str) -> Path:
    if (folder / "metadata.csv").is_file():
        return folder
    nested = [p.parent for p in folder.glob("*/metadata.csv") if not p.parent.name.startswith(("__", "."))]
    if len(nested) == 1:
        return nested[0]
    if not nested:
        raise DatasetError(f"{label} has no metadata.csv (expected 'metadata.csv' and a 'wavs' folder)",
                           "no_metadata")
    raise DatasetError(f"{label} holds several datasets ({', '.join(p.name for p in nested)}); give one",
                       "several_datasets")
