"""What the rooms below the web app report, worded in the interface language.

The take checks, the audio decoder, the zip reader and the shop profile speak plain English and say
what happened with a ``code`` (and its numbers in ``params``); this is where those codes become
sentences in the language on screen. An unknown code keeps the room's own English message, so nothing
is lost (a shop profile problem says so in the interface language around it). A call's end reason is a
code alone (``moksori.calls.endings``); it is worded here too, and so are the phone line's problems
(``moksori.calls.sip_problems``), and what a call session or the conversation socket could not do
(``moksori.calls.call_problems``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from moksori.assistant.profile import Problem
from moksori.calls import call_problems, endings
from moksori.calls import sip_problems as sip
from moksori.web.i18n import _


def _take_problems() -> dict[str, Callable[[Mapping], str]]:
    return {
        "too_short": lambda p: _("The recording is too short. Press record, then read the whole sentence."),
        "clipped": lambda p: _("Too loud: the sound distorted. Move a little away from the microphone."),
        "no_speech": lambda p: _("No speech was heard, or it was far too quiet. Check the microphone and "
                                 "read the sentence aloud."),
        "too_quiet": lambda p: _("Too quiet. Move closer to the microphone or speak up."),
        "noisy": lambda p: _("Background noise is loud. Find a quieter spot."),
        "no_leading_silence": lambda p: _("Speech starts right away: wait a moment after pressing record."),
        "no_trailing_silence": lambda p: _("Speech runs to the very end: wait a moment before stopping."),
        "too_fast": lambda p: _("Much faster than usual for this sentence. Was part of it skipped?"),
        "too_slow": lambda p: _("Much slower than usual for this sentence. Were there long pauses or extra words?"),
        "text_mismatch": lambda p: _("The words heard do not match the sentence. Please read it again."),
    }


def _file_problems() -> dict[str, Callable[[Mapping], str]]:
    return {
        # audio decoding
        "not_audio": lambda p: _("This file is not audio that Moksori can read (try WAV, FLAC, OGG, WebM or MP3)."),
        "damaged": lambda p: _("This audio file is damaged or in a format Moksori cannot read."),
        "empty": lambda p: _("This recording is empty."),
        "too_long": lambda p: _("This recording is %(minutes)s min %(seconds)s s long; one take can be at most "
                                "%(limit)s s. Record or upload one sentence per file.",
                                minutes=p["minutes"], seconds=p["seconds"], limit=f"{p['limit']:g}"),
        # zip uploads
        "too_many_files": lambda p: _("It holds %(count)s files; the limit is %(limit)s.", **p),
        "too_large": lambda p: _("It unpacks to %(size)s MiB; the limit is %(limit)s MiB.", **p),
        "unsafe_path": lambda p: _("It contains an unsafe path (%(path)s), so it was refused.", **p),
        "damaged_zip": lambda p: _("It is a damaged zip file."),
        "no_metadata": lambda p: _("It has no metadata.csv (expected metadata.csv and a wavs folder)."),
        "several_datasets": lambda p: _("It holds several datasets; upload one at a time."),
    }


def take_problem(code: str, english: str) -> str:
    wording = _take_problems().get(code)
    return wording({}) if wording else english


def file_problem(error: Exception) -> str:
    """An ``AudioError`` or ``DatasetError`` in the interface language."""
    wording = _file_problems().get(getattr(error, "code", ""))
    return wording(getattr(error, "params", {})) if wording else str(error)


def _not_yaml(p: Mapping) -> str:
    if "line" in p:
        return _("not valid YAML: the reader stopped at line %(line)s, column %(column)s (%(detail)s)", **p)
    return _("not valid YAML (%(detail)s)", detail=p["detail"])


def _profile_problems() -> dict[str, Callable[[Mapping], str]]:
    return {
        # the profile's own checks (moksori.assistant.profile)
        "not_yaml": _not_yaml,
        "not_a_mapping": lambda p: _("a shop profile is a list of fields with their values (name, kind, address, "
                                     "hours …)"),
        "unknown_timezone": lambda p: _("unknown timezone %(value)s (e.g. Asia/Seoul)", **p),
        "not_a_phone_number": lambda p: _("%(value)s is not a Korean phone number (e.g. 010-1234-5678)", **p),
        "hours_not_a_mapping": lambda p: _("hours must give each weekday (mon … sun, or 월 … 일) 'HH:MM-HH:MM' "
                                           "or closed"),
        "unknown_weekday": lambda p: _("unknown weekday %(days)s; use %(known)s (or 월 … 일)", **p),
        "not_opening_hours": lambda p: _("%(text)s is not 'HH:MM-HH:MM' or closed", **p),
        "not_a_time_of_day": lambda p: _("%(text)s is not a time of day", **p),
        "closes_before_opening": lambda p: _("%(text)s closes before it opens (past midnight, a shop may close "
                                             "up to 06:00)", **p),
        "one_name_two_items": lambda p: _("%(word)s names two items (%(first)s and %(second)s)", **p),
        "item_listed_twice": lambda p: _("item %(name)s is listed twice", **p),
        "orders_without_items": lambda p: _("orders are enabled but there are no items to order"),
        "bookings_never_open": lambda p: _("bookings are enabled but the shop is closed every day"),
        "unknown_field": lambda p: _("unknown field, ignored"),
        # pydantic's checks of the fields
        "missing": lambda p: _("required field is missing"),
        "greater_than_equal": lambda p: _("must be %(ge)s or more", **p),
        "less_than_equal": lambda p: _("must be %(le)s or less", **p),
        "literal_error": lambda p: _("must be one of %(expected)s", **p),
        "string_too_short": lambda p: _("must not be empty"),
        "string_type": lambda p: _("must be text"),
        **dict.fromkeys(("int_type", "int_parsing", "int_from_float"), lambda p: _("must be a whole number")),
        **dict.fromkeys(("bool_type", "bool_parsing"), lambda p: _("must be true or false")),
        **dict.fromkeys(("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"),
                        lambda p: _("must be a date that exists, written like 2026-12-25")),
        **dict.fromkeys(("tuple_type", "list_type"),
                        lambda p: _("must be a list: [a, b], or one line starting with - for each entry")),
        **dict.fromkeys(("dict_type", "model_type", "model_attributes_type"),
                        lambda p: _("must be fields with their values, one name: value a line")),
    }


def profile_problem(problem: Problem) -> str:
    """A problem (or ignored field) of a shop profile in the interface language, after the field it is about."""
    wording = _profile_problems().get(problem.code)
    said = wording(problem.params) if wording else _("this value cannot be used (%(detail)s)", detail=problem.message)
    return f"{problem.where}: {said}" if problem.where else said


def _call_endings() -> dict[str, Callable[[Mapping], str]]:
    # Fragments: the call screen shows them as "Call ended (…)".
    return {
        endings.HUNG_UP: lambda p: _("you hung up"),
        endings.YOU_DECLINED: lambda p: _("you declined the call"),
        endings.ANSWER_FAILED: lambda p: _("the call could not be answered"),
        endings.DELETED: lambda p: _("the call was deleted"),
        endings.CONVERSATION_ENDED: lambda p: _("the conversation was closed"),
        endings.ASSISTANT_ENDED: lambda p: _("the assistant ended the call"),
        endings.ASSISTANT_TRANSFERRED: lambda p: _("the assistant passed the call to the owner"),
        endings.FAR_END_HUNG_UP: lambda p: _("the other person hung up"),
        endings.FAR_END_LEFT: lambda p: _("the other person's connection was lost"),
        endings.NO_ANSWER: lambda p: _("nobody answered"),
        endings.BUSY: lambda p: _("the line was busy"),
        endings.DECLINED: lambda p: _("the other person declined the call"),
        endings.UNREACHABLE: lambda p: _("the other side could not be reached"),
        endings.NOT_FOUND: lambda p: _("the number or address does not exist"),
        endings.SIP_FAILED: lambda p: _("the call did not go through: SIP status %(status)s",
                                        status=p.get("status", "?")),
        endings.NOT_ALLOWED: lambda p: _("calls from that address are not allowed"),
        endings.EXPIRED: lambda p: _("nobody joined before the link expired"),
        endings.NOT_PLACED: lambda p: _("the call could not be placed"),
        endings.LINE_STOPPED: lambda p: _("the phone line stopped"),
        endings.SERVER_STOPPED: lambda p: _("the server stopped"),
        endings.SERVER_RESTARTED: lambda p: _("the server restarted"),
        endings.ACCOUNT_DELETED: lambda p: _("the account was deleted"),
    }


# Before end reasons were codes, calls were stored with English phrases (and the SIP worker's English and Korean
# sentences). Those rows are read as the code they meant, here at read time, rather than rewritten by a data
# migration, by how they begin ("deleted" and "ended" were already what their codes are).
_OLD_PHRASES = (
    ("hung up", endings.HUNG_UP), ("You hung up", endings.HUNG_UP),
    ("the conversation ended", endings.CONVERSATION_ENDED), ("the assistant ended", endings.ASSISTANT_ENDED),
    ("The other side hung up", endings.FAR_END_HUNG_UP), ("the other person left", endings.FAR_END_LEFT),
    ("Nobody answered", endings.NO_ANSWER), ("The line is busy", endings.BUSY),
    ("The call was declined", endings.DECLINED), ("The other side could not be reached", endings.UNREACHABLE),
    ("The number or address does not exist", endings.NOT_FOUND), ("The call could not be placed", endings.NOT_PLACED),
    ("The phone line", endings.LINE_STOPPED), ("nobody joined", endings.EXPIRED),
    ("the server stopped", endings.SERVER_STOPPED), ("the server restarted", endings.SERVER_RESTARTED),
    ("the account was deleted", endings.ACCOUNT_DELETED),
)
_OLD_SIP_FAILURE = re.compile(r"The call failed \((\d+)")
_CODE = re.compile(r"^[a-z_]+(\?.*)?$")


def call_ending(stored: str) -> tuple[str, dict[str, str]]:
    """The code and parameters of a call row's end reason, also of a row stored before reasons were codes."""
    if not stored:
        return endings.ENDED, {}
    if _CODE.match(stored):
        return endings.split_ending(stored)
    if failed := _OLD_SIP_FAILURE.match(stored):
        return endings.SIP_FAILED, {"status": failed[1]}
    return next((code for start, code in _OLD_PHRASES if stored.startswith(start)), endings.ENDED), {}


