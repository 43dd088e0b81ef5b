"""Account rules: what counts as an email address and as a password worth having, and how
password guessing is slowed down."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

import redis

from moksori.web.i18n import _
from moksori.web.shared_state import SharedState

log = logging.getLogger(__name__)

MIN_PASSWORD = 8
MAX_PASSWORD = 200
MIN_DISTINCT_CHARACTERS = 5

# local@domain.tld: no spaces, a dot in the domain, labels of letters (any script), digits and
# inner hyphens, and a top-level name of two letters or more.
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
EMAIL = re.compile(rf"^[^@\s\"(),:;<>\[\]\\]{{1,64}}@(?:{_LABEL}\.)+[^\W\d_]{{2,63}}$")
# Rows of the keyboards people type on: a password that walks along one is guessed early.
KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc4rfv", "1q2w3e4r5t6y7u8i9o0p",
                 "q1w2e3r4t5y6u7i8o9p0", "abcdefghijklmnopqrstuvwxyz")


def valid_email(email: str) -> bool:
    return len(email) <= 320 and EMAIL.match(email) is not None


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of passwords that are among the first any guesser tries (lowercase)."""
    text = files("moksori.web").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _walks_a_row(word: str) -> bool:
    """Runs along a keyboard row or the alphabet, forwards or backwards (``12345678``, ``asdfghjk``)."""
    return len(word) >= 4 and any(word in row or word in row[::-1] for row in KEYBOARD_ROWS)


def password_problem(password: str, email: str = "") -> str | None:
    """Why ``password`` is refused, in the interface language, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD:
        return _("The password must be at least %(count)s characters.", count=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        return _("The password must be at most %(count)s characters.", count=MAX_PASSWORD)
    if not password.strip():
        return _("A password cannot be only spaces.")
    lowered = password.lower()
    if len(set(lowered)) < MIN_DISTINCT_CHARACTERS:
        return _("The password repeats too few characters: use at least %(count)s different ones.",
                 count=MIN_DISTINCT_CHARACTERS)
    # "password123!", "qwerty2024": a common word with digits or symbols added is just as common.
    core = re.sub(r"[\W\d_]+$", "", lowered) or lowered
    if lowered in common_passwords() or core in common_passwords() or _walks_a_row(lowered) or _walks_a_row(core):
        return _("That password is one of the first that anyone guessing would try: "
                 "choose a longer sentence or several unrelated words.")
    local = email.split("@")[0].lower()
    if len(local) >= 3 and local in lowered:
        return _("The password must not contain your email address.")
    return None


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


class FailureRecords:
    """Wrong tries per key, in this process."""

    def __init__(self) -> None:
        self._records: dict[str, _Failures] = {}

    def get(self, key: str) -> _Failures | None:
        return self._records.get(key)

    def add(self, key: str, now: float, keep_s: float) -> None:
        record = self._records.setdefault(key, _Failures())
        record.count, record.last = record.count + 1, now

    def drop(self, key: str) -> None:
        self._records.pop(key, None)


class SharedFailureRecords(FailureRecords):
    """Wrong tries per key in Redis (a hash per key that expires when forgotten), so a guesser gains
    nothing by reaching another server process. If Redis does not answer, tries are not slowed."""

    def __init__(self, shared: SharedState) -> None:
        super().__init__()
        self.shared = shared

    def get(self, key: str) -> _Failures | None:
        try:
            found = self.shared.client.hgetall(self.shared.key("login", key))
        except redis.RedisError:
            log.warning("login delays unavailable (Redis)", exc_info=True)
            return None
        return _Failures(int(found[b"count"]), float(found[b"last"])) if found else None

    def add(self, key: str, now: float, keep_s: float) -> None:
        name = self.shared.key("login", key)
        try:
            with self.shared.client.pipeline() as pipe:  # one transaction: count and time together
                pipe.hincrby(name, "count", 1).hset(name, "last", now).expire(name, int(keep_s) + 1).execute()
        except redis.RedisError:
            log.warning("could not record a wrong try in Redis", exc_info=True)

    def drop(self, key: str) -> None:
        try:
            self.shared.client.delete(self.shared.key("login", key))
        except redis.RedisError:
            log.warning("could not clear wrong tries in Redis", exc_info=True)


@dataclass
class LoginThrottle:
    """Growing delays after wrong passwords, counted per account and per client address.

    A few mistakes are free; after that each try must wait twice as long as the last (capped), so
    guessing one account or spraying many from one address slows to a crawl, while the owner with
    the right password only ever waits out a short delay, never a lockout. The tries are kept in
    ``records``: in memory for one server process (a restart forgetting them is harmless), in
    Redis when several processes serve the app. Times are wall-clock, comparable between machines.
    """

    free_per_account: int = 4
    free_per_address: int = 20
    max_delay_s: float = 60.0
    forget_after_s: float = 3600.0
    clock: Callable[[], float] = time.time
    records: FailureRecords = field(default_factory=FailureRecords)

    @staticmethod
    def keys(email: str | None, address: str) -> tuple[str, ...]:
        """Per address always; per account too when ``email`` is given (sign-up has none to guard)."""
        return (f"address:{address}",) if email is None else (f"account:{email}", f"address:{address}")

    def _free(self, key: str) -> int:
        return self.free_per_account if key.startswith("account:") else self.free_per_address

    def wait_seconds(self, email: str | None, address: str) -> float:
        """0 when a try is allowed now, else how many seconds to wait."""
        now, wait = self.clock(), 0.0
        for key in self.keys(email, address):
            record = self.records.get(key)
            if record is None:
                continue
            if now - record.last > self.forget_after_s:
                self.records.drop(key)
                continue
            over = record.count - self._free(key)
            if over >= 0:
                wait = max(wait, record.last + min(2.0 ** over, self.max_delay_s) - now)
        return max(wait, 0.0)

    def failed(self, email: str | None, address: str) -> None:
        now = self.clock()
        for key in self.keys(email, address):
            self.records.add(key, now, self.forget_after_s)

    def succeeded(self, email: str) -> None:
        self.records.drop(f"account:{email}")


def login_throttle(shared: SharedState | None) -> LoginThrottle:
    return LoginThrottle(records=SharedFailureRecords(shared) if shared else FailureRecords())
