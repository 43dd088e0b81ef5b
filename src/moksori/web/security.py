"""Passwords, login sessions and CSRF.

Sessions are random tokens in an HttpOnly, SameSite=Lax cookie (Secure behind https); the
database keeps only their hash, when they were made and when they were last used. CSRF has
three layers: a state-changing request from another origin is refused by its ``Origin`` and
``Sec-Fetch-Site`` headers; a logged-in browser must repeat a token that is an HMAC of its own
session cookie under a server key (a cookie planted from another port of the same host cannot
forge it); before login, a random cookie repeated in the form (double submit) is the fallback.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import HTTPException, Request, Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from moksori.files import atomic_write
from moksori.web.i18n import _
from moksori.web.settings import Settings
from moksori.web.storage.models import AuthSession, User

SESSION_COOKIE = "moksori_session"
CSRF_COOKIE = "moksori_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# How often a session's last use is written: often enough for the idle timeout, rarely enough
# that reading pages does not turn into a stream of database writes.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)
# Routes for other apps: they read only an API key from the Authorization header, never a cookie,
# so a forged cross-site request has nothing to ride on. (The worker's /worker sub-app has its own
# bearer token and does not pass through this app's dependencies.)
CSRF_EXEMPT_PREFIXES = ("/v1/",)

_hasher = PasswordHasher()
_dummy_hash: str | None = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_unknown_account(password: str) -> bool:
    """Spend the time a real check takes, so an unknown email answers exactly as slowly as a known
    one with a wrong password; always False."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password(secrets.token_urlsafe(16))
    verify_password(_dummy_hash, password)
    return False


def load_secret_key(settings: Settings) -> bytes:
    """The key that signs CSRF tokens: ``MOKSORI_SECRET_KEY``, else one made once and kept in the
    data folder (readable by the owner only)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = Path(settings.data_dir) / "secret.key"
    if not path.exists():
        with atomic_write(path) as out:
            out.write(secrets.token_hex(32).encode())
    return path.read_bytes().strip()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def session_user(db: Session, token: str, settings: Settings) -> User | None:
    """The user logged in with ``token``, or None when it is unknown, too old or unused too long."""
    row = db.scalar(select(AuthSession).where(AuthSession.token_hash == _token_hash(token)))
    if row is None:
        return None
    now = datetime.now(UTC)
    created, seen = _aware(row.created_at), _aware(row.last_seen_at or row.created_at)
    if (now - created > timedelta(days=settings.session_lifetime_days)
            or now - seen > timedelta(days=settings.session_idle_days)):
        db.delete(row)
        db.commit()
        return None
    if now - seen > LAST_SEEN_RESOLUTION:
        row.last_seen_at = now
        db.commit()
    return db.get(User, row.user_id)


def start_session(db: Session, response: Response, request: Request, user: User) -> None:
    token = secrets.token_urlsafe(32)
    db.add(AuthSession(token_hash=_token_hash(token), user_id=user.id))
    db.commit()
    lifetime = timedelta(days=request.app.state.settings.session_lifetime_days)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=_is_https(request),
                        max_age=int(lifetime.total_seconds()))


def end_session(db: Session, response: Response, request: Request) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        db.execute(delete(AuthSession).where(AuthSession.token_hash == _token_hash(token)))
        db.commit()
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=_is_https(request))


def end_sessions(db: Session, user: User, keep_token: str | None = None) -> int:
    """Log ``user`` out on every browser but the one holding ``keep_token`` (after a password
    change, a reset, or on request); the number of sessions ended."""
    query = delete(AuthSession).where(AuthSession.user_id == user.id)
    if keep_token:
        query = query.where(AuthSession.token_hash != _token_hash(keep_token))
    ended = db.execute(query).rowcount
    db.commit()
    return ended


def _is_https(request: Request) -> bool:
    # uvicorn rewrites the scheme from X-Forwarded-Proto for trusted proxies, so this holds behind one.
    return request.url.scheme == "https"


def session_csrf_token(secret: bytes, session_token: str) -> str:
    return hmac.new(secret, b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token pages embed: bound to the session when there is one, else the double-submit cookie
    (made by ``csrf_cookie_middleware`` when the browser has none yet)."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return session_csrf_token(request.app.state.secret_key, session)
    return request.state.csrf_token


def set_csrf_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_is_https(request))


async def csrf_cookie_middleware(request: Request, call_next):
    existing = request.cookies.get(CSRF_COOKIE)
    request.state.csrf_token = existing or secrets.token_urlsafe(32)
    response = await call_next(request)
    if not existing:
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
    # Everything but the static files is private (recordings, voices, texts, pages naming the
    # user): no browser or proxy cache may keep a copy that outlives "delete all my data".
    if not request.url.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another origin (another site, or
    another port of this host)."""
    site = request.headers.get("sec-fetch-site")
    if site and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.headers.get('host', '')}"


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: a state-changing request must come from this origin and repeat the token."""
    if request.method in SAFE_METHODS or request.url.path.startswith(CSRF_EXEMPT_PREFIXES):
        return
    if not same_origin(request):
        raise HTTPException(403, _("Requests from other sites are refused."))
    session = request.cookies.get(SESSION_COOKIE)
    expected = (session_csrf_token(request.app.state.secret_key, session) if session
                else request.cookies.get(CSRF_COOKIE))
    sent = request.headers.get(CSRF_HEADER)
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(expected, sent):
        raise HTTPException(403, _("The page's security token is missing or out of date. "
                                   "Reload the page and try again."))
