"""Server-rendered pages (Jinja2, autoescaped) and the account forms behind them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import anyio.from_thread
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from moksori.web.security import (
    consented_user,
    csrf_token,
    current_user,
    end_session,
    get_db,
    hash_password,
    optional_user,
    start_session,
    verify_password,
)
from moksori.web.storage.files import delete_user_files
from moksori.web.storage.models import Job, User, Voice

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
MIN_PASSWORD = 8
LANGUAGES = {"ko": "한국어 Korean", "en": "English"}


def render(request: Request, name: str, user: User | None = None, status_code: int = 200, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"user": user, "csrf": csrf_token(request),
                                                      "languages": LANGUAGES, **context}, status_code=status_code)


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status_code, message=message)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/")
def home(user: User | None = Depends(optional_user)) -> Response:
    return redirect("/talk" if user else "/login")


@router.get("/signup")
def signup_page(request: Request) -> HTMLResponse:
    return render(request, "signup.html")


@router.post("/signup")
def signup(request: Request, email: str = Form(max_length=320), password: str = Form(max_length=200),
           display_name: str = Form("", max_length=100), language: str = Form("ko"),
           db: Session = Depends(get_db)) -> Response:
    email = email.strip().lower()
    error = None
    if not EMAIL.match(email):
        error = "Please enter a valid email address. 올바른 이메일 주소를 입력해 주세요."
    elif len(password) < MIN_PASSWORD:
        error = f"The password must be at least {MIN_PASSWORD} characters. 비밀번호는 {MIN_PASSWORD}자 이상이어야 합니다."
    elif language not in LANGUAGES:
        error = "Please choose a language."
    if error is None:
        user = User(email=email, password_hash=hash_password(password), display_name=display_name.strip(),
                    language=language)
        db.add(user)
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
            error = "An account with this email already exists. 이미 가입된 이메일입니다."
    if error:
        return render(request, "signup.html", status_code=400, error=error, email=email, display_name=display_name)
    response = redirect("/consent")
    start_session(db, response, request, user)
    return response


@router.get("/login")
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html")


@router.post("/login")
def login(request: Request, email: str = Form(max_length=320), password: str = Form(max_length=200),
          db: Session = Depends(get_db)) -> Response:
    email = email.strip().lower()
    throttle = request.app.state.login_throttle
    wait = throttle.blocked_minutes(email)
    if wait:
        return render(request, "login.html", status_code=429, email=email,
                      error=f"Too many wrong passwords. Please wait {wait} min. 잠시 후 다시 시도해 주세요.")
    user = db.scalar(select(User).where(User.email == email))
    if user is None or not verify_password(user.password_hash, password):
        throttle.failed(email)
        return render(request, "login.html", status_code=401, email=email,
                      error="Wrong email or password. 이메일 또는 비밀번호가 틀렸습니다.")
    throttle.succeeded(email)
    response = redirect("/talk" if user.consent_at else "/consent")
    start_session(db, response, request, user)
    return response


@router.post("/logout")
def logout(request: Request, db: Session = Depends(get_db)) -> Response:
    response = redirect("/login")
    end_session(db, response, request)
    return response


@router.get("/consent")
def consent_page(request: Request, user: User = Depends(current_user)) -> HTMLResponse:
    return render(request, "consent.html", user, data_dir=str(request.app.state.settings.data_dir))


@router.post("/consent")
def consent(request: Request, agree: str = Form(""), user: User = Depends(current_user),
            db: Session = Depends(get_db)) -> Response:
    if agree != "yes":
        return render(request, "consent.html", user, status_code=400, data_dir=str(request.app.state.settings.data_dir),
                      error="Please tick the box to agree before recording. 동의 상자를 선택해 주세요.")
    user.consent_at = datetime.now(UTC)
    db.commit()
    return redirect("/studio")


@router.get("/studio")
def studio_page(request: Request, user: User = Depends(consented_user)) -> HTMLResponse:
    return render(request, "studio.html", user)


@router.get("/voices")
def voices_page(request: Request, user: User = Depends(consented_user)) -> HTMLResponse:
    return render(request, "voices.html", user)


@router.get("/talk")
def talk_page(request: Request, user: User = Depends(consented_user), db: Session = Depends(get_db)) -> HTMLResponse:
    has_voice = db.scalar(select(Voice.id).where(Voice.user_id == user.id).limit(1)) is not None
    return render(request, "talk.html", user, has_voice=has_voice)


@router.get("/account")
def account_page(request: Request, user: User = Depends(current_user)) -> HTMLResponse:
    return render(request, "account.html", user)


@router.post("/account/language")
def set_language(request: Request, language: str = Form(), user: User = Depends(current_user),
                 db: Session = Depends(get_db)) -> Response:
    if language not in LANGUAGES:
        return render(request, "account.html", user, status_code=400, error="Please choose a language.")
    user.language = language
    db.commit()
    return redirect("/account")


@router.post("/account/delete")
def delete_account(request: Request, password: str = Form(max_length=200), user: User = Depends(current_user),
                   db: Session = Depends(get_db)) -> Response:
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
    delete_user_files(request.app.state.settings, user.id)
    response = redirect("/signup?deleted=1")
    end_session(db, response, request)
    return response
