"""The SIP account in the account settings: saved with its password sealed, never shown back, private to
its owner, deletable; bad input is explained and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from moksori.web.sip_accounts import SealedPasswordLost, phone_account, seal, unseal
from moksori.web.storage.models import SipAccount

PASSWORD = "s3cret-Sip-pass!"
FORM = {"server": "sip.example.org:5060", "username": "alice01", "password": PASSWORD, "proxy": "",
        "caller_id": "Alice Kim"}


def _stored(app) -> list[SipAccount]:
    with app.state.db.session() as db:
        return list(db.query(SipAccount).order_by(SipAccount.id))


def test_the_password_is_sealed_never_shown_and_kept_when_left_empty(app, alice):
    assert alice.post("/account/sip", data=FORM, follow_redirects=False).status_code == 303
    page = alice.get("/account").text
    assert "alice01" in page and "sip.example.org:5060" in page and PASSWORD not in page
    with app.state.db.session() as db:
        raw = [str(row) for row in db.execute(text("SELECT * FROM sip_accounts")).all()]
    assert len(raw) == 1 and PASSWORD not in raw[0]
    (row,) = _stored(app)
    assert phone_account(row, app.state.secret_key) == {
        "server": "sip.example.org:5060", "user": "alice01", "password": PASSWORD, "proxy": "",
        "caller_id": "Alice Kim"}
    # A change without a password keeps the saved one.
    alice.post("/account/sip", data={**FORM, "server": "pbx.example.net", "password": ""})
    (row,) = _stored(app)
    assert row.server == "pbx.example.net" and unseal(app.state.secret_key, row.password_sealed) == PASSWORD


def test_a_sealed_password_opens_only_with_the_same_secret_key():
    sealed = seal(b"key one", PASSWORD)
    assert PASSWORD not in sealed and unseal(b"key one", sealed) == PASSWORD
    with pytest.raises(SealedPasswordLost):
        unseal(b"key two", sealed)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("server", "sip example org", "host name or address"),
    ("server", "sip.example.org:99999", "host name or address"),
    ("username", "alice@home", "user name may hold"),
    ("proxy", "proxy/../x", "outbound proxy"),
    ("caller_id", 'Alice "the boss"', "caller name"),
    ("password", "", "enter the SIP password"),
])
def test_bad_input_is_explained_and_nothing_is_saved(app, alice, field, value, message):
    response = alice.post("/account/sip", data={**FORM, field: value})
    assert response.status_code == 400 and message in response.text
    assert _stored(app) == []


def test_a_bad_change_keeps_the_saved_account(app, alice):
    alice.post("/account/sip", data=FORM)
    response = alice.post("/account/sip", data={**FORM, "server": "not a host", "password": "other"})
    assert response.status_code == 400
    (row,) = _stored(app)
    assert row.server == FORM["server"] and unseal(app.state.secret_key, row.password_sealed) == PASSWORD


def test_each_user_sees_and_deletes_only_their_own_account(app, alice, bob):
    alice.post("/account/sip", data=FORM)
    assert "alice01" not in bob.get("/account").text
    bob.post("/account/sip/delete")
    assert len(_stored(app)) == 1  # bob had none; alice's is untouched
    bob.post("/account/sip", data={**FORM, "username": "bob02"})
    assert "alice01" not in bob.get("/account").text and "bob02" not in alice.get("/account").text
    assert alice.post("/account/sip/delete", follow_redirects=False).status_code == 303
    assert [row.username for row in _stored(app)] == ["bob02"]
    assert "alice01" not in alice.get("/account").text


def test_the_settings_read_in_korean(make_client):
    korean = make_client("kim@example.com", language="ko")
    page = korean.get("/account").text
    assert "SIP 계정" in page
    response = korean.post("/account/sip", data={**FORM, "server": "bad host"})
    assert response.status_code == 400 and "SIP 서버" in response.text
