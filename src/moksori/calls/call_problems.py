"""What a call session or the conversation socket could not do, as a short stable code: a ``problem`` event
carries it in ``code``, its details in ``params`` and the same in plain English in ``message`` (for logs and
scripts); the web app words the code in the language on screen (``moksori.web.messages.call_problem_words``), so
no message the user sees mixes two languages. ``say`` refuses text with an error that carries its code too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moksori.errors import PlainError

CAPTIONS_UNAVAILABLE = "captions_unavailable"  # no streaming recogniser here; the message keeps its reason
NOTHING_TO_SAY = "nothing_to_say"  # the text to say is empty
CALL_ENDED = "call_ended"  # text to say after the session closed
TEXT_TOO_LONG = "text_too_long"  # parameters ``length`` and ``limit`` (characters)
NOT_UNDERSTOOD = "not_understood"  # a socket message that is not a JSON command
UNKNOWN_COMMAND = "unknown_command"  # parameter ``command``, the command's ``type`` as the socket got it

ENGLISH = {
    CAPTIONS_UNAVAILABLE: "Captions are not available on this server.",
    NOTHING_TO_SAY: "There is nothing to say: the text is empty.",
    CALL_ENDED: "The call has ended.",
    TEXT_TOO_LONG: "That text is {length} characters long; at most {limit} are spoken at a time.",
    NOT_UNDERSTOOD: "That message was not understood.",
    UNKNOWN_COMMAND: "Unknown command {command}.",
}


def english(code: str, params: Mapping[str, Any]) -> str:
    """The problem ``code`` in plain English, its parameters filled in."""
    return ENGLISH[code].format(**params)


def problem_event(code: str, message: str = "", **params: Any) -> dict[str, Any]:
    """The ``problem`` event of ``code``; ``message`` replaces the code's own English when there is more to say."""
    return {"type": "problem", "code": code, "params": params, "message": message or english(code, params)}


class CallEnded(RuntimeError):
    """Something asked of a session that has closed."""

    def __init__(self) -> None:
        super().__init__(english(CALL_ENDED, {}))
        self.code, self.params = CALL_ENDED, {}


def nothing_to_say() -> PlainError:
    """The ``ValueError`` of empty text to say."""
    return PlainError(english(NOTHING_TO_SAY, {}), NOTHING_TO_SAY)
