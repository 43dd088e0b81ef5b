"""Trying a call to the shop's assistant in headless Chromium against ``moksori serve``: the owner's shop page
(axe-core), "Try a call" turns this browser into the caller with a fake microphone, real WebRTC, real captions
(vosk) and a tiny untrained voice; the assistant greets after the call notice, answers what the caller said,
and the call lands on the dashboard when the caller hangs up."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from playwright.sync_api import expect, sync_playwright

from moksori.calls.notice import CALL_NOTICE
from tests.engine.voices import random_voice

from .databases import page_csrf_token
from .test_calls_browser import account, account_with_voice, launch, log_in, microphone
from .test_e2e import AXE, CHROMIUM, Journey
from .test_e2e import server as server  # noqa: F401  (the same fixture: `moksori serve` on a free port)
from .test_shop import PROFILE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make setup runs npm install axe-core)"),
]


def late_microphone(speaker_dir: Path, out: Path) -> Path:
    """The calls test's caller, 12 s later: the sentence comes about 20 s after the microphone opens, while the
    assistant is still greeting on a busy machine (the caller talks over it)."""
    microphone(speaker_dir, out)
    audio, rate = sf.read(out, dtype="float32")
    sf.write(out, np.concatenate([np.zeros(12 * rate, np.float32), audio]), rate, subtype="PCM_16")
    return out


def test_the_owner_tries_a_call_with_the_microphone(server, tmp_path, synthetic_speaker):
    api = account_with_voice(server, random_voice(tmp_path / "me.voice"))
    saved = api.put("/api/shop/profile", json={"profile_yaml": PROFILE}, headers={"X-CSRF-Token": page_csrf_token(api)})
    assert saved.status_code == 200, saved.text
    mic = late_microphone(synthetic_speaker("ko_f", 1), tmp_path / "caller.wav")
    with sync_playwright() as playwright:
        owner = launch(playwright, tmp_path / "owner")
        page = owner.new_page()
        log_in(page, server)
        Journey(page, server, None).visit("/shop")
        page.click("#customer-link")
        expect(page.locator("#customer-link-qr svg")).to_be_visible(timeout=60_000)  # the first call loads vosk
        assert len(page.input_value("#customer-link-url").rsplit("/", 1)[1]) >= 32
        owner.close()

        # The fake microphone starts playing when the browser starts: a browser of its own for the call.
        caller = launch(playwright, tmp_path / "caller", mic)
        page = caller.new_page()
        log_in(page, server)
        page.goto(server + "/shop")
        page.click("#try-call")
        page.wait_for_url("**/call/*", timeout=60_000)
        expect(page.locator("p[lang=ko].notice")).to_have_text(CALL_NOTICE["ko"])
        page.click("#join")
        page.wait_for_selector("body[data-connected]", timeout=30_000)
        call_id = api.get("/api/calls").json()["calls"][0]["id"]

        def lines() -> list[dict]:
            return api.get(f"/api/calls/{call_id}").json()["lines"]

        for _ in range(180):  # the caller's sentence is recognised and answered
            said = [line for line in lines() if line["speaker"] == "me"]
            them = [line for line in lines() if line["speaker"] == "them"]
            if them and any(line["start"] >= them[0]["end"] for line in said):
                break
            time.sleep(0.5)
        heard = [line for line in lines() if line["speaker"] == "them" and line["final"]]
        assert said[0]["text"] == CALL_NOTICE["ko"] and heard
        # An answer after the caller spoke (the greeting itself may have been cut short by the caller's words).
        assert any(line["start"] >= heard[0]["end"] for line in said[1:]), (said, heard)
        assert page.inner_text("#said li:nth-child(1)") == CALL_NOTICE["ko"]
        caller.close()  # the caller hangs up

    for _ in range(120):
        calls = api.get("/api/shop/records?kind=call").json()["records"]
        if calls:
            break
        time.sleep(0.5)
    turns = calls[0]["data"]["turns"]
    assert turns[1]["caller"].strip() and turns[1]["assistant"]  # what the recogniser heard, and the answer


def test_the_owner_sees_the_profiles_problems_in_korean(server, tmp_path):
    account(server, "ko")
    broken = PROFILE.replace("address: 서울 마포구 독막로 10\n", "").replace('mon: "11:00-21:00"', 'mon: "21:00-11:00"')
    with sync_playwright() as playwright:
        owner = launch(playwright, tmp_path / "owner")
        page = owner.new_page()
        log_in(page, server)
        page.goto(server + "/shop")
        page.fill("#profile-yaml", broken)
        page.click("#shop-profile button[type=submit]")
        problems = page.locator("#profile-problems")
        expect(problems).to_be_visible(timeout=30_000)
        expect(problems).to_contain_text("프로필을 저장하지 않았어요")
        expect(problems).to_contain_text("address: 꼭 있어야 하는 항목이 빠졌어요")
        expect(problems).to_contain_text("hours.mon: 닫는 시각이 여는 시각보다 빠르거나 같아요: '21:00-11:00'")
        Journey(page, server, None).check_accessible("/shop, a profile refused")
        owner.close()
