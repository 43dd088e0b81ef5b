"""The main journey in headless Chromium against ``moksori serve`` with the real engine:
sign up, consent, record with the (fake) microphone, upload, build a tiny voice, speak with it;
then a clipped take is flagged. axe-core checks every page for accessibility violations.

Set ``MOKSORI_SCREENSHOTS=docs/screenshots`` to save a phone-sized screenshot of each page.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile as sf
from playwright.sync_api import expect, sync_playwright

from moksori.audio import resample
from moksori.dataset.synthetic import KO_SENTENCES

from .servers import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--use-fake-ui-for-media-stream",
         "--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required"]
PHONE = {"width": 412, "height": 915}
SPOKEN = KO_SENTENCES[0]  # what the fake microphone says
TAKE_SECONDS = 5.2  # the fake microphone file is about 4.5 s; it restarts at every recording
EMAIL, PASSWORD = "e2e@example.com", "a long enough password"


def microphone_file(speaker_dir: Path, out: Path, gain: float) -> Path:
    """The first fixture sentence with 0.7 s of quiet room noise around it, at 48 kHz as a microphone gives."""
    samples, rate = sf.read(speaker_dir / "wavs" / "ko_f_0001.wav", dtype="float32")
    samples = resample(samples / np.abs(samples).max(), rate, 48000)
    pad = np.zeros(int(0.7 * 48000), dtype=np.float32)
    audio = np.concatenate([pad, samples, pad]) + np.random.default_rng(1).normal(0, 3e-4, 2 * pad.size + samples.size)
    sf.write(out, np.clip(gain * audio, -1, 1), 48000, subtype="PCM_16")
    return out


def upload_zip(speaker_dir: Path, out: Path) -> Path:
    """Sentences 2.. of the fixture speaker as an LJSpeech zip, at a sane level with edge silence."""
    rows = (speaker_dir / "metadata.csv").read_text(encoding="utf-8").splitlines()[1:]
    with zipfile.ZipFile(out, "w") as archive:
        for row in rows:
            utt_id = row.split("|")[0]
            samples, rate = sf.read(speaker_dir / "wavs" / f"{utt_id}.wav", dtype="float32")
            pad = np.zeros(rate // 2, dtype=np.float32)
            tmp = out.parent / f"{utt_id}.wav"
            sf.write(tmp, np.concatenate([pad, 0.5 * samples / np.abs(samples).max(), pad]), rate)
            archive.write(tmp, f"wavs/{utt_id}.wav")
        archive.writestr("metadata.csv", "\n".join(rows) + "\n")
    return out


@pytest.fixture
def server(tmp_path, database_url):
    port = free_port()
    env = dict(os.environ, MOKSORI_TRAIN_PRESET="tiny", MOKSORI_MIN_TAKES_FOR_BUILD="4",
               MOKSORI_DATABASE_URL=database_url)
    process = subprocess.Popen([sys.executable, "-m", "moksori.cli", "serve", "--port", str(port),
                                "--data-dir", str(tmp_path / "data")], env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if httpx.get(f"{url}/login").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.5)
    yield url
    process.terminate()
    process.wait(timeout=30)


class Journey:
    def __init__(self, page, base: str, shots: Path | None) -> None:
        self.page, self.base, self.shots = page, base, shots

    def visit(self, path: str, name: str | None = None) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        self.check_accessible(path)
        if name:
            self.screenshot(name)

    def screenshot(self, name: str) -> None:
        if self.shots:
            self.page.evaluate("window.scrollTo(0, 0)")
            self.page.screenshot(path=self.shots / f"{name}.png")

    def check_accessible(self, where: str) -> None:
        # Evaluated through DevTools rather than added as a <script>: the pages' security policy
        # (rightly) blocks inline scripts, and the check must run on the page as users get it.
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        violations = self.page.evaluate(
            "async () => (await axe.run(document)).violations.map(v => `${v.id}: ${v.nodes.map(n => n.target).join(', ')}`)")
        assert violations == [], f"{where}: {violations}"

    def record(self) -> str:
        self.page.click("#record")
        self.page.wait_for_selector("#record[aria-pressed=true]")
        time.sleep(TAKE_SECONDS)
        self.page.click("#record")
        expect(self.page.locator("#checks")).not_to_contain_text("Checking", timeout=60_000)
        return self.page.inner_text("#checks")


def launch(playwright, profile: Path, microphone: Path):
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), headless=True, viewport=PHONE, locale="en-US",
        args=[*FLAGS, f"--use-file-for-fake-audio-capture={microphone}%noloop"])


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed")
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make setup runs npm install axe-core)")
def test_record_build_and_speak_in_a_browser(server, tmp_path, synthetic_speaker):
    speaker = synthetic_speaker("ko_f", 6)
    shots = os.environ.get("MOKSORI_SCREENSHOTS")
    shots = Path(shots) if shots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    good_mic = microphone_file(speaker, tmp_path / "good.wav", 0.4)
    loud_mic = microphone_file(speaker, tmp_path / "loud.wav", 8.0)
    with sync_playwright() as playwright:
        browser = launch(playwright, tmp_path / "profile-a", good_mic)
        page = browser.new_page()
        journey = Journey(page, server, shots)
        journey.visit("/login", "login")
        journey.visit("/signup", "signup")
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.click("form.card button[type=submit]")
        page.wait_for_url("**/consent")
        journey.check_accessible("/consent")
        journey.screenshot("consent")
        page.check("input[name=agree]")
        page.click("text=Agree and start")
        page.wait_for_url("**/studio")

        # Record the fake microphone's sentence as one of the user's own sentences.
        expect(page.locator("#prompt")).not_to_be_empty()
        journey.check_accessible("/studio")
        page.fill("#new-sentence", SPOKEN)
        page.click("#add-sentence button")
        expect(page.locator("#prompt")).to_have_text(SPOKEN)
        checks = journey.record()
        assert "record it again" not in checks and "Good take" in checks, checks
        assert page.get_attribute("#play", "disabled") is None

        page.set_input_files("#upload-files", str(upload_zip(speaker, tmp_path / "takes.zip")))
        page.click("#upload button")
        expect(page.locator("#upload-result")).to_contain_text("added", timeout=300_000)
        assert page.inner_text("#upload-result").startswith("Recordings added: 5")
        expect(page.locator("#progress-text")).to_contain_text("Recordings: 6")
        journey.screenshot("studio")

        # Build a tiny voice with the real engine in the embedded worker; follow it live.
        journey.visit("/voices")
        page.click("#build")
        expect(page.locator("#job-stage")).to_contain_text("%")
        page.wait_for_selector(".voice audio", timeout=600_000)
        assert page.is_hidden("#job-error")
        journey.screenshot("voices")
        journey.check_accessible("/voices after the build")

        # Talk: keyboard only; Enter speaks, streamed into Web Audio.
        journey.visit("/talk")
        page.focus("#say")
        page.keyboard.type("안녕하세요")
        page.keyboard.press("Enter")
        page.wait_for_selector("body[data-chunks-played]", state="attached", timeout=120_000)
        page.wait_for_selector("#history button:has-text('안녕하세요')")
        for text in ("하나", "둘"):  # typed faster than spoken: queued, then said in order
            page.keyboard.type(text)
            page.keyboard.press("Enter")
        page.wait_for_selector("#history li:first-child button:text-is('둘')", timeout=60_000)
        page.keyboard.press("Escape")
        expect(page.locator("#talk-status")).to_contain_text("Stopped")
        hostile = '<img src=x onerror="window.hacked=1">'
        page.click("summary")
        page.fill("#phrase-text", hostile)
        page.fill("#phrase-category", "기본")
        page.click("#add-phrase button")
        page.wait_for_selector(f"#board button.phrase:text-is('{hostile}')")
        assert page.evaluate("window.hacked") is None
        journey.check_accessible("/talk")
        journey.screenshot("talk")
        journey.visit("/account", "account")
        journey.visit("/no-such-page")
        browser.close()

        # Another day, another device, a microphone that is far too loud: the take is flagged.
        browser = launch(playwright, tmp_path / "profile-b", loud_mic)
        page = browser.new_page()
        page.goto(server + "/login")
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.click("form.card button[type=submit]")
        page.goto(server + "/studio")
        page.check("input[value=custom]")
        expect(page.locator("#prompt")).to_have_text(SPOKEN)
        checks = Journey(page, server, None).record()
        assert "record it again" in checks and page.is_visible("#checks li[data-code=clipped]"), checks
        assert page.is_visible("#keep")
        page.fill("#new-sentence", hostile)
        page.click("#add-sentence button")
        expect(page.locator("#prompt")).to_have_text(hostile)  # shown as text, never run
        assert page.evaluate("window.hacked") is None
        browser.close()
