"""Server-rendered pages (Jinja2, autoescaped) and the account forms behind them."""

from __future__ import annotations

import math
from pathlib import Path

import anyio.from_thread
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from moksori.calls.endings import ACCOUNT_DELETED
from moksori.web import store
from moksori.web.accounts import MAX_PASSWORD, MIN_PASSWORD, password_problem, valid_email
from moksori.web.api.deps import AppSettings, ConsentedUser, CurrentUser, DbSession, OptionalUser, RowId
from moksori.web.api.talk import list_recordings
from moksori.web.apikeys import MAX_KEYS, create_key, list_keys, revoke_key
from moksori.web.i18n import (
    DEFAULT_LANGUAGE,
    INTERFACE_LANGUAGES,
    LANGUAGE_COOKIE,
    _,
    current_language,
    gettext,
    ngettext,
    script_strings,
    use_language,
)
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
from moksori.web.sip_accounts import (
    SealedPasswordLost,
    account_problem,
    find_sip_account,
    forget_sip_account,
    phone_account,
    store_sip_account,
)
from moksori.web.storage.db import forget_deleted_rows
from moksori.web.storage.files import delete_user_files
from moksori.web.storage.models import User, Voice

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.add_extension("jinja2.ext.i18n")
# Newstyle gettext: templates write _("... %(name)s", name=value) and Jinja escapes the values.
templates.env.install_gettext_callables(lambda message: gettext(message),
                                        lambda singular, plural, n: ngettext(singular, plural, n), newstyle=True)
router = APIRouter(include_in_schema=False)
LANGUAGE_COOKIE_DAYS = 365


def recording_languages() -> dict[str, str]:
    """Languages a voice can be recorded in, named in the interface language."""
    return {"ko": _("Korean"), "en": _("English")}


def remember_language(response: Response, request: Request, language: str) -> None:
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_DAYS * 86400, samesite="lax",
                        secure=request.url.scheme == "https")


def render(request: Request, name: str, user: User | None = None, status_code: int = 200, **context) -> HTMLResponse:
    # The account's choice wins over this browser's cookie (another device, or a cookie set before login).
    account_language = user.interface_language if user else None
    if account_language and account_language != current_language():
        use_language(account_language)
    response = templates.TemplateResponse(request, name, {
        "user": user, "csrf": csrf_token(request), "languages": recording_languages(),
        "language": current_language(), "interface_languages": INTERFACE_LANGUAGES,
        "script_strings": script_strings(), "min_password": MIN_PASSWORD, **context,
    }, status_code=status_code)
    if account_language and request.cookies.get(LANGUAGE_COOKIE) != account_language:
        remember_language(response, request, account_language)
    return response


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
                      error=ngettext("Too many tries: please wait %(count)s second and try again.",
                                     "Too many tries: please wait %(count)s seconds and try again.", seconds))
    response.headers["Retry-After"] = str(seconds)
    return response


@router.get("/")
def home(user: OptionalUser) -> Response:
    return redirect("/talk" if user else "/login")


@router.get("/signup")
def signup_page(request: Request) -> HTMLResponse:
    # Korean first: the recording language is chosen on purpose, whatever language the screens are in.
    return render(request, "signup.html", voice_language=DEFAULT_LANGUAGE)


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
        error = _("Please enter a valid email address.")
    elif language not in recording_languages():
        error = _("Please choose a language.")
    else:
        error = password_problem(password, email)
    if error is None:
        user = store.add_user(db, email, hash_password(password), display_name.strip(), language, current_language())
        if user is None:
            # Without a mail server, sign-up cannot hide that an address is taken; counting it like a
            # wrong password slows anyone using sign-up to find out which addresses have accounts.
            throttle.failed(None, address)
            error = _("This email cannot be used for a new account; if it is yours, log in.")
    if error:
        return render(request, "signup.html", status_code=400, error=error, email=email, display_name=display_name,
                      voice_language=language)
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
        return render(request, "login.html", status_code=401, email=email, error=_("Wrong email or password."))
    throttle.succeeded(email)
    response = redirect("/talk" if user.consent_at else "/consent")
    start_session(db, response, request, user)
    if user.interface_language:
        remember_language(response, request, user.interface_language)
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
                      error=_("Please tick the box to agree before recording."))
    store.give_consent(db, user)
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
    recordings = 0 if has_voice else len(list_recordings(user, db)["recordings"])
    return render(request, "talk.html", user, has_voice=has_voice, recordings=recordings)


@router.get("/account")
def account_page(request: Request, user: CurrentUser, db: DbSession) -> HTMLResponse:
    return render_account(request, user, db)


def render_account(request: Request, user: User, db: Session, status_code: int = 200, **context) -> HTMLResponse:
    base = str(request.base_url).rstrip("/")
    return render(request, "account.html", user, status_code, api_keys=list_keys(db, user),
                  api_base=f"{base}/v1", sip_account=find_sip_account(db, user), **context)


@router.post("/account/api-keys")
def add_api_key(request: Request, user: ConsentedUser, db: DbSession,
                name: str = Form("", max_length=100)) -> HTMLResponse:
    """The new key is shown on this one page and never again: only its hash is kept."""
    if len(list_keys(db, user)) >= MAX_KEYS:
        return render_account(request, user, db, 400, error=_("You have %(count)s keys already; revoke one you no "
                                                              "longer use first.", count=MAX_KEYS))
    _row, secret = create_key(db, user, name.strip() or _("My app"))
    return render_account(request, user, db, new_key=secret)


