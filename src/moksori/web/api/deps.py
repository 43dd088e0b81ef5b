"""Dependencies shared by the routes, as ``Annotated`` aliases: the database session, the app's
settings and services, and the logged-in user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from moksori.web.security import SESSION_COOKIE, session_user
from moksori.web.services import Services
from moksori.web.settings import Settings
from moksori.web.storage.models import User


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.db.session() as session:
        yield session


# scope="function": the session (and its pooled connection) is returned when the route returns,
# not when the response has been sent, so a slow download or a stream holds no connection.
DbSession = Annotated[Session, Depends(get_db, scope="function")]


# Row ids in paths: a number the id columns can hold (Integer: 32 bits on PostgreSQL), so anything
# else is a 422, not a driver error.
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def services_of(request: Request) -> Services:
    return request.app.state.services


AppSettings = Annotated[Settings, Depends(settings_of)]
AppServices = Annotated[Services, Depends(services_of)]


class LoginRequired(Exception):
    """Raised by dependencies; pages answer with a redirect, the API with 401."""


class ConsentRequired(Exception):
    """Raised before any recording or voice work until the user has agreed to what is stored."""


def optional_user(request: Request, db: DbSession, settings: AppSettings) -> User | None:
    token = request.cookies.get(SESSION_COOKIE)
    user = session_user(db, token, settings) if token else None
    if user is not None:
        request.app.state.request_budget.remember(token, user.id)
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]


def current_user(user: OptionalUser) -> User:
    if user is None:
        raise LoginRequired()
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def consented_user(user: CurrentUser) -> User:
    if user.consent_at is None:
        raise ConsentRequired()
    return user


ConsentedUser = Annotated[User, Depends(consented_user)]
