"""Why the phone line or a SIP request could not do what was asked, as a short stable code: a ``SipError`` (or,
for input that is not a number or address, a ``moksori.errors.PlainError``) carries it in ``code``, with its
details (strings) in ``params``. The error's own message is plain English, for logs and scripts; the web app
words the code in the language on screen (``moksori.web.messages.sip_problem_words``), so no message the user
sees mixes two languages.
"""

from __future__ import annotations

from collections.abc import Mapping

# The registrar's answer to REGISTER.
WRONG_PASSWORD = "wrong_password"  # 401, 403, 407: the user name or password was refused
UNKNOWN_USER = "unknown_user"  # 404
SERVER_SILENT = "server_silent"  # 408, or no answer in time
SERVER_UNREACHABLE = "server_unreachable"  # 502, 503
ACCOUNT_REFUSED = "account_refused"  # any other refusal; parameters ``status`` and ``reason``
# The line (the SIP worker) and its calls.
LINE_NOT_STARTED = "line_not_started"
LINE_STOPPED = "line_stopped"
NOT_CONNECTED = "not_connected"  # keys or a transfer asked of a call that is not connected
LINE_FULL = "line_full"  # the line already holds as many calls as it can; parameter ``calls``
# What was dialled or pressed.
NEEDS_ACCOUNT = "needs_account"  # a number dialled without a SIP account to dial it through
NOT_A_NUMBER = "not_a_number"  # parameter ``target``
NOT_A_SIP_ADDRESS = "not_a_sip_address"  # parameter ``address``
BAD_KEYS = "bad_keys"

ENGLISH = {
    WRONG_PASSWORD: "The SIP server refused the user name or password: check them in your SIP account settings.",
    UNKNOWN_USER: "The SIP server does not know this user name.",
    SERVER_SILENT: "The SIP server did not answer.",
    SERVER_UNREACHABLE: "The SIP server could not be reached.",
    ACCOUNT_REFUSED: "The SIP server refused the account ({status} {reason}).",
    LINE_NOT_STARTED: "The phone line could not start.",
    LINE_STOPPED: "The phone line has stopped.",
    NOT_CONNECTED: "The call is not connected.",
    LINE_FULL: "The phone line already has {calls} calls: end one before placing another.",
    NEEDS_ACCOUNT: "Calling a number needs a SIP account: set one up first.",
    NOT_A_NUMBER: "{target} is not a phone number or SIP address.",
    NOT_A_SIP_ADDRESS: "{address} is not a SIP address (sip:user@host).",
    BAD_KEYS: "Keys must be 0-9, *, # or A-D.",
}
# What a registrar's status code to REGISTER means; anything else is ACCOUNT_REFUSED.
REGISTRATION_PROBLEMS = {
    401: WRONG_PASSWORD,
    403: WRONG_PASSWORD,
    407: WRONG_PASSWORD,
    404: UNKNOWN_USER,
    408: SERVER_SILENT,
    502: SERVER_UNREACHABLE,
    503: SERVER_UNREACHABLE,
}


def english(code: str, params: Mapping[str, str]) -> str:
    """The problem ``code`` in plain English, its parameters filled in."""
    return ENGLISH[code].format(**params)
