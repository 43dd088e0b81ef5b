"""Upload of existing recordings: a zip (``metadata.csv`` + ``wavs/``) or audio files plus their
texts. Each file becomes a take, checked exactly like one recorded in the studio."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from sqlalchemy.orm import Session

from moksori.audio import AudioError
from moksori.web.api.common import services_of, settings_of
from moksori.web.api.studio import check_and_store, take_json
from moksori.web.audio_input import decode
from moksori.web.security import consented_user, get_db
from moksori.web.services import Prompt, Services
from moksori.web.storage.models import CustomSentence, User

router = APIRouter(tags=["studio"])


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


def parse_texts(texts: str) -> dict[str, str]:
    """``name|text`` lines → ``{name without extension: text}``."""
    rows = {}
    for line in texts.splitlines():
        name, sep, text = line.partition("|")
        if sep and name.strip() and text.strip():
            rows[Path(name.strip()).stem] = text.strip()
    return rows


@router.post("/uploads")
def upload_recordings(request: Request, files: list[UploadFile] = File(), texts: str = Form(""),
                      user: User = Depends(consented_user), db: Session = Depends(get_db)) -> dict:
    settings, services = settings_of(request), services_of(request)
    imported, errors = [], []

    def add(name: str, path: Path, text: str) -> None:
        try:
            samples, rate = decode(path, settings.max_take_seconds)
        except AudioError as error:
            errors.append(f"{name}: {error}")
            return
        prompt = prompt_for_text(db, services, user, text)
        imported.append(take_json(check_and_store(db, settings, services, user, prompt, samples, rate)))

    with tempfile.TemporaryDirectory() as tmp:
        saved = []
        for n, upload in enumerate(files):
            path = Path(tmp) / f"{n}{Path(upload.filename or '').suffix[:10]}"
            with path.open("wb") as out:
                shutil.copyfileobj(upload.file, out)
            saved.append((upload.filename or f"file {n + 1}", path))
        zips = [(name, path) for name, path in saved if zipfile.is_zipfile(path)]
        if zips:
            if len(saved) > 1:
                raise HTTPException(422, "Upload one zip on its own, or audio files without a zip.")
            name, path = zips[0]
            try:
                with services.unpack_recordings(path, settings.max_zip_bytes, settings.max_zip_members) as items:
                    if not items:
                        raise HTTPException(422, f"{name} holds no audio file named in its metadata.csv.")
                    for _id, audio, text in items:
                        add(f"{name}/{audio.name}", audio, text)
            except ValueError as error:  # DatasetError: unsafe paths, bombs, damaged zips
                raise HTTPException(422, str(error)) from error
        else:
            rows = parse_texts(texts)
            for name, path in saved:
                text = rows.get(Path(name).stem)
                if text is None:
                    errors.append(f"{name}: no text given (add a line '{name}|the sentence')")
                else:
                    add(name, path, text)
    if not imported:
        raise HTTPException(422, "Nothing was added. " + "; ".join(errors))
    flagged = sum(1 for take in imported if any(p["severity"] == "error" for p in take["problems"]))
    return {"imported": len(imported), "flagged": flagged, "errors": errors, "takes": imported}
