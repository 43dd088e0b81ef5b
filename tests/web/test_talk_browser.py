"""The talk screen in Chromium, keyboard first: the phrase board's tabs and tiles (one Tab stop,
arrow keys), favourites on 1–9, F6 between typing and the board, undo of a delete, switch
scanning, word prediction, and axe-core on the page. No voice is needed: what matters is which
text is sent to be spoken."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from .test_phone_browser import browser, check_accessible, moksori_serve, sign_up

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path("/usr/bin/chromium").exists(),
                                                    reason="Chromium is not installed")]

PHRASES = [("물 주세요", "기본", True), ("화장실 가고 싶어요", "기본", True), ("고마워요", "기본", False),
           ("아파요", "몸", False)]


def add_phrase(page, text: str, category: str, favourite: bool) -> None:
    if page.locator("details").first.get_attribute("open") is None:
        page.click("summary")
    page.fill("#phrase-text", text)
    page.fill("#phrase-category", category)
    page.set_checked("#phrase-favourite", favourite)
    page.click("#add-phrase button")
    expect(page.locator("#phrase-text")).to_have_value("")


def spoken_by(page, action) -> str:
    """The text the page asks the server to speak when ``action`` runs."""
    with page.expect_request("**/api/speak") as request:
        action()
    return json.loads(request.value.post_data)["text"]


def test_the_board_works_by_keyboard_and_switch(tmp_path):
    with moksori_serve(tmp_path / "data") as (url, _process, _log), sync_playwright() as playwright:
        context = browser(playwright, tmp_path / "profile", [])
        page = context.new_page()
        sign_up(page, url, "talk@example.com")
        page.goto(f"{url}/talk")
        expect(page.locator(".notice")).to_contain_text("no voice yet")
        for phrase in PHRASES:
            add_phrase(page, *phrase)
        expect(page.locator("#board-tabs [role=tab]")).to_have_count(3)  # favourites, 기본, 몸
        assert page.inner_text("#board-tabs [aria-selected=true]") == "몸"  # the phrase just added is shown
        assert page.locator("#board-tabs [role=tab]").first.inner_text() == "★ Favourites"
        page.click("#board-tabs [role=tab]:text-is('★ Favourites')")

        # F6 from the text box to the board; number keys say favourites.
        page.focus("#say")
        page.keyboard.press("F6")
        assert page.evaluate("document.activeElement.classList.contains('tile')")
        assert spoken_by(page, lambda: page.keyboard.press("2")) == "화장실 가고 싶어요"
        page.keyboard.press("F6")
        assert page.evaluate("document.activeElement.id") == "say"

        # One Tab stop for all the tiles; arrows move inside the grid.
        page.click("#board-tabs [role=tab]:text-is('기본')")
        assert page.locator("#board button.tile[tabindex='0']").count() == 1
        page.focus("#say")
        page.keyboard.press("F6")
        page.keyboard.press("ArrowRight")
        focused = page.evaluate("document.activeElement.textContent")
        assert focused.endswith("화장실 가고 싶어요")
        assert spoken_by(page, lambda: page.keyboard.press("Enter")) == "화장실 가고 싶어요"
        page.keyboard.press("Tab")
        assert not page.evaluate("document.activeElement.classList.contains('tile')")  # out of the grid at once

        # Delete with undo: nothing is sent until the undo time is over.
        deletes = []
        page.on("request", lambda request: deletes.append(request.url) if request.method == "DELETE" else None)
        page.check("#edit-phrases")
        check_accessible(page, "/talk while editing")
        page.click("button[aria-label='Delete: 고마워요']")
        expect(page.locator("#board button.tile:text-is('고마워요')")).to_have_count(0)
        expect(page.locator("#undo-bar")).to_be_visible()
        page.click("#undo")
        expect(page.locator("#board button.tile:text-is('고마워요')")).to_have_count(1)
        assert deletes == []
        page.click("button[aria-label='Delete: 고마워요']")
        page.goto(f"{url}/account")  # leaving the page sends the waiting delete
        page.goto(f"{url}/talk")
        page.click("#board-tabs [role=tab]:text-is('기본')")
        expect(page.locator("#board button.tile")).to_have_count(2)

        # Switch scanning: Space steps (wrapping round), Enter speaks.
        page.check("#scanning")
        page.focus("#say")
        page.keyboard.press("F6")
        first = page.evaluate("document.activeElement.textContent")
        page.keyboard.press(" ")
        second = page.evaluate("document.activeElement.textContent")
        page.keyboard.press(" ")
        assert page.evaluate("document.activeElement.textContent") == first != second
        assert spoken_by(page, lambda: page.keyboard.press("Enter")).endswith(first[-3:])

        # Word prediction from the person's own phrases.
        page.focus("#say")
        page.keyboard.type("화")
        page.click("#suggestions button:text-is('화장실')")
        assert page.input_value("#say") == "화장실 "
        page.uncheck("#edit-phrases")
        check_accessible(page, "/talk")
        context.close()


@pytest.mark.parametrize("locale", ["ko-KR", "en-US"])
def test_every_page_passes_axe_in_both_languages(tmp_path, locale):
    """axe-core on each page in Korean and in English (with MOKSORI_SCREENSHOTS set, each page is
    also photographed at phone size as NAME-ko.png / NAME-en.png)."""
    shots = os.environ.get("MOKSORI_SCREENSHOTS")
    suffix = locale[:2]
    with moksori_serve(tmp_path / "data") as (url, _process, _log), sync_playwright() as playwright:
        context = browser(playwright, tmp_path / "profile", ["--use-fake-ui-for-media-stream"], locale)
        page = context.new_page()

        def visit(path: str, name: str) -> None:
            if page.url != f"{url}{path}":
                page.goto(f"{url}{path}")
            page.wait_for_load_state("networkidle")
            assert page.get_attribute("html", "lang") == suffix
            check_accessible(page, f"{path} ({locale})")
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=Path(shots) / f"{name}-{suffix}.png")

        visit("/login", "login")
        visit("/signup", "signup")
        sign_up(page, url, f"axe-{suffix}@example.com")
        visit("/studio", "studio")
        page.goto(f"{url}/talk")
        for text, category, favourite in PHRASES:
            add_phrase(page, text, category, favourite)
        page.click("summary")  # fold the form away again
        visit("/talk", "talk")
        visit("/voices", "voices")
        visit("/account", "account")
        visit("/phone", "phone")
        visit("/shop", "shop")
        context.close()


def active_text(page) -> str:
    return page.evaluate("document.activeElement.textContent")


def test_one_switch_scanning_moves_on_by_itself_stops_and_speaks(tmp_path):
    """Automatic scanning: the focus steps through the tiles on a timer; the switch (Space or Enter)
    stops it on a tile, pressed again says that tile and the scan goes on. The speed is kept for this
    person on this device, and the next person on the same browser starts from the default. The
    typing box's Enter (the script shared with the call screen) is checked here too."""
    with moksori_serve(tmp_path / "data") as (url, _process, _log), sync_playwright() as playwright:
        context = browser(playwright, tmp_path / "profile", [])
        page = context.new_page()
        sign_up(page, url, "switch@example.com")
        page.goto(f"{url}/talk")
        for text in ("물 주세요", "고마워요", "아파요"):
            page.evaluate("(text) => api('/api/phrases', { method: 'POST', json: { text, category: '기본' } })", text)
        page.reload()
        spoken = []
        page.on("request", lambda request: spoken.append(json.loads(request.post_data)["text"])
                if request.url.endswith("/api/speak") else None)

        # Enter speaks what is typed and empties the box; Shift+Enter is a new line.
        page.focus("#say")
        page.keyboard.type("안녕")
        page.keyboard.press("Shift+Enter")
        page.keyboard.type("하세요")
        assert spoken_by(page, lambda: page.keyboard.press("Enter")) == "안녕\n하세요"
        assert page.input_value("#say") == ""

        page.fill("#scan-seconds", "0.5")
        page.dispatch_event("#scan-seconds", "change")
        page.check("#scanning")
        page.check("#auto-scanning")
        assert not page.is_checked("#scanning")  # one way of scanning at a time
        page.focus("#say")
        page.keyboard.press("F6")
        page.wait_for_function("document.body.dataset.scan === 'running'")
        seen = {active_text(page)}
        for _ in range(3):  # it moves by itself, round all three tiles
            page.wait_for_function("(before) => document.activeElement.textContent !== before", arg=active_text(page),
                                   timeout=10_000)
            seen.add(active_text(page))
        assert seen == {"물 주세요", "고마워요", "아파요"}

        spoken.clear()
        page.keyboard.press(" ")  # first press: stop here
        page.wait_for_function("document.body.dataset.scan === 'paused'")
        stopped_on = active_text(page)
        page.wait_for_timeout(1500)  # three steps' time
        assert active_text(page) == stopped_on and spoken == []  # stayed, and said nothing yet
        assert spoken_by(page, lambda: page.keyboard.press("Enter")) == stopped_on  # second press: say it
        page.wait_for_function("document.body.dataset.scan === 'running'")
        page.wait_for_function("(before) => document.activeElement.textContent !== before", arg=stopped_on,
                               timeout=10_000)
        assert spoken == [stopped_on]
        page.focus("#say")  # leaving the board stops the scan
        page.wait_for_function("document.body.dataset.scan === 'off'")

        page.reload()
        assert page.input_value("#scan-seconds") == "0.5" and page.is_checked("#auto-scanning")
        page.click("form[action='/logout'] button")
        sign_up(page, url, "someone-else@example.com")
        page.goto(f"{url}/talk")
        assert page.input_value("#scan-seconds") == "1.5" and not page.is_checked("#auto-scanning")
        check_accessible(page, "/talk with scanning settings")
        context.close()
