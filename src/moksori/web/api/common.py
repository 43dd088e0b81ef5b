"""Helpers shared by the API modules."""

from __future__ import annotations

from typing import TypeVar

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session

from moksori.web.i18n import _
from moksori.web.storage.models import Job, User

Row = TypeVar("Row")


def owned(db: Session, model: type[Row], row_id: int, user: User) -> Row:
    """The row if it exists and belongs to ``user``; otherwise 404, so ids of others leak nothing."""
    row = db.get(model, row_id)
    if row is None or row.user_id != user.id:
        raise HTTPException(404, _("This was not found in your account. It may have been deleted."))
    return row



def start_job(request: Request, db: Session, job: Job) -> None:
    """Hand a queued job (committed) to what runs jobs: the Redis queue, else the embedded worker."""
    if request.app.state.dispatcher:
        request.app.state.dispatcher.send(db, job)
    elif request.app.state.worker:
        request.app.state.worker.ensure_running()
