"""Why a call ended, as a short stable code and never as words: the session's ``ended`` event, a SIP call's
``reason`` and the stored call row carry it, and the web app words it in the language on screen
(``moksori.web.messages.call_ending_words``). A code that needs a detail carries it as parameters after a
``?`` (``sip_failed?status=487``): ``ending`` writes that text, ``split_ending`` reads it.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

# This side ended it.
HUNG_UP = "hung_up"  # the user hung up
YOU_DECLINED = "you_declined"  # the user declined a call ringing here
ANSWER_FAILED = "answer_failed"  # a call ringing here could not be answered (no voice to answer with)
DELETED = "deleted"  # the user deleted the call while it ran
CONVERSATION_ENDED = "conversation_ended"  # the talk page closed its conversation
ASSISTANT_ENDED = "assistant_ended"  # the shop's assistant finished the call
ASSISTANT_TRANSFERRED = "assistant_transferred"  # the shop's assistant passed the call to the owner's phone
# The other person or their phone.
FAR_END_HUNG_UP = "far_end_hung_up"
FAR_END_LEFT = "far_end_left"  # the far end's browser went away (connection failed or closed)
NO_ANSWER = "no_answer"
BUSY = "busy"
DECLINED = "declined"  # the far end declined the call
UNREACHABLE = "unreachable"
NOT_FOUND = "not_found"  # no such number or address
SIP_FAILED = "sip_failed"  # any other SIP answer; parameter ``status``, the SIP status code
NOT_ALLOWED = "not_allowed"  # a direct call from an address that may not call here; parameter ``source``
# Nobody's doing: the link, the line, the server, the account.
EXPIRED = "expired"  # nobody joined before the link expired
NOT_PLACED = "not_placed"  # the SIP stack could not place the call
LINE_STOPPED = "line_stopped"  # the phone line's worker process stopped
SERVER_STOPPED = "server_stopped"
SERVER_RESTARTED = "server_restarted"  # found running by a server that started again
ACCOUNT_DELETED = "account_deleted"
ENDED = "ended"  # no reason known

CODES = (HUNG_UP, YOU_DECLINED, ANSWER_FAILED, DELETED, CONVERSATION_ENDED, ASSISTANT_ENDED, ASSISTANT_TRANSFERRED,
         FAR_END_HUNG_UP,
         FAR_END_LEFT, NO_ANSWER, BUSY, DECLINED, UNREACHABLE, NOT_FOUND, SIP_FAILED, NOT_ALLOWED, EXPIRED,
         NOT_PLACED, LINE_STOPPED, SERVER_STOPPED, SERVER_RESTARTED, ACCOUNT_DELETED, ENDED)


def ending(code: str, **params: object) -> str:
    """``code`` with its parameters, as one short text (``sip_failed?status=487``)."""
    return f"{code}?{urlencode(params)}" if params else code


def split_ending(text: str) -> tuple[str, dict[str, str]]:
    """The code and the parameters of an ``ending`` text."""
    code, _, query = text.partition("?")
    return code, dict(parse_qsl(query))
