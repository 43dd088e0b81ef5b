"""Server-rendered pages (Jinja2, autoescaped) and the account forms behind them."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import anyio.from_thread
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from moksori.web.accounts import MAX_PASSWORD, password_problem, valid_email
from moksori.web.api.deps import AppSettings, ConsentedUser, CurrentUser, DbSession, OptionalUser
from moksori.web.security import (
    SESSION_COOKIE,
    csrf_token,
    end_session,
    end_sessions,
    hash_password,
    start_session,
    verify_password,
    verify_unknown_account,
)
from moksori.web.storage.db import forget_deleted_rows
from moksori.web.storage.files import delete_user_files
from moksori.web.storage.models import Job, User, Voice

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)
LANGUAGES = {"ko": "한국어 Korean", "en": "English"}
WRONG_LOGIN = "이메일 또는 비밀번호가 틀렸습니다. Wrong email or password."


def render(request: Request, name: str, user: User | None = None, status_code: int = 200, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"user": user, "csrf": csrf_token(request),
                                                      "languages": LANGUAGES, **context}, status_code=status_code)


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status_code, message=message)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def client_address(request: Request) -> str:
    # uvicorn puts the proxy's X-Forwarded-For here when it is run with --proxy-headers.
    return request.client.host if request.client else "unknown"


def too_many_tries(request: Request, template: str, wait: float, **context) -> HTMLResponse:
    seconds = math.ceil(wait)
    response = render(request, template, status_code=429, **context,
                      error=f"시도가 너무 많습니다. {seconds}초 후에 다시 시도해 주세요. "
                            f"Too many tries: please wait {seconds} s and try again.")
    response.headers["Retry-After"] = str(seconds)
    return response


@router.get("/")
def home(user: OptionalUser) -> Response:
    return redirect("/talk" if user else "/login")


@router.get("/signup")
def signup_page(request: Request) -> HTMLResponse:
    return render(request, "signup.html")


@router.post("/signup")
def signup(request: Request, db: DbSession, email: str = Form(max_length=320),
           password: str = Form(max_length=MAX_PASSWORD), display_name: str = Form("", max_length=100),
           language: str = Form("ko")) -> Response:
    email = email.strip().lower()
    throttle, address = request.app.state.login_throttle, client_address(request)
    wait = throttle.wait_seconds(None, address)
    if wait:
        return too_many_tries(request, "signup.html", wait, email=email, display_name=display_name)
    error = None
    if not valid_email(email):
        error = "올바른 이메일 주소를 입력해 주세요. Please enter a valid email address (name@example.com)."
    elif language not in LANGUAGES:
        error = "언어를 골라 주세요. Please choose a language."
    else:
        error = password_problem(password, email)
    if error is None:
        user = User(email=email, password_hash=hash_password(password), display_name=display_name.strip(),
                    language=language)
        db.add(user)
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
            # Without a mail server, sign-up cannot hide that an address is taken; counting it like a
            # wrong password slows anyone using sign-up to find out which addresses have accounts.
            throttle.failed(None, address)
            error = "이 이메일로는 가입할 수 없습니다. 본인 계정이면 로그인해 주세요. This email cannot be used for a new account; if it is yours, log in."
    if error:
        return render(request, "signup.html", status_code=400, error=error, email=email, display_name=display_name)
    response = redirect("/consent")
    start_session(db, response, request, user)
    return response


@router.get("/login")
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html")


@router.post("/login")
def login(request: Request, db: DbSession, email: str = Form(max_length=320),
          password: str = Form(max_length=MAX_PASSWORD)) -> Response:
    """Known and unknown emails are answered alike, in the same time (a password hash is checked
    either way), and tries slow down per account and per address instead of locking anyone out."""
    email = email.strip().lower()
    throttle, address = request.app.state.login_throttle, client_address(request)
    wait = throttle.wait_seconds(email, address)
    if wait:
        return too_many_tries(request, "login.html", wait, email=email)
    user = db.scalar(select(User).where(User.email == email))
    if not (verify_password(user.password_hash, password) if user else verify_unknown_account(password)):
        throttle.failed(email, address)
        return render(request, "login.html", status_code=401, email=email, error=WRONG_LOGIN)
    throttle.succeeded(email)
    response = redirect("/talk" if user.consent_at else "/consent")
    start_session(db, response, request, user)
    return response


@router.post("/logout")
def logout(request: Request, db: DbSession) -> Response:
    response = redirect("/login")
    end_session(db, response, request)
    return response


@router.get("/consent")
def consent_page(request: Request, user: CurrentUser, settings: AppSettings) -> HTMLResponse:
    return render(request, "consent.html", user, data_dir=str(settings.data_dir))


@router.post("/consent")
def consent(request: Request, user: CurrentUser, db: DbSession, settings: AppSettings, agree: str = Form("")) -> Response:
    if agree != "yes":
        return render(request, "consent.html", user, status_code=400, data_dir=str(settings.data_dir),
                      error="Please tick the box to agree before recording. 동의 상자를 선택해 주세요.")
    user.consent_at = datetime.now(UTC)
    db.commit()
    return redirect("/studio")


@router.get("/studio")
def studio_page(request: Request, user: ConsentedUser) -> HTMLResponse:
    return render(request, "studio.html", user)


@router.get("/voices")
def voices_page(request: Request, user: ConsentedUser) -> HTMLResponse:
    return render(request, "voices.html", user)


@router.get("/talk")
def talk_page(request: Request, user: ConsentedUser, db: DbSession) -> HTMLResponse:
    has_voice = db.scalar(select(Voice.id).where(Voice.user_id == user.id).limit(1)) is not None
    return render(request, "talk.html", user, has_voice=has_voice)


@router.get("/account")
def account_page(request: Request, user: CurrentUser) -> HTMLResponse:
    return render(request, "account.html", user)


@router.post("/account/language")
def set_language(request: Request, user: CurrentUser, db: DbSession, language: str = Form()) -> Response:
    if language not in LANGUAGES:
        return render(request, "account.html", user, status_code=400, error="Please choose a language.")
    user.language = language
    db.commit()
    return redirect("/account")


@router.post("/account/password")
def change_password(request: Request, user: CurrentUser, db: DbSession,
                    current_password: str = Form(max_length=MAX_PASSWORD),
                    new_password: str = Form(max_length=MAX_PASSWORD)) -> Response:
    """A new password ends every other login: whoever knew the old one is logged out."""
    if not verify_password(user.password_hash, current_password):
        return render(request, "account.html", user, status_code=401,
                      error="현재 비밀번호가 틀렸습니다. The current password is wrong; nothing was changed.")
    problem = password_problem(new_password, user.email)
    if problem:
        return render(request, "account.html", user, status_code=400, error=problem)
    user.password_hash = hash_password(new_password)
    db.commit()
    ended = end_sessions(db, user, keep_token=request.cookies.get(SESSION_COOKIE))
    return render(request, "account.html", user, notice=f"비밀번호를 바꿨습니다. Password changed; {ended} other "
                                                         f"login(s) ended.")


@router.post("/account/logout-everywhere")
def logout_everywhere(request: Request, user: CurrentUser, db: DbSession) -> Response:
    end_sessions(db, user)
    return logout(request, db)


@router.post("/account/delete")
def delete_account(request: Request, user: CurrentUser, db: DbSession, settings: AppSettings,
                   password: str = Form(max_length=MAX_PASSWORD)) -> Response:
    """Delete all my data: every row (the user row cascades to all others) and every file."""
    if not verify_password(user.password_hash, password):
        return render(request, "account.html", user, status_code=401,
                      error="Wrong password: nothing was deleted. 비밀번호가 틀려 아무것도 삭제하지 않았습니다.")
    # End the user's live calls (their lines are stored first), and stop the user's build, so the
    # worker does not write a voice after the folder is gone.
    anyio.from_thread.run(request.app.state.calls.end_user, user.id, "the account was deleted")
    db.execute(delete(Job).where(Job.user_id == user.id))
    db.delete(user)
    db.commit()
    # Deleted rows must not linger in the write-ahead log or in free pages of the database file.
    forget_deleted_rows(db)
    delete_user_files(settings, user.id)
    response = redirect("/signup?deleted=1")
    end_session(db, response, request)
    return response
