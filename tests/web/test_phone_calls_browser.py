"""Phone calls on the calls page in headless Chromium, used by keyboard alone, against ``moksori serve`` with
real SIP: kamailio is the registrar, the user's line registers there as alice01, and baresip registers as
"far" (tests/calls/sip_peers.py) and rings until told to answer. axe-core checks the pages while a call rings
and during a call."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from playwright.sync_api import Page, expect, sync_playwright

from tests.calls.sip_peers import FAR_MICROPHONE, Baresip, Kamailio
from tests.engine.voices import random_voice

from .databases import page_csrf_token
from .test_calls_browser import RECORD_PLAYED, account_with_voice, launch, log_in
from .test_e2e import AXE, CHROMIUM, Journey
from .test_phone import ACCOUNT, needs_sip_peers
from .test_phone_browser import moksori_serve

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make setup runs npm install axe-core)"),
    needs_sip_peers,
]
DIALS_PER_MINUTE = 2  # the setting made small, so the limit is reached in a few dials
# How long the page may take to show what the server did: generous, as the SIP worker, the voice and the
# captions share a busy test machine (no timing is measured here).
WAIT_MS = 60_000


@dataclass
class PhoneLine:
    url: str
    api: httpx.Client
    registrar: Kamailio
    far: Baresip
    portal: BlockingPortal  # the event loop baresip's control connection lives on

    def far_phone(self, command: str, params: str = "") -> None:
        self.portal.call(self.far.command, command, params)

    def far_events(self, kind: str) -> list[dict]:
        return [event for event in list(self.far.events) if event.get("type") == kind]

    def wait_far(self, kind: str, count: int = 1, timeout: float = WAIT_MS / 1000) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(events := self.far_events(kind)) < count:
            assert time.monotonic() < deadline, f"the far phone sent no {kind}: {[e.get('type') for e in self.far.events]}"
            time.sleep(0.1)
        return events


@pytest.fixture
def phone_line(tmp_path: Path) -> Iterator[PhoneLine]:
    """The user (with a voice, and their SIP account on the registrar) and the far phone, both registered."""
    registrar = Kamailio(tmp_path, {ACCOUNT["username"]: ACCOUNT["password"], "far": "farpw"})
    registrar.start()
    (tmp_path / "far").mkdir()
    far = Baresip(tmp_path / "far", FAR_MICROPHONE, answer=False, registrar=registrar)
    env = {"MOKSORI_SIP_ADDRESS": "127.0.0.1", "MOKSORI_PHONE_CALLS_PER_MINUTE": str(DIALS_PER_MINUTE)}
    try:
        with start_blocking_portal() as portal, moksori_serve(tmp_path / "data", env=env) as (url, _process, _log):
            portal.call(far.start)
            try:
                portal.call(far.wait_registered)
                api = account_with_voice(url, random_voice(tmp_path / "me.voice"))
                response = api.post("/account/sip", data={**ACCOUNT, "server": registrar.address,
                                                          "csrf_token": page_csrf_token(api)})
                assert response.status_code == 200, response.text
                yield PhoneLine(url, api, registrar, far, portal)
            finally:
                portal.call(far.stop)
    finally:
        registrar.stop()


@pytest.fixture
def page(phone_line: PhoneLine, tmp_path: Path) -> Iterator[Page]:
    """The user's browser, logged in, on the calls page with the phone line ready."""
    with sync_playwright() as playwright:
        browser = launch(playwright, tmp_path / "profile")
        page = browser.new_page()
        log_in(page, phone_line.url)
        open_calls_page(page, phone_line.url)
        yield page
        browser.close()


def open_calls_page(page: Page, url: str) -> None:
    page.goto(url + "/calls")
    page.wait_for_selector("body[data-line=registered]", timeout=2 * WAIT_MS)
    expect(page.locator("#line-state")).to_have_text("Your phone line is ready.")


