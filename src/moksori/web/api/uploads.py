"""Upload of existing recordings: a zip (``metadata.csv`` + ``wavs/``) or audio files plus their
texts. Each file becomes a take, checked exactly like one recorded in the studio. A zip may hold
hundreds of recordings, so it is unpacked and validated at once but checked by a worker (the
embedded one, or ``moksori worker`` through the Redis queue), with progress like a build."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from sqlalchemy.orm import Session

from moksori.web import store
from moksori.web.api.common import start_job
from moksori.web.api.deps import AppServices, AppSettings, ConsentedUser, DbSession
from moksori.web.i18n import _
from moksori.web.jobs.queue import active_job
from moksori.web.messages import file_problem
from moksori.web.schemas import JobOut, UploadAdded, UploadQueued
from moksori.web.services import Services
from moksori.web.settings import Settings
from moksori.web.storage.files import UPLOADS, new_name, user_file
from moksori.web.storage.models import User
from moksori.web.takes import import_recordings

router = APIRouter(tags=["studio"])


def parse_texts(texts: str) -> dict[str, str]:
    """``name|text`` lines → ``{name without extension: text}``."""
    rows = {}
    for line in texts.splitlines():
        name, sep, text = line.partition("|")
        if sep and name.strip() and text.strip():
            rows[Path(name.strip()).stem] = text.strip()
    return rows


def queue_zip_import(request: Request, db: Session, settings: Settings, services: Services, user: User, name: str,
                     path: Path) -> UploadQueued:
    if active_job(db, user.id):
        raise HTTPException(409, _("A voice build or another upload is running. Wait for it, then upload again."))
    folder = new_name(UPLOADS, "")
    dest = user_file(settings, user.id, folder)
    try:
        items = services.unpack_zip(path, dest, name, settings)
        if not items:
            raise HTTPException(422, _("%(name)s holds no audio file named in its metadata.csv.", name=name))
    except ValueError as error:  # DatasetError: unsafe paths, bombs, damaged zips, no metadata
        shutil.rmtree(dest, ignore_errors=True)
        raise HTTPException(422, f"{name}: {file_problem(error)}") from error
    except HTTPException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    job = store.queue_job(db, user.id, "import", upload=folder, take_count=len(items))
    start_job(request, db, job)
    return UploadQueued(job=JobOut.of(job))


@router.post("/uploads")
def upload_recordings(request: Request, user: ConsentedUser, db: DbSession, settings: AppSettings,
                      services: AppServices, files: list[UploadFile] = File(),
                      texts: str = Form("")) -> UploadQueued | UploadAdded:
    with tempfile.TemporaryDirectory() as tmp:
        saved = []
        for n, upload in enumerate(files):
            # Each file keeps its own name (in a folder of its own), so any message names what was sent.
            name = Path(upload.filename or "").name[-200:] or f"file-{n + 1}{Path(upload.filename or '').suffix[:10]}"
            path = Path(tmp) / str(n) / name
            path.parent.mkdir()
            with path.open("wb") as out:
                shutil.copyfileobj(upload.file, out)
            saved.append((upload.filename or f"file {n + 1}", path))
        zips = [(name, path) for name, path in saved if zipfile.is_zipfile(path)]
        if zips:
            if len(saved) > 1:
                raise HTTPException(422, _("Upload one zip on its own, or audio files without a zip."))
            return queue_zip_import(request, db, settings, services, user, *zips[0])
        rows = parse_texts(texts)
        missing = [_("%(name)s: no text given (add a line %(line)s)", name=name, line=f"{name}|…")
                   for name, _path in saved if Path(name).stem not in rows]
        result = import_recordings(db, settings, services, user,
                                   [(name, path, rows[Path(name).stem]) for name, path in saved
                                    if Path(name).stem in rows])
    result.errors[:0] = missing
    if not result.takes:
        raise HTTPException(422, _("Nothing was added.") + " " + "; ".join(result.errors))
    return UploadAdded(imported=len(result.takes), flagged=result.flagged, errors=result.errors,
                       summary=result.summary(), takes=result.takes)
