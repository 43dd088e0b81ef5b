"""The user's own SIP account (the registrar, PBX or trunk their phone calls go through): checked, saved,
read and deleted here, so routes only call these.

The SIP password has to be sent to the registrar, so it cannot be hashed like a login password: it is sealed
with Fernet (AES-128-CBC and HMAC-SHA256) under a key derived from the app's secret key (HKDF-SHA256, its own
``info``, so the key signs nothing else). A copy of the database alone does not reveal it; the password is
opened only to hand it to the SIP worker, and never shown back.
"""

from __future__ import annotations

import base64
import logging
import re

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from moksori.web.i18n import _
from moksori.web.storage.db import Database
from moksori.web.storage.models import SipAccount, User

log = logging.getLogger(__name__)

HOST_PORT = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::\d{1,5})?$")
SIP_USER = re.compile(r"^[A-Za-z0-9._~+!$&'*=%-]{1,100}$")  # the user part of a SIP URI, unescaped
MAX_PASSWORD = 200
MAX_CALLER_ID = 60


class SealedPasswordLost(RuntimeError):
    """The stored password cannot be opened: the app's secret key changed since it was saved."""


def _fernet(secret_key: bytes) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"moksori sip account password").derive(secret_key)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: bytes, password: str) -> str:
    return _fernet(secret_key).encrypt(password.encode()).decode()


def unseal(secret_key: bytes, sealed: str) -> str:
    try:
        return _fernet(secret_key).decrypt(sealed.encode()).decode()
    except InvalidToken as error:
        raise SealedPasswordLost(_("The saved SIP password cannot be read any more (the server's secret key "
                                   "changed). Enter it again in your account settings.")) from error


def account_problem(server: str, username: str, password: str, proxy: str, caller_id: str,
                    has_password: bool) -> str | None:
    """What is wrong with the form, in the interface language; None when it can be saved."""
    if not HOST_PORT.match(server) or not _port_ok(server):
        return _("The SIP server must be a host name or address, with an optional port (sip.example.org:5060).")
    if proxy and (not HOST_PORT.match(proxy) or not _port_ok(proxy)):
        return _("The outbound proxy must be a host name or address, with an optional port.")
    if not SIP_USER.match(username):
        return _("The SIP user name may hold letters, digits and . _ - + only.")
    if not password and not has_password:
        return _("Please enter the SIP password.")
    if len(password) > MAX_PASSWORD or any(ord(c) < 32 for c in password):
        return _("That SIP password cannot be used.")
    if len(caller_id) > MAX_CALLER_ID or any(ord(c) < 32 or c in '"<>' for c in caller_id):
        return _("The caller name may be at most %(count)s characters, without quotes or angle brackets.",
                 count=MAX_CALLER_ID)
    return None


def _port_ok(host_port: str) -> bool:
    _host, _sep, port = host_port.partition(":")
    return not port or 0 < int(port) < 65536


def find_sip_account(db: Session, user: User) -> SipAccount | None:
    return db.scalar(select(SipAccount).where(SipAccount.user_id == user.id))


def store_sip_account(db: Session, user: User, secret_key: bytes, *, server: str, username: str, password: str,
                 proxy: str = "", caller_id: str = "") -> SipAccount:
    """Create or change the user's account; an empty ``password`` keeps the one saved (check with
    ``account_problem`` first)."""
    row = find_sip_account(db, user) or SipAccount(user_id=user.id)
    row.server, row.username, row.proxy, row.caller_id = server, username, proxy, caller_id
    if password:
        row.password_sealed = seal(secret_key, password)
    db.add(row)
    db.commit()
    return row


def forget_sip_account(db: Session, user: User) -> bool:
    row = find_sip_account(db, user)
    if row is None:
        return False
    db.delete(row)
    db.commit()
    return True


def phone_account(row: SipAccount, secret_key: bytes) -> dict[str, str]:
    """The account as the SIP worker takes it (``moksori.calls.sip.SipSettings.account``), password opened."""
    return {"server": row.server, "user": row.username, "password": unseal(secret_key, row.password_sealed),
            "proxy": row.proxy, "caller_id": row.caller_id}


def every_phone_account(database: Database, secret_key: bytes) -> dict[int, dict[str, str]]:
    """Each user's account as the SIP worker takes it, by user id, for starting the lines at start-up. An
    account whose password cannot be opened any more is left out (logged): its owner is asked to enter it
    again when they next open their calls page."""
    accounts = {}
    with database.session() as db:
        for row in db.scalars(select(SipAccount)):
            try:
                accounts[row.user_id] = phone_account(row, secret_key)
            except SealedPasswordLost:
                log.warning("The SIP password of user %s cannot be opened (the secret key changed).", row.user_id)
    return accounts