def call_ending_words(code: str, params: Mapping[str, str]) -> str | None:
    """Why a call ended, in the interface language; None when nothing is known beyond that it ended."""
    wording = _call_endings().get(code)
    return wording(params) if wording else None


def _sip_problems() -> dict[str, Callable[[Mapping], str]]:
    return {
        sip.WRONG_PASSWORD: lambda p: _("The SIP server refused the user name or password: check them in your SIP "
                                        "account settings."),
        sip.UNKNOWN_USER: lambda p: _("The SIP server does not know this user name."),
        sip.SERVER_SILENT: lambda p: _("The SIP server did not answer."),
        sip.SERVER_UNREACHABLE: lambda p: _("The SIP server could not be reached."),
        sip.ACCOUNT_REFUSED: lambda p: _("The SIP server refused the account (%(status)s %(reason)s).", **p),
        sip.LINE_NOT_STARTED: lambda p: _("The phone line could not start."),
        sip.LINE_STOPPED: lambda p: _("The phone line has stopped."),
        sip.NOT_CONNECTED: lambda p: _("The call is not connected."),
        sip.LINE_FULL: lambda p: _("The phone line already has %(calls)s calls: end one before placing another.", **p),
        sip.NEEDS_ACCOUNT: lambda p: _("Calling a number needs a SIP account: set one up first."),
        sip.NOT_A_NUMBER: lambda p: _("%(target)s is not a phone number or SIP address.", **p),
        sip.NOT_A_SIP_ADDRESS: lambda p: _("%(address)s is not a SIP address (sip:user@host).", **p),
        sip.BAD_KEYS: lambda p: _("Keys must be 0-9, * or #."),
    }


