"""Passwords, login sessions, CSRF and the request dependencies that enforce them.

Sessions are random tokens in an HttpOnly, SameSite=Lax cookie (Secure behind https); the
database keeps only their hash. CSRF uses a double-submit token: a random cookie that pages
repeat in forms (``csrf_token``) and scripts repeat in the ``X-CSRF-Token`` header; a request
from another site cannot read the cookie, so it cannot repeat it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from moksori.web.i18n import _
from moksori.web.storage.models import AuthSession, User

SESSION_COOKIE = "moksori_session"
CSRF_COOKIE = "moksori_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Routes for other apps: they read only an API key from the Authorization header, never a cookie,
# so a forged cross-site request has nothing to ride on.
CSRF_EXEMPT_PREFIXES = ("/v1/",)

SESSION_LIFETIME = timedelta(days=90)

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.db.session() as session:
        yield session


class LoginRequired(Exception):
    """Raised by dependencies; pages answer with a redirect, the API with 401."""


class ConsentRequired(Exception):
    """Raised before any recording or voice work until the user has agreed to what is stored."""


def optional_user(request: Request, db: Session = Depends(get_db)) -> User | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    row = db.scalar(select(AuthSession).where(AuthSession.token_hash == _token_hash(token)))
    if row is None:
        return None
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)  # SQLite
    if datetime.now(UTC) - created > SESSION_LIFETIME:
        db.delete(row)
        db.commit()
        return None
    return db.get(User, row.user_id)


class LoginThrottle:
    """Slows password guessing: after ``limit`` failures for one email, refuse for ``window``.

    Kept in memory: the app runs as one server process, and a restart forgetting it is harmless.
    """

    def __init__(self, limit: int = 5, window: timedelta = timedelta(minutes=10)) -> None:
        self.limit, self.window = limit, window
        self.failures: dict[str, list[datetime]] = {}

    def _recent(self, email: str) -> list[datetime]:
        cutoff = datetime.now(UTC) - self.window
        recent = [t for t in self.failures.get(email, []) if t > cutoff]
        self.failures[email] = recent
        return recent

    def blocked_minutes(self, email: str) -> int:
        """0 when a try is allowed, else the minutes to wait."""
        recent = self._recent(email)
        if len(recent) < self.limit:
            return 0
        return max(1, round((recent[0] + self.window - datetime.now(UTC)).total_seconds() / 60))

    def failed(self, email: str) -> None:
        self._recent(email).append(datetime.now(UTC))

    def succeeded(self, email: str) -> None:
        self.failures.pop(email, None)


def current_user(user: User | None = Depends(optional_user)) -> User:
    if user is None:
        raise LoginRequired()
    return user


def consented_user(user: User = Depends(current_user)) -> User:
    if user.consent_at is None:
        raise ConsentRequired()
    return user


def start_session(db: Session, response: Response, request: Request, user: User) -> None:
    token = secrets.token_urlsafe(32)
    db.add(AuthSession(token_hash=_token_hash(token), user_id=user.id))
    db.commit()
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=_is_https(request),
                        max_age=int(SESSION_LIFETIME.total_seconds()))
    # A fresh CSRF token at login, so one planted before login is useless afterwards.
    set_csrf_cookie(response, request, secrets.token_urlsafe(32))


def end_session(db: Session, response: Response, request: Request) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        row = db.scalar(select(AuthSession).where(AuthSession.token_hash == _token_hash(token)))
        if row:
            db.delete(row)
            db.commit()
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=_is_https(request))


def _is_https(request: Request) -> bool:
    # uvicorn rewrites the scheme from X-Forwarded-Proto for trusted proxies, so this holds behind one.
    return request.url.scheme == "https"


def csrf_token(request: Request) -> str:
    """The token pages embed; made by ``csrf_cookie_middleware`` when the browser has none yet."""
    return request.state.csrf_token


def set_csrf_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_is_https(request))


async def csrf_cookie_middleware(request: Request, call_next):
    existing = request.cookies.get(CSRF_COOKIE)
    request.state.csrf_token = existing or secrets.token_urlsafe(32)
    response = await call_next(request)
    if not existing and CSRF_COOKIE not in response.headers.get("set-cookie", ""):
        set_csrf_cookie(response, request, request.state.csrf_token)
    return response


# Only this server's own files run or load: an injected <script> or a third-party URL does nothing.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "microphone=(self), camera=(), geolocation=()",
}


async def security_headers_middleware(request: Request, call_next):
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: every state-changing request must repeat the CSRF cookie."""
    if request.method in SAFE_METHODS or request.url.path.startswith(CSRF_EXEMPT_PREFIXES):
        return
    expected = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(expected, sent):
        raise HTTPException(403, _("The page's security token is missing or out of date. "
                                   "Reload the page and try again."))
