"""The request dependencies routes share, as ``Annotated`` aliases: a route names what it needs
(``user: ConsentedUser, db: DbSession``) and FastAPI provides it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from moksori.web.security import consented_user, current_user, get_db, optional_user
from moksori.web.services import Services
from moksori.web.settings import Settings
from moksori.web.storage.models import User


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def services_of(request: Request) -> Services:
    return request.app.state.services


DbSession = Annotated[Session, Depends(get_db)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]  # logged in
ConsentedUser = Annotated[User, Depends(consented_user)]  # logged in and agreed to what is stored
AppSettings = Annotated[Settings, Depends(settings_of)]
AppServices = Annotated[Services, Depends(services_of)]
