"""The interface language: one gettext catalog per language (Babel ``.po`` files under
``locale/``) for the templates, the server's messages and the page scripts' strings.

The catalogs are compiled in memory when first used, so a checkout needs no build step and no
generated ``.mo`` file is kept in the repository. The language of a request comes from the
``moksori_lang`` cookie (set by the header's switch and at login from the account), else from
``Accept-Language``; it lives in a context variable so any code that answers the request
(routes, checks, templates) translates with ``gettext`` alone.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from http.cookies import SimpleCookie
from pathlib import Path

from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
SCRIPTS_DIR = Path(__file__).parent / "static"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "ko"
# Each language is named in itself, so the switch is readable whichever language is on screen.
INTERFACE_LANGUAGES = {"ko": "한국어", "en": "English"}
LANGUAGE_COOKIE = "moksori_lang"
# The page scripts translate with t("..."); the same keyword is extracted from their source.
SCRIPT_KEYWORDS = {"t": None}

_language: ContextVar[str] = ContextVar("interface_language", default=DEFAULT_LANGUAGE)


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> Translations:
    """The compiled catalog of ``language`` (the ``.po`` file turned into a ``.mo`` in memory)."""
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def current_language() -> str:
    return _language.get()


def use_language(language: str) -> None:
    """Translate the rest of this request (or task) into ``language``."""
    _language.set(language if language in INTERFACE_LANGUAGES else DEFAULT_LANGUAGE)


def gettext(message: str, **values: object) -> str:
    """``message`` in the current language, with ``%(name)s`` placeholders filled from ``values``."""
    text = translations(current_language()).gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, count: int, **values: object) -> str:
    text = translations(current_language()).ngettext(singular, plural, count)
    return text % {"count": count, **values}


_ = gettext


def negotiate(accept_language: str) -> str:
    """The first interface language the browser asks for (by quality), else the default."""
    ranked = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower().split("-")[0]))
    for quality, _position, language in sorted(ranked):
        if quality < 0 and language in INTERFACE_LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


def request_language(cookie_header: str, accept_language: str) -> str:
    cookies = SimpleCookie()
    try:
        cookies.load(cookie_header)
    except Exception:  # a malformed Cookie header from some client: ignore it, do not fail the request
        cookies = SimpleCookie()
    chosen = cookies.get(LANGUAGE_COOKIE)
    if chosen is not None and chosen.value in INTERFACE_LANGUAGES:
        return chosen.value
    return negotiate(accept_language)


class LanguageMiddleware:
    """Pure ASGI, so the context variable it sets is seen by everything that answers the request."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):  # a conversation socket's close reason is translated too
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        token = _language.set(request_language(headers.get("cookie", ""), headers.get("accept-language", "")))
        try:
            await self.app(scope, receive, send)
        finally:
            _language.reset(token)


def _script_messages_in(path: Path) -> Iterator[str]:
    with path.open("rb") as source:
        for _line, message, _comments, _context in extract("javascript", source, keywords=SCRIPT_KEYWORDS):
            yield message


@cache
def script_messages() -> tuple[str, ...]:
    """Every string the page scripts translate, found in their source like ``pybabel extract`` does."""
    return tuple(sorted({m for path in sorted(SCRIPTS_DIR.glob("*.js")) for m in _script_messages_in(path)}))


def script_strings() -> dict[str, str]:
    """The page scripts' strings in the current language, rendered into each page as JSON."""
    catalog = translations(current_language())
    return {message: catalog.gettext(message) for message in script_messages()}
