""""Improve my voice" with the real engine: a tiny voice built from espeak-ng recordings, two more
recordings, then the voices page offers the improvement (in English and in Korean), the keyboard
alone starts it, and the continued voice replaces the old one when it is done."""

from __future__ import annotations

import os

import numpy as np
import pytest
import soundfile as sf
from playwright.sync_api import expect, sync_playwright

from moksori.dataset import read_metadata
from moksori.web.security import SESSION_COOKIE

from .databases import throwaway_database
from .servers import free_port
from .test_e2e import AXE, CHROMIUM, FLAGS
from .test_remote_workers import moksori, ready, sign_up, stop_all, wait_for

pytestmark = pytest.mark.slow


def upload_takes(client, speaker, utt_ids: list[str], folder) -> None:
    """Recordings of the fixture speaker as uploaded files with their texts (checked like studio takes)."""
    texts, files, lines = read_metadata(speaker), [], []
    for utt_id in utt_ids:
        samples, rate = sf.read(speaker / "wavs" / f"{utt_id}.wav", dtype="float32")
        pad = np.zeros(rate // 2, dtype=np.float32)
        audio = np.concatenate([pad, 0.5 * samples / np.abs(samples).max(), pad])
        audio += np.random.default_rng(0).normal(0, 1e-4, audio.size).astype(np.float32)
        sf.write(folder / f"{utt_id}.wav", audio, rate)
        files.append(("files", (f"{utt_id}.wav", (folder / f"{utt_id}.wav").read_bytes(), "audio/wav")))
        lines.append(f"{utt_id}.wav|{texts[utt_id]}")
    response = client.post("/api/uploads", files=files, data={"texts": "\n".join(lines)})
    assert response.status_code == 200 and response.json()["imported"] == len(utt_ids), response.text


def finished(client, job_id: int) -> dict:
    return wait_for(lambda: (job := client.get(f"/api/jobs/{job_id}").json())["finished"] and job, 600, "the job", 1)


def accessible(page) -> None:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        "async () => (await axe.run(document)).violations.map(v => `${v.id}: ${v.nodes.map(n => n.target).join(', ')}`)")
    assert violations == []


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed")
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make setup runs npm install axe-core)")
def test_improve_my_voice_with_the_keyboard_in_both_languages(tmp_path, synthetic_speaker):
    speaker = synthetic_speaker("ko_f", 6)
    utt_ids = list(read_metadata(speaker))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with throwaway_database(tmp_path) as database_url:
        env = dict(os.environ, MOKSORI_DATABASE_URL=database_url, MOKSORI_TRAIN_PRESET="tiny",
                   MOKSORI_MIN_TAKES_FOR_BUILD="4", MOKSORI_ASR_CHECK="false")
        server = moksori("serve", "--port", str(port), "--data-dir", str(tmp_path / "data"), env=env,
                         log=tmp_path / "server.log")
        try:
            wait_for(lambda: ready(url, server, tmp_path / "server.log"), 120, "the server", 0.5)
            user = sign_up(url)
            upload_takes(user, speaker, utt_ids[:4], tmp_path)
            assert finished(user, user.post("/api/builds").json()["id"])["status"] == "done"
            [voice] = user.get("/api/voices").json()["voices"]
            assert voice["card"]["utterances"] == 4 and user.get("/api/voices").json()["improve"] is None
            upload_takes(user, speaker, utt_ids[4:], tmp_path)
            assert user.get("/api/voices").json()["improve"]["new_recordings"] == 2

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
                for language, offer, button in (("en", "2 more good recordings than", "Improve my voice"),
                                                ("ko", "좋은 녹음이 2개 더 있습니다", "내 목소리 개선하기")):
                    # The account's interface language decides the page's (the header's switch).
                    assert user.post("/language", data={"language": language}).status_code == 303
                    context = browser.new_context()
                    context.add_cookies([{"name": SESSION_COOKIE, "value": user.cookies.get(SESSION_COOKIE),
                                          "url": url}])
                    page = context.new_page()
                    page.goto(f"{url}/voices")
                    expect(page.locator("#improve-card")).to_be_visible()
                    expect(page.locator("#improve-status")).to_contain_text(offer)
                    expect(page.locator("#improve-h")).to_have_text(button)
                    expect(page.locator("#improve")).to_have_text(button)
                    accessible(page)
                # Keyboard only: Tab reaches the button, Enter starts the improvement.
                for _ in range(40):
                    if page.evaluate("document.activeElement.id") == "improve":
                        break
                    page.keyboard.press("Tab")
                assert page.evaluate("document.activeElement.id") == "improve"
                page.keyboard.press("Enter")
                expect(page.locator("#job-stage")).to_contain_text("%")
                [job] = [j for j in user.get("/api/jobs").json()["jobs"] if j["kind"] == "improve"]
                # Until the improved voice is ready the old one stays.
                assert [v["id"] for v in user.get("/api/voices").json()["voices"]] == [voice["id"]]
                assert finished(user, job["id"])["status"] == "done"
                expect(page.locator("#improve-card")).to_be_hidden(timeout=30_000)
                expect(page.locator(".voice h3")).to_have_count(1)
                browser.close()

            [improved] = user.get("/api/voices").json()["voices"]
            assert improved["id"] != voice["id"] and improved["version"] == 2
            assert improved["card"]["utterances"] == 6 and improved["card"]["continued_from"]["utterances"] == 4
            spoken = user.post("/api/speak", json={"text": "안녕하세요"})
            assert spoken.status_code == 200 and len(spoken.content) > 1000
        finally:
            stop_all([server])
