"""Accounts: sign-up, log-in, sessions, CSRF, consent and deleting all data."""

from __future__ import annotations

import re
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from typer.testing import CliRunner

from moksori.cli import app as cli
from moksori.web.security import CSRF_COOKIE, CSRF_EXEMPT_PREFIXES, SESSION_COOKIE, session_csrf_token
from moksori.web.storage.models import AuthSession, Phrase, Take, User

from .conftest import Client, record, user_files


def test_signup_stores_an_argon2_hash_and_sets_a_safe_cookie(make_client, app):
    client = make_client()
    response = client.post("/signup", data={"email": "Ann@Example.com", "password": "long enough pw", "language": "ko"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/consent"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    with app.state.db.session() as db:
        user = db.scalar(select(User))
        assert user.email == "ann@example.com"
        assert user.password_hash.startswith("$argon2") and "long enough pw" not in user.password_hash
        # Only the hash of the session token is stored.
        token = client.cookies.get(SESSION_COOKIE)
        assert token and db.scalar(select(AuthSession)).token_hash != token


def test_session_cookie_is_secure_behind_https(app):
    with Client(app, base_url="https://testserver") as client:
        client.get("/signup")
        response = client.post("/signup", data={"email": "s@example.com", "password": "long enough pw"},
                               follow_redirects=False)
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "Secure" in cookie


def test_bad_signups_are_refused_with_a_message(alice, make_client):
    client = make_client()
    response = client.post("/signup", data={"email": "alice@example.com", "password": "another password"})
    assert response.status_code == 400 and "cannot be used for a new account" in response.text
    response = client.post("/signup", data={"email": "x@example.com", "password": "short"})
    assert response.status_code == 400 and "at least 8" in response.text
    response = client.post("/signup", data={"email": "not-an-email", "password": "long enough pw"})
    assert response.status_code == 400 and "valid email" in response.text


def test_login_logout_and_wrong_password(alice, make_client):
    alice.post("/logout")
    assert alice.get("/api/phrases").status_code == 401
    assert alice.get("/talk", follow_redirects=False).headers["location"] == "/login"
    response = alice.post("/login", data={"email": "alice@example.com", "password": "wrong password"})
    assert response.status_code == 401 and "Wrong email or password" in response.text
    response = alice.post("/login", data={"email": "ALICE@example.com", "password": "correct horse"},
                          follow_redirects=False)
    assert response.headers["location"] == "/talk"
    assert alice.get("/api/phrases").status_code == 200


def test_sessions_expire(alice, app):
    with app.state.db.session() as db:
        db.execute(update(AuthSession).values(created_at=datetime.now(UTC) - timedelta(days=91)))
        db.commit()
    assert alice.get("/api/phrases").status_code == 401


def test_logout_revokes_the_session_on_the_server(alice, make_client):
    stolen = alice.cookies.get(SESSION_COOKIE)
    alice.post("/logout")
    thief = make_client()
    thief.cookies.set(SESSION_COOKIE, stolen)
    assert thief.get("/api/phrases").status_code == 401


def test_every_state_changing_route_needs_the_csrf_token(app, alice):
    routes = [(path, method) for path, item in app.openapi()["paths"].items() for method in item
              if method in ("post", "put", "patch", "delete") and not path.startswith(CSRF_EXEMPT_PREFIXES)]
    routes += [("/signup", "post"), ("/login", "post"), ("/logout", "post"), ("/consent", "post"),
               ("/account/language", "post"), ("/account/delete", "post"), ("/account/password", "post"),
               ("/account/logout-everywhere", "post"), ("/language", "post"),
               ("/account/api-keys", "post"), ("/account/api-keys/{key_id}/revoke", "post"),
               ("/account/sip", "post"), ("/account/sip/delete", "post")]
    assert len(routes) > 15
    for path, method in routes:
        concrete = path.replace("{", "").replace("}", "").replace("_id", "")  # ids become words: 404 if reached
        for headers in ({"X-CSRF-Token": ""}, {"X-CSRF-Token": "forged"}):
            response = alice.request(method.upper(), concrete, headers=headers, data={"csrf_token": "forged"})
            assert response.status_code == 403, (method, path, response.status_code)
    # The form field works as well as the header.
    token = alice.csrf_token()
    response = alice.post("/account/language", headers={"X-CSRF-Token": ""},
                          data={"csrf_token": token, "language": "en"}, follow_redirects=False)
    assert response.status_code == 303


def test_routes_without_csrf_token_take_no_cookie(app, alice):
    """The exempt routes (for other apps) read only an API key: a logged-in browser's cookies alone
    are refused, so a forged cross-site request gets nothing."""
    exempt = [path for path in app.openapi()["paths"] if path.startswith(CSRF_EXEMPT_PREFIXES)]
    assert exempt == ["/v1/audio/speech"]
    response = alice.post("/v1/audio/speech", json={"model": "tts-1", "input": "안녕", "voice": "default"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "missing_api_key"


def test_recording_needs_consent_first(make_client):
    client = make_client("carol@example.com", consent=False)
    assert client.get("/studio", follow_redirects=False).headers["location"] == "/consent"
    response = client.get("/api/prompts")
    assert response.status_code == 403 and "consent" in response.json()["detail"]
    page = client.get("/consent").text
    assert "Delete all my data" in page and "only on this machine" in page
    assert client.post("/consent", data={}).status_code == 400
    client.post("/consent", data={"agree": "yes"})
    assert client.get("/api/prompts").status_code == 200


def test_html_in_user_input_is_escaped_on_pages(make_client):
    client = make_client()
    response = client.post("/signup", data={"email": "<script>alert(1)</script>", "password": "x",
                                            "display_name": "<b>bold</b>"})
    assert "<script>alert(1)</script>" not in response.text and "&lt;script&gt;" in response.text
    assert "<b>bold</b>" not in response.text


def test_delete_all_my_data_removes_rows_and_files(alice, bob, app, settings, speech):
    for client in (alice, bob):
        assert record(client, "script:0", *speech[0]).status_code == 200
        client.post("/api/phrases", json={"text": "물 주세요"})
    assert len(user_files(settings, "takes")) == 2
    response = alice.post("/account/delete", data={"password": "wrong"})
    assert response.status_code == 401 and "nothing was deleted" in response.text
    assert len(user_files(settings, "takes")) == 2
    response = alice.post("/account/delete", data={"password": "correct horse"}, follow_redirects=False)
    assert response.headers["location"].startswith("/signup")
    with app.state.db.session() as db:
        assert [u.email for u in db.scalars(select(User))] == ["bob@example.com"]
        assert db.scalar(select(func.count()).select_from(Take)) == 1
        assert db.scalar(select(func.count()).select_from(Phrase)) == 1
        assert db.scalar(select(func.count()).select_from(AuthSession)) == 1
    assert len(user_files(settings, "takes")) == 1
    assert alice.get("/api/phrases").status_code == 401
    assert len(bob.get("/api/phrases").json()["phrases"]) == 1


def test_pages_allow_only_their_own_scripts(alice):
    page = alice.get("/talk")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in page.text  # no inline scripts, which the policy would block


def test_unknown_pages_get_a_readable_page_and_the_api_json(alice):
    page = alice.get("/no-such-page")
    assert page.status_code == 404 and "<html" in page.text and "Back to the start" in page.text
    api = alice.get("/api/no-such-thing")
    assert api.status_code == 404 and api.json()["detail"] == "This page does not exist."


def test_a_token_planted_from_another_port_changes_nothing(alice, app):
    """The attack that worked: a page on another port of the same host sets ``moksori_csrf`` and
    submits a form with that token. Refused by the browser's Sec-Fetch-Site/Origin, and without
    them by the token, which is bound to the session."""
    alice.cookies.set(CSRF_COOKIE, "evil-token")
    for headers in ({"Sec-Fetch-Site": "same-site", "Origin": "http://testserver:9999"},
                    {"Origin": "http://testserver:9999"}, {}):
        response = alice.post("/account/language", data={"csrf_token": "evil-token", "language": "en"},
                              headers={"X-CSRF-Token": "", **headers}, follow_redirects=False)
        assert response.status_code == 403, headers
    with app.state.db.session() as db:
        assert db.scalar(select(User.language).where(User.email == "alice@example.com")) == "ko"
    # The page's own token from the page's own origin works.
    response = alice.post("/account/language", data={"language": "en"}, follow_redirects=False,
                          headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 303
    # Another user's (or an old session's) token is useless.
    other = session_csrf_token(app.state.secret_key, "some-other-session")
    response = alice.post("/account/language", data={"language": "ko"}, headers={"X-CSRF-Token": other})
    assert response.status_code == 403


def test_wrong_passwords_slow_down_but_never_lock_out_the_owner(alice, make_client, app):
    throttle = app.state.login_throttle
    now = [1000.0]
    throttle.clock = lambda: now[0]
    guesser = make_client()
    statuses = [guesser.post("/login", data={"email": "alice@example.com", "password": f"guess {n}"}).status_code
                for n in range(8)]
    free = throttle.free_per_account
    assert statuses[:free] == [401] * free and set(statuses[free:]) == {429}  # the next ones come too fast
    response = guesser.post("/login", data={"email": "alice@example.com", "password": "correct horse"},
                            follow_redirects=False)
    assert response.status_code == 429
    wait = int(response.headers["retry-after"])
    assert 1 <= wait <= throttle.max_delay_s  # seconds, not a ten-minute lockout
    now[0] += wait
    response = guesser.post("/login", data={"email": "alice@example.com", "password": "correct horse"},
                            follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/talk"


def test_the_wait_is_said_in_whole_seconds_with_the_right_plural(alice, make_client, app):
    throttle = app.state.login_throttle
    now = [1000.0]
    throttle.clock = lambda: now[0]
    english, korean = make_client(language="en"), make_client(language="ko")
    for n in range(throttle.free_per_account):
        assert english.post("/login", data={"email": "alice@example.com", "password": f"guess {n}"}).status_code == 401
    assert "please wait 1 second and try again." in english.post("/login", data={"email": "alice@example.com",
                                                                                  "password": "x"}).text
    now[0] += 1
    assert english.post("/login", data={"email": "alice@example.com", "password": "one more"}).status_code == 401
    assert "please wait 2 seconds and try again." in english.post("/login", data={"email": "alice@example.com",
                                                                                   "password": "x"}).text
    assert "2초 후에 다시 시도해 주세요." in korean.post("/login", data={"email": "alice@example.com", "password": "x"}).text


def test_spraying_many_accounts_from_one_address_is_slowed(make_client, app):
    throttle = app.state.login_throttle
    throttle.clock = lambda: 1000.0
    throttle.free_per_address = 6  # fewer than the default 20, to keep the test short
    sprayer = make_client()
    statuses = [sprayer.post("/login", data={"email": f"user{n}@example.com", "password": "Summer2026!"}).status_code
                for n in range(12)]
    assert statuses == [401] * 6 + [429] * 6  # one try per account, but all from one address


def test_unknown_and_known_emails_answer_alike(alice, make_client):
    client = make_client()
    times: dict[str, list[float]] = {"alice@example.com": [], "nobody@example.com": []}
    pages = {}
    for _ in range(3):
        for email, spent in times.items():
            started = time.perf_counter()
            response = client.post("/login", data={"email": email, "password": "not the password"})
            spent.append(time.perf_counter() - started)
            assert response.status_code == 401
            pages[email] = response.text.replace(email, "EMAIL")
    assert pages["alice@example.com"] == pages["nobody@example.com"]
    # Both check a password hash (~0.1 s each); unknown emails used to answer 40x faster.
    assert statistics.median(times["nobody@example.com"]) > 0.4 * statistics.median(times["alice@example.com"])
    response = client.post("/signup", data={"email": "alice@example.com", "password": "some new password"})
    assert "already" not in response.text


def test_trivial_passwords_and_non_addresses_are_refused_with_a_reason(make_client):
    client = make_client()
    for password, reason in [("aaaaaaaa", "different"), ("12345678", "guessing"), ("        ", "only spaces"),
                             ("password", "guessing"), ("Password2026!", "guessing"), ("qwer1234", "guessing"),
                             ("zed@example.com rules", "email address")]:
        response = client.post("/signup", data={"email": "zed@example.com", "password": password})
        assert response.status_code == 400 and reason in response.text, password
    for email in ("a@b", "a@b.c", "a b@example.com", "x@-example.com"):
        response = client.post("/signup", data={"email": email, "password": "correct horse"})
        assert response.status_code == 400 and "valid email" in response.text, email
    response = client.post("/signup", data={"email": "zed@example.com", "password": "mellow oak lantern"},
                           follow_redirects=False)
    assert response.status_code == 303


def test_changing_the_password_logs_out_every_other_browser(alice, make_client):
    laptop = make_client()
    laptop.post("/login", data={"email": "alice@example.com", "password": "correct horse"})
    assert laptop.get("/api/phrases").status_code == 200
    response = alice.post("/account/password", data={"current_password": "wrong", "new_password": "mellow oak lantern"})
    assert response.status_code == 401 and "nothing was changed" in response.text
    response = alice.post("/account/password", data={"current_password": "correct horse", "new_password": "12345678"})
    assert response.status_code == 400
    response = alice.post("/account/password",
                          data={"current_password": "correct horse", "new_password": "mellow oak lantern"})
    assert response.status_code == 200 and "1 other" in response.text
    assert alice.get("/api/phrases").status_code == 200
    assert laptop.get("/api/phrases").status_code == 401
    laptop.post("/login", data={"email": "alice@example.com", "password": "mellow oak lantern"})
    assert laptop.get("/api/phrases").status_code == 200


def test_log_out_everywhere_ends_every_session(alice, make_client):
    phone = make_client()
    phone.post("/login", data={"email": "alice@example.com", "password": "correct horse"})
    assert phone.get("/api/phrases").status_code == 200
    response = alice.post("/account/logout-everywhere", follow_redirects=False)
    assert response.headers["location"] == "/login"
    assert alice.get("/api/phrases").status_code == 401
    assert phone.get("/api/phrases").status_code == 401


def test_an_administrator_resets_a_password_from_the_command_line(alice, make_client, settings):
    runner = CliRunner(env={"MOKSORI_DATABASE_URL": settings.database_url})  # the test's own database
    args = ["user", "reset-password", "alice@example.com", "--data-dir", str(settings.data_dir)]
    outputs = []  # an administrator's tool: English alone, never glued to Korean
    result = runner.invoke(cli, args, input="12345678\n12345678\n")
    outputs.append(result.output)
    assert result.exit_code == 2 and "guessing" in result.output
    assert alice.get("/api/phrases").status_code == 200  # nothing changed
    result = runner.invoke(cli, args, input="mellow oak lantern\nmellow oak lantern\n")
    outputs.append(result.output)
    assert result.exit_code == 0 and "1 login(s) ended" in result.output
    assert alice.get("/api/phrases").status_code == 401
    assert alice.post("/login", data={"email": "alice@example.com", "password": "mellow oak lantern"},
                      follow_redirects=False).status_code == 303
    result = runner.invoke(cli, ["user", "reset-password", "nobody@example.com", "--data-dir", str(settings.data_dir)])
    outputs.append(result.output)
    assert result.exit_code == 1 and "no account" in result.output
    result = CliRunner().invoke(cli, ["user", "reset-password", "alice@example.com",
                                      "--data-dir", str(settings.data_dir / "x")])
    outputs.append(result.output)
    assert result.exit_code == 1 and "no Moksori database" in result.output
    assert not any(re.search("[가-힣]", output) for output in outputs), outputs


def test_sessions_end_when_unused_for_the_idle_timeout(alice, app, settings):
    with app.state.db.session() as db:
        db.execute(update(AuthSession).values(last_seen_at=datetime.now(UTC) - timedelta(days=settings.session_idle_days - 1)))
        db.commit()
    assert alice.get("/api/phrases").status_code == 200  # used again: the idle clock restarts
    with app.state.db.session() as db:
        db.execute(update(AuthSession).values(last_seen_at=datetime.now(UTC) - timedelta(days=settings.session_idle_days + 1)))
        db.commit()
    assert alice.get("/api/phrases").status_code == 401
