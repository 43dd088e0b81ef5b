"""What the other person is told before a call starts: the user speaks by typing, through a synthesized
voice of their own. Shown on the far end's page in both languages and spoken first, in the voice's language."""

from __future__ import annotations

CALL_NOTICE = {
    "ko": "안녕하세요. 저는 글자를 입력해서 말하고, 제 목소리로 만든 합성 음성이 대신 읽어 드립니다. "
          "대답이 조금 늦을 수 있으니 기다려 주세요.",
    "en": "Hello. I speak by typing, and a synthesized copy of my own voice reads it out. "
          "My answers may take a moment, so please bear with me.",
}

# Said on one key while the user types a longer answer.
ONE_MOMENT = {"ko": "잠시만 기다려 주세요. 지금 입력하고 있어요.", "en": "One moment, please. I'm typing."}
# Quick replies on the call screen, spoken in the voice's language (not the screens').
QUICK_REPLIES = {
    "ko": ["네", "아니요", "다시 한 번 말씀해 주세요", "천천히 말씀해 주세요", "감사합니다", "잠깐만요"],
    "en": ["Yes", "No", "Could you say that again?", "Please speak slowly", "Thank you", "Just a second"],
}


def call_notice(lang: str) -> str:
    return CALL_NOTICE.get(lang, CALL_NOTICE["en"])
