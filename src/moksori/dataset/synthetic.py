"""Synthetic speakers made with espeak-ng: test fixtures and a demo voice, no recordings needed.

Each speaker is an LJSpeech-style folder (``metadata.csv`` with ``id|text`` and ``wavs/<id>.wav``).
espeak-ng's voice variants and pitch/speed settings give distinct "speakers".
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf

KO_SENTENCES = [
    "안녕하세요, 만나서 반갑습니다.",
    "오늘 날씨가 정말 좋네요.",
    "물 한 잔 주시겠어요?",
    "잠깐만요, 천천히 말씀해 주세요.",
    "내일 오후 세 시에 병원에 가요.",
    "감사합니다. 덕분에 살았어요.",
    "아니요, 괜찮습니다.",
    "저는 커피보다 녹차를 좋아해요.",
    "지금 몇 시인지 알려 주세요.",
    "창문 좀 열어 줄 수 있어요?",
    "우리 가족은 모두 네 명입니다.",
    "이 버스는 시청으로 갑니까?",
    "배가 고파서 밥을 먹고 싶어요.",
    "어제 친구와 영화를 봤어요.",
    "조금 피곤해서 쉬고 싶어요.",
    "사랑해요, 항상 고마워요.",
    "주말에는 공원에서 산책을 합니다.",
    "전화번호를 다시 알려 주세요.",
    "약은 식사 후에 드세요.",
    "길이 막혀서 조금 늦을 것 같아요.",
    "생일 축하합니다!",
    "이 음식은 너무 맵지 않아요.",
    "다음 주 월요일에 다시 만나요.",
    "문을 닫아 주시면 고맙겠습니다.",
    "책상 위에 안경이 있어요.",
    "도와주셔서 정말 감사합니다.",
    "따뜻한 국물이 먹고 싶네요.",
    "오랜만이에요, 잘 지냈어요?",
    "텔레비전 소리를 줄여 주세요.",
    "봄이 오면 꽃구경을 가요.",
    "할머니께서 시장에 가셨어요.",
    "숙제를 다 끝냈습니다.",
    "기차가 곧 도착합니다.",
    "손을 깨끗이 씻으세요.",
    "노래를 들으면 기분이 좋아져요.",
    "의자에 앉아서 기다려 주세요.",
    "강아지가 마당에서 놀고 있어요.",
    "편지를 보내 줘서 고마워.",
    "불을 꺼 주세요, 이제 잘게요.",
    "다녀오겠습니다!",
]

EN_SENTENCES = [
    "Hello, it is nice to meet you.",
    "The weather is lovely today.",
    "Could I have a glass of water, please?",
    "Please wait a moment and speak slowly.",
    "I have a doctor's appointment at three tomorrow.",
    "Thank you so much for your help.",
    "No, thank you, I am fine.",
    "I prefer green tea to coffee.",
    "Can you tell me what time it is?",
    "Would you open the window for me?",
    "There are four people in my family.",
    "Does this bus go to the city hall?",
    "I am hungry and would like some dinner.",
    "Yesterday I watched a film with a friend.",
    "I am a little tired and want to rest.",
    "I love you, and I am always grateful.",
    "On weekends we walk in the park.",
    "Please tell me the phone number again.",
    "Take the medicine after your meal.",
    "The traffic is heavy, so I will be late.",
    "Happy birthday to you!",
    "This food is not too spicy.",
    "Let us meet again next Monday.",
    "Please close the door behind you.",
    "My glasses are on the desk.",
    "A warm bowl of soup sounds wonderful.",
    "Long time no see, how have you been?",
    "Please turn down the television.",
    "When spring comes we go to see the flowers.",
    "Grandmother went to the market.",
]


@dataclass(frozen=True)
class SyntheticSpeaker:
    """An espeak-ng voice variant with its own pitch and speed: one fake 'person'."""

    name: str
    language: str  # "ko" or "en"
    espeak_voice: str
    pitch: int = 50  # espeak-ng -p, 0..99
    speed: int = 150  # espeak-ng -s, words per minute


SPEAKERS = {
    "ko_f": SyntheticSpeaker("ko_f", "ko", "ko+f3", pitch=60, speed=140),
    "ko_m": SyntheticSpeaker("ko_m", "ko", "ko+m3", pitch=35, speed=150),
    "ko_m2": SyntheticSpeaker("ko_m2", "ko", "ko+m7", pitch=25, speed=130),
    "en_f": SyntheticSpeaker("en_f", "en", "en-us+f2", pitch=60, speed=150),
    "en_m": SyntheticSpeaker("en_m", "en", "en-us+m3", pitch=35, speed=160),
    "en_m2": SyntheticSpeaker("en_m2", "en", "en-gb+m1", pitch=45, speed=140),
}


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def speak_to_wav(text: str, path: Path, speaker: SyntheticSpeaker) -> Path:
    """Render ``text`` with espeak-ng into a 22050 Hz mono 16-bit WAV at ``path``."""
    # Through stdout, not ``-w path``: espeak-ng silently writes nothing when the path is longer than
    # about 200 characters (a checkout in a deep folder). Its streamed header has placeholder sizes,
    # so the audio is read and written again with proper ones.
    result = subprocess.run(
        ["espeak-ng", "-v", speaker.espeak_voice, "-p", str(speaker.pitch), "-s", str(speaker.speed), "--stdout", text],
        check=True,
        capture_output=True,
    )
    samples, rate = sf.read(io.BytesIO(result.stdout), dtype="int16")
    sf.write(path, samples, rate, subtype="PCM_16")
    return path


def make_speaker_dataset(out_dir: Path, speaker: str | SyntheticSpeaker, count: int | None = None) -> Path:
    """Write an LJSpeech-style folder of ``count`` utterances by a synthetic speaker; returns ``out_dir``."""
    voice = SPEAKERS[speaker] if isinstance(speaker, str) else speaker
    sentences = KO_SENTENCES if voice.language == "ko" else EN_SENTENCES
    sentences = sentences[: count or len(sentences)]
    wavs = out_dir / "wavs"
    wavs.mkdir(parents=True, exist_ok=True)
    rows = []
    for index, text in enumerate(sentences, start=1):
        utt_id = f"{voice.name}_{index:04d}"
        speak_to_wav(text, wavs / f"{utt_id}.wav", voice)
        rows.append(f"{utt_id}|{text}")
    (out_dir / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return out_dir
