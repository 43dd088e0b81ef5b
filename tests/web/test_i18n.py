"""The interface in Korean and in English: complete catalogs, nothing that bypasses them, one
language per screen, the switch remembered per account, and server messages in the same language."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from moksori.web import i18n
from moksori.web.i18n import INTERFACE_LANGUAGES, LANGUAGE_COOKIE, catalog_path, negotiate
from tests.web.conftest import Client

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "moksori" / "web"
TEMPLATES = WEB / "pages" / "templates"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
PAGES = ["/talk", "/studio", "/voices", "/account", "/consent", "/phone", "/shop"]
# Latin words a Korean screen legitimately shows: key names, file formats and the names of files.
KOREAN_SCREEN_LATIN = {"Enter", "Shift", "WAV", "FLAC", "OGG", "WebM", "MP3", "zip", "metadata", "csv", "wavs",
                       "id", "name", "wav", "voice", "https", "moksori", "serve", "API", "MiB", "example", "com",
                       "OpenAI", "Open", "WebUI", "Home", "Assistant", "AAC", "SIP", "YAML"}


def extracted_messages() -> set[str]:
    """What ``make messages`` collects (babel.cfg's method map), straight from the sources."""
    method_map = [("src/moksori/web/**.py", "python"), ("src/moksori/web/pages/templates/**.html", "jinja2"),
                  ("src/moksori/web/static/**.js", "javascript")]
    options = {"src/moksori/web/pages/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "t": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(ROOT, method_map, options, keywords):
        found.update([message] if isinstance(message, str) else message)
    return found


@pytest.mark.parametrize("language", sorted(INTERFACE_LANGUAGES))
def test_every_message_is_translated_in_each_catalog(language):
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language)
    # A plural message (ngettext) is one entry with both forms as its id and one translation per form.
    entries = {message_id: message for message in catalog if message.id
               for message_id in ([message.id] if isinstance(message.id, str) else message.id)}
    missing = extracted_messages() - set(entries)
    assert not missing, f"run `make messages` and translate: {sorted(missing)[:5]}"
    untranslated = [m.id for m in entries.values()
                    if not m.string or m.fuzzy or not all([m.string] if isinstance(m.string, str) else m.string)]
    assert not untranslated, f"untranslated in {language}: {untranslated[:5]}"
    assert not catalog.obsolete
    # Babel's own checker: the translation keeps every %(name)s placeholder of the source.
    problems = [(message.id, errors) for message, errors in catalog.check() if errors]
    assert not problems, problems[:3]
    if language == "ko":
        without_hangul = [m.id for m in entries.values()
                          if LATIN_WORD.search(str(m.id)) and not HANGUL.search(str(m.string))]
        assert not without_hangul, f"Korean entries left in English: {without_hangul[:5]}"


class TemplateText(HTMLParser):
    """Text a person sees or hears in a template once its Jinja expressions are removed."""

    SPOKEN_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}
    LITERAL_TAGS = {"code", "kbd", "script", "style"}  # key names and file names, not language

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.literal = 0

    def handle_starttag(self, tag, attrs):
        self.literal += tag in self.LITERAL_TAGS
        self.found += [value for name, value in attrs if name in self.SPOKEN_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        self.literal -= tag in self.LITERAL_TAGS

    def handle_data(self, data):
        if not self.literal and data.strip():
            self.found.append(data.strip())


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_no_template_text_bypasses_the_catalog(template):
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    without_jinja = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", source, flags=re.S)
    parser = TemplateText()
    parser.feed(without_jinja)
    words = [text for text in parser.found if LATIN_WORD.search(text) or HANGUL.search(text)]
    assert not words, f"{template}: text outside _(): {words}"


@pytest.mark.parametrize("script", sorted(p.name for p in (WEB / "static").glob("*.js")))
def test_no_script_sentence_bypasses_the_catalog(script):
    source = (WEB / "static" / script).read_text(encoding="utf-8")
    code = re.sub(r"^\s*//.*$", "", source, flags=re.M)
    literal = r"\"(?:[^\"\\]|\\.)*\""
    # t("...") with its argument possibly split over lines as "..." + "...".
    translated = [m.span(1) for m in re.finditer(rf"\bt\(\s*({literal}(?:\s*\+\s*{literal})*)", code)]
    for match in re.finditer(r"\"((?:[^\"\\]|\\.)*)\"|`([^`]*)`", code):
        text = match.group(1) if match.group(1) is not None else match.group(2)
        if any(start <= match.start() and match.end() <= end for start, end in translated):
            continue
        sentence_like = re.search(r"[A-Z][a-z]+ [a-z]+ [a-z]+", text)
        assert not HANGUL.search(text) and not sentence_like, f"{script}: {text!r} is not passed through t()"


class ScreenText(HTMLParser):
    """Visible text of a rendered page with the language each piece is marked as."""

    def __init__(self) -> None:
        super().__init__()
        self.languages: list[str | None] = []
        self.hidden = 0
        self.pieces: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("meta", "link", "input", "br", "img", "source"):
            for name in ("aria-label", "placeholder", "alt"):
                if attributes.get(name):
                    self.pieces.append((self.languages[-1] if self.languages else "", attributes[name]))
            return
        parent = self.languages[-1] if self.languages else ""
        self.languages.append(attributes.get("lang", parent))
        # code and keys are not language; a textarea holds what the user wrote (like an input's value)
        self.hidden += tag in ("script", "style", "code", "kbd", "textarea")
        if attributes.get("aria-label"):
            self.pieces.append((self.languages[-1], attributes["aria-label"]))

    def handle_endtag(self, tag):
        if tag in ("meta", "link", "input", "br", "img", "source"):
            return
        self.hidden -= tag in ("script", "style", "code", "kbd", "textarea")
        if self.languages:
            self.languages.pop()

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.pieces.append((self.languages[-1] if self.languages else "", data.strip()))


def screen(html: str) -> list[tuple[str, str]]:
    parser = ScreenText()
    parser.feed(html)
    return parser.pieces


def assert_one_language(html: str, language: str) -> None:
    assert f'<html lang="{language}">' in html
    for marked, text in screen(html):
        if marked != language:
            continue  # a piece marked as another language (the switch names its language in itself)
        if language == "en":
            assert not HANGUL.search(text), f"Korean on an English screen: {text!r}"
        else:
            without_paths = re.sub(r"/\S+", "", text)  # the data folder is a name, not language
            stray = set(LATIN_WORD.findall(without_paths)) - KOREAN_SCREEN_LATIN
            assert not stray, f"English on a Korean screen: {text!r}"
    strings = json.loads(re.search(r'<script type="application/json" id="page-strings">(.*?)</script>',
                                   html, re.S).group(1))
    for source, text in strings.items():
        if language == "ko" and LATIN_WORD.search(source):
            assert HANGUL.search(text), f"page script string left in English: {source!r}"
        if language == "en":
            assert not HANGUL.search(text)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_page_is_in_one_language(make_client, language):
    visitor = make_client(language=language)
    for path in ("/login", "/signup"):
        assert_one_language(visitor.get(path).text, language)
    user = make_client(f"{language}@example.com", language=language)
    for path in PAGES:
        response = user.get(path)
        assert response.status_code == 200, path
        assert_one_language(response.text, language)
    missing = user.get("/no-such-page")
    assert missing.status_code == 404
    assert_one_language(missing.text, language)


def test_language_comes_from_accept_language_then_the_switch_then_the_account(app, make_client):
    assert negotiate("en-GB,en;q=0.9,ko;q=0.8") == "en"
    assert negotiate("fr-FR, ko;q=0.5, en;q=0.4") == "ko"
    assert negotiate("fr, de") == "ko" and negotiate("") == "ko"
    alice = make_client("alice@example.com", language="en")
    assert '<html lang="en">' in alice.get("/talk").text
    response = alice.post("/language", data={"language": "ko", "next": "/studio"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/studio"
    assert alice.cookies.get(LANGUAGE_COOKIE) == "ko"
    assert '<html lang="ko">' in alice.get("/studio").text
    # Server messages follow the same choice.
    assert alice.post("/api/speak", json={"text": "   "}).json()["detail"] == "말할 내용이 없어요. 글이 비어 있어요."
    # Another browser that asks for English gets Korean once it logs in to this account.
    with Client(app, "en") as phone:
        assert '<html lang="en">' in phone.get("/login").text
        phone.post("/login", data={"email": "alice@example.com", "password": "correct horse"})
        assert phone.cookies.get(LANGUAGE_COOKIE) == "ko"
        assert '<html lang="ko">' in phone.get("/talk").text
    # Not an open redirect, and an unknown language is refused in words.
    assert alice.post("/language", data={"language": "en", "next": "https://evil.example/"},
                      follow_redirects=False).headers["location"] == "/"
    assert alice.post("/language", data={"language": "xx"}).status_code == 400


def test_checks_and_validation_errors_speak_korean(make_client, speech):
    alice = make_client("alice@example.com", language="ko")
    response = alice.post("/api/sentences", json={"text": ""})
    assert response.status_code == 422 and "비어 있어요" in response.json()["detail"]
    silence = alice.post("/api/takes", data={"prompt_key": "script:0"},
                         files={"audio": ("take.wav", b"RIFF....WAVEfmt ", "audio/wav")})
    assert silence.status_code == 422 and HANGUL.search(silence.json()["detail"])


def test_script_strings_are_the_catalogs_own():
    try:
        i18n.use_language("ko")
        strings = i18n.script_strings()
        assert strings["Stopped"] == "멈췄어요" and len(strings) == len(i18n.script_messages())
        i18n.use_language("en")
        assert i18n.script_strings()["Stopped"] == "Stopped"
    finally:
        i18n.use_language(i18n.DEFAULT_LANGUAGE)
