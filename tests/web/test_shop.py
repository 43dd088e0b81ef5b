"""The owner's shop in the web app: the profile edited in the browser (saved only when valid, every problem
listed), the assistant's voice, and the dashboard of what the assistant took — written by real dialogues
through the database-backed store, listed newest first, ticked off, deleted, and private to the owner."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from moksori.assistant.dialogue import Call
from moksori.assistant.profile import parse_profile, read_yaml
from moksori.web.shops import EXAMPLE_PROFILE, ShopStore
from moksori.web.storage.models import User

from .conftest import record, run_next_job

NOW = dt.datetime.fromisoformat("2026-12-01T10:00:00+09:00")  # a Tuesday
PROFILE = """name: 동네 국밥
kind: restaurant
address: 서울 마포구 독막로 10
owner_phone: "010-1111-2222"
hours: {mon: "11:00-21:00", tue: "11:00-21:00", wed: "11:00-21:00", thu: "11:00-21:00", fri: "11:00-21:00", sat: closed, sun: closed}
items:
  - {name: 순대국, price: 9000}
  - {name: 수육, price: 25000}
booking: {enabled: true, slot_minutes: 60, capacity: 2, max_party: 8}
orders: {enabled: true}
faq:
  - {q: 주차 되나요?, a: 가게 앞에 두 대 세우실 수 있어요.}
"""


def take_call(app, email: str, lines: list[str], profile_text: str = PROFILE) -> Call:
    """One phone call to ``email``'s shop, written to the database as the call layer does."""
    profile = parse_profile(read_yaml(profile_text))
    with app.state.db.session() as db:
        user_id = db.scalar(select(User.id).where(User.email == email))
    store = ShopStore(app.state.db.session, user_id, profile.zone)
    call = Call(profile, store, NOW)
    turns = [{"caller": "", "assistant": call.greeting()}]
    for line in lines:
        turns.append({"caller": line, "assistant": call.respond(line)})
    store.add_call(turns, call.records, call.summary())
    return call


def test_the_profile_is_saved_only_when_valid_and_every_problem_is_listed(alice):
    assert alice.get("/api/shop").json()["profile_yaml"] == ""
    assert "우리 가게" in alice.get("/shop").text  # a new owner starts from an example
    saved = alice.put("/api/shop/profile", json={"profile_yaml": PROFILE})
    assert saved.status_code == 200 and saved.json()["ignored"] == []
    broken = PROFILE.replace("address: 서울 마포구 독막로 10\n", "").replace('mon: "11:00-21:00"', 'mon: "21:00-11:00"')
    refused = alice.put("/api/shop/profile", json={"profile_yaml": broken})
    assert refused.status_code == 422
    problems = refused.json()["detail"]
    assert "address: required field is missing" in problems and "closes before it opens" in problems
    assert alice.put("/api/shop/profile", json={"profile_yaml": "name: [unclosed"}).status_code == 422
    assert alice.get("/api/shop").json()["profile_yaml"] == PROFILE  # the saved profile stays
    ignored = alice.put("/api/shop/profile", json={"profile_yaml": PROFILE + "notes: 단골 많음\n"}).json()["ignored"]
    assert ignored == ["notes: unknown field, ignored"]
    parse_profile(read_yaml(EXAMPLE_PROFILE))  # the example a new owner sees is itself valid


def _korean_problems(owner, text: str) -> list[str]:
    refused = owner.put("/api/shop/profile", json={"profile_yaml": text})
    assert refused.status_code == 422
    heading, *problems = refused.json()["detail"].splitlines()
    assert heading == "프로필을 저장하지 않았어요. 아래 문제를 먼저 고쳐 주세요."
    return problems


