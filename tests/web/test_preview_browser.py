"""Talk from day one in Chromium, with the real engine: a person who has 30 good recordings and no
voice is offered a quick preview voice, builds it, sees it marked as a preview, and speaks with it
on the talk screen (streamed and played by Web Audio). The build uses the tiny recipe so the test
stays short; the preview recipe's real build time is a benchmark (``python -m bench.preview_build``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from .test_e2e import upload_zip
from .test_phone_browser import browser, moksori_serve, sign_up

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path("/usr/bin/chromium").exists(),
                                                    reason="Chromium is not installed")]

TAKES = 32  # uploaded; the preview is offered from 30 good takes, so a couple may be flagged


def test_a_preview_voice_from_30_takes_speaks_on_the_talk_screen(tmp_path, synthetic_speaker):
    speaker = synthetic_speaker("ko_f", TAKES + 1)  # upload_zip leaves out the first sentence
    # The tiny recipe instead of the preview one (minutes); a full build needs more than the test has.
    env = {"MOKSORI_RUN_WORKER": "true", "MOKSORI_TRAIN_PRESET": "tiny", "MOKSORI_MIN_TAKES_FOR_BUILD": "100"}
    with moksori_serve(tmp_path / "data", env=env) as (url, _process, _log), sync_playwright() as playwright:
        context = browser(playwright, tmp_path / "profile", ["--autoplay-policy=no-user-gesture-required"])
        page = context.new_page()
        sign_up(page, url, "preview@example.com")
        page.goto(f"{url}/voices")
        expect(page.locator("#preview")).to_be_hidden()  # no recordings yet: nothing to offer

        page.goto(f"{url}/studio")
        page.set_input_files("#upload-files", str(upload_zip(speaker, tmp_path / "takes.zip")))
        page.click("#upload button")
        expect(page.locator("#upload-result")).to_contain_text("added", timeout=300_000)
        progress = page.evaluate("api('/api/progress')")
        assert progress["ready"] >= 30 and progress["can_preview"] and not progress["can_build"], progress

        page.goto(f"{url}/voices")
        expect(page.locator("#preview")).to_be_visible()
        page.click("#preview")
        expect(page.locator("#preview")).to_be_disabled()
        page.wait_for_selector(".voice audio", timeout=600_000)
        expect(page.locator(".voice")).to_contain_text("Preview voice")
        expect(page.locator(".voice")).to_contain_text("A quick preview from your first recordings")
        expect(page.locator("#preview")).to_be_hidden()  # one preview is enough

        page.goto(f"{url}/talk")
        expect(page.locator(".notice")).to_have_count(0)  # it is a voice: the "no voice yet" notice is gone
        assert page.inner_text("#voice-select option") == "Preview voice"
        page.focus("#say")
        page.keyboard.type("안녕하세요")
        with page.expect_response("**/api/speak") as answer:
            page.keyboard.press("Enter")
        assert answer.value.status == 200 and answer.value.headers["x-source"] == "voice"
        page.wait_for_selector("body[data-chunks-played]", state="attached", timeout=120_000)
        page.wait_for_selector("#history button:has-text('안녕하세요')")
        assert page.inner_text("#talk-status") == ""  # spoken to the end without an error
        context.close()
