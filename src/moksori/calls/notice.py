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


def call_notice(lang: str) -> str:
    return CALL_NOTICE.get(lang, CALL_NOTICE["en"])