@router.post("/account/api-keys/{key_id}/revoke")
def remove_api_key(key_id: RowId, user: CurrentUser, db: DbSession) -> Response:
    if not revoke_key(db, user, key_id):
        raise HTTPException(404, _("This was not found in your account. It may have been deleted."))
    return redirect("/account#api-keys-h")


@router.post("/account/sip")
def save_sip_account(request: Request, user: ConsentedUser, db: DbSession,
                     server: str = Form(max_length=255), username: str = Form(max_length=100),
                     password: str = Form("", max_length=1000), proxy: str = Form("", max_length=255),
                     caller_id: str = Form("", max_length=100)) -> Response:
    """The password field is never filled in by the page: left empty, the saved password is kept."""
    server, username, proxy, caller_id = server.strip(), username.strip(), proxy.strip(), caller_id.strip()
    problem = account_problem(server, username, password, proxy, caller_id,
                              has_password=find_sip_account(db, user) is not None)
    if problem:
        return render_account(request, user, db, 400, error=problem, sip_form={
            "server": server, "username": username, "proxy": proxy, "caller_id": caller_id})
    row = store_sip_account(db, user, request.app.state.secret_key, server=server, username=username,
                            password=password, proxy=proxy, caller_id=caller_id)
    # The line registers again with the new settings, in the background (a slow registrar holds up nothing).
    try:
        account = phone_account(row, request.app.state.secret_key)
    except SealedPasswordLost:  # the old password kept, but unreadable: the calls page asks for it again
        anyio.from_thread.run(request.app.state.phone_lines.drop, user.id)
    else:
        anyio.from_thread.run(request.app.state.phone_lines.keep, user.id, account)
    return redirect("/account#sip-h")


@router.post("/account/sip/delete")
def remove_sip_account(request: Request, user: CurrentUser, db: DbSession) -> Response:
    forget_sip_account(db, user)
    anyio.from_thread.run(request.app.state.phone_lines.drop, user.id)
    return redirect("/account#sip-h")


@router.get("/phone")
def phone_page(request: Request, user: CurrentUser, settings: AppSettings) -> HTMLResponse:
    """The LAN address as text and QR code, so a phone can open the studio."""
    from moksori.web.tls import qr_svg

    url = settings.phone_url
    return render(request, "phone.html", user, phone_url=url, qr_svg=Markup(qr_svg(url)) if url else "")


@router.post("/account/language")
def set_language(request: Request, user: CurrentUser, db: DbSession, language: str = Form()) -> Response:
    if language not in recording_languages():
        return render_account(request, user, db, 400, error=_("Please choose a language."))
    store.set_recording_language(db, user, language)
    return redirect("/account")


@router.post("/account/password")
def change_password(request: Request, user: CurrentUser, db: DbSession,
                    current_password: str = Form(max_length=MAX_PASSWORD),
                    new_password: str = Form(max_length=MAX_PASSWORD)) -> Response:
    """A new password ends every other login: whoever knew the old one is logged out."""
    if not verify_password(user.password_hash, current_password):
        return render_account(request, user, db, 401,
                              error=_("The current password is wrong; nothing was changed."))
    problem = password_problem(new_password, user.email)
    if problem:
        return render_account(request, user, db, 400, error=problem)
    store.set_password_hash(db, user, hash_password(new_password))
    ended = end_sessions(db, user, keep_token=request.cookies.get(SESSION_COOKIE))
    return render_account(request, user, db, notice=_("Password changed; %(count)s other login(s) ended.",
                                                      count=ended))


@router.post("/account/logout-everywhere")
def logout_everywhere(request: Request, user: CurrentUser, db: DbSession) -> Response:
    end_sessions(db, user)
    return logout(request, db)


@router.post("/language")
def set_interface_language(request: Request, user: OptionalUser, db: DbSession, language: str = Form(),
                           next: str = Form("/")) -> Response:
    """The header's switch: kept in a cookie for this browser and, when logged in, in the account."""
    if language not in INTERFACE_LANGUAGES:
        return error_page(request, 400, _("Please choose a language."))
    # Only a path on this site: an absolute URL here would make the switch an open redirect.
    response = redirect(next if next.startswith("/") and not next.startswith("//") else "/")
    remember_language(response, request, language)
    if user is not None:
        store.set_interface_language(db, user, language)
    return response


@router.post("/account/delete")
def delete_account(request: Request, user: CurrentUser, db: DbSession, settings: AppSettings,
                   password: str = Form(max_length=MAX_PASSWORD)) -> Response:
    """Delete all my data: every row (the user row cascades to all others) and every file."""
    if not verify_password(user.password_hash, password):
        return render_account(request, user, db, 401, error=_("Wrong password: nothing was deleted."))
    # End the user's live calls (their lines are stored first), and stop the user's build, so the
    # worker does not write a voice after the folder is gone.
    anyio.from_thread.run(request.app.state.calls.end_user, user.id, ACCOUNT_DELETED)
    anyio.from_thread.run(request.app.state.phone_lines.close, user.id)
    store.delete_user(db, user)
    # Deleted rows must not linger in the write-ahead log or in free pages of the database file.
    forget_deleted_rows(db)
    delete_user_files(settings, user.id)
    response = redirect("/signup?deleted=1")
    end_session(db, response, request)
    return response