def sip_problem_words(error: BaseException) -> str:
    """Why the phone line or a SIP request failed, in the interface language. An error without a known code (a
    worker that would not start for a reason of its own) is said as the line not starting; the log keeps it."""
    wording = _sip_problems().get(getattr(error, "code", ""), _sip_problems()[sip.LINE_NOT_STARTED])
    return wording(getattr(error, "params", {}))


def _call_problems() -> dict[str, Callable[[Mapping], str]]:
    return {
        call_problems.CAPTIONS_UNAVAILABLE: lambda p: _("Captions are not available on this server."),
        call_problems.NOTHING_TO_SAY: lambda p: _("There is nothing to say: the text is empty."),
        call_problems.CALL_ENDED: lambda p: _("The call has ended."),
        call_problems.TEXT_TOO_LONG: lambda p: _("That text is %(length)s characters long; at most %(limit)s are "
                                                 "spoken at a time. Split it into shorter parts.", **p),
        call_problems.NOT_UNDERSTOOD: lambda p: _("That message was not understood."),
        call_problems.UNKNOWN_COMMAND: lambda p: _("Unknown command %(command)s.", **p),
    }


def call_problem_words(code: str, params: Mapping, english: str) -> str:
    """A call's ``problem`` event in the interface language; an unknown code keeps the room's English."""
    wording = _call_problems().get(code)
    return wording(params) if wording else english


def emergency_notice() -> str:
    """Said when an emergency number is dialled through an internet phone account."""
    return _("Emergency services may not be reachable through an internet phone account, and they may not see "
             "where you are. In Korea you can also text 119 or use the 119 emergency app.")