def test_an_owner_reads_every_problem_of_the_profile_in_korean_with_its_field(make_client):
    owner = make_client("owner@example.com", language="ko")
    broken = (PROFILE.replace("address: 서울 마포구 독막로 10\n", "").replace("kind: restaurant", "kind: 식당")
              .replace('owner_phone: "010-1111-2222"', 'owner_phone: "12"').replace("capacity: 2", "capacity: 0")
              .replace('mon: "11:00-21:00"', 'mon: "21:00-11:00"').replace('tue: "11:00-21:00"', 'tue: "11시-9시"')
              .replace('wed: "11:00-21:00"', 'wed: "11:00-25:00"').replace("price: 25000", "price: 이만오천")
              .replace("orders: {enabled: true}", "orders: {enabled: true}\nclosed_dates: [2026-02-30]\ntimezone: Seoul"))
    assert _korean_problems(owner, broken) == [
        "kind: 다음 중 하나여야 해요: 'restaurant', 'salon', 'cafe', 'other'",
        "timezone: 모르는 시간대예요: 'Seoul' (예: Asia/Seoul)",
        "address: 꼭 있어야 하는 항목이 빠졌어요",
        "owner_phone: 한국 전화번호가 아니에요: '12' (예: 010-1234-5678)",
        "hours.mon: 닫는 시각이 여는 시각보다 빠르거나 같아요: '21:00-11:00' (자정을 넘기면 새벽 6시까지 닫을 수 있어요)",
        "closed_dates.0: 2026-12-25처럼 실제 있는 날짜를 적어 주세요",
        "items.1.price: 정수로 적어 주세요",
        "booking.capacity: 1 이상이어야 해요",
    ]
    # The checks of the profile's own rules, each in Korean after the field it is about (none left in English).
    others = {
        'tue: "11:00-21:00"': ('tue: "11시-9시"', "hours.tue: 'HH:MM-HH:MM' 또는 closed로 적어 주세요 (지금 값: '11시-9시')"),
        'wed: "11:00-21:00"': ('wed: "11:00-25:00"', "hours.wed: 없는 시각이에요: '11:00-25:00'"),
        "sun: closed}": ("일요일: closed, 공휴일: closed}", "hours: 모르는 요일이에요: 공휴일. mon, tue, wed, thu, fri, sat, sun"),
        "  - {name: 수육, price: 25000}": ("  - {name: 수육, aliases: [순대국]}", "items: 한 이름이 두 항목에 쓰였어요"),
        "{name: 수육, price: 25000}": ("{name: 순대국}", "items: 같은 항목이 두 번 적혀 있어요: '순대국'"),
        "hours: {mon": ("hours: 매일\nopen: {mon", "hours: hours에는 요일마다"),
        "name: 동네 국밥": ("name: [동네 국밥", "YAML 형식이 올바르지 않아요: "),
    }
    for old, (new, expected) in others.items():
        assert old in PROFILE
        problems = _korean_problems(owner, PROFILE.replace(old, new, 1))
        assert any(problem.startswith(expected) for problem in problems), problems
    orderless = PROFILE.replace("  - {name: 순대국, price: 9000}\n  - {name: 수육, price: 25000}\n", "").replace("items:\n", "")
    assert _korean_problems(owner, orderless.replace("booking: {enabled: true", "booking: {enabled: false")) == [
        "orders.enabled: 주문 받기가 켜져 있는데 주문할 항목(items)이 없어요"]
    ignored = owner.put("/api/shop/profile", json={"profile_yaml": PROFILE + "notes: 단골 많음\n"}).json()["ignored"]
    assert ignored == ["notes: 모르는 항목이라 무시했어요"]
    assert owner.get("/api/shop").json()["profile_yaml"] == PROFILE + "notes: 단골 많음\n"


def test_the_owner_picks_one_of_their_own_voices(app, settings, services, alice, bob, speech):
    record(alice, "script:0", *speech[0])
    record(alice, "script:1", *speech[1])
    alice.post("/api/builds")
    run_next_job(app, settings, services)
    voice_id = alice.get("/api/voices").json()["voices"][0]["id"]
    assert alice.put("/api/shop/voice", json={"voice_id": voice_id}).json()["voice_id"] == voice_id
    assert f'value="{voice_id}" selected' in alice.get("/shop").text
    assert bob.put("/api/shop/voice", json={"voice_id": voice_id}).status_code == 404
    assert bob.get("/api/shop").json()["voice_id"] is None
    assert alice.put("/api/shop/voice", json={"voice_id": None}).json()["voice_id"] is None