def tab_to(page: Page, selector: str, presses: int = 60) -> None:
    """Press Tab until ``selector`` has the focus, as someone who uses no mouse moves through the page."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def dial(page: Page, number: str) -> None:
    """Type ``number`` in the number field and press Enter."""
    tab_to(page, "#number")
    page.keyboard.type(number)
    page.keyboard.press("Enter")


def announced(page: Page, selector: str) -> bool:
    """True when ``selector`` is inside a live region: screen readers read out what appears there."""
    return page.evaluate("""(selector) => Boolean(document.querySelector(selector)
        .closest('[aria-live]:not([aria-live=off]), [role=alert], [role=status], [role=log]'))""", selector)


def test_dialling_by_keyboard_rings_connects_sends_keys_and_hangs_up(phone_line, page, tmp_path):
    journey = Journey(page, phone_line.url, None)
    dial(page, "far")
    page.wait_for_url(re.compile(r".*/calls/\d+$"), timeout=WAIT_MS)
    state = page.locator("#call-state")
    expect(state).to_have_text("Ringing…", timeout=WAIT_MS)  # in words, and where screen readers hear it
    assert announced(page, "#call-state")
    journey.check_accessible("phone call ringing")

    page.wait_for_selector("body[data-far-audio]", timeout=WAIT_MS)
    page.evaluate(RECORD_PLAYED, "far-audio")

    phone_line.far_phone("accept")
    expect(state).to_have_text("On the call", timeout=WAIT_MS)
    # Keys for the far end's phone menu, from the keypad: Enter on one key, Space on another.
    tab_to(page, '#keypad [data-key="1"]')
    page.keyboard.press("Enter")
    tab_to(page, '#keypad [data-key="#"]')
    page.keyboard.press("Space")
    keys = phone_line.wait_far("CALL_DTMF_START", 2)
    assert [key["param"] for key in keys] == ["1", "#"]  # RFC 4733 events, as the far phone got them
    journey.check_accessible("phone call connected")
    # The far phone's tone (0.5 s after it answered) is played on the page (on a busy machine it may come later).
    # Polled from here: the page's CSP forbids the eval that wait_for_function's interval polling uses.
    deadline = time.monotonic() + WAIT_MS / 1000
    while not page.evaluate("window.heard.some((sample) => Math.abs(sample) > 0.1)"):
        assert time.monotonic() < deadline, "the far phone's tone was never played on the page"
        page.wait_for_timeout(500)

    tab_to(page, "#hangup")
    page.keyboard.press("Enter")
    expect(state).to_have_text("Hanging up…")  # at once: the captions of the last words are still finished
    phone_line.wait_far("CALL_CLOSED")  # the far phone was hung up on
    expect(state).to_have_text("Call ended (you hung up)", timeout=WAIT_MS)


def test_the_dial_limit_is_said_in_words_and_emergency_numbers_are_never_held_back(phone_line, page):
    status = page.locator("#phone-status")
    for _ in range(DIALS_PER_MINUTE):  # numbers nobody answers: the registrar knows no such phone
        dial(page, "nobody")
        page.wait_for_url(re.compile(r".*/calls/\d+$"), timeout=WAIT_MS)
        open_calls_page(page, phone_line.url)
    dial(page, "nobody")
    expect(status).to_contain_text("Too many calls", timeout=WAIT_MS)
    wait = re.search(r"please wait (\d+) seconds", status.inner_text())
    assert wait and 0 < int(wait.group(1)) <= 60, status.inner_text()
    assert announced(page, "#phone-status") and page.url.endswith("/calls")  # no call was made

    # An emergency number: what may not work is said as soon as it is typed, before the call is made...
    notice = page.locator("#emergency-notice")
    expect(notice).to_be_hidden()
    page.fill("#number", "")
    tab_to(page, "#number")
    page.keyboard.type("119")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("119 is an emergency number")
    assert announced(page, "#emergency-notice")
    assert "emergency-notice" in page.get_attribute("#number", "aria-describedby")
    assert page.url.endswith("/calls")
    # ...and the call is made even though the limit was reached, with the notice on the call screen.
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/calls/\d+$"), timeout=WAIT_MS)
    expect(page.locator("#call-notice")).to_contain_text("text 119", timeout=WAIT_MS)


def test_an_incoming_call_rings_in_the_open_page_and_is_answered_or_declined(phone_line, page):
    journey = Journey(page, phone_line.url, None)
    ringing = page.locator("#ringing")
    phone_line.far_phone("dial", f"sip:{ACCOUNT['username']}@{phone_line.registrar.address}")
    expect(ringing).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#ringing-caller")).to_contain_text("far")
    assert announced(page, "#ringing-caller")
    assert page.evaluate("document.activeElement.id") == "answer"  # the keyboard is on Answer at once
    journey.check_accessible("calls page ringing")

    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/calls/\d+$"), timeout=WAIT_MS)
    expect(page.locator("#call-state")).to_have_text("On the call", timeout=WAIT_MS)
    phone_line.wait_far("CALL_ESTABLISHED")
    phone_line.far_phone("hangup")
    expect(page.locator("#call-state")).to_contain_text("the other person hung up", timeout=WAIT_MS)

    # A second call, declined: Tab from Answer to Decline, Enter; the caller's phone is told.
    open_calls_page(page, phone_line.url)
    closed_before = len(phone_line.far_events("CALL_CLOSED"))
    phone_line.far_phone("dial", f"sip:{ACCOUNT['username']}@{phone_line.registrar.address}")
    expect(ringing).to_be_visible(timeout=WAIT_MS)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "decline"
    page.keyboard.press("Enter")
    expect(ringing).to_be_hidden()
    expect(page.locator("#phone-status")).to_contain_text("You declined the call from", timeout=WAIT_MS)
    assert page.evaluate("document.activeElement.id") == "number"  # the focus is not lost with the box
    closed = phone_line.wait_far("CALL_CLOSED", closed_before + 1)[-1]
    assert "486" in closed["param"], closed  # the caller's phone heard "busy here": the call is over
