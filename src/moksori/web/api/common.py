"""Helpers shared by the API modules."""

from __future__ import annotations

from typing import TypeVar

from fastapi import HTTPException
from sqlalchemy.orm import Session

from moksori.web.i18n import _
from moksori.web.storage.models import User

Row = TypeVar("Row")


def owned(db: Session, model: type[Row], row_id: int, user: User) -> Row:
    """The row if it exists and belongs to ``user``; otherwise 404, so ids of others leak nothing."""
    row = db.get(model, row_id)
    if row is None or row.user_id != user.id:
        raise HTTPException(404, _("This was not found in your account. It may have been deleted."))
    return row

