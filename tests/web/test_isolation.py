"""No endpoint lets one user read, list or change another user's data.

The routes are enumerated from the app itself, so a new route with an id is covered (and fails
here) until it checks ownership.
"""

from __future__ import annotations

import re

from .conftest import record, run_next_job
from .test_shop import take_call


def fill_account(client, app, settings, services, speech) -> dict[str, int]:
    """One of everything: take, sentence, phrase, job, voice, call and shop record; returns their ids by path
    name."""
    take = record(client, "script:0", *speech[0]).json()
    record(client, "script:1", *speech[1])
    sentence = client.post("/api/sentences", json={"text": "우리 집 강아지 이름은 초코예요."}).json()
    phrase = client.post("/api/phrases", json={"text": "물 주세요", "category": "기본"}).json()
    job = client.post("/api/builds").json()
    run_next_job(app, settings, services)
    voice = client.get("/api/voices").json()["voices"][0]
    call = client.post("/api/calls", json={"mode": "call"}).json()
    client.post(f"/api/calls/{call['id']}/say", json={"text": "물 주세요"})
    client.post(f"/api/calls/{call['id']}/hangup")
    take_call(app, "alice@example.com", ["사장님께 메시지 남길게요", "내일 전화 주세요", "공일공 일이삼사 오륙칠팔", "네"])
    shop_record = client.get("/api/shop/records").json()["records"][0]
    return {"take_id": take["id"], "sentence_id": sentence["id"], "phrase_id": phrase["id"], "job_id": job["id"],
            "voice_id": voice["id"], "call_id": call["id"], "record_id": shop_record["id"]}


# A join link is a capability, not an owned id: whoever holds it may join once (tests/web/test_calls.py
# checks that it is long, expiring, single-use and refused when unknown).
CAPABILITY_ROUTES = {"/api/join/{token}"}
# A ringing call's id is only looked up on the user's own phone line (tests/web/test_phone.py: another user's
# answer or decline of it is a 404), never in a shared table.
OWN_LINE_ROUTES = {"/api/phone/ringing/{ring_id}/answer", "/api/phone/ringing/{ring_id}/decline"}
# Valid bodies, so a refusal is about ownership and not about the input.
BODIES = {"/api/calls/{call_id}/say": {"text": "안녕"}, "/api/calls/{call_id}/mute": {"muted": True},
          "/api/calls/{call_id}/keys": {"keys": "1"}, "/api/calls/{call_id}/listen": {"sdp": "v=0"},
          "/api/shop/records/{record_id}": {"done": True}}


def test_every_id_route_refuses_another_users_ids(app, settings, services, alice, bob, speech):
    ids = fill_account(alice, app, settings, services, speech)
    routes = [(path, method) for path, item in app.openapi()["paths"].items() for method in item
              if "{" in path and path not in CAPABILITY_ROUTES | OWN_LINE_ROUTES]
    assert len(routes) >= 10
    for path, method in routes:
        names = re.findall(r"{(\w+)}", path)
        assert all(name in ids for name in names), f"{path}: add its resource to fill_account"
        url = path.format(**ids)
        body = ({"json": BODIES[path]} if path in BODIES
                else {"json": {"favourite": True, "name": "x"}} if method == "patch" else {})
        if path in BODIES and method in ("get", "delete"):
            body = {}
        response = bob.request(method.upper(), url, **body)
        assert response.status_code == 404, (method, url, response.status_code)
        # The same request works for the owner, so the 404 above is about ownership, not the URL.
        if method == "get":
            assert alice.get(url).status_code == 200, url
    # Alice's data is untouched by all of Bob's attempts.
    assert alice.get(f"/api/takes/{ids['take_id']}/audio").status_code == 200
    assert alice.get("/api/phrases").json()["phrases"][0]["favourite"] is False


def test_lists_show_only_the_users_own_data(app, settings, services, alice, bob, speech):
    fill_account(alice, app, settings, services, speech)
    alice.post("/api/speak", json={"text": "물 주세요"})
    prompts = bob.get("/api/prompts?source=script").json()["prompts"]
    assert all(p["take"] is None for p in prompts)
    assert bob.get("/api/prompts?source=custom").json()["prompts"] == []
    assert bob.get("/api/phrases").json()["phrases"] == []
    assert bob.get("/api/jobs").json()["jobs"] == []
    assert bob.get("/api/voices").json()["voices"] == []
    assert bob.get("/api/history").json()["history"] == []
    assert bob.get("/api/calls").json()["calls"] == []
    assert bob.get("/api/shop/records").json()["records"] == []
    assert bob.get("/api/progress").json()["takes"] == 0
    # Prompt keys are resolved per user: Bob cannot record onto Alice's custom sentence.
    key = alice.get("/api/prompts?source=custom").json()["prompts"][0]["key"]
    assert record(bob, key, *speech[0]).status_code == 404
    assert bob.post("/api/prompts/skip", json={"key": key}).status_code == 404
    # Speaking with Alice's voice id is refused.
    voice_id = alice.get("/api/voices").json()["voices"][0]["id"]
    assert bob.post("/api/speak", json={"text": "안녕", "voice_id": voice_id}).status_code == 404
