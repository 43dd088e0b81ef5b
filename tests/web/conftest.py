"""Fixtures for the web app: an app per test on its own data folder and database, logged-in
clients, audio. ``MOKSORI_TEST_DATABASE=postgresql`` runs every test on a throw-away PostgreSQL
database instead of SQLite (``make test`` runs both).

``WebServices`` is a test double for the areas outside the web app (script, ASR, engine): these
tests are about the web layer, and the real engine is exercised by the end-to-end test.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from moksori.asr.streaming import RecognizerUnavailable
from moksori.web.app import build_app
from moksori.web.security import CSRF_COOKIE, SESSION_COOKIE, session_csrf_token
from moksori.web.services import Prompt, Services
from moksori.web.settings import Settings
from tests.calls.doubles import LoudnessRecognizer

from .databases import throwaway_database

SCRIPT = ["안녕하세요, 만나서 반갑습니다.", "오늘 날씨가 정말 좋네요.", "물 한 잔 주시겠어요?", "잠깐만요, 천천히 말씀해 주세요."]
BANK = ["사랑해요.", "고마워요."]
RATE = 22050


class DoubleVoice:
    """Speaks a tone per word, in several chunks, like ``engine.Voice.stream``."""

    sample_rate = RATE
    card = {"speaker": "test", "language": "ko"}

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as archive:  # raises for anything but a zip, like the engine
            data = archive.read("voice")
        if data[:5] != b"VOICE":
            raise ValueError("not a voice file")
        self.made = 0  # chunks synthesised so far
        self.card = {**self.card, "utterances": len(data) - 5}  # the double trainer writes one byte per take

    def stream(self, text: str, rate: float = 1.0, volume: float = 1.0) -> Iterator[np.ndarray]:
        for n, _word in enumerate(text.split()):
            t = np.arange(round(RATE / 10 / rate)) / RATE  # faster speech is shorter
            self.made += 1
            yield (0.3 * volume * np.sin(2 * np.pi * (200 + 20 * n) * t)).astype(np.float32)

    def synthesize(self, text: str, rate: float = 1.0) -> np.ndarray:
        return np.concatenate(list(self.stream(text, rate)))


class WebServices(Services):
    """Real take checks; fixed script, scripted CER and a double engine."""

    def __init__(self) -> None:
        super().__init__()
        self.cers: list[float] = []
        self.loads = 0
        self.train_hook: Callable[[Callable], None] | None = None
        self.base_voices: list[bytes | None] = []
        self.recognizers: list[LoudnessRecognizer] = []
        self.recognition_available = True

    def script(self, language: str) -> list[Prompt]:
        return [Prompt(f"script:{n}", text, "script") for n, text in enumerate(SCRIPT)]

    def message_bank(self, language: str) -> list[Prompt]:
        return [Prompt(f"bank:{n}", text, "bank") for n, text in enumerate(BANK)]

    def text_cer(self, samples, rate, text, language) -> float:
        return self.cers.pop(0) if self.cers else 0.3

    def train(self, dataset_dir, out_path, preset, language, progress, resume, workdir, base_voice=None) -> Path:
        # What each build continued from: the bytes of the voice it was given, or None for a new voice.
        self.base_voices.append(Path(base_voice).read_bytes() if base_voice else None)
        rows = (dataset_dir / "metadata.csv").read_text(encoding="utf-8").splitlines()
        assert len(rows) == len(list((dataset_dir / "wavs").glob("*.wav")))
        for step in range(1, 5):
            progress("train", step / 4, {"step": step, "eta_s": 4 - step})
            if self.train_hook:
                self.train_hook(progress)
        with zipfile.ZipFile(out_path, "w") as archive:  # a .voice is a zip, like the engine's
            archive.writestr("voice", b"VOICE" + bytes(len(rows)))
        return Path(out_path)

    def recognizer(self, language: str) -> LoudnessRecognizer:
        if not self.recognition_available:
            raise RecognizerUnavailable("Speech recognition is not available on this server (test).")
        self.recognizers.append(LoudnessRecognizer())
        return self.recognizers[-1]
    def understood(self, voice, texts, language) -> float:
        self.understood_texts = texts
        return 0.8

    def voice(self, path: Path) -> DoubleVoice:
        return self._voices.get(str(path), lambda: self._load(path))

    def _load(self, path: Path) -> DoubleVoice:
        self.loads += 1
        return DoubleVoice(path)


class Client(TestClient):
    """A browser: keeps cookies and repeats the page's CSRF token in the header, as the pages' scripts
    do (bound to the session once logged in, the double-submit cookie before). It asks for English
    pages unless told otherwise (Korean is the default for browsers that do not say)."""

    def __init__(self, app, language: str = "en", **kwargs) -> None:
        super().__init__(app, headers={"Accept-Language": language}, **kwargs)

    def __enter__(self) -> Client:
        super().__enter__()
        self.get("/login")  # the first page view sets the CSRF cookie
        return self

    def build_request(self, method, url, **kwargs):
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault("X-CSRF-Token", self.csrf_token())
        return super().build_request(method, url, headers=headers, **kwargs)

    def csrf_token(self) -> str:
        session = self.cookies.get(SESSION_COOKIE)
        if session:
            return session_csrf_token(self.app.state.secret_key, session)
        return self.cookies.get(CSRF_COOKIE) or ""


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    with throwaway_database(tmp_path) as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, run_worker=False, asr_check=False,
                    min_takes_for_build=2)


@pytest.fixture
def services() -> WebServices:
    return WebServices()


@pytest.fixture
def app(settings: Settings, services: WebServices):
    app = build_app(settings, services)
    yield app
    app.state.db.engine.dispose()  # so the throw-away database can be dropped


@pytest.fixture
def make_client(app) -> Iterator[Callable[..., Client]]:
    clients = []

    def make(email: str | None = None, consent: bool = True, language: str = "en") -> Client:
        client = Client(app, language)
        client.__enter__()
        clients.append(client)
        if email:
            response = client.post("/signup", data={"email": email, "password": "correct horse", "language": "ko"})
            assert response.status_code in (200, 303), response.text
            if consent:
                client.post("/consent", data={"agree": "yes"})
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def alice(make_client) -> Client:
    return make_client("alice@example.com")


@pytest.fixture
def bob(make_client) -> Client:
    return make_client("bob@example.com")


@pytest.fixture
def speaker(alice, app, settings, services, speech):
    """Alice with a built voice (two takes and the double trainer)."""
    for n in range(2):
        record(alice, f"script:{n}", *speech[n])
    alice.post("/api/builds")
    run_next_job(app, settings, services)
    return alice


@pytest.fixture(scope="session")
def speech(synthetic_speaker) -> list[tuple[np.ndarray, int]]:
    """Korean espeak-ng sentences with half a second of quiet room noise on each side."""
    folder = synthetic_speaker("ko_f", 4)
    rng = np.random.default_rng(0)
    takes = []
    for wav in sorted((folder / "wavs").glob("*.wav")):
        samples, rate = sf.read(wav, dtype="float32")
        pad = np.zeros(rate // 2, dtype=np.float32)
        padded = np.concatenate([pad, 0.5 * samples / np.abs(samples).max(), pad])
        takes.append((padded + rng.normal(0, 1e-4, padded.size).astype(np.float32), rate))
    return takes


def wav_bytes(samples: np.ndarray, rate: int, fmt: str = "WAV") -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format=fmt)
    return buffer.getvalue()


def record(client: Client, key: str, samples: np.ndarray, rate: int):
    return client.post("/api/takes", data={"prompt_key": key},
                       files={"audio": ("take.wav", wav_bytes(samples, rate), "audio/wav")})


def user_files(settings: Settings, folder: str) -> list[Path]:
    return sorted(p for p in (settings.data_dir / "users").glob(f"*/{folder}/*") if p.is_file())


def run_next_job(app, settings: Settings, services: Services) -> int:
    """What the worker process does with the next queued job, done in this process."""
    from moksori.web.jobs.queue import claim_next
    from moksori.web.jobs.worker import run_job

    with app.state.db.session() as db:
        job_id = claim_next(db).id
    run_job(app.state.db, settings, services, job_id)
    return job_id
