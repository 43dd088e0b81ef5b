"""Phones in Chromium: ``moksori serve --https`` with its own certificate (trusted by the test),
recording over https, the phone page's address and QR code, and the guidance shown when the
browser keeps the microphone from the page (insecure page, permission denied, no microphone).

With ``MOKSORI_SCREENSHOTS=docs/screenshots`` the pages are also photographed in both languages.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import expect, sync_playwright

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path("/usr/bin/chromium").exists(),
                                                    reason="Chromium is not installed")]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
FAKE_MICROPHONE = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
PHONE = {"width": 390, "height": 844}
PASSWORD = "a long enough password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def moksori_serve(data_dir: Path, *extra: str, env: dict[str, str] | None = None):
    """``moksori serve`` on a free loopback port, without its worker unless ``env`` says otherwise;
    yields (base URL, process, its output file)."""
    port = free_port()
    https = "--https" in extra
    env = {**os.environ, "MOKSORI_RUN_WORKER": "false", "MOKSORI_ASR_CHECK": "false", "PYTHONUNBUFFERED": "1", **(env or {})}
    log = data_dir.parent / f"serve-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "moksori.cli", "serve", "--host", "127.0.0.1", "--port",
                                    str(port), "--data-dir", str(data_dir), *extra], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"{'https' if https else 'http'}://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                verify = ssl.create_default_context(cafile=str(data_dir / "tls" / "cert.pem")) if https else True
                if httpx.get(f"{url}/login", verify=verify).status_code == 200:
                    break
            except (httpx.TransportError, FileNotFoundError, ssl.SSLError):
                time.sleep(0.25)
        yield url, process, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def spki_hash(cert_path: Path) -> str:
    """What Chromium's --ignore-certificate-errors-spki-list takes: trust exactly this key."""
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    der = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def browser(playwright, profile: Path, args: list[str], locale: str = "en-US"):
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path="/usr/bin/chromium", headless=True, viewport=PHONE, locale=locale,
        args=[*FLAGS, *args])


def sign_up(page, base: str, email: str) -> None:
    page.goto(f"{base}/signup")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/consent")
    page.check("input[name=agree]")
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/studio")


def check_accessible(page, where: str) -> None:
    if not AXE.exists():
        return
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        "async () => (await axe.run(document)).violations.map(v => `${v.id}: ${v.nodes.map(n => n.target).join(', ')}`)")
    assert violations == [], f"{where}: {violations}"


def test_https_with_a_kept_certificate_lets_a_phone_record(tmp_path):
    data = tmp_path / "data"
    with moksori_serve(data, "--https") as (url, _process, log):
        output = log.read_text()
        assert "On a phone on this network, open https://" in output and "▄" in output  # address and QR code
        cert = data / "tls" / "cert.pem"
        first = cert.read_bytes()
        with sync_playwright() as playwright:
            context = browser(playwright, tmp_path / "profile",
                              [f"--ignore-certificate-errors-spki-list={spki_hash(cert)}", *FAKE_MICROPHONE])
            page = context.new_page()
            sign_up(page, url, "phone@example.com")
            assert page.evaluate("window.isSecureContext")
            page.click("#record")
            page.wait_for_selector("#record[aria-pressed=true]")
            time.sleep(1.5)
            page.click("#record")
            expect(page.locator("#checks")).not_to_contain_text("Checking", timeout=60_000)
            assert page.is_hidden("#mic-help")
            page.goto(f"{url}/phone")
            phone_url = page.inner_text(".phone-url")
            assert phone_url.startswith("https://") and page.is_visible(".qr svg")
            check_accessible(page, "/phone")
            context.close()
    with moksori_serve(data, "--https"):
        assert cert.read_bytes() == first  # kept across restarts


MICROPHONE_CASES = {
    # name: (host the page is opened on, browser flags, locale, the guidance expected)
    "insecure page": ("phone.test", ["--host-resolver-rules=MAP phone.test 127.0.0.1", *FAKE_MICROPHONE], "en-US",
                      "This page is not secure"),
    "permission denied": ("127.0.0.1", ["--use-fake-device-for-media-stream", "--deny-permission-prompts"], "en-US",
                          "The microphone is blocked for this page"),
    "no microphone": ("127.0.0.1", ["--use-fake-ui-for-media-stream"], "en-US", "No microphone was found"),
    "permission denied, in Korean": ("127.0.0.1", ["--use-fake-device-for-media-stream", "--deny-permission-prompts"],
                                     "ko-KR", "이 페이지에서 마이크가 차단되어 있어요"),
}


def test_a_blocked_microphone_is_explained(tmp_path):
    with moksori_serve(tmp_path / "data") as (url, _process, _log), sync_playwright() as playwright:
        for n, (name, (host, flags, locale, expected)) in enumerate(MICROPHONE_CASES.items()):
            context = browser(playwright, tmp_path / f"profile{n}", flags, locale)
            page = context.new_page()
            sign_up(page, url.replace("127.0.0.1", host), f"mic{n}@example.com")
            page.click("#record")
            help_text = page.locator("#mic-help")
            expect(help_text).to_be_visible()
            assert expected in help_text.inner_text(), (name, help_text.inner_text())
            assert page.get_attribute("#record", "aria-pressed") != "true"
            context.close()