def test_calls_fill_the_dashboard_newest_first(app, alice):
    booked = take_call(app, "alice@example.com", ["내일 저녁 7시에 네 명 예약할게요", "김민수요", "공일공 일이삼사 오륙칠팔", "네"])
    assert booked.records[0]["type"] == "booking"
    moved = take_call(app, "alice@example.com", ["예약 시간 바꾸려고요", "공일공 일이삼사 오륙칠팔", "8시로 해 주세요", "네"])
    assert moved.records == [{"type": "booking_change", "ref": "B1", "time": "20:00"}]
    take_call(app, "alice@example.com", ["순대국 두 개 포장 주문할게요", "12시 반에 갈게요", "이지은이요", "공일공 오오오오 육육육육", "네"])
    take_call(app, "alice@example.com", ["사장님께 메시지 남길게요", "내일 단체 손님 문의드려요", "공일공 칠칠칠칠 팔팔팔팔", "네"])

    records = alice.get("/api/shop/records").json()["records"]
    kinds = [row["kind"] for row in records]
    assert kinds == ["call", "message", "call", "order", "call", "call", "booking"]  # newest first
    booking = alice.get("/api/shop/records?kind=booking").json()["records"][0]
    assert booking["ref"] == "B1"
    assert {k: booking["data"][k] for k in ("date", "time", "party", "name", "phone")} == {
        "date": "2026-12-02", "time": "20:00", "party": 4, "name": "김민수", "phone": "01012345678"}  # as changed
    order = alice.get("/api/shop/records?kind=order").json()["records"][0]
    assert order["ref"] == "O1" and order["data"]["items"] == [{"name": "순대국", "qty": 2}]
    message = alice.get("/api/shop/records?kind=message").json()["records"][0]
    assert message["data"]["phone"] == "01077778888"
    first_call = alice.get("/api/shop/records?kind=call").json()["records"][-1]
    assert "김민수" in first_call["data"]["summary"] and len(first_call["data"]["turns"]) == 5

    page = alice.get("/shop").text
    assert "김민수" in page and "순대국 × 2" in page and first_call["data"]["summary"] in page
    assert page.index("2026-12-02 20:00") < page.index("순대국 × 2")  # sections: bookings, orders, messages, calls

    assert alice.patch(f"/api/shop/records/{order['id']}", json={"done": True}).json()["done"] is True
    assert alice.get(f"/api/shop/records/{order['id']}").json()["done"] is True
    assert alice.delete(f"/api/shop/records/{message['id']}").status_code == 200
    assert alice.get("/api/shop/records?kind=message").json()["records"] == []
    assert alice.get("/api/shop/records?kind=parcel").status_code == 422


def test_another_owner_sees_and_changes_nothing(app, alice, bob):
    take_call(app, "alice@example.com", ["내일 저녁 7시에 네 명 예약할게요", "김민수요", "공일공 일이삼사 오륙칠팔", "네"])
    alice.put("/api/shop/profile", json={"profile_yaml": PROFILE})
    row = alice.get("/api/shop/records?kind=booking").json()["records"][0]
    assert bob.get("/api/shop/records").json()["records"] == []
    assert bob.get("/api/shop").json()["profile_yaml"] == ""
    assert "김민수" not in bob.get("/shop").text
    assert bob.patch(f"/api/shop/records/{row['id']}", json={"done": True}).status_code == 404
    assert bob.delete(f"/api/shop/records/{row['id']}").status_code == 404
    assert alice.get(f"/api/shop/records/{row['id']}").json()["done"] is False
    # Bob's own calls get their own references: B1 again, not B2 after Alice's.
    take_call(app, "bob@example.com", ["내일 저녁 7시에 두 명 예약할게요", "박서준이요", "공일공 이이이이 삼삼삼삼", "네"])
    assert bob.get("/api/shop/records?kind=booking").json()["records"][0]["ref"] == "B1"


def test_a_call_to_the_assistant_greets_after_the_notice_and_lands_on_the_dashboard(app, settings, services, alice,
                                                                                    speech):
    from .test_calls import browser_offer, stranger, token_of, wait_for

    refused = alice.post("/api/shop/calls")
    assert refused.status_code == 409 and "profile" in refused.json()["detail"]
    alice.put("/api/shop/profile", json={"profile_yaml": PROFILE})
    assert "no voice" in alice.post("/api/shop/calls").json()["detail"]
    record(alice, "script:0", *speech[0])
    record(alice, "script:1", *speech[1])
    alice.post("/api/builds")
    run_next_job(app, settings, services)

    call = alice.post("/api/shop/calls").json()
    assert call["mode"] == "assistant" and call["status"] == "waiting" and call["qr_svg"].startswith("<svg")
    with stranger(alice) as caller:  # a customer with the link, no account
        assert caller.get(f"/call/{token_of(call)}").status_code == 200
        assert caller.post(f"/api/join/{token_of(call)}", json={"sdp": browser_offer()}).status_code == 200
        assert caller.post(f"/api/join/{token_of(call)}", json={"sdp": browser_offer()}).status_code == 404  # one call
    waiting = wait_for(lambda: len(w := alice.get(f"/api/calls/{call['id']}").json()["waiting"]) == 2 and w)
    assert "자동 응답 도우미" in waiting[1]  # the call notice first, then the assistant's greeting
    assert alice.post(f"/api/calls/{call['id']}/hangup").json()["status"] == "ended"
    calls = wait_for(lambda: alice.get("/api/shop/records?kind=call").json()["records"])
    assert "동네 국밥" in calls[0]["data"]["turns"][0]["assistant"] and calls[0]["data"]["records"] == []
